import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../server/src/analysis';
import type { DocumentModel, FunctionModel } from '../../../server/src/analysis/model';
import { fixture, marker, readMarkers } from './markers';

async function load(relative: string) {
  const f = fixture(relative);
  const model = await analyzeText(f.uri, f.text);
  return { ...f, model, markers: readMarkers(f.text) };
}

function fn(model: DocumentModel, name: string, definition = true): FunctionModel {
  const found = model.functions.filter((f) => f.name === name && f.isDefinition === definition);
  assert.equal(found.length, 1, `one ${definition ? 'definition' : 'prototype'} of ${name}`);
  return found[0];
}

const regs = (model: DocumentModel) =>
  model.registrations.map((r) =>
    r.kind === 'field'
      ? `${r.inFunction}: ${r.object}.${r.field} [${r.structType}] = ${r.functionName}`
      : `${r.inFunction}: ${r.callee}#${r.argIndex} = ${r.functionName}`,
  );

describe('analysis model: echo fixture', () => {
  it('reads role declarations and prototypes from the header, through the extern "C" guards', async () => {
    const { model, markers, text } = await load('echo/echo.h');
    assert.equal(model.errorCount, 0);
    assert.equal(model.language, 'c');
    assert.deepEqual(
      model.roleDecls.map((d) => `${d.roleType} ${d.names.map((n) => n.name).join(',')}`),
      [
        'DRIVER_INITIALIZE DriverEntry',
        'EVT_WDF_DRIVER_DEVICE_ADD EchoEvtDeviceAdd',
        'EVT_WDF_OBJECT_CONTEXT_CLEANUP EchoEvtDriverContextCleanup',
        'EVT_WDF_IO_QUEUE_IO_READ EchoEvtIoReadWrite',
        'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop',
        'EVT_WDF_REQUEST_CANCEL EchoEvtRequestCancel',
        'EVT_WDF_TIMER EchoEvtTimerFunc',
      ],
    );
    const stop = model.roleDecls.find((d) => d.roleType === 'EVT_WDF_IO_QUEUE_IO_STOP')!;
    const m = marker(markers, 'decl', 'EchoEvtIoStop');
    assert.deepEqual(stop.names[0].span.start, { line: m.line, character: m.character });
    assert.equal(stop.names[0].span.startOffset, m.offset);
    assert.equal(text.slice(stop.roleTypeSpan.startOffset, stop.roleTypeSpan.endOffset), 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(marker(markers, 'decl', 'EchoEvtDeviceAdd').offset, model.roleDecls[1].names[0].span.startOffset);

    assert.deepEqual(
      model.functions.map((f) => [
        f.name,
        f.isDefinition,
        f.returnType,
        f.irql?.max,
        f.params.map((p) => `${p.type} ${p.name}`).join(', '),
      ]),
      [
        ['EchoQueueInitialize', false, 'NTSTATUS', 'PASSIVE_LEVEL', 'WDFDEVICE Device'],
        ['EchoCompletePending', false, 'VOID', 'DISPATCH_LEVEL', 'PECHO_QUEUE_CONTEXT QueueContext, NTSTATUS Status'],
      ],
    );
    const proto = fn(model, 'EchoCompletePending', false);
    assert.deepEqual(
      proto.params.map((p) => p.annotations.map((a) => a.text)),
      [['_In_'], ['_In_']],
    );
    assert.equal(
      text.slice(proto.span.startOffset, proto.span.endOffset).split('\n')[0],
      '_IRQL_requires_max_(DISPATCH_LEVEL)',
    );
    assert.ok(text.slice(proto.span.startOffset, proto.span.endOffset).endsWith(');'));
  });

  it('reads DriverEntry/device add: calls, registrations, paged sections, PAGED_CODE placement', async () => {
    const { model, markers } = await load('echo/driver.c');
    assert.equal(model.errorCount, 0);
    assert.deepEqual(
      model.functions.map((f) => f.name),
      ['DriverEntry', 'EchoEvtDeviceAdd', 'EchoEvtDriverContextCleanup'],
    );
    for (const f of model.functions) assert.equal(f.useDeclAnnotations, true, f.name);

    assert.deepEqual(
      model.pagedSections.map((s) => [s.kind, s.section, s.functions]),
      [
        ['alloc_text', 'INIT', ['DriverEntry']],
        ['alloc_text', 'PAGE', ['EchoEvtDeviceAdd', 'EchoEvtDriverContextCleanup']],
      ],
    );
    assert.equal(fn(model, 'DriverEntry').pagedSection, undefined, 'INIT is not a paged section');
    assert.deepEqual(fn(model, 'EchoEvtDeviceAdd').pagedSection?.section, 'PAGE');
    assert.equal(fn(model, 'EchoEvtDeviceAdd').pagedSection?.span.start.line, 8);

    // UNREFERENCED_PARAMETER comes before PAGED_CODE in device add; cleanup starts with it.
    assert.equal(fn(model, 'EchoEvtDeviceAdd').pagedCode.length, 1);
    assert.equal(fn(model, 'EchoEvtDeviceAdd').pagedCodeFirst, false);
    assert.equal(fn(model, 'EchoEvtDriverContextCleanup').pagedCodeFirst, true);
    assert.equal(fn(model, 'DriverEntry').pagedCode.length, 0);

    assert.deepEqual(
      fn(model, 'DriverEntry').calls.map((c) => c.callee),
      [
        'WPP_INIT_TRACING',
        'TraceEvents',
        'WDF_OBJECT_ATTRIBUTES_INIT',
        'WDF_DRIVER_CONFIG_INIT',
        'WdfDriverCreate',
        'NT_SUCCESS',
        'TraceEvents',
        'WPP_CLEANUP',
        'TraceEvents',
      ],
    );
    const create = fn(model, 'DriverEntry').calls.find((c) => c.callee === 'WdfDriverCreate')!;
    assert.deepEqual(
      create.args.map((a) => a.text),
      ['DriverObject', 'RegistryPath', '&attributes', '&config', 'WDF_NO_HANDLE'],
    );
    assert.equal(create.args[4].span.start.line, create.args[0].span.start.line + 4);
    assert.deepEqual(
      fn(model, 'DriverEntry').returns.map((r) => r.value),
      ['status', 'status'],
    );

    assert.deepEqual(regs(model), [
      'DriverEntry: attributes.EvtCleanupCallback [WDF_OBJECT_ATTRIBUTES] = EchoEvtDriverContextCleanup',
      'DriverEntry: WDF_DRIVER_CONFIG_INIT#1 = EchoEvtDeviceAdd',
    ]);
    const reg = model.registrations[1];
    assert.equal(reg.valueSpan.startOffset, marker(markers, 'register', 'EchoEvtDeviceAdd').offset);

    const add = fn(model, 'EchoEvtDeviceAdd');
    const level = add.assignments.find((a) => a.field === 'ExecutionLevel')!;
    assert.deepEqual(
      [level.target, level.object, level.value],
      ['deviceAttributes.ExecutionLevel', 'deviceAttributes', 'WdfExecutionLevelPassive'],
    );
    assert.deepEqual(
      model.variables.map((v) => `${v.inFunction}:${v.type} ${v.name}`),
      [
        'DriverEntry:WDF_DRIVER_CONFIG config',
        'DriverEntry:WDF_OBJECT_ATTRIBUTES attributes',
        'EchoEvtDeviceAdd:WDF_OBJECT_ATTRIBUTES deviceAttributes',
      ],
    );
    assert.deepEqual(model.suppressions, []);
  });

  it('finds the function registered for two events, the stop handler and argument registrations in the queue', async () => {
    const { model, markers } = await load('echo/queue.c');
    assert.equal(model.errorCount, 0);
    assert.deepEqual(regs(model), [
      'EchoQueueInitialize: queueConfig.EvtIoRead [WDF_IO_QUEUE_CONFIG] = EchoEvtIoReadWrite',
      'EchoQueueInitialize: queueConfig.EvtIoWrite [WDF_IO_QUEUE_CONFIG] = EchoEvtIoReadWrite',
      'EchoQueueInitialize: queueConfig.EvtIoStop [WDF_IO_QUEUE_CONFIG] = EchoEvtIoStop',
      'EchoQueueInitialize: WDF_TIMER_CONFIG_INIT_PERIODIC#1 = EchoEvtTimerFunc',
      'EchoEvtIoReadWrite: WdfRequestMarkCancelableEx#1 = EchoEvtRequestCancel',
    ]);
    assert.equal(
      model.registrations[0].valueSpan.startOffset,
      marker(markers, 'register', 'EchoEvtIoReadWrite').offset,
    );
    assert.equal(model.registrations[0].fieldSpan?.start.character, 16);
    const init = fn(model, 'EchoQueueInitialize');
    assert.deepEqual(
      init.assignments.filter((a) => a.field).map((a) => `${a.target} = ${a.value}`),
      [
        'queueConfig.EvtIoRead = EchoEvtIoReadWrite',
        'queueConfig.EvtIoWrite = EchoEvtIoReadWrite',
        'queueConfig.EvtIoStop = EchoEvtIoStop',
        'queueConfig.PowerManaged = WdfFalse',
        'queueAttributes.SynchronizationScope = WdfSynchronizationScopeQueue',
        'deviceContext->DefaultQueue = queue',
        'timerAttributes.ParentObject = queue',
      ],
    );
    // PAGED_CODE after declarations whose initialisers call a function is not "first".
    assert.equal(init.pagedCodeFirst, false);
    const stop = fn(model, 'EchoEvtIoStop');
    assert.deepEqual(
      stop.calls.map((c) => c.callee),
      ['UNREFERENCED_PARAMETER', 'WdfRequestUnmarkCancelable', 'WdfRequestStopAcknowledge', 'WdfRequestComplete'],
    );
    assert.deepEqual(
      stop.returns.map((r) => r.value),
      [undefined],
    );
    assert.deepEqual(
      stop.params.map((p) => p.name),
      ['Queue', 'Request', 'ActionFlags'],
    );
  });
});

describe('analysis model: DMA, control device and WDM fixtures', () => {
  it('applies a code_seg("PAGE") region up to code_seg() and reads pnp/DMA/interrupt registrations', async () => {
    const { model } = await load('dma/dma.c');
    assert.equal(model.errorCount, 0);
    assert.deepEqual(
      model.functions.filter((f) => f.pagedSection).map((f) => [f.name, f.pagedSection!.kind, f.pagedSection!.section]),
      [
        ['DmaEvtDeviceAdd', 'code_seg', 'PAGE'],
        ['DmaEvtDevicePrepareHardware', 'code_seg', 'PAGE'],
      ],
    );
    const seg = model.pagedSections[0];
    assert.equal(seg.kind, 'code_seg');
    assert.equal(seg.span.start.line, 32);
    assert.deepEqual(seg.region?.end, { line: 117, character: 0 });
    assert.equal(model.functions.filter((f) => f.isDefinition).length, 10);
    // One function declared with two role types (self-managed I/O init and restart).
    assert.deepEqual(
      model.roleDecls
        .filter((d) => d.names.some((n) => n.name === 'DmaEvtDeviceSelfManagedIoStart'))
        .map((d) => d.roleType),
      ['EVT_WDF_DEVICE_SELF_MANAGED_IO_START', 'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART'],
    );
    assert.deepEqual(regs(model), [
      'DmaEvtDeviceAdd: pnpPowerCallbacks.EvtDevicePrepareHardware [WDF_PNPPOWER_EVENT_CALLBACKS] = DmaEvtDevicePrepareHardware',
      'DmaEvtDeviceAdd: pnpPowerCallbacks.EvtDeviceSelfManagedIoInit [WDF_PNPPOWER_EVENT_CALLBACKS] = DmaEvtDeviceSelfManagedIoStart',
      'DmaEvtDeviceAdd: pnpPowerCallbacks.EvtDeviceSelfManagedIoRestart [WDF_PNPPOWER_EVENT_CALLBACKS] = DmaEvtDeviceSelfManagedIoStart',
      'DmaEvtDeviceAdd: pnpPowerCallbacks.EvtDeviceSelfManagedIoSuspend [WDF_PNPPOWER_EVENT_CALLBACKS] = DmaEvtDeviceSelfManagedIoSuspend',
      'DmaEvtDeviceAdd: dmaConfig.EvtDmaEnablerFill [WDF_DMA_ENABLER_CONFIG] = DmaEvtDmaEnablerFill',
      'DmaEvtDeviceAdd: dmaConfig.EvtDmaEnablerFlush [WDF_DMA_ENABLER_CONFIG] = DmaEvtDmaEnablerFlush',
      'DmaEvtDeviceAdd: WDF_INTERRUPT_CONFIG_INIT#1 = DmaEvtInterruptIsr',
      'DmaEvtDeviceAdd: WDF_INTERRUPT_CONFIG_INIT#2 = DmaEvtInterruptDpc',
      'DmaEvtDeviceAdd: queueConfig.EvtIoWrite [WDF_IO_QUEUE_CONFIG] = DmaEvtIoWrite',
      'DmaEvtIoWrite: WdfDmaTransactionInitializeUsingRequest#2 = DmaEvtProgramDma',
    ]);
    const program = fn(model, 'DmaEvtProgramDma');
    assert.deepEqual(
      program.params.map((p) => `${p.type} ${p.name}`),
      [
        'WDFDMATRANSACTION Transaction',
        'WDFDEVICE Device',
        'WDFCONTEXT Context',
        'WDF_DMA_DIRECTION Direction',
        'PSCATTER_GATHER_LIST SgList',
      ],
    );
    assert.equal(program.returnType, 'BOOLEAN');
  });

  it('reads the C++ control device: extern "C", statics, __try/__except, file-scope macro calls', async () => {
    const { model } = await load('control/control.cpp');
    assert.equal(model.language, 'cpp');
    assert.equal(model.errorCount, 0);
    assert.deepEqual(
      model.functions.map((f) => [f.name, f.isDefinition, f.isStatic, f.irql?.exact]),
      [
        ['CtlCreateControlDevice', false, true, undefined],
        ['DriverEntry', true, false, undefined],
        ['CtlCreateControlDevice', true, true, 'PASSIVE_LEVEL'],
        ['CtlEvtIoDeviceControl', true, false, undefined],
        ['CtlEvtShutdown', true, false, undefined],
        ['CtlEvtDriverUnload', true, false, undefined],
      ],
    );
    assert.equal(fn(model, 'DriverEntry').useDeclAnnotations, true);
    assert.deepEqual(
      model.roleDecls.map((d) => d.names[0].name),
      ['DriverEntry', 'CtlEvtDriverUnload', 'CtlEvtIoDeviceControl', 'CtlEvtShutdown'],
    );
    assert.deepEqual(regs(model), [
      'DriverEntry: config.EvtDriverUnload [WDF_DRIVER_CONFIG] = CtlEvtDriverUnload',
      'CtlCreateControlDevice: WdfControlDeviceInitSetShutdownNotification#1 = CtlEvtShutdown',
      'CtlCreateControlDevice: queueConfig.EvtIoDeviceControl [WDF_IO_QUEUE_CONFIG] = CtlEvtIoDeviceControl',
    ]);
    assert.ok(fn(model, 'CtlEvtIoDeviceControl').calls.some((c) => c.callee === 'GetExceptionCode'));
    assert.deepEqual(
      fn(model, 'CtlEvtIoDeviceControl').params.map((p) => p.type),
      ['WDFQUEUE', 'WDFREQUEST', 'size_t', 'size_t', 'ULONG'],
    );
  });

  it('reads WDM dispatch routines, _Function_class_, SAL 1 and file suppressions, with UTF-16 columns', async () => {
    const { model, markers, text } = await load('legacy/legacy.c');
    assert.equal(model.errorCount, 0);
    assert.deepEqual(
      model.roleDecls.map((d) => `${d.roleType} ${d.names[0].name}`),
      [
        'DRIVER_INITIALIZE DriverEntry',
        'DRIVER_UNLOAD LegacyUnload',
        'DRIVER_DISPATCH LegacyCreateClose',
        'DRIVER_DISPATCH LegacyRead',
        'KDEFERRED_ROUTINE LegacyTimerDpc',
        'IO_COMPLETION_ROUTINE LegacyReadComplete',
      ],
    );
    assert.deepEqual(
      model.annotations
        .filter((a) => a.name === '__drv_dispatchType' || a.name === '_Dispatch_type_')
        .map((a) => a.args),
      ['IRP_MJ_CREATE', 'IRP_MJ_CLOSE', 'IRP_MJ_READ'],
    );
    const dpc = fn(model, 'LegacyTimerDpc');
    assert.equal(dpc.functionClass, 'KDEFERRED_ROUTINE');
    assert.deepEqual(dpc.irql, { exact: 'DISPATCH_LEVEL' });
    assert.deepEqual(
      dpc.params.map((p) => `${p.type} ${p.name}`),
      ['struct _KDPC * Dpc', 'PVOID DeferredContext', 'PVOID SystemArgument1', 'PVOID SystemArgument2'],
    );
    assert.deepEqual(
      fn(model, 'DriverEntry').params.map((p) => [p.name, p.annotations.map((a) => a.name)]),
      [
        ['DriverObject', ['__in']],
        ['RegistryPath', ['__in']],
      ],
    );
    assert.deepEqual(
      model.registrations.map((r) => `${r.object}.${r.field} = ${r.functionName}`),
      [
        'DriverObject.DriverUnload = LegacyUnload',
        'DriverObject.MajorFunction = LegacyCreateClose',
        'DriverObject.MajorFunction = LegacyCreateClose',
        'DriverObject.MajorFunction = LegacyRead',
      ],
    );
    assert.deepEqual(model.suppressions, [{ line: 113, rules: ['legacy-wdm'], file: true }]);
    assert.equal(fn(model, 'LegacyCreateClose').pagedCodeFirst, false);
    assert.equal(fn(model, 'LegacyUnload').pagedCodeFirst, true);

    // After the emoji and umlauts in the comment, columns are UTF-16 code units, as in LSP.
    const m = marker(markers, 'assign', 'Irp->IoStatus.Information');
    const info = fn(model, 'LegacyCreateClose').assignments.find((a) => a.target === 'Irp->IoStatus.Information')!;
    assert.deepEqual(info.span.start, { line: m.line, character: m.character });
    assert.equal(info.span.start.character, 62);
    assert.equal(text.slice(info.span.startOffset, info.span.endOffset), 'Irp->IoStatus.Information = 0');
  });
});

describe('analysis model: constants passed to WDF macros are not callbacks', () => {
  it('a USB setup packet initialised with its direction and recipient registers nothing; the completion routine does', async () => {
    const text = [
      'VOID Send(WDFREQUEST Request, WDFUSBDEVICE UsbDevice)',
      '{',
      '    WDF_USB_CONTROL_SETUP_PACKET packet;',
      '    WDF_USB_CONTROL_SETUP_PACKET_INIT_VENDOR(&packet, BmRequestHostToDevice, BmRequestToDevice, 0x21, 0, 0);',
      '    WDF_USB_CONTROL_SETUP_PACKET_INIT_CLASS(&packet, BmRequestDeviceToHost, BmRequestToInterface, 1, 0, 0);',
      '    WdfRequestSetCompletionRoutine(Request, SendDone, NULL);',
      '}',
      '',
    ].join('\n');
    const model = await analyzeText('file:///usb.c', text);
    assert.deepEqual(regs(model), ['Send: WdfRequestSetCompletionRoutine#1 = SendDone']);
  });

  it('a system-mode DMA profile initialised with its width registers nothing', async () => {
    const text = [
      'VOID Profile(PHYSICAL_ADDRESS Port, PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor)',
      '{',
      '    WDF_DMA_SYSTEM_PROFILE_CONFIG profile;',
      '    WDF_DMA_SYSTEM_PROFILE_CONFIG_INIT(&profile, Port, Width32Bits, Descriptor);',
      '    profile.DemandMode = TRUE;',
      '}',
      '',
    ].join('\n');
    const model = await analyzeText('file:///dma.c', text);
    assert.deepEqual(regs(model), []);
  });
});
