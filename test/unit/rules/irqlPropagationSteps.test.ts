// The workspace-wide IRQL propagation in pieces (IrqlFacts.prepare), which the engine runs before the
// rules that read callers' levels so that a stepped run gives way during it: the answers are those
// of the propagation run at once, however far the pieces went before a rule asked.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { IrqlFacts } from '../../../server/src/rules/facts/irql';
import { rulesSteps, runRules } from '../../../server/src/rules/engine';
import { allRules } from '../../../server/src/rules/registry';
import type { Rule } from '../../../server/src/rules/types';
import { analyzeFiles, fixturesDir, KMDF_NEWEST, loadDriver, type FixtureDriver } from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';

/** Fixture drivers with callbacks, helpers, locks, raises and guards. */
const FIXTURES = fs
  .readdirSync(fixturesDir)
  .filter((name) => /^(KMDF20\d\d|irql-.*)$/.test(name) && fs.statSync(`${fixturesDir}/${name}`).isDirectory());

function facts(driver: FixtureDriver): IrqlFacts {
  return new IrqlFacts(driver.workspace, testIndex(), (uri) => driver.texts.get(uri));
}

/** Every level reaching every function the driver defines or calls (or only those of `uri`), as text. */
function answers(irql: IrqlFacts, driver: FixtureDriver, uri?: string): string {
  const names = new Set<string>();
  for (const model of driver.models) {
    if (uri && model.uri !== uri) continue;
    for (const fn of model.functions) {
      names.add(fn.name);
      if (!uri) for (const call of fn.calls) names.add(call.callee);
    }
  }
  return JSON.stringify([...names].sort().map((name) => [name, irql.levelsReaching(name), irql.irqlOf(name) ?? null]));
}

/** A queue file whose callbacks reach helpers in another file, one of them under a spin lock. */
const TWO_FILES = {
  'queue.c': `#include <ntddk.h>
#include <wdf.h>
#include "helpers.h"

EVT_WDF_IO_QUEUE_IO_READ PearlEvtIoRead;
EVT_WDF_DPC PearlEvtDpc;

VOID PearlEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Length);
    PearlFillBuffer(Queue, Request);
}

VOID PearlEvtDpc(WDFDPC Dpc)
{
    PPEARL_CONTEXT context = PearlGetContext(WdfDpcGetParentObject(Dpc));
    WdfSpinLockAcquire(context->Lock);
    PearlCountTransfer(context);
    WdfSpinLockRelease(context->Lock);
}
`,
  'helpers.c': `#include <ntddk.h>
#include <wdf.h>
#include "helpers.h"

VOID PearlTouchCounters(PPEARL_CONTEXT Context)
{
    Context->Transfers++;
}

VOID PearlCountTransfer(PPEARL_CONTEXT Context)
{
    PearlTouchCounters(Context);
}

VOID PearlFillBuffer(WDFQUEUE Queue, WDFREQUEST Request)
{
    UNREFERENCED_PARAMETER(Queue);
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

VOID PearlUnused(VOID)
{
}
`,
};

describe('IRQL propagation in pieces', function () {
  this.timeout(60_000);

  it('covers fixtures whose callbacks reach helpers', () => {
    assert.ok(FIXTURES.length >= 10, FIXTURES.join(', '));
  });

  for (const name of FIXTURES) {
    it(`${name}: every piece, or some then a question, gives the answers of one go`, async () => {
      const driver = await loadDriver(name);
      const once = facts(driver);
      const whole = answers(once, driver);
      assert.match(whole, /_LEVEL/, 'the fixture states some level');
      // One piece for the callbacks found, one per callback and per function walked at least.
      const callbacks = driver.models.flatMap((m) => m.functions).filter((f) => once.callbackLevel(f.name));

      const stepped = facts(driver);
      let pieces = 0;
      for (const _ of stepped.prepare()) pieces++;
      assert.ok(pieces > callbacks.length, `${pieces} piece(s) for ${callbacks.length} callback(s)`);
      assert.equal(answers(stepped, driver), whole);
      // prepare() after the end has nothing left.
      assert.equal([...stepped.prepare()].length, 0);

      for (const taken of [1, Math.floor(pieces / 2)]) {
        const partly = facts(driver);
        const steps = partly.prepare();
        for (let i = 0; i < taken; i++) steps.next();
        assert.equal(answers(partly, driver), whole, `a question after ${taken} piece(s)`);
      }
    });
  }

  describe('kept to the callers of some documents (focusOn)', () => {
    let crossFile = 0;
    for (const name of [...FIXTURES, 'a two-file driver']) {
      it(`${name}: a document's functions get the reaches of the whole propagation; another question widens it`, async () => {
        const driver = name === 'a two-file driver' ? await analyzeFiles(TWO_FILES) : await loadDriver(name);
        const whole = answers(facts(driver), driver);
        for (const model of driver.models) {
          const expected = answers(facts(driver), driver, model.uri);
          const focused = facts(driver);
          focused.focusOn([model.uri]);
          for (const _ of focused.prepare());
          assert.equal(answers(focused, driver, model.uri), expected, model.uri);
          // A reach whose callback is defined in another document: the focus had to follow callers there.
          const own = new Set(model.functions.map((f) => f.name));
          for (const fn of model.functions)
            if (focused.levelsReaching(fn.name).some((r) => !own.has(r.root ?? ''))) crossFile++;
          assert.equal(answers(focused, driver), whole, `${model.uri}, then every function`);
        }
      });
    }
    it('some reaches came from callbacks in other documents', () => {
      assert.ok(crossFile >= 3, `${crossFile}`);
    });
  });

  it('the engine gives way during the propagation, with the findings of a run without the hint', async () => {
    const driver = await loadDriver('irql-locks');
    const run = (rules: readonly Rule[]) => ({
      workspace: driver.workspace,
      index: testIndex(),
      target: KMDF_NEWEST,
      texts: (uri: string) => driver.texts.get(uri),
      rules,
    });
    const readers = allRules.filter((r) => r.readsCallerLevels);
    assert.ok(readers.length >= 3, readers.map((r) => r.meta.id).join(', '));
    const unhinted = allRules.map((r) => ({ ...r, readsCallerLevels: false }));
    const countSteps = (rules: readonly Rule[]) => {
      const steps = rulesSteps(run(rules));
      let n = 0;
      let step = steps.next();
      for (; !step.done; step = steps.next()) n++;
      return { n, findings: step.value };
    };
    const hinted = countSteps(allRules);
    const plain = countSteps(unhinted);
    assert.ok(hinted.n > plain.n + 1, `${hinted.n} steps with the hint, ${plain.n} without`);
    assert.deepEqual(hinted.findings, plain.findings);
    assert.deepEqual(runRules(run(allRules)), plain.findings);
    assert.ok(
      plain.findings.some((f) => f.ruleId.startsWith('KMDF2')),
      'the fixture has IRQL findings',
    );
  });
});
