// `kmdf lint` over a large tree: 100 copies of the quiet Ember driver (3 sources and a header each, 400
// files), every tenth with one injected IRQL violation. Checks the findings exactly and reports the time.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLint } from '../../../server/src/cli/lintCommand';
import { fixturesDir } from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';

describe('kmdf lint on a large tree', function () {
  this.timeout(120_000);
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-perf-'));
    const source = path.join(fixturesDir, 'quiet/ember');
    for (let i = 0; i < 100; i++) {
      const dir = path.join(root, `driver${i}`);
      fs.mkdirSync(dir);
      for (const name of fs.readdirSync(source)) {
        let text = fs
          .readFileSync(path.join(source, name), 'utf8')
          .replace(/Ember/g, `Ember${i}`)
          .replace(/EMBER/g, `EMBER${i}`);
        // Every tenth driver calls a PASSIVE_LEVEL method from its timer, under its spin lock.
        if (i % 10 === 0 && name === 'device.c') {
          text = text.replace(
            '    EmberRecordTemperature'.replace('Ember', `Ember${i}`),
            '    (VOID)WdfRegistryQueryULong(NULL, NULL, NULL);\n    EmberRecordTemperature'.replace(
              /Ember/g,
              `Ember${i}`,
            ),
          );
        }
        fs.writeFileSync(path.join(dir, name), text);
      }
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds exactly the injected violations, and reports the time', async () => {
    let stdout = '';
    let stderr = '';
    const started = performance.now();
    const code = await runLint(
      [root],
      { format: 'json', headers: [], docs: [], rule: [], failOn: 'warning' },
      { out: (s) => (stdout += s), err: (s) => (stderr += s), index: testIndex(), cwd: root },
    );
    const ms = Math.round(performance.now() - started);
    const findings = JSON.parse(stdout) as { file: string; ruleId: string; function: string }[];
    assert.equal(stderr, '');
    assert.equal(code, 1);
    assert.deepEqual(
      findings.map((f) => `${f.file} ${f.ruleId} ${f.function}`),
      Array.from({ length: 10 }, (_, k) => k * 10)
        .map((i) => `${path.join(`driver${i}`, 'device.c')} KMDF2001 Ember${i}EvtPollTimer`)
        .sort(),
    );
    // Reported, not asserted: how the time grows with the tree is test/robustness/growth.test.ts's check.
    console.log(`      kmdf lint: 400 files (100 drivers) in ${ms} ms`);
  });
});
