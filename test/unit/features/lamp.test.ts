import { strict as assert } from 'node:assert';
import { CodeActionsFeature } from '../../../server/src/features/codeActions';
import { DiagnosticsFeature } from '../../../server/src/features/diagnostics';
import { CompletionItemKind } from 'vscode-languageserver';
import { CompletionFeature } from '../../../server/src/features/completion';
import { HoverFeature } from '../../../server/src/features/hover';
import { InlayHintsFeature } from '../../../server/src/features/inlayHints';
import { SymbolsFeature } from '../../../server/src/features/symbols';
import { lampContext, positionOf, type LampContext } from './lampContext';
import { QUEUE_CONFIG_FIELDS } from '../../support/expectedFields';

describe('features in-process on the Lamp driver', () => {
  let ctx: LampContext;
  before(async () => {
    ctx = await lampContext();
  });

  it('hover: a callback registered in queue.c and defined in read.c', async () => {
    const { uri, text } = ctx.open('queue.c');
    const hover = await new HoverFeature(ctx).hover({
      textDocument: { uri },
      position: positionOf(text, '= LampEvtIoRead', 4),
    });
    assert.equal(
      (hover?.contents as { value: string }).value,
      [
        '**LampEvtIoRead** — *EvtIoRead* callback (`EVT_WDF_IO_QUEUE_IO_READ`)',
        '```c\nVOID\nLampEvtIoRead(\n    _In_ WDFQUEUE Queue,\n    _In_ WDFREQUEST Request,\n    _In_ size_t Length\n    );\n```',
        'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h',
        'Registered through WDF_IO_QUEUE_CONFIG.EvtIoRead (WdfIoQueueCreate)',
        '[EVT_WDF_IO_QUEUE_IO_READ on the reference site](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_read)',
      ].join('\n\n'),
    );
  });

  it('hover: config field, method, structure; nothing on plain code', async () => {
    const { uri, text } = ctx.open('queue.c');
    const hover = new HoverFeature(ctx);
    const value = async (needle: string, delta: number) =>
      (
        (await hover.hover({ textDocument: { uri }, position: positionOf(text, needle, delta) }))?.contents as
          { value: string } | undefined
      )?.value;
    assert.match(
      (await value('queueConfig.EvtIoStop', 14)) ?? '',
      /^\*\*WDF_IO_QUEUE_CONFIG\.EvtIoStop\*\* — takes `EVT_WDF_IO_QUEUE_IO_STOP`\n\n```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP\(/,
    );
    assert.match(
      (await value('WdfIoQueueCreate(Device', 2)) ?? '',
      /^```c\nNTSTATUS\nWdfIoQueueCreate\(\n {4}_In_ WDFDEVICE Device,/,
    );
    assert.match(
      (await value('WDF_IO_QUEUE_CONFIG queueConfig', 3)) ?? '',
      /^```c\ntypedef struct _WDF_IO_QUEUE_CONFIG WDF_IO_QUEUE_CONFIG, \*PWDF_IO_QUEUE_CONFIG;\n```/,
    );
    assert.equal(await value('NTSTATUS status', 10), undefined);
  });

  it('hover: a PFN_ type shows its role type', async () => {
    const { uri, text } = ctx.open('extra.c', 'PFN_WDF_IO_QUEUE_IO_STOP saved;\n');
    const hover = await new HoverFeature(ctx).hover({ textDocument: { uri }, position: positionOf(text, 'PFN_', 6) });
    assert.match((hover?.contents as { value: string }).value, /^```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP\(/);
    assert.deepEqual(hover?.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 24 } });
  });

  it('completion: fields after the dot, callbacks after the equals sign', async () => {
    const base = ctx.open('queue.c').text;
    const text = base.replace('    queueConfig.EvtIoStop = LampEvtIoStop;\n', '    queueConfig.EvtIoStop = \n');
    const { uri } = ctx.open('queue.c', text);
    const completion = new CompletionFeature(ctx);
    const list = await completion.complete({
      textDocument: { uri },
      position: positionOf(text, 'queueConfig.EvtIoStop = \n', 24),
    });
    assert.deepEqual(
      list?.items.map((i) => i.label),
      ['LampEvtIoStop', 'new EvtIoStop callback…'],
    );
    assert.equal(
      list?.items[1].textEdit && 'newText' in list.items[1].textEdit ? list.items[1].textEdit.newText : '',
      'LampEvtIoStop2',
    );
    const fields = await completion.complete({
      textDocument: { uri },
      position: positionOf(text, 'queueConfig.EvtIoStop = \n', 12),
    });
    // Every field of WDF_IO_QUEUE_CONFIG, those that take callbacks first with their role types.
    assert.deepEqual(
      fields?.items.map((i) => [i.label, i.detail ?? '']),
      QUEUE_CONFIG_FIELDS,
    );
    assert.deepEqual(
      fields?.items.map((i) => i.sortText),
      fields?.items.map((_, i) => String(i).padStart(4, '0')),
    );
  });

  it('completion after a WDF_PNPPOWER_EVENT_CALLBACKS variable: its callback fields first, then Size', async () => {
    const text = ['VOID F(VOID)', '{', '    WDF_PNPPOWER_EVENT_CALLBACKS callbacks;', '    callbacks.', '}', ''].join(
      '\n',
    );
    const { uri } = ctx.open('pnp.c', text);
    const list = await new CompletionFeature(ctx).complete({
      textDocument: { uri },
      position: positionOf(text, 'callbacks.\n', 10),
    });
    const items = list?.items ?? [];
    assert.deepEqual(
      items.slice(0, 3).map((i) => [i.label, i.detail]),
      [
        ['EvtDeviceD0Entry', 'EVT_WDF_DEVICE_D0_ENTRY'],
        ['EvtDeviceD0EntryPostInterruptsEnabled', 'EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED'],
        ['EvtDeviceD0Exit', 'EVT_WDF_DEVICE_D0_EXIT'],
      ],
    );
    assert.equal(items.length, 18);
    assert.deepEqual(
      items.filter((i) => !i.detail).map((i) => i.label),
      ['Size'],
    );
    assert.equal(items[items.length - 1].label, 'Size');
  });

  it('completion where a declaration starts: the callbacks holding the typed letters, the list marked incomplete when cut', async () => {
    const completion = new CompletionFeature(ctx);
    const typed = ctx.open('extra.c', 'EVT_WDF_IO_QUEUE_IO_STO');
    const cut = await completion.complete({
      textDocument: { uri: typed.uri },
      position: { line: 0, character: typed.text.length },
    });
    assert.equal(cut?.isIncomplete, true);
    // RESUME's S, then the T and O of its role name EvtIoResume: a fuzzy filter keeps it too.
    assert.deepEqual(cut?.items.map((i) => i.label).sort(), [
      'EVT_WDF_IO_QUEUE_IO_RESUME',
      'EVT_WDF_IO_QUEUE_IO_STOP',
      'EvtIoResume callback',
      'EvtIoStop callback',
    ]);
    const short = ctx.open('extra.c', 'Evt');
    const all = await completion.complete({ textDocument: { uri: short.uri }, position: { line: 0, character: 3 } });
    assert.equal(all?.isIncomplete, false);
    assert.equal(
      all?.items.filter((i) => i.kind === CompletionItemKind.Interface).length,
      ctx.index().all('callback').length,
    );
  });

  it('code actions: define, declare, add _Use_decl_annotations_', async () => {
    const actions = new CodeActionsFeature(ctx);
    const at = async (file: string, needle: string, delta: number) => {
      const { uri, text } = ctx.open(file);
      const p = positionOf(text, needle, delta);
      return (
        await actions.actions({ textDocument: { uri }, range: { start: p, end: p }, context: { diagnostics: [] } })
      ).map((a) => a.title);
    };
    assert.deepEqual(await at('queue.h', 'LampEvtIoWrite;', 2), ['Define LampEvtIoWrite (EVT_WDF_IO_QUEUE_IO_WRITE)']);
    assert.deepEqual(await at('queue.c', '= LampEvtIoRead', 4), ['Declare LampEvtIoRead as EVT_WDF_IO_QUEUE_IO_READ']);
    assert.deepEqual(await at('queue.c', 'LampEvtIoStop(', 3), ['Add _Use_decl_annotations_ to LampEvtIoStop']);
    assert.deepEqual(await at('queue.c', 'LampEvtIoDeviceControl(', 3), []);
  });

  it('inlay hints and symbols', async () => {
    const { uri, text } = ctx.open('queue.c');
    const hints = await new InlayHintsFeature(ctx).hints({
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } },
    });
    assert.deepEqual(
      hints.map((h) => [h.label, h.position]),
      [
        ['IRQL ≤ DISPATCH_LEVEL', positionOf(text, '    ULONG IoControlCode\n    )', 29)],
        ['IRQL ≤ DISPATCH_LEVEL', positionOf(text, '    _In_ ULONG ActionFlags\n    )', 32)],
      ],
    );
    const symbols = await new SymbolsFeature(ctx).documentSymbols({ textDocument: { uri } });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail]),
      [
        ['LampQueueInitialize', undefined],
        ['LampEvtIoDeviceControl', 'EvtIoDeviceControl, ≤ DISPATCH'],
        ['LampEvtIoStop', 'EvtIoStop, ≤ DISPATCH'],
      ],
    );
    ctx.settingsValue = { ...ctx.settingsValue, inlayHints: { irql: false } };
    assert.deepEqual(
      await new InlayHintsFeature(ctx).hints({
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } },
      }),
      [],
    );
  });

  it('diagnostics: rule findings with code, link, severity and quick fixes; none when disabled', async () => {
    const diagnostics = new DiagnosticsFeature(
      ctx,
      ctx.session.rulesRunner((uri) => ctx.documents.text(uri)),
      (id) => `https://rules.test/${id}`,
    );
    const { uri, text } = ctx.open('queue.c');
    const found = (await diagnostics.check(uri)) ?? [];
    assert.deepEqual(
      found.map((d) => [
        d.code,
        d.range.start,
        d.severity,
        d.codeDescription?.href,
        (d.data as { fixes?: { title: string }[] } | undefined)?.fixes?.map((f) => f.title),
      ]),
      [
        ['KMDF1001', positionOf(text, 'LampEvtIoRead;', 0, 0), 3, 'https://rules.test/KMDF1001', undefined],
        [
          'KMDF3005',
          positionOf(text, 'WdfRequestStopAcknowledge(Request, FALSE)'),
          2,
          'https://rules.test/KMDF3005',
          ['Requeue the request instead (Requeue = TRUE)'],
        ],
      ],
    );
    ctx.settingsValue = {
      ...ctx.settingsValue,
      diagnostics: { enable: true, scope: 'openFiles', rules: { KMDF3005: 'off', KMDF1001: 'error' } },
    };
    assert.deepEqual(
      ((await diagnostics.check(uri)) ?? []).map((d) => [d.code, d.severity]),
      [['KMDF1001', 1]],
    );
    ctx.settingsValue = { ...ctx.settingsValue, diagnostics: { enable: false, scope: 'openFiles', rules: {} } };
    assert.deepEqual(await diagnostics.check(uri), []);
    diagnostics.dispose();
  });
});
