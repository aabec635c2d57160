// Per-function rules in pieces (the engine's `pieceMs`, the server's stepped runs): a rule's pass over
// a document is cut after any function and taken up again at the next, the run yielding between the
// pieces. With pieces of 0 ms every function is a piece: the findings must be those of one pass, on
// every fixture driver, and with findings reused from the check before an edit as well.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rulesSteps, runRules, type RunRulesOptions } from '../../../server/src/rules/engine';
import { FindingsReuse } from '../../../server/src/rules/findingsReuse';
import { allRules } from '../../../server/src/rules/registry';
import { fixturesRoot } from '../../support/paths';
import { analyzeText } from '../../../server/src/analysis/parse';
import {
  analyzeFiles,
  fixturesDir,
  KMDF_NEWEST,
  readFixture,
  uriOf,
  type FixtureDriver,
} from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';

/** Every fixture driver: the rule folders (each file alone and the folder as one driver) and the sample drivers. */
function fixtureDrivers(): [string, Record<string, string>][] {
  const out: [string, Record<string, string>][] = [];
  for (const dir of fs.readdirSync(fixturesDir).sort()) {
    const full = path.join(fixturesDir, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    const files = readFixture(dir);
    if (Object.keys(files).length) out.push([dir, files]);
  }
  const drivers = path.join(fixturesRoot, 'drivers');
  for (const dir of fs.readdirSync(drivers).sort()) {
    const full = path.join(drivers, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    const files: Record<string, string> = {};
    for (const name of fs.readdirSync(full))
      if (/\.(c|h|cpp)(\.txt)?$/.test(name))
        files[name.replace(/\.txt$/, '')] = fs.readFileSync(path.join(full, name), 'utf8');
    out.push([`drivers/${dir}`, files]);
  }
  return out;
}

function options(driver: FixtureDriver, extra: Partial<RunRulesOptions> = {}): RunRulesOptions {
  return {
    workspace: driver.workspace,
    index: testIndex(),
    target: KMDF_NEWEST,
    texts: (uri) => driver.texts.get(uri),
    ...extra,
  };
}

/** The run's findings, and how many steps it yielded. */
function stepped(opts: RunRulesOptions) {
  const steps = rulesSteps(opts);
  let n = 0;
  for (let step = steps.next(); ; step = steps.next(), n++) if (step.done) return { findings: step.value, steps: n };
}

describe('per-function rules in pieces', function () {
  this.timeout(120_000);
  const drivers = fixtureDrivers();

  it('covers the fixture drivers', () => {
    assert.ok(drivers.length >= 30, `${drivers.length}`);
    assert.ok(
      allRules.filter((r) => r.perFunction).length >= 20,
      'most rules are per-function (the pieces cover them)',
    );
  });

  for (const [name, files] of drivers) {
    it(`${name}: every function a piece gives the findings of one pass`, async () => {
      const driver = await analyzeFiles(files);
      const whole = stepped(options(driver));
      const pieces = stepped(options(driver, { pieceMs: 0 }));
      assert.deepEqual(pieces.findings, whole.findings);
      assert.deepEqual(runRules(options(driver)), whole.findings);
      const functions = driver.models.reduce((n, m) => n + m.functions.length, 0);
      if (functions > driver.models.length) assert.ok(pieces.steps > whole.steps, `${pieces.steps} vs ${whole.steps}`);
    });
  }

  it('with findings reused after an indentation edit and a token edit, equal a fresh pass', async () => {
    const files = Object.fromEntries(
      ['queue.c', 'helper.c'].map((f) => [f, fs.readFileSync(path.join(fixturesRoot, 'reuse', f), 'utf8')]),
    );
    const index = testIndex();
    const lineage = {};
    const reuse = { findings: new FindingsReuse(), scope: 'reuse', lineageOf: () => lineage };
    // One workspace, as the server keeps it: an edit replaces the edited document's model only.
    const driver = await analyzeFiles(files, index);
    const check = async (text: string) => {
      const uri = uriOf('queue.c');
      if (text !== driver.texts.get(uri)) {
        driver.workspace.update(await analyzeText(uri, text));
        driver.texts.set(uri, text);
      }
      const kept = stepped(options(driver, { index, reuse, pieceMs: 0 }));
      const fresh = runRules(options(await analyzeFiles({ ...files, 'queue.c': text }, index), { index }));
      assert.deepEqual(kept.findings, fresh);
      return fresh;
    };
    assert.ok((await check(files['queue.c'])).length > 0, 'the fixture has findings');
    // Indentation of a statement line of queue.c, then a name typed into it, then the text as it was.
    const line = files['queue.c'].match(/\n( {4})(ReuFinish\(Request\);)\n/)!;
    reuse.findings.reused = 0;
    await check(files['queue.c'].replace(line[0], `\n${line[1]}  ${line[2]}\n`));
    assert.ok(reuse.findings.reused > 0, 'findings were reused after the indentation edit');
    reuse.findings.reused = 0;
    await check(files['queue.c'].replace(line[0], `\n${line[1]}x${line[2]}\n`));
    assert.ok(reuse.findings.reused > 0, 'findings were reused after the token edit');
    await check(files['queue.c']);
  });
});
