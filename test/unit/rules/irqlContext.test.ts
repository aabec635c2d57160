// IRQL context from the code and the framework: `_IRQL_limited_to_`, KeGetCurrentIrql() guards, the
// ExecutionLevel of the object a callback is registered on (and of its parent), user-mode drivers,
// and the quick fix that asks the queue for WdfExecutionLevelPassive.
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../server/src/analysis/parse';
import { statedIrqlAt } from '../../../server/src/analysis/executionLevel';
import { applyFix, expectedMarkers, foundAt, lint, loadFixture } from '../../support/ruleHarness';

const serious = (severity: string) => severity === 'warning' || severity === 'error';

describe('IRQL context', function () {
  this.timeout(30_000);
  it('_IRQL_limited_to_ and KeGetCurrentIrql() guards lower the level of the calls they cover', async () => {
    const findings = await lint(loadFixture('irql-context/limited.c'));
    assert.deepEqual(
      findings.filter((f) => f.ruleId.startsWith('KMDF2')).map((f) => `${f.ruleId} ${f.function}`),
      [],
    );
  });

  it('checks that do not bound the level leave the calls reported', async () => {
    const files = loadFixture('irql-context/unguarded.c');
    const findings = await lint(files);
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'));
    assert.deepEqual(
      findings.filter((f) => f.ruleId === 'KMDF2001').map((f) => f.severity),
      ['warning', 'warning', 'warning'],
    );
  });

  it('reads the bound at a site: the arm of the guard, after an early return, after _IRQL_limited_to_', async () => {
    const text = loadFixture('irql-context/limited.c')['limited.c'];
    const model = await analyzeText('file:///fixture/limited.c', text);
    const fn = (name: string) => model.functions.find((f) => f.name === name && f.isDefinition)!;
    const at = (name: string, callee: string, nth = 0) => {
      const f = fn(name);
      const call = f.calls.filter((c) => c.callee === callee)[nth];
      const stated = statedIrqlAt(model, f, { offset: call.span.startOffset, branches: call.branches }, text);
      return stated && `${stated.max}: ${stated.reason}`;
    };
    assert.equal(
      at('QuartzEvtIoDeviceControl', 'WdfUsbTargetDeviceRetrieveConfigDescriptor'),
      'PASSIVE_LEVEL: _IRQL_limited_to_(PASSIVE_LEVEL)',
    );
    assert.equal(at('QuartzEvtIoDeviceControl', 'UNREFERENCED_PARAMETER'), undefined);
    assert.equal(
      at('QuartzEvtIoRead', 'QuartzReloadSettings'),
      'PASSIVE_LEVEL: the guard KeGetCurrentIrql() == PASSIVE_LEVEL',
    );
    assert.equal(at('QuartzEvtIoRead', 'WdfWorkItemEnqueue'), undefined);
    assert.equal(at('QuartzEvtIoRead', 'WdfRequestComplete'), undefined);
    assert.equal(
      at('QuartzEvtIoWrite', 'QuartzReloadSettings'),
      'PASSIVE_LEVEL: the guard KeGetCurrentIrql() <= PASSIVE_LEVEL',
    );
    assert.equal(at('QuartzEvtIoWrite', 'WdfWorkItemEnqueue'), undefined);
  });

  it("a queue inherits its device's ExecutionLevel unless it sets its own", async () => {
    const files = loadFixture('irql-context/inherit.c');
    const findings = await lint(files);
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'));
    assert.equal(findings.find((f) => f.ruleId === 'KMDF2001')?.function, 'JasperEvtIoRead');
  });

  it('the quick fix sets ExecutionLevel on the queue attributes initialised beside the create call', async () => {
    const files = loadFixture('irql-context/fix.c');
    const findings = await lint(files);
    for (const id of ['KMDF2001', 'KMDF2002']) assert.deepEqual(foundAt(findings, id), expectedMarkers(files, id), id);
    const byFunction = (name: string, id: string) => findings.find((f) => f.function === name && f.ruleId === id)!;
    const control = byFunction('OnyxEvtIoDeviceControl', 'KMDF2001');
    const stop = byFunction('OnyxEvtIoStop', 'KMDF2002');
    const read = byFunction('OnyxEvtIoRead', 'KMDF2001');
    assert.ok(serious(control.severity) && serious(stop.severity) && serious(read.severity));
    assert.deepEqual(
      control.fixes?.map((f) => f.title),
      ['Set ExecutionLevel = WdfExecutionLevelPassive on the attributes of the queue (queueAttributes)'],
    );
    assert.equal(read.fixes, undefined, 'WDF_NO_OBJECT_ATTRIBUTES: nothing to set it on');
    const fixed = applyFix(files, control);
    assert.ok(
      fixed['fix.c'].includes(
        [
          '    WDF_OBJECT_ATTRIBUTES_INIT(&queueAttributes);',
          '    queueAttributes.ExecutionLevel = WdfExecutionLevelPassive;',
          '    queueAttributes.SynchronizationScope = WdfSynchronizationScopeQueue;',
        ].join('\n'),
      ),
    );
    const after = await lint(fixed);
    assert.deepEqual(
      after.filter((f) => f.ruleId.startsWith('KMDF2')).map((f) => `${f.ruleId} ${f.function}`),
      ['KMDF2001 OnyxEvtIoRead'],
    );
    // The same fix comes with PAGED_CODE() in EvtIoStop of that queue.
    assert.deepEqual(stop.fixes?.[0]?.edits, control.fixes?.[0]?.edits);
  });

  it('attributes shared with the device get the level just before the queue is created; a two-line INIT is passed over whole', async () => {
    const files = loadFixture('irql-context/shared-attributes.c');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2001');
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'));
    const shared = applyFix(
      files,
      findings.find((f) => f.function === 'AmberEvtIoDeviceControl')!,
    );
    assert.ok(
      shared['shared-attributes.c'].includes(
        [
          '    attributes.ExecutionLevel = WdfExecutionLevelPassive;',
          '    status = WdfIoQueueCreate(device, &queueConfig, &attributes, &queue);',
        ].join('\n'),
      ),
    );
    const internal = applyFix(
      files,
      findings.find((f) => f.function === 'AmberEvtIoInternalDeviceControl')!,
    );
    assert.ok(
      internal['shared-attributes.c'].includes(
        [
          '                                            AMBER_CONTEXT);',
          '    internalAttributes.ExecutionLevel = WdfExecutionLevelPassive;',
          '    return WdfIoQueueCreate(device, &internalConfig, &internalAttributes, WDF_NO_HANDLE);',
        ].join('\n'),
      ),
    );
    for (const fixed of [shared, internal])
      assert.equal((await lint(fixed)).filter((f) => f.ruleId === 'KMDF2001').length, 1);
  });

  it('user-mode (UMDF) drivers get no IRQL or paging findings', async () => {
    const files = loadFixture('irql-context/fix.c');
    const umdf = { 'fix.c': '// target: UMDF 2.33\n' + files['fix.c'] };
    const findings = await lint(umdf);
    assert.deepEqual(
      findings.filter((f) => /^KMDF200[1-7]$/.test(f.ruleId)).map((f) => f.ruleId),
      [],
    );
  });

  it('interrupt callbacks run at DIRQL unless the interrupt is created with PassiveHandling; a call in an assertion is information', async () => {
    const findings = await lint(loadFixture('irql-context/interrupt.c'));
    assert.deepEqual(
      findings
        .filter((f) => f.ruleId.startsWith('KMDF2'))
        .map((f) => `${f.span.start.line + 1} ${f.ruleId} ${f.severity} ${f.function}`),
      [
        '59 KMDF2001 info LumaEvtInterruptIsr',
        '61 KMDF2001 warning LumaEvtInterruptIsr',
        '84 KMDF2002 warning LumaEvtInterruptEnable',
        // PAGED_CODE() with no paged section: the other half of the same slip.
        '84 KMDF2005 info LumaEvtInterruptEnable',
      ],
    );
    assert.match(
      findings.find((f) => f.ruleId === 'KMDF2001')!.message,
      /runs at DIRQL as EVT_WDF_INTERRUPT_ISR\. The call is inside LumaAssert\(…\)/,
    );
  });
});
