/**
 * The features over the Lamp fixture driver, through the bundled server: exact hover Markdown,
 * completion items and their edits, code-action edits, inlay hints, symbols and signature help.
 * Docs prose comes from our own page in test/fixtures/lsp/docs, served over HTTP on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { endPosition, fixturesDir, positionOf, TestClient } from './harness';
import { QUEUE_CONFIG_FIELDS } from '../support/expectedFields';

const lamp = path.join(fixturesDir, 'lamp');
const docsFixture = path.join(fixturesDir, 'docs');
const read = (file: string) => fs.readFileSync(path.join(lamp, file), 'utf8');
const REF = 'https://learn.microsoft.com/windows-hardware/drivers/ddi/';
const STOP_URL = `${REF}wdfio/nc-wdfio-evt_wdf_io_queue_io_stop`;

const STOP_FACTS = 'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h';
const STOP_REGISTERED = 'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop (WdfIoQueueCreate)';
/** Prose of our own docs fixture page, as hover lays it out. */
const STOP_PROSE = [
  'The stop callback decides what happens to a request when its queue stops.',
  '**Parameters**\n\n' +
    '- `Queue` — The queue the request came from.\n' +
    '- `Request` — The request the driver still owns.\n' +
    `- \`ActionFlags\` — Why the framework called, as [WDF_REQUEST_STOP_ACTION_FLAGS](${REF}wdfrequest/ne-wdfrequest-_wdf_request_stop_action_flags) bits.`,
  `**Remarks**\n\nRegister this callback through [WdfIoQueueCreate](${REF}wdfio/nf-wdfio-wdfioqueuecreate).\n\nAcknowledge, complete or cancel each request the framework hands over.`,
];
/** The body of a generated EvtIoStop stub (its canonical ActionFlags cases). */
const STOP_STUB_BODY = [
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
].join('\n');
const stopSignature = (name: string) =>
  `VOID\n${name}(\n    _In_ WDFQUEUE Queue,\n    _In_ WDFREQUEST Request,\n    _In_ ULONG ActionFlags\n    );`;

describe('protocol: features on the Lamp driver', function () {
  let server: http.Server;
  let client: TestClient;
  let cacheDir: string;
  const served: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      served.push(req.url ?? '');
      const file = path.join(docsFixture, decodeURIComponent((req.url ?? '').replace(/^\/content\//, '')));
      if (!file.startsWith(docsFixture) || !fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-lsp-cache-'));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/content/`;
    client = await TestClient.start({
      workspaceFolder: lamp,
      settings: { docs: { online: true, baseUrl } },
      initializationOptions: { cacheDir },
    });
    await client.ready();
  });

  after(async () => {
    await client?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  /** Hover, polling until the docs prose has arrived (the first hover may answer with facts only). */
  async function hoverWithProse(uri: string, text: string, needle: string, delta = 0, occurrence = 0): Promise<string> {
    let value = '';
    const until = Date.now() + 10000;
    while (Date.now() < until) {
      const hover = await client.hover(uri, positionOf(text, needle, delta, occurrence));
      value = hover?.contents.value ?? '';
      if (value.includes('**Parameters**')) return value;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return value;
  }

  describe('hover', () => {
    it('on a role type shows the typedef, facts, registration and the docs prose', async () => {
      const text = read('queue.h');
      const uri = await client.open(path.join(lamp, 'queue.h'), text);
      const value = await hoverWithProse(uri, text, 'EVT_WDF_IO_QUEUE_IO_STOP', 4);
      assert.equal(
        value,
        [
          '```c\ntypedef ' + stopSignature('EVT_WDF_IO_QUEUE_IO_STOP') + '\n```',
          STOP_FACTS,
          STOP_REGISTERED,
          ...STOP_PROSE,
          `[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${STOP_URL})`,
        ].join('\n\n'),
      );
      assert.ok(served.includes('/content/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md'));
    });

    it('on a callback at its definition, at its declaration and where it is registered', async () => {
      const queueC = read('queue.c');
      const uri = await client.open(path.join(lamp, 'queue.c'), queueC);
      const expected = [
        '**LampEvtIoStop** — *EvtIoStop* callback (`EVT_WDF_IO_QUEUE_IO_STOP`)',
        '```c\n' + stopSignature('LampEvtIoStop') + '\n```',
        STOP_FACTS,
        STOP_REGISTERED,
        ...STOP_PROSE,
        `[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${STOP_URL})`,
      ].join('\n\n');
      assert.equal(await hoverWithProse(uri, queueC, 'LampEvtIoStop(', 2), expected); // definition
      assert.equal(await hoverWithProse(uri, queueC, '= LampEvtIoStop', 4), expected); // registration
      const queueH = read('queue.h');
      const hUri = await client.open(path.join(lamp, 'queue.h'), queueH);
      assert.equal(await hoverWithProse(hUri, queueH, 'LampEvtIoStop;', 1), expected); // declaration
    });

    it('on a config field names the structure and the role type', async () => {
      const queueC = read('queue.c');
      const uri = await client.open(path.join(lamp, 'queue.c'), queueC);
      const value = await hoverWithProse(uri, queueC, 'queueConfig.EvtIoStop', 14);
      assert.equal(
        value,
        [
          '**WDF_IO_QUEUE_CONFIG.EvtIoStop** — takes `EVT_WDF_IO_QUEUE_IO_STOP`',
          '```c\ntypedef ' + stopSignature('EVT_WDF_IO_QUEUE_IO_STOP') + '\n```',
          STOP_FACTS,
          STOP_REGISTERED,
          ...STOP_PROSE,
          `[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${STOP_URL})`,
        ].join('\n\n'),
      );
    });

    it('knows a callback registered in one file and defined in another (no declaration)', async () => {
      const queueC = read('queue.c');
      const uri = await client.open(path.join(lamp, 'queue.c'), queueC);
      const hover = await client.hover(uri, positionOf(queueC, 'LampEvtIoRead', 3));
      assert.match(
        hover?.contents.value ?? '',
        /^\*\*LampEvtIoRead\*\* — \*EvtIoRead\* callback \(`EVT_WDF_IO_QUEUE_IO_READ`\)\n\n```c\nVOID\nLampEvtIoRead\(\n {4}_In_ WDFQUEUE Queue,\n {4}_In_ WDFREQUEST Request,\n {4}_In_ size_t Length\n {4}\);\n```\n\nIRQL ≤ DISPATCH_LEVEL · KMDF 1\.0 · UMDF 2\.0 · wdfio\.h\n\nRegistered through WDF_IO_QUEUE_CONFIG\.EvtIoRead \(WdfIoQueueCreate\)/,
      );
      const readC = read('read.c');
      const rUri = await client.open(path.join(lamp, 'read.c'), readC);
      const atDefinition = await client.hover(rUri, positionOf(readC, 'LampEvtIoRead', 2));
      assert.equal(atDefinition?.contents.value, hover?.contents.value);
    });

    it('on a Wdf method at a call, with facts only when there is no docs page', async () => {
      const queueC = read('queue.c');
      const uri = await client.open(path.join(lamp, 'queue.c'), queueC);
      const hover = await client.hover(uri, positionOf(queueC, 'WdfIoQueueCreate(Device', 3));
      assert.equal(
        hover?.contents.value,
        [
          '```c\nNTSTATUS\nWdfIoQueueCreate(\n    _In_ WDFDEVICE Device,\n    _In_ PWDF_IO_QUEUE_CONFIG Config,\n    _In_opt_ PWDF_OBJECT_ATTRIBUTES QueueAttributes,\n    _Out_opt_ WDFQUEUE* Queue\n    );\n```',
          'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h',
          `[WdfIoQueueCreate on the reference site](${REF}wdfio/nf-wdfio-wdfioqueuecreate)`,
        ].join('\n\n'),
      );
      assert.deepEqual(hover?.range, {
        start: positionOf(queueC, 'WdfIoQueueCreate(Device'),
        end: positionOf(queueC, 'WdfIoQueueCreate(Device', 16),
      });
    });

    it('answers null away from WDF names', async () => {
      const queueC = read('queue.c');
      const uri = await client.open(path.join(lamp, 'queue.c'), queueC);
      assert.equal(await client.hover(uri, positionOf(queueC, 'NTSTATUS status', 10)), null);
    });
  });

  describe('completion', () => {
    it('offers every field after `queueConfig.`, the callback fields first', async () => {
      const base = read('queue.c');
      const text = base.replace('    queueConfig.EvtIoRead = LampEvtIoRead;\n', '    queueConfig.\n');
      const uri = await client.open(path.join(lamp, 'queue.c'), text);
      const result = await client.request<{ items: { label: string; detail?: string }[] }>('textDocument/completion', {
        textDocument: { uri },
        position: positionOf(text, 'queueConfig.\n', 12),
      });
      // Every field of WDF_IO_QUEUE_CONFIG: the eight that take callbacks first, with their role types.
      assert.deepEqual(
        result.items.map((i) => [i.label, i.detail ?? '']),
        QUEUE_CONFIG_FIELDS,
      );
    });

    it('after `queueConfig.EvtIoStop = ` offers the matching functions first, then a new stub', async () => {
      const base = read('queue.c');
      const text = base.replace('    queueConfig.EvtIoStop = LampEvtIoStop;\n', '    queueConfig.EvtIoStop = \n');
      const uri = await client.open(path.join(lamp, 'queue.c'), text);
      const at = positionOf(text, 'queueConfig.EvtIoStop = \n', 24);
      const result = await client.request<{
        items: {
          label: string;
          sortText?: string;
          textEdit?: { newText: string };
          additionalTextEdits?: { range: unknown; newText: string }[];
        }[];
      }>('textDocument/completion', { textDocument: { uri }, position: at });
      const items = [...result.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
      assert.deepEqual(
        items.map((i) => i.label),
        ['LampEvtIoStop', 'new EvtIoStop callback…'],
      );
      const stub = items[1];
      assert.equal(stub.textEdit?.newText, 'LampEvtIoStop2');
      const fnStart = positionOf(text, 'NTSTATUS\nLampQueueInitialize(');
      assert.deepEqual(stub.additionalTextEdits, [
        { range: { start: fnStart, end: fnStart }, newText: 'EVT_WDF_IO_QUEUE_IO_STOP LampEvtIoStop2;\n\n' },
        {
          range: { start: endPosition(text), end: endPosition(text) },
          newText: `\n_Use_decl_annotations_\nVOID\nLampEvtIoStop2(\n    WDFQUEUE Queue,\n    WDFREQUEST Request,\n    ULONG ActionFlags\n    )\n{\n${STOP_STUB_BODY}\n}\n`,
        },
      ]);
    });

    it('where a declaration starts, offers role types and callback generators', async () => {
      const text = read('queue.h') + 'EVT_WDF_IO_QUEUE_IO_ST';
      const uri = await client.open(path.join(lamp, 'queue.h'), text);
      const at = positionOf(text, 'EVT_WDF_IO_QUEUE_IO_ST', 22, 1);
      const result = await client.request<{
        items: { label: string; insertTextFormat?: number; textEdit?: { newText: string } }[];
      }>('textDocument/completion', { textDocument: { uri }, position: at });
      const roleType = result.items.find((i) => i.label === 'EVT_WDF_IO_QUEUE_IO_STOP');
      assert.equal(roleType?.textEdit?.newText, 'EVT_WDF_IO_QUEUE_IO_STOP');
      const generator = result.items.find((i) => i.label === 'EvtIoStop callback');
      assert.equal(generator?.insertTextFormat, 2);
      assert.equal(
        generator?.textEdit?.newText,
        'EVT_WDF_IO_QUEUE_IO_STOP ${1:LampEvtIoStop2};\n\n_Use_decl_annotations_\nVOID\n$1(\n    WDFQUEUE Queue,\n    WDFREQUEST Request,\n    ULONG ActionFlags\n    )\n{\n' +
          STOP_STUB_BODY.replace(/\}/g, '\\}') +
          '\n\\}',
      );
    });
  });

  describe('code actions', () => {
    async function actionsAt(file: string, needle: string, delta = 0) {
      const text = read(file);
      const uri = await client.open(path.join(lamp, file), text);
      const at = positionOf(text, needle, delta);
      const actions = await client.request<
        { title: string; edit?: { changes: Record<string, { range: unknown; newText: string }[]> } }[]
      >('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: at, end: at },
        context: { diagnostics: [] },
      });
      return { text, uri, actions };
    }

    it('defines a declared callback that has no body', async () => {
      const { text, uri, actions } = await actionsAt('queue.h', 'LampEvtIoWrite;', 2);
      const define = actions.find((a) => a.title === 'Define LampEvtIoWrite (EVT_WDF_IO_QUEUE_IO_WRITE)');
      assert.ok(define, actions.map((a) => a.title).join(', '));
      const end = positionOf(text, 'LampEvtIoWrite;\n', 16);
      assert.deepEqual(define.edit?.changes[uri], [
        {
          range: { start: end, end },
          newText:
            '\n_Use_decl_annotations_\nVOID\nLampEvtIoWrite(\n    WDFQUEUE Queue,\n    WDFREQUEST Request,\n    size_t Length\n    )\n{\n    UNREFERENCED_PARAMETER(Queue);\n    UNREFERENCED_PARAMETER(Length);\n\n    // Not handled yet: fail it as the framework fails a request type without a handler.\n    WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);\n}\n',
        },
      ]);
    });

    it('declares the role type of a callback that is registered but never declared', async () => {
      const { text, uri, actions } = await actionsAt('queue.c', '= LampEvtIoRead', 4);
      const declare = actions.find((a) => a.title === 'Declare LampEvtIoRead as EVT_WDF_IO_QUEUE_IO_READ');
      assert.ok(declare, actions.map((a) => a.title).join(', '));
      const at = positionOf(text, 'NTSTATUS\nLampQueueInitialize(');
      assert.deepEqual(declare.edit?.changes[uri], [
        { range: { start: at, end: at }, newText: 'EVT_WDF_IO_QUEUE_IO_READ LampEvtIoRead;\n\n' },
      ]);
      // Already declared callbacks get no such action.
      const { actions: none } = await actionsAt('queue.c', '= LampEvtIoStop', 4);
      assert.deepEqual(
        none.filter((a) => a.title.startsWith('Declare')),
        [],
      );
    });

    it('adds _Use_decl_annotations_ to a role-typed definition without it', async () => {
      const { text, uri, actions } = await actionsAt('queue.c', 'LampEvtIoStop(', 3);
      const add = actions.find((a) => a.title === 'Add _Use_decl_annotations_ to LampEvtIoStop');
      assert.ok(add, actions.map((a) => a.title).join(', '));
      const at = positionOf(text, 'VOID\nLampEvtIoStop(');
      assert.deepEqual(add.edit?.changes[uri], [
        { range: { start: at, end: at }, newText: '_Use_decl_annotations_\n' },
      ]);
    });
  });

  describe('inlay hints, symbols, signature help', () => {
    it('shows the IRQL after each callback definition', async () => {
      const text = read('queue.c');
      const uri = await client.open(path.join(lamp, 'queue.c'), text);
      const hints = await client.request<{ position: unknown; label: string }[]>('textDocument/inlayHint', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: endPosition(text) },
      });
      assert.deepEqual(
        hints.map((h) => [h.label, h.position]),
        [
          ['IRQL ≤ DISPATCH_LEVEL', positionOf(text, '    ULONG IoControlCode\n    )', 29)],
          ['IRQL ≤ DISPATCH_LEVEL', positionOf(text, '    _In_ ULONG ActionFlags\n    )', 32)],
        ],
      );
    });

    it('document symbols carry the callback role and IRQL', async () => {
      const text = read('driver.c');
      const uri = await client.open(path.join(lamp, 'driver.c'), text);
      const symbols = await client.request<{ name: string; detail?: string }[]>('textDocument/documentSymbol', {
        textDocument: { uri },
      });
      assert.deepEqual(
        symbols.map((s) => [s.name, s.detail]),
        [
          ['DriverEntry', undefined],
          ['LampEvtDeviceAdd', 'EvtDriverDeviceAdd, = PASSIVE'],
          ['LampEvtDriverContextCleanup', 'EvtCleanupCallback, ≤ DISPATCH'],
        ],
      );
    });

    it('workspace symbols find callbacks by name or role across unopened files', async () => {
      const symbols = await client.request<{ name: string; containerName?: string; location: { uri: string } }[]>(
        'workspace/symbol',
        { query: 'evtio' },
      );
      assert.deepEqual(
        symbols.map((s) => [s.name, s.containerName, path.basename(new URL(s.location.uri).pathname)]),
        [
          ['LampEvtIoDeviceControl', 'EvtIoDeviceControl, ≤ DISPATCH', 'queue.c'],
          ['LampEvtIoRead', 'EvtIoRead, ≤ DISPATCH', 'read.c'],
          ['LampEvtIoStop', 'EvtIoStop, ≤ DISPATCH', 'queue.c'],
        ],
      );
    });

    it('signature help follows the active parameter of a Wdf call', async () => {
      const base = read('queue.c');
      const text = base.replace(
        'status = WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &queue);',
        'status = WdfIoQueueCreate(Device, &queueConfig, ',
      );
      const uri = await client.open(path.join(lamp, 'queue.c'), text);
      const help = await client.request<{
        signatures: { label: string; parameters: { label: [number, number] }[] }[];
        activeParameter: number;
      }>('textDocument/signatureHelp', {
        textDocument: { uri },
        position: positionOf(text, 'WdfIoQueueCreate(Device, &queueConfig, ', 39),
      });
      assert.equal(help.activeParameter, 2);
      const sig = help.signatures[0];
      // Each parameter as the header gives it, keyed by name; the label lists them in declaration order.
      const byName: Record<string, string> = {
        Queue: '_Out_opt_ WDFQUEUE* Queue',
        Config: '_In_ PWDF_IO_QUEUE_CONFIG Config',
        Device: '_In_ WDFDEVICE Device',
        QueueAttributes: '_In_opt_ PWDF_OBJECT_ATTRIBUTES QueueAttributes',
      };
      const order = ['Device', 'Config', 'QueueAttributes', 'Queue'];
      assert.equal(sig.label, `NTSTATUS WdfIoQueueCreate(${order.map((n) => byName[n]).join(', ')})`);
      assert.equal(sig.label.slice(...sig.parameters[2].label), '_In_opt_ PWDF_OBJECT_ATTRIBUTES QueueAttributes');
    });
  });

  describe('custom requests', () => {
    it('generates a stub with the driver prefix and lists callbacks', async () => {
      const stub = await client.request<{ functionName: string; declaration: string; allocText?: string }>(
        'kmdf/generateStub',
        { roleType: 'EVT_WDF_DEVICE_PREPARE_HARDWARE' },
      );
      assert.equal(stub.functionName, 'LampEvtDevicePrepareHardware');
      assert.equal(stub.declaration, 'EVT_WDF_DEVICE_PREPARE_HARDWARE LampEvtDevicePrepareHardware;');
      assert.equal(stub.allocText, '#pragma alloc_text(PAGE, LampEvtDevicePrepareHardware)');
      await assert.rejects(
        client.request('kmdf/generateStub', { roleType: 'EVT_NOT_A_THING' }),
        /EVT_NOT_A_THING is not a known callback role type/,
      );
      const list = await client.request<{ name: string; irql?: string }[]>('kmdf/listCallbacks', null);
      assert.deepEqual(list.find((c) => c.name === 'EVT_WDF_TIMER')?.irql, '≤ DISPATCH_LEVEL');
      // Only role types a stub can be made for: every listed one generates.
      assert.equal(
        list.find((c) => c.name === 'EVT_ACX_AUDIOENGINE_ASSIGN_EFFECTS_STATE'),
        undefined,
      );
      for (const c of list.slice(0, 40)) await client.request('kmdf/generateStub', { roleType: c.name });
      assert.equal(await client.request('kmdf/referenceUrl', { name: 'LampEvtIoStop' }), STOP_URL);
      assert.equal(await client.request('kmdf/referenceUrl', { name: 'NoSuchName' }), null);
    });

    it('reports the index status, and again after a rebuild', async () => {
      const last = client.indexStatuses[client.indexStatuses.length - 1];
      assert.equal(last.state, 'ready');
      assert.equal(last.docs.state, 'online');
      assert.ok(last.callbacks > 100, `${last.callbacks} callbacks`);
      assert.deepEqual(last.sources, ['catalog']);
      const count = client.indexStatuses.length;
      const rebuilt = await client.request<typeof last>('kmdf/rebuildIndex', null);
      // The rebuild asks the docs host for a page now: the state is one it saw.
      const host = new URL((client.settings.docs as { baseUrl: string }).baseUrl).host;
      assert.deepEqual(rebuilt, { ...last, docs: { state: 'online', detail: host, checked: true, degraded: false } });
      assert.ok(served.includes('/content/wdfdriver/nc-wdfdriver-evt_wdf_driver_device_add.md'), served.join('\n'));
      await client.waitFor(() => client.indexStatuses.length > count, 5000, 'a status notification after the rebuild');
    });
  });
});
