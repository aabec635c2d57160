/**
 * The send rules over their fixture drivers: each rule fires exactly where a fixture says
 * `// expect: KMDF302x` and nowhere in the correct-pattern fixtures; severities, messages and quick
 * fixes as documented. Also the KMDF3018 paths where WdfRequestSend returned FALSE.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FORMAT_METHODS, TARGET_FORMAT_METHODS } from '../../../../server/src/rules/facts/requestSends';
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
import { sharedDir } from '../../../support/paths';

const familyDir = path.join(fixturesDir, 'sends');

/** A fixture of the sends family, or of `family` (the lifetime rules' KMDF3018 sees sends too). */
const load = (family: 'sends' | 'lifetime', id: string, fixture: string) => loadDriver(`${family}/${id}/${fixture}`);

async function findingsOf(id: string, fixture: string): Promise<Finding[]> {
  return runRules([ruleById(id)], await load('sends', id, fixture));
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.function} ${f.severity} ${f.span.start.line + 1}`);

describe('send rules: fixtures', () => {
  before(async function () {
    this.timeout(60000); // the first analysis loads the grammar and the index
    await load('sends', 'KMDF3023', 'good.c');
  });

  for (const id of fs.readdirSync(familyDir).sort()) {
    for (const fixture of fs.readdirSync(path.join(familyDir, id)).sort()) {
      it(`${id}: ${fixture}`, async () => {
        const driver = await load('sends', id, fixture);
        const expected = expectedMarkers(driver, id);
        if (fixture.startsWith('bad')) assert.ok(expected.length > 0, 'a bad fixture expects findings');
        else assert.equal(expected.length, 0, 'a good fixture expects none');
        assert.deepEqual(foundAt(runRules([ruleById(id)], driver)), expected);
      });
    }
  }

  it('no send rule, nor KMDF3018, fires on a correct-pattern fixture', async () => {
    const family = [...fs.readdirSync(familyDir).map(ruleById), ruleById('KMDF3018')];
    for (const id of fs.readdirSync(familyDir))
      for (const fixture of fs.readdirSync(path.join(familyDir, id)).filter((n) => n.startsWith('good')))
        assert.deepEqual(foundAt(runRules(family, await load('sends', id, fixture))), [], `${id}/${fixture}`);
  });

  it('lists exactly the format methods of the catalog', () => {
    const catalog = JSON.parse(fs.readFileSync(path.join(sharedDir, 'wdf-signatures/kmdf-1.33.json'), 'utf8')) as {
      methods: { name: string }[];
    };
    const formatting = catalog.methods.map((m) => m.name).filter((n) => /Format/.test(n) && n.startsWith('Wdf'));
    assert.deepEqual([...FORMAT_METHODS].sort(), formatting.sort());
    assert.equal(TARGET_FORMAT_METHODS.size, 14);
    assert.ok(!TARGET_FORMAT_METHODS.has('WdfRequestFormatRequestUsingCurrentType'));
  });
});

describe('KMDF3023 send-failure-unhandled', () => {
  it('warns for a presented or created request, and is information for one a caller handed over', async () => {
    const findings = await findingsOf('KMDF3023', 'bad.c');
    assert.deepEqual(summary(findings), [
      'KestrelEvtIoWrite warning 24',
      'KestrelSendPing warning 44',
      'KestrelRelay info 67',
      'KestrelRelayQuietly info 78',
      'KestrelPassDown warning 90',
      'KestrelPassOn info 117',
    ]);
    assert.equal(
      findings[0].message,
      'KestrelEvtIoWrite drops the result of WdfRequestSend: when the send fails (the target is stopped or gone, the ' +
        'request was cancelled) it returns FALSE, the request was not sent and no completion routine will run, so ' +
        'Request stays with the driver with nothing left to complete it. Test the result and call ' +
        'WdfRequestComplete(Request, WdfRequestGetStatus(Request)) when it is FALSE.',
    );
    assert.match(findings[1].message, /the request object created here is leaked \(call WdfObjectDelete\(ping\)/);
    const passDown = findings[4];
    assert.ok(
      passDown.message.endsWith(
        ' KestrelPassDown returns nothing, and its callers (KestrelEvtIoDeviceControl, KestrelEvtIoRead) hand it the ' +
          'request they were presented and cannot learn that the send failed.',
      ),
      passDown.message,
    );
    assert.deepEqual(
      passDown.related?.map((r) => `${r.span.start.line + 1} ${r.message}`),
      [
        '102 KestrelEvtIoDeviceControl hands KestrelPassDown its request here',
        '109 KestrelEvtIoRead hands KestrelPassDown its request here',
      ],
    );
  });

  it('wraps a dropped send in a test that completes the request', async () => {
    const driver = await load('sends', 'KMDF3023', 'bad.c');
    const [uri, text] = [...driver.texts][0];
    const [first] = runRules([ruleById('KMDF3023')], driver);
    const fix = first.fixes?.[0];
    assert.ok(fix);
    assert.equal(fix.title, 'Finish Request when WdfRequestSend returns FALSE');
    const fixed = applyEdits(text, fix.edits);
    assert.ok(
      fixed.includes(
        '    if (!WdfRequestSend(Request, kestrel->Lower, &options)) {\n' +
          '        WdfRequestComplete(Request, WdfRequestGetStatus(Request));\n' +
          '    } // expect: KMDF3023\n',
      ),
    );
    const after = runRules([ruleById('KMDF3023')], await analyzeDriver({ [uri]: fixed }));
    assert.deepEqual(
      after.map((f) => f.function),
      ['KestrelSendPing', 'KestrelRelay', 'KestrelRelayQuietly', 'KestrelPassDown', 'KestrelPassOn'],
    );
  });
});

describe('KMDF3024 request-sent-unformatted', () => {
  it('warns where no path formats the request, information where one arm does', async () => {
    const findings = await findingsOf('KMDF3024', 'bad.c');
    assert.deepEqual(summary(findings), [
      'PloverEvtIoDeviceControl warning 27',
      'PloverResetLower warning 54',
      'PloverEvtIoRead info 76',
      'PloverQueryStatusTwice warning 108',
    ]);
    assert.match(
      findings[0].message,
      /^PloverEvtIoDeviceControl sends Request without WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET where nothing formatted it:/,
    );
    assert.match(findings[1].message, /^PloverResetLower sends reset synchronously where nothing formatted it/);
    assert.match(findings[2].message, / on a path where nothing formatted it/);
  });

  it('formats a presented request before the send', async () => {
    const driver = await load('sends', 'KMDF3024', 'bad.c');
    const [uri, text] = [...driver.texts][0];
    const findings = runRules([ruleById('KMDF3024')], driver);
    assert.deepEqual(
      findings.map((f) => f.fixes?.[0]?.title),
      [
        'Format Request with WdfRequestFormatRequestUsingCurrentType before sending it',
        undefined,
        undefined,
        undefined,
      ],
    );
    const fixed = applyEdits(text, findings[0].fixes![0].edits);
    assert.match(
      fixed,
      /PloverIoctlDone, plover\);\n {4}WdfRequestFormatRequestUsingCurrentType\(Request\);\n {4}if \(!WdfRequestSend\(Request, plover->Lower/,
    );
    const after = runRules([ruleById('KMDF3024')], await analyzeDriver({ [uri]: fixed }));
    assert.deepEqual(
      after.map((f) => f.function),
      ['PloverResetLower', 'PloverEvtIoRead', 'PloverQueryStatusTwice'],
    );
  });
});

describe('KMDF3025 send-and-forget-formatted', () => {
  it('names the target format method, directly or through a helper', async () => {
    const findings = await findingsOf('KMDF3025', 'bad.c');
    assert.deepEqual(summary(findings), [
      'WrenEvtIoDeviceControl warning 34',
      'WrenEvtIoWrite warning 60',
      'WrenEvtIoRead info 79',
    ]);
    assert.match(
      findings[0].message,
      /^WrenEvtIoDeviceControl sends Request with WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET after WdfIoTargetFormatRequestForIoctl formatted it\. /,
    );
    assert.match(findings[1].message, /after WrenPrepareWrite formatted it/);
    assert.deepEqual(
      findings.map((f) => f.related?.map((r) => r.span.start.line + 1)),
      [[28], [54], [74]],
    );
  });
});

describe('KMDF3026 synchronous-send-without-timeout', () => {
  it('is information at each synchronous send with no time-out set', async () => {
    const findings = await findingsOf('KMDF3026', 'bad.c');
    assert.deepEqual(summary(findings), ['HeronReadRegister info 16', 'HeronResetController info 31']);
    assert.match(
      findings[0].message,
      /Set one with WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT\(&options, WDF_REL_TIMEOUT_IN_SEC\(…\)\) before the send\.$/,
    );
  });
});

describe('KMDF3027 send-without-completion-routine', () => {
  it('warns where no path sets a routine before the send, information where one arm does', async () => {
    const findings = await findingsOf('KMDF3027', 'bad.c');
    assert.deepEqual(summary(findings), [
      'WrenEvtIoRead warning 27',
      'WrenEvtIoWrite warning 41',
      'WrenEvtIoDeviceControl info 62',
      'WrenEvtIoInternalDeviceControl warning 80',
      'WrenPollTwice warning 122',
    ]);
    assert.equal(
      findings[0].message,
      'WrenEvtIoRead sends Request asynchronously with no completion routine set on it: when the target completes the ' +
        'request the framework has no routine of the driver to call, so the driver never learns the result and has no ' +
        'place to complete the request it was presented. Call WdfRequestSetCompletionRoutine(Request, …) before ' +
        'WdfRequestSend, or send it with WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET if the driver has nothing to do when ' +
        'it completes.',
    );
    assert.match(findings[2].message, /^WrenEvtIoDeviceControl sends Request asynchronously on a path with no/);
    assert.match(
      findings[4].message,
      /has no place to delete the request it created\. Call WdfRequestSetCompletionRoutine\(poll, …\) before WdfRequestSend\.$/,
    );
    assert.deepEqual(
      findings.map((f) => f.fixes),
      [undefined, undefined, undefined, undefined, undefined],
    );
  });
});

describe('KMDF3018 after WdfRequestSend returned FALSE', () => {
  it('warns at the exit of the failed path and completes with the send status', async () => {
    const driver = await load('lifetime', 'KMDF3018', 'bad-send.c');
    const [uri, text] = [...driver.texts][0];
    const findings = runRules([ruleById('KMDF3018')], driver);
    assert.deepEqual(summary(findings), ['EgretEvtIoWrite warning 24', 'EgretEvtIoRead warning 41']);
    assert.match(
      findings[0].message,
      /^EvtIoWrite callback EgretEvtIoWrite can return here without finishing Request after WdfRequestSend returned FALSE: /,
    );
    assert.match(
      findings[1].message,
      /can reach the end of the function without finishing Request after WdfRequestSend/,
    );
    assert.deepEqual(
      findings.map((f) => f.fixes?.[0]?.title),
      [
        'Complete Request with WdfRequestGetStatus(Request) on this path',
        'Complete Request with WdfRequestGetStatus(Request) on this path',
      ],
    );
    const fixed = applyEdits(text, findings[0].fixes![0].edits);
    assert.match(fixed, /\n {8}WdfRequestComplete\(Request, WdfRequestGetStatus\(Request\)\);\n {8}return;/);
    const after = runRules([ruleById('KMDF3018')], await analyzeDriver({ [uri]: fixed }));
    assert.deepEqual(
      after.map((f) => f.function),
      ['EgretEvtIoRead'],
    );
  });
});
