/**
 * Hovers and hints that tell the truth (issue 9 §5), on the Lantern fixture of our own: a config
 * structure shows every field, which ones take callbacks and its `…_INIT` helpers, and no IRQL; an
 * enumeration value and a handle type have hovers; the IRQL hint sits right after the parameter
 * list's `)` even when a `/*++ … --*\/` routine comment stands between it and the body; a hover whose
 * reference text cannot be fetched says so in one line.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { endPosition, fixturesDir, positionOf, TestClient } from './harness';

const lantern = path.join(fixturesDir, 'lantern');
const file = path.join(lantern, 'lantern.c');
const text = fs.readFileSync(file, 'utf8');
/** The position just after the first occurrence of `needle`. */
const afterText = (needle: string) => positionOf(text, needle, needle.length);

describe('protocol: hovers and hints that tell the truth', function () {
  this.timeout(60_000);
  let client: TestClient;
  let uri: string;
  before(async () => {
    client = await TestClient.start({ workspaceFolder: lantern, settings: { docs: { online: false } } });
    await client.ready();
    uri = await client.open(file, text);
  });
  after(async () => client?.stop());

  const hoverAt = async (needle: string, delta = 2) =>
    (await client.hover(uri, positionOf(text, needle, delta)))?.contents.value;

  it('a config structure: every field, the callback fields with their role types, the init helpers, no IRQL', async () => {
    assert.equal(
      await hoverAt('WDF_IO_QUEUE_CONFIG queueConfig'),
      [
        '```c\ntypedef struct _WDF_IO_QUEUE_CONFIG WDF_IO_QUEUE_CONFIG, *PWDF_IO_QUEUE_CONFIG;\n```',
        'KMDF 1.0 · UMDF 2.0 · wdfio.h',
        '**Fields** (8 take callbacks)\n\n' +
          [
            '- `Size`',
            '- `DispatchType`',
            '- `PowerManaged`',
            '- `AllowZeroLengthRequests`',
            '- `DefaultQueue`',
            '- `EvtIoDefault` — callback: `EVT_WDF_IO_QUEUE_IO_DEFAULT`',
            '- `EvtIoRead` — callback: `EVT_WDF_IO_QUEUE_IO_READ`',
            '- `EvtIoWrite` — callback: `EVT_WDF_IO_QUEUE_IO_WRITE`',
            '- `EvtIoDeviceControl` — callback: `EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL`',
            '- `EvtIoInternalDeviceControl` — callback: `EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL`',
            '- `EvtIoStop` — callback: `EVT_WDF_IO_QUEUE_IO_STOP`',
            '- `EvtIoResume` — callback: `EVT_WDF_IO_QUEUE_IO_RESUME`',
            '- `EvtIoCanceledOnQueue` — callback: `EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE`',
            '- `Settings`',
            '- `Driver`',
          ].join('\n'),
        'Initialized with `WDF_IO_QUEUE_CONFIG_INIT`, `WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE`',
        '[WDF_IO_QUEUE_CONFIG on the reference site](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/ns-wdfio-_wdf_io_queue_config)',
      ].join('\n\n'),
    );
  });

  it('an enumeration value: its enumeration, with the value marked among the others', async () => {
    assert.equal(
      await hoverAt('WdfIoQueueDispatchSequential'),
      [
        '**WdfIoQueueDispatchSequential** — a value of `WDF_IO_QUEUE_DISPATCH_TYPE`',
        '```c\ntypedef enum _WDF_IO_QUEUE_DISPATCH_TYPE WDF_IO_QUEUE_DISPATCH_TYPE;\n```',
        'KMDF 1.0 · UMDF 2.0 · wdfio.h',
        '**Values**\n\n- `WdfIoQueueDispatchInvalid`\n- **`WdfIoQueueDispatchSequential`**\n- `WdfIoQueueDispatchParallel`\n- `WdfIoQueueDispatchManual`\n- `WdfIoQueueDispatchMax`',
        '[WDF_IO_QUEUE_DISPATCH_TYPE on the reference site](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/ne-wdfio-_wdf_io_queue_dispatch_type)',
      ].join('\n\n'),
    );
  });

  it('a handle type: what creates one and the methods that take one, its own first', async () => {
    const hover = await hoverAt('WDFDEVICE device');
    const [code, title, created, taken] = (hover ?? '').split('\n\n');
    assert.deepEqual(
      [code, title, created],
      [
        '```c\nDECLARE_HANDLE(WDFDEVICE);\n```',
        '**WDFDEVICE** — a WDF object handle',
        'Created by `WdfDeviceCreate`, `WdfDeviceMiniportCreate`, `WdfChildListRetrieveNextDevice`',
      ],
    );
    assert.match(taken, /^Taken by \d+ methods: `WdfDevice\w+`, `WdfDevice\w+`, /);
  });

  it('IRQL hints right after the parameter list, before the routine comment, with an article that fits', async () => {
    const hints = await client.request<{ position: unknown; label: string; tooltip: string }[]>(
      'textDocument/inlayHint',
      { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: endPosition(text) } },
    );
    assert.deepEqual(
      hints.map((h) => [h.label, h.position, h.tooltip]),
      [
        [
          'IRQL = PASSIVE_LEVEL',
          afterText('    PWDFDEVICE_INIT DeviceInit\n    )'),
          'LanternEvtDeviceAdd is an EvtDriverDeviceAdd callback (EVT_WDF_DRIVER_DEVICE_ADD)',
        ],
        [
          'IRQL ≤ DISPATCH_LEVEL',
          afterText('    size_t Length\n    )'),
          'LanternEvtIoRead is an EvtIoRead callback (EVT_WDF_IO_QUEUE_IO_READ)',
        ],
      ],
    );
  });
});

describe('protocol: a hover whose reference text cannot be fetched', function () {
  this.timeout(60_000);

  it('says so in one line and names kmdf.docs.path', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-lsp-unreachable-'));
    // Port 9 on the loopback (discard): nothing listens there, so every fetch is refused at once.
    const client = await TestClient.start({
      workspaceFolder: lantern,
      settings: { docs: { online: true, baseUrl: 'http://127.0.0.1:9/' } },
      initializationOptions: { cacheDir },
    });
    try {
      await client.ready();
      const uri = await client.open(file, text);
      const position = positionOf(text, 'EVT_WDF_IO_QUEUE_IO_READ LanternEvtIoRead', 2);
      const line =
        '*Reference text unavailable (the docs host could not be reached): facts only. Set `kmdf.docs.path` to a local copy of the reference pages to read it offline.*';
      // The first hover may answer before the refused fetch is known; a later one says it.
      let hover = '';
      for (let i = 0; i < 50 && !hover.includes(line); i++) {
        hover = (await client.hover(uri, position))?.contents.value ?? '';
        if (!hover.includes(line)) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const blocks = hover.split('\n\n');
      assert.equal(blocks[blocks.length - 2], line);
      assert.match(blocks[blocks.length - 1], /^\[EVT_WDF_IO_QUEUE_IO_READ on the reference site\]\(https:/);
      assert.ok(!hover.includes('**Parameters**'));
    } finally {
      await client.stop();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
