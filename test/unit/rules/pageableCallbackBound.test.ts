// KMDF2001 beside KMDF2002: a request handler that is pageable and may run at DISPATCH_LEVEL is one
// cause. KMDF2002 warns at its PAGED_CODE(); each PASSIVE_LEVEL call it (or a helper it reaches)
// makes is then information that points there, so the cause is one warning, not one per call.
import { strict as assert } from 'node:assert';
import { describeFindings, lint } from '../../support/ruleHarness';

function driver(paged: boolean): Record<string, string> {
  return {
    'beryl.c': [
      '#include <ntddk.h>',
      '#include <wdf.h>',
      'typedef struct _BERYL { WDFWAITLOCK ConfigLock; ULONG Mode; } BERYL, *PBERYL;',
      'WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(BERYL, BerylGet)',
      'EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL BerylEvtIoDeviceControl;',
      paged ? '#pragma alloc_text(PAGE, BerylEvtIoDeviceControl)' : '',
      'static VOID BerylSetMode(PBERYL Beryl, ULONG Mode)',
      '{',
      '    WdfWaitLockAcquire(Beryl->ConfigLock, NULL);',
      '    Beryl->Mode = Mode;',
      '    WdfWaitLockRelease(Beryl->ConfigLock);',
      '}',
      'VOID BerylEvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,',
      '                             size_t InputBufferLength, ULONG IoControlCode)',
      '{',
      '    PBERYL beryl = BerylGet(WdfIoQueueGetDevice(Queue));',
      '    UNREFERENCED_PARAMETER(OutputBufferLength);',
      '    UNREFERENCED_PARAMETER(InputBufferLength);',
      paged ? '    PAGED_CODE();' : '',
      '    WdfWaitLockAcquire(beryl->ConfigLock, NULL);',
      '    beryl->Mode = 0;',
      '    WdfWaitLockRelease(beryl->ConfigLock);',
      '    BerylSetMode(beryl, IoControlCode);',
      '    WdfRequestComplete(Request, STATUS_SUCCESS);',
      '}',
      '',
    ].join('\n'),
  };
}

const summary = (findings: Awaited<ReturnType<typeof lint>>) =>
  findings
    .filter((f) => f.ruleId === 'KMDF2001' || f.ruleId === 'KMDF2002')
    .map((f) => `${f.span.start.line + 1} ${f.ruleId} ${f.severity} ${f.function}`);

describe('rules: a pageable request handler is one warning (KMDF2002), its PASSIVE_LEVEL calls information', function () {
  this.timeout(60_000);

  it('not pageable: each PASSIVE_LEVEL call reached from the handler is a KMDF2001 warning', async () => {
    const findings = await lint(driver(false));
    assert.deepEqual(
      summary(findings),
      ['9 KMDF2001 warning BerylSetMode', '20 KMDF2001 warning BerylEvtIoDeviceControl'],
      describeFindings(findings),
    );
  });

  it('pageable: KMDF2002 warns at PAGED_CODE(), and the calls say it is the same cause', async () => {
    const findings = await lint(driver(true));
    assert.deepEqual(
      summary(findings),
      [
        '9 KMDF2001 info BerylSetMode',
        '19 KMDF2002 warning BerylEvtIoDeviceControl',
        '20 KMDF2001 info BerylEvtIoDeviceControl',
      ],
      describeFindings(findings),
    );
    const call = findings.find((f) => f.ruleId === 'KMDF2001' && f.function === 'BerylEvtIoDeviceControl')!;
    assert.ok(
      call.message.endsWith(
        ' BerylEvtIoDeviceControl is pageable, so KMDF2002 reports this bound there; asking for passive execution settles both.',
      ),
      call.message,
    );
  });
});
