import { strict as assert } from 'node:assert';
import { generateStub, isPageable, StubError, stubReturnValue } from '../../../server/src/stubs/stub';
import { callbackBaseName, uniqueName } from '../../../server/src/stubs/naming';
import { testIndex, withChanges } from '../../support/testIndex';

describe('stubs: generateStub', () => {
  const index = testIndex();
  const entry = (name: string) => {
    const e = index.get(name);
    assert.ok(e, `${name} is in the test index`);
    return e;
  };

  it('writes the role-type declaration and a _Use_decl_annotations_ definition for EvtIoStop, with its canonical body', () => {
    const stub = generateStub(entry('EVT_WDF_IO_QUEUE_IO_STOP'), 'EchoEvtIoStop');
    assert.equal(stub.declaration, 'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;');
    assert.equal(
      stub.definition,
      [
        '_Use_decl_annotations_',
        'VOID',
        'EchoEvtIoStop(',
        '    WDFQUEUE Queue,',
        '    WDFREQUEST Request,',
        '    ULONG ActionFlags',
        '    )',
        '{',
        '    UNREFERENCED_PARAMETER(Queue);',
        '',
        "    // The queue is stopping while this request is still the driver's: settle it for each reason given.",
        '    // Marked cancelable: unmark it first; if it was canceled meanwhile, its cancel routine completes it.',
        '    if ((ActionFlags & WdfRequestStopRequestCancelable) != 0) {',
        '        if (WdfRequestUnmarkCancelable(Request) == STATUS_CANCELLED) {',
        '            return;',
        '        }',
        '    }',
        '',
        '    if ((ActionFlags & WdfRequestStopActionSuspend) != 0) {',
        '        // Leaving D0: hand it back to the queue, which delivers it again after power-up.',
        '        WdfRequestStopAcknowledge(Request, TRUE);',
        '    } else if ((ActionFlags & WdfRequestStopActionPurge) != 0) {',
        '        // The queue is purged (removal or a purge call): finish it now.',
        '        WdfRequestComplete(Request, STATUS_CANCELLED);',
        '    }',
        '}',
      ].join('\n'),
    );
    assert.equal(stub.allocText, undefined);
    assert.equal(stub.pageable, false);
  });

  it('settles the request a request handler is handed, so a stub never leaves I/O pending', () => {
    const read = generateStub(entry('EVT_WDF_IO_QUEUE_IO_READ'), 'EchoEvtIoRead');
    assert.equal(
      read.definition,
      [
        '_Use_decl_annotations_',
        'VOID',
        'EchoEvtIoRead(',
        '    WDFQUEUE Queue,',
        '    WDFREQUEST Request,',
        '    size_t Length',
        '    )',
        '{',
        '    UNREFERENCED_PARAMETER(Queue);',
        '    UNREFERENCED_PARAMETER(Length);',
        '',
        '    // Not handled yet: fail it as the framework fails a request type without a handler.',
        '    WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);',
        '}',
      ].join('\n'),
    );
    const inCaller = generateStub(entry('EVT_WDF_IO_IN_CALLER_CONTEXT'), 'EchoEvtIoInCallerContext', { indent: '\t' });
    assert.deepEqual(inCaller.definition.split('\n').slice(6), [
      '{',
      "\t// Hand the request on to the device's queues, as the framework does without this callback.",
      '\tNTSTATUS status = WdfDeviceEnqueueRequest(Device, Request);',
      '\tif (!NT_SUCCESS(status)) {',
      '\t\tWdfRequestComplete(Request, status);',
      '\t}',
      '}',
    ]);
    assert.match(
      generateStub(entry('EVT_WDF_REQUEST_CANCEL'), 'EchoEvtRequestCancel').definition,
      /\n {4}WdfRequestComplete\(Request, STATUS_CANCELLED\);\n\}$/,
    );
    assert.match(
      generateStub(entry('EVT_WDF_DEVICE_FILE_CREATE'), 'EchoEvtDeviceFileCreate').definition,
      /UNREFERENCED_PARAMETER\(FileObject\);\n\n {4}\/\/ Accept the open[^\n]*\n {4}WdfRequestComplete\(Request, STATUS_SUCCESS\);\n\}$/,
    );
  });

  it('uses the parameter names of the signature when completing the request', () => {
    const renamed = withChanges(entry('EVT_WDF_IO_QUEUE_IO_WRITE'), {
      params: entry('EVT_WDF_IO_QUEUE_IO_WRITE').params.map((p) =>
        p.type === 'WDFREQUEST' ? { ...p, name: 'Req' } : p,
      ),
    });
    const def = generateStub(renamed, 'EchoEvtIoWrite').definition;
    assert.match(def, /WdfRequestComplete\(Req, STATUS_INVALID_DEVICE_REQUEST\);/);
    assert.doesNotMatch(def, /UNREFERENCED_PARAMETER\(Req\)/);
  });

  it('makes a PASSIVE_LEVEL callback pageable: PAGED_CODE first, alloc_text, NTSTATUS return', () => {
    const stub = generateStub(entry('EVT_WDF_DRIVER_DEVICE_ADD'), 'EchoEvtDeviceAdd', { indent: '\t', eol: '\r\n' });
    assert.equal(
      stub.definition,
      [
        '_Use_decl_annotations_',
        'NTSTATUS',
        'EchoEvtDeviceAdd(',
        '\tWDFDRIVER Driver,',
        '\tPWDFDEVICE_INIT DeviceInit',
        '\t)',
        '{',
        '\tPAGED_CODE();',
        '',
        '\tUNREFERENCED_PARAMETER(Driver);',
        '\tUNREFERENCED_PARAMETER(DeviceInit);',
        '',
        '\treturn STATUS_SUCCESS;',
        '}',
      ].join('\r\n'),
    );
    assert.equal(stub.allocText, '#pragma alloc_text(PAGE, EchoEvtDeviceAdd)');
  });

  it('does not page a PASSIVE_LEVEL callback flagged not-pageable', () => {
    const d0 = withChanges(entry('EVT_WDF_DEVICE_D0_ENTRY'), { flags: [{ id: 'not-pageable' }] });
    assert.equal(isPageable(d0), false);
    const stub = generateStub(d0, 'D0Entry');
    assert.equal(stub.allocText, undefined);
    assert.ok(!stub.definition.includes('PAGED_CODE'));
  });

  it('chooses return values by meaning', () => {
    assert.equal(stubReturnValue(entry('EVT_WDF_INTERRUPT_ISR')), 'FALSE');
    assert.equal(stubReturnValue(entry('EVT_WDF_INTERRUPT_SYNCHRONIZE')), 'TRUE');
    assert.equal(stubReturnValue(entry('EVT_WDF_USB_READERS_FAILED')), 'TRUE');
    assert.equal(
      stubReturnValue(entry('EVT_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS')),
      'WdfIoForwardProgressActionUseReservedRequest',
    );
    assert.equal(stubReturnValue(entry('EVT_WDF_TIMER')), undefined);
    assert.equal(stubReturnValue(withChanges(entry('EVT_WDF_TIMER'), { name: 'EVT_X', returns: 'ULONG' })), '0');
    assert.equal(stubReturnValue(withChanges(entry('EVT_WDF_TIMER'), { name: 'EVT_X', returns: 'PVOID' })), 'NULL');
    assert.equal(stubReturnValue(withChanges(entry('EVT_WDF_TIMER'), { name: 'EVT_X', returns: 'BOOLEAN' })), 'FALSE');
  });

  it('refuses entries that cannot make a stub, with a clear message', () => {
    assert.throws(
      () => generateStub(entry('WdfIoQueueCreate'), 'X'),
      (e: Error) => e instanceof StubError && /is a method, not a callback/.test(e.message),
    );
    assert.throws(
      () => generateStub(withChanges(entry('EVT_WDF_TIMER'), { returns: undefined }), 'X'),
      /no known signature/,
    );
    assert.throws(() => generateStub(entry('EVT_WDF_TIMER'), 'not valid'), /not a C identifier/);
  });
});

describe('stubs: naming', () => {
  it('derives a role name when the entry has none', () => {
    assert.equal(callbackBaseName({ name: 'EVT_WDF_IO_QUEUE_IO_STOP', roleName: 'EvtIoStop' }), 'EvtIoStop');
    assert.equal(callbackBaseName({ name: 'EVT_WDF_IO_QUEUE_IO_STOP' }), 'EvtWdfIoQueueIoStop');
    assert.equal(callbackBaseName({ name: 'EVT_WDFDEVICE_WDM_IRP_PREPROCESS' }), 'EvtWdfDeviceWdmIrpPreprocess');
  });

  it('finds a free name', () => {
    const taken = new Set(['A', 'A2']);
    assert.equal(
      uniqueName('A', (n) => taken.has(n)),
      'A3',
    );
    assert.equal(
      uniqueName('B', (n) => taken.has(n)),
      'B',
    );
  });
});
