import { strict as assert } from 'node:assert';
import { hoverMarkdown, referenceUrl, REMARKS_LIMIT } from '../../../server/src/features/hoverContent';
import { testIndex, withChanges } from '../../support/testIndex';

describe('features: hover Markdown', () => {
  const index = testIndex();
  const stop = withChanges(index.get('EVT_WDF_IO_QUEUE_IO_STOP')!, {
    kmdf: '1.0',
    umdf: '2.0',
    roleName: 'EvtIoStop',
    docsPath: 'wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md',
    docsUrl: undefined,
  });
  const url = 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop';
  const signature = [
    'VOID',
    'EVT_WDF_IO_QUEUE_IO_STOP(',
    '    _In_ WDFQUEUE Queue,',
    '    _In_ WDFREQUEST Request,',
    '    _In_ ULONG ActionFlags',
    '    );',
  ].join('\n');

  it('lays out a role type with facts only', () => {
    assert.equal(
      hoverMarkdown(stop, { kind: 'entry' }, index),
      [
        '```c\ntypedef ' + signature + '\n```',
        'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h',
        'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop (WdfIoQueueCreate)',
        `[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${url})`,
      ].join('\n\n'),
    );
  });

  it('shows a driver function under its own name with the docs prose', () => {
    const md = hoverMarkdown(stop, { kind: 'function', functionName: 'LampEvtIoStop', defined: true }, index, {
      description: 'Decides what happens to a request.',
      params: [
        { name: 'Queue', description: 'The queue.\n\nMore.' },
        { name: 'Request', description: '' },
      ],
      returnText: undefined,
      remarks: 'Line one.',
      location: 'x',
    });
    assert.equal(
      md,
      [
        '**LampEvtIoStop** — *EvtIoStop* callback (`EVT_WDF_IO_QUEUE_IO_STOP`)',
        '```c\n' + signature.replace('EVT_WDF_IO_QUEUE_IO_STOP(', 'LampEvtIoStop(') + '\n```',
        'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h',
        'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop (WdfIoQueueCreate)',
        'Decides what happens to a request.',
        '**Parameters**\n\n- `Queue` — The queue. More.',
        '**Remarks**\n\nLine one.',
        `[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${url})`,
      ].join('\n\n'),
    );
  });

  it('trims long remarks with a link to the reference page', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} says something about stopping queues.`).join(
      '\n\n',
    );
    const md = hoverMarkdown(stop, { kind: 'field', struct: 'WDF_IO_QUEUE_CONFIG', field: 'EvtIoStop' }, index, {
      remarks: long,
      location: 'x',
    });
    assert.ok(md.startsWith('**WDF_IO_QUEUE_CONFIG.EvtIoStop** — takes `EVT_WDF_IO_QUEUE_IO_STOP`\n\n'));
    const remarks = md.slice(
      md.indexOf('**Remarks**\n\n') + 13,
      md.indexOf(`\n\n[…more on the reference page](${url})`),
    );
    assert.ok(
      remarks.length > REMARKS_LIMIT / 2 && remarks.length <= REMARKS_LIMIT,
      `remarks are trimmed (${remarks.length})`,
    );
    assert.ok(remarks.endsWith('stopping queues.'));
    assert.ok(
      md.endsWith(`[…more on the reference page](${url})\n\n[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${url})`),
    );
  });

  it('lists the fields of a structure, the callback fields with their role types, and its init helper; no IRQL', () => {
    const md = hoverMarkdown(index.get('WDF_DRIVER_CONFIG')!, { kind: 'entry' }, index);
    assert.equal(
      md,
      [
        '```c\ntypedef struct _WDF_DRIVER_CONFIG WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;\n```',
        'KMDF 1.0 · UMDF 2.0 · wdfdriver.h',
        '**Fields** (2 take callbacks)\n\n- `Size`\n- `EvtDriverDeviceAdd` — callback: `EVT_WDF_DRIVER_DEVICE_ADD`\n- `EvtDriverUnload` — callback: `EVT_WDF_DRIVER_UNLOAD`\n- `DriverInitFlags`\n- `DriverPoolTag`',
        'Initialized with `WDF_DRIVER_CONFIG_INIT`',
        '[WDF_DRIVER_CONFIG on the reference site](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdriver/ns-wdfdriver-_wdf_driver_config)',
      ].join('\n\n'),
    );
  });

  it('lists the values of an enumeration', () => {
    const e = {
      name: 'WDF_IO_QUEUE_DISPATCH_TYPE',
      kind: 'enumeration' as const,
      header: 'wdfio.h',
      params: [],
      frameworks: ['KMDF' as const],
      flags: [],
      sources: [],
      members: ['WdfIoQueueDispatchSequential', 'WdfIoQueueDispatchParallel'],
      kmdf: '1.0',
    };
    assert.equal(
      hoverMarkdown(e, { kind: 'entry' }, index),
      '```c\ntypedef enum _WDF_IO_QUEUE_DISPATCH_TYPE WDF_IO_QUEUE_DISPATCH_TYPE;\n```\n\nKMDF 1.0 · wdfio.h\n\n**Values**\n\n- `WdfIoQueueDispatchSequential`\n- `WdfIoQueueDispatchParallel`',
    );
  });

  it('prefers the docs URL and falls back to the docs path', () => {
    assert.equal(referenceUrl(withChanges(stop, { docsUrl: 'https://x/y' })), 'https://x/y');
    assert.equal(referenceUrl(stop), url);
    assert.equal(referenceUrl(withChanges(stop, { docsPath: undefined })), undefined);
  });
});
