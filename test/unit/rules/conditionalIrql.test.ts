// KMDF2001 on methods whose IRQL limit depends on an argument (`_When_` branches in the header).
import { strict as assert } from 'node:assert';
import { decideBranch, parseCondition } from '../../../server/src/rules/facts/conditionalIrql';
import { describeFindings, expectedMarkers, foundAt, lint, loadFixture } from '../../support/ruleHarness';

describe('rules: conditional IRQL (_When_ branches) in KMDF2001', function () {
  this.timeout(30_000);
  it('flags exactly the calls whose constant argument selects a stricter branch, with the branch in the message', async () => {
    const files = loadFixture('KMDF2001/conditional');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2001');
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'), describeFindings(findings));
    assert.deepEqual(
      findings
        .map((f) => `${f.span.start.line + 1} ${f.severity}: ${f.message}`)
        .sort((a, b) => parseInt(a) - parseInt(b)),
      [
        '53 warning: WdfIoTargetStop with Action = WdfIoTargetCancelSentIo must be called at IRQL ≤ PASSIVE_LEVEL, but ZirconCancelTarget can run at DISPATCH_LEVEL (reached from ZirconEvtTimer (= DISPATCH_LEVEL) via ZirconShutDown → ZirconCancelTarget).',
        '69 warning: WdfTimerStop with Wait = TRUE must be called at IRQL ≤ PASSIVE_LEVEL, but ZirconEvtTimer runs at DISPATCH_LEVEL as EVT_WDF_TIMER.',
        '71 warning: WdfDpcCancel with Wait = (BOOLEAN)TRUE must be called at IRQL ≤ PASSIVE_LEVEL, but ZirconEvtTimer runs at DISPATCH_LEVEL as EVT_WDF_TIMER.',
        '85 warning: WdfMemoryCreate with PoolType = PagedPool must be called at IRQL ≤ APC_LEVEL, but ZirconEvtDpc runs at DISPATCH_LEVEL as EVT_WDF_DPC.',
      ],
    );
  });

  it("WdfWaitLockAcquire: the framework header's branches, a NULL timeout waits, any other timeout is undecided", async () => {
    const files = loadFixture('KMDF2001/wait-lock.c');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2001');
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'), describeFindings(findings));
    assert.deepEqual(
      findings.map((f) => `${f.severity}: ${f.message}`),
      [
        'warning: WdfWaitLockAcquire with Timeout = NULL must be called at IRQL ≤ PASSIVE_LEVEL, but GarnetEvtDpc runs at DISPATCH_LEVEL as EVT_WDF_DPC.',
      ],
    );
  });

  it('decides a branch only when every condition can be evaluated', () => {
    const stop = [
      { condition: 'Action == 3', max: 'DISPATCH_LEVEL' },
      { condition: 'Action == 0 || Action == 1 || Action == 2', max: 'PASSIVE_LEVEL' },
    ];
    assert.equal(decideBranch(stop, () => 2)?.branch.max, 'PASSIVE_LEVEL');
    assert.equal(decideBranch(stop, () => 3)?.branch.max, 'DISPATCH_LEVEL');
    assert.equal(
      decideBranch(stop, () => undefined),
      undefined,
    );
    // A value no branch covers: nothing decided, so the loosest level stays in force.
    assert.equal(
      decideBranch(stop, () => 7),
      undefined,
    );
    const idle = [
      { condition: 'WaitForD0 == 0', max: 'DISPATCH_LEVEL' },
      { condition: 'WaitForD0 != 0', max: 'PASSIVE_LEVEL' },
    ];
    assert.deepEqual(
      decideBranch(idle, () => 1),
      { branch: idle[1], params: ['WaitForD0'] },
    );
    const wait = [
      { condition: 'Wait == __true', max: 'PASSIVE_LEVEL' },
      { condition: 'Wait == __false', max: 'DISPATCH_LEVEL' },
    ];
    // __true is "non-zero", not only 1.
    assert.equal(decideBranch(wait, () => 2)?.branch.max, 'PASSIVE_LEVEL');
    assert.equal(decideBranch(wait, () => 0)?.branch.max, 'DISPATCH_LEVEL');
  });

  it('parses only the condition forms it can evaluate', () => {
    assert.deepEqual(parseCondition('Wait == __true'), [[{ param: 'Wait', op: '==', value: 1, truth: true }]]);
    assert.deepEqual(parseCondition('PoolType == 1 || PoolType == 0x101'), [
      [{ param: 'PoolType', op: '==', value: 1, truth: false }],
      [{ param: 'PoolType', op: '==', value: 257, truth: false }],
    ]);
    assert.equal(parseCondition('Size > 4'), undefined);
    assert.equal(parseCondition('(Wait == 1)'), undefined);
    assert.equal(parseCondition('Mode == SomeUnknownConstant'), undefined);
  });
});
