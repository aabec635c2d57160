/**
 * No stub trips our own rules: a file holding the stub of every role type with a usable signature
 * (one file per framework, each under a `.kmdf.json` naming it) is linted as `kmdf lint` would, and
 * nothing above a hint may come out.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeDriver, lintDriver } from '../../../server/src/session/treeAnalysis';
import { callbackBaseName, uniqueName } from '../../../server/src/stubs/naming';
import { generateStub, signatureProblem } from '../../../server/src/stubs/stub';
import { testIndex } from '../../support/testIndex';

describe('stubs: kmdf lint on a file of every generated stub reports nothing above hint', function () {
  this.timeout(120000);
  const index = testIndex();
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-stubs-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const framework of ['KMDF', 'UMDF'] as const) {
    it(`${framework}: every role type of the framework`, async () => {
      const dir = path.join(root, framework);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, '.kmdf.json'), JSON.stringify({ target: { framework } }));
      const taken = new Set<string>();
      const parts: string[] = [];
      const roles = index
        .all('callback')
        .filter((e) => e.returns && !signatureProblem(e) && e.frameworks.includes(framework))
        // The picker does not offer a KMDF-only role type to a UMDF driver.
        .filter((e) => framework === 'KMDF' || !e.flags.some((f) => f.id === 'kmdf-only'));
      for (const entry of roles) {
        // Two role types can share a role name (the UCM connector's two role setters): keep names distinct.
        const name = uniqueName(`Test${callbackBaseName(entry)}`, (n) => taken.has(n));
        taken.add(name);
        const stub = generateStub(entry, name, {}, (n) => index.get(n));
        parts.push(stub.declaration, ...(stub.allocText ? [stub.allocText] : []), '', stub.definition, '');
      }
      assert.ok(roles.length >= 100, `${roles.length} ${framework} role types`);
      assert.ok(roles.some((e) => e.name === 'EVT_WDF_IO_QUEUE_IO_STOP'));
      assert.ok(roles.some((e) => e.name === 'EVT_WDF_IO_QUEUE_IO_RESUME'));
      fs.writeFileSync(path.join(dir, 'stubs.c'), parts.join('\n'));

      const driver = await analyzeDriver([dir], index);
      assert.deepEqual(driver.skipped, []);
      const result = lintDriver(driver, { index });
      const aboveHint = result.findings
        .filter((f) => f.severity !== 'hint')
        .map((f) => `${f.ruleId} line ${f.span.start.line + 1}: ${f.message}`);
      assert.deepEqual(aboveHint, []);
      assert.deepEqual(result.ruleErrors, []);
    });
  }
});
