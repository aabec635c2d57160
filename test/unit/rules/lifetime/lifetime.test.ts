/**
 * The request-lifetime and lock rules over their fixture drivers: each rule fires exactly where a
 * fixture says `// expect: KMDF3xxx` (or KMDF4xxx) and nowhere in the correct-pattern fixtures; severities,
 * messages and quick fixes as documented.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../../server/src/rules/types';
import {
  analyzeDriver,
  applyEdits,
  expectedMarkers,
  foundAt,
  fixturesDir,
  loadDriver,
  ruleById,
  runRules,
} from '../../../support/ruleHarness';

const familyDir = path.join(fixturesDir, 'lifetime');

const load = (id: string, fixture: string) => loadDriver(`lifetime/${id}/${fixture}`);

async function findingsOf(id: string, fixture: string): Promise<Finding[]> {
  return runRules([ruleById(id)], await load(id, fixture));
}

describe('request lifetime and lock rules: fixtures', () => {
  before(async function () {
    this.timeout(60000); // the first analysis loads the grammar and the index
    await load('KMDF3018', 'good.c');
  });

  for (const id of fs.readdirSync(familyDir).sort()) {
    for (const fixture of fs.readdirSync(path.join(familyDir, id)).sort()) {
      it(`${id}: ${fixture}`, async () => {
        const driver = await load(id, fixture);
        const expected = expectedMarkers(driver, id);
        if (fixture.startsWith('bad')) assert.ok(expected.length > 0, 'a bad fixture expects findings');
        else assert.equal(expected.length, 0, 'a good fixture expects none');
        assert.deepEqual(foundAt(runRules([ruleById(id)], driver)), expected);
      });
    }
  }

  it('no rule of the family fires on a correct-pattern fixture', async () => {
    const family = fs.readdirSync(familyDir).map(ruleById);
    for (const id of fs.readdirSync(familyDir))
      for (const fixture of fs.readdirSync(path.join(familyDir, id)).filter((n) => n.startsWith('good')))
        assert.deepEqual(foundAt(runRules(family, await load(id, fixture))), [], `${id}/${fixture}`);
  });
});

describe('KMDF3018 request-not-finished', () => {
  it('is a warning where the path is plain, information where the request went out of sight', async () => {
    const findings = await findingsOf('KMDF3018', 'bad.c');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity}`),
      [
        'TideEvtIoWrite warning',
        'TideEvtIoWrite warning',
        'TideEvtIoRead warning',
        'TideEvtIoDeviceControl warning',
        'TideEvtIoInternalDeviceControl warning',
        'TideEvtIoDefault info',
      ],
    );
    assert.match(findings[0].message, /^EvtIoWrite callback TideEvtIoWrite can return here without finishing Request/);
    assert.match(findings[2].message, /can reach the end of the function without finishing Request/);
    assert.match(findings[5].message, /only to functions this workspace does not define/);
  });

  it('completes the request on the early path, with the status the handler keeps', async () => {
    const driver = await load('KMDF3018', 'bad.c');
    const [uri, text] = [...driver.texts][0];
    const [first, second] = runRules([ruleById('KMDF3018')], driver);
    const [firstFix, secondFix] = [first.fixes?.[0], second.fixes?.[0]];
    assert.ok(firstFix && secondFix);
    // Before the first return `status` holds nothing yet.
    assert.equal(firstFix.title, 'Complete Request with STATUS_INVALID_DEVICE_REQUEST on this path');
    assert.equal(secondFix.title, 'Complete Request with status on this path');
    const fixed = applyEdits(applyEdits(text, secondFix.edits), firstFix.edits);
    assert.match(
      fixed,
      /\{\n {8}WdfRequestComplete\(Request, STATUS_INVALID_DEVICE_REQUEST\);\n {8}return;.*\n {4}\}\n {4}status = TideCheckBuffer/,
    );
    assert.match(fixed, /%x\\n", status\)\);\n {8}WdfRequestComplete\(Request, status\);\n {8}return;/);
    const after = runRules([ruleById('KMDF3018')], await analyzeDriver({ [uri]: fixed }));
    assert.deepEqual(
      after.map((f) => f.function),
      ['TideEvtIoRead', 'TideEvtIoDeviceControl', 'TideEvtIoInternalDeviceControl', 'TideEvtIoDefault'],
    );
  });
});

describe('KMDF3019 lock-not-released', () => {
  it('warns at each exit that keeps a lock the function releases elsewhere; a lock helper is information', async () => {
    const findings = await findingsOf('KMDF3019', 'bad.c');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity}`),
      [
        'MossQueuePending warning',
        'MossUpdateConfig warning',
        'MossFindSlot warning',
        'MossRingPush warning',
        'MossSyncCounters warning',
        'MossLockQueue info',
      ],
    );
    assert.match(
      findings[0].message,
      /^MossQueuePending can return here still holding the spin lock taken by WdfSpinLockAcquire\(Moss->QueueLock\)/,
    );
    assert.match(findings[5].message, /_Acquires_lock_/);
  });

  it('a framework callback that keeps a spin lock, itself or through a lock helper, is a warning', async () => {
    const findings = await findingsOf('KMDF3019', 'bad-callback.c');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity ?? 'warning'}`),
      ['ShoalEvtDpc warning', 'ShoalEvtTimer warning', 'ShoalLockForCaller info'],
    );
    assert.match(
      findings[0].message,
      /^ShoalEvtDpc is called by the framework as \w+ \(EVT_WDF_DPC\) and takes the lock/,
    );
  });

  it('releases the lock before the early return with the matching method and arguments', async () => {
    const driver = await load('KMDF3019', 'bad.c');
    const [uri, text] = [...driver.texts][0];
    const findings = runRules([ruleById('KMDF3019')], driver);
    assert.deepEqual(
      findings.map((f) => f.fixes?.[0]?.title),
      [
        'Release the lock on this path (WdfSpinLockRelease(Moss->QueueLock);)',
        // Paths that released it reach the same exit: a release there would run twice on them.
        undefined,
        undefined,
        'Release the lock on this path (KeReleaseInStackQueuedSpinLock(&handle);)',
        undefined,
        // The helper shape is information, with nothing mechanical to do.
        undefined,
      ],
    );
    let fixed = text;
    for (const f of [...findings].reverse()) if (f.fixes) fixed = applyEdits(fixed, f.fixes[0].edits);
    const after = runRules([ruleById('KMDF3019')], await analyzeDriver({ [uri]: fixed }));
    assert.deepEqual(
      after.map((f) => f.function),
      ['MossUpdateConfig', 'MossFindSlot', 'MossSyncCounters', 'MossLockQueue'],
    );
  });
});

describe('KMDF3021 request-used-after-completion, across a helper', () => {
  it("a helper that finishes its request on every path finishes the caller's; one that may not, does not", async () => {
    const findings = await findingsOf('KMDF3021', 'bad-helper.c');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.related?.[0]?.message}`),
      [
        'WrenEvtIoWrite Request is finished by this call',
        'WrenEvtIoRead Request is finished by this call',
        'WrenEvtIoDeviceControl Request is finished by this call',
        'WrenEvtIoDefault Request is finished by this call',
      ],
    );
    assert.match(
      findings[0].message,
      /^WrenEvtIoWrite uses Request after WrenFail finished Request on this path \(it completes/,
    );
    assert.match(findings[1].message, /WrenPassDown finished Request on this path \(it passes on or completes/);
    assert.deepEqual(await findingsOf('KMDF3021', 'good-helper.c'), []);
  });
});

describe('KMDF3020 request-sent-under-spin-lock', () => {
  it('an object lock counts as a spin lock where no object runs at passive level, and says why', async () => {
    const [finding, ...rest] = await findingsOf('KMDF3020', 'bad-object.c');
    assert.deepEqual(rest, []);
    assert.equal(finding.severity ?? 'warning', 'warning');
    assert.match(
      finding.message,
      /holding the lock taken by WdfObjectAcquireLock\(device\) \(a spin lock, since no object of the driver is created with WdfExecutionLevelPassive\): /,
    );
    assert.deepEqual(await findingsOf('KMDF3020', 'good-object.c'), []);
  });

  it('warns where every path holds the spin lock at the send, information where only some do', async () => {
    const findings = await findingsOf('KMDF3020', 'bad.c');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity}`),
      ['SlateEvtIoRead warning', 'SlateResend info'],
    );
    assert.match(
      findings[0].message,
      /^SlateEvtIoRead sends a request while holding the spin lock taken by WdfSpinLockAcquire\(slate->TargetLock\):/,
    );
    assert.equal(findings[0].related?.[0].message, 'the spin lock is taken here');
  });
});

describe('KMDF3021 request-used-after-completion', () => {
  it('names what was used, where the request was completed, and stays quiet on a re-fetched request', async () => {
    const findings = await findingsOf('KMDF3021', 'bad.c');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity}`),
      [
        'QuillEvtIoWrite warning',
        'QuillEvtIoRead warning',
        'QuillEvtIoRead warning',
        'QuillEvtIoDeviceControl warning',
        'QuillEvtIoDeviceControl warning',
      ],
    );
    assert.match(
      findings[0].message,
      /^QuillEvtIoWrite uses Request after WdfRequestComplete completed Request on this path/,
    );
    assert.match(findings[1].message, /uses data \(obtained from Request\) after WdfRequestCompleteWithInformation/);
    assert.match(findings[3].message, /uses context \(obtained from Request\)/);
    assert.equal(findings[0].related?.[0].message, 'Request is completed here');
    assert.equal(findings[0].related?.[0].span.start.line, 23);
  });
});

describe('KMDF4004 result-not-inspected', () => {
  it('warns where an out parameter is left unset, and is information otherwise', async () => {
    const file = path.resolve(__dirname, '../../../fixtures/rules/KMDF4004/bad.c');
    const driver = await analyzeDriver({ 'file:///fixtures/KMDF4004/bad.c': fs.readFileSync(file, 'utf8') });
    const findings = runRules([ruleById('KMDF4004')], driver);
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity} ${f.span.start.line + 1}`),
      ['WrenEvtDeviceD0Entry warning 28', 'WrenEvtDeviceD0Entry info 32', 'WrenEvtDeviceD0Entry info 35'],
    );
    assert.match(findings[2].message, /drops the result of WrenProgramRegisters/);
  });
});
