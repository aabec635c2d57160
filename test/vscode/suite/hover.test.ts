/**
 * Hover through `vscode.executeHoverProvider`: role types, a driver's callback and a Wdf method.
 * The suite runs offline (kmdf.docs.online is false, no docs path), so hovers carry header facts only.
 */
import { strict as assert } from 'node:assert';
import { hoverText, kmdfHover, openFixture, positionOf, waitForServer } from './helpers';

const REF = 'https://learn.microsoft.com/windows-hardware/drivers/ddi/';
const STOP_FACTS = 'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h';
const STOP_REGISTERED = 'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop (WdfIoQueueCreate)';
const STOP_LINK = `[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](${REF}wdfio/nc-wdfio-evt_wdf_io_queue_io_stop)`;
const stopSignature = (name: string) =>
  `VOID\n${name}(\n    _In_ WDFQUEUE Queue,\n    _In_ WDFREQUEST Request,\n    _In_ ULONG ActionFlags\n    );`;

describe('hover', function () {
  before(waitForServer);

  it('on a role type shows its typedef, IRQL, header and where it is registered', async function () {
    const { document } = await openFixture('queue.h');
    const markdown = await kmdfHover(document.uri, positionOf(document, 'EVT_WDF_IO_QUEUE_IO_STOP', 4));
    assert.equal(
      markdown,
      [
        '```c\ntypedef ' + stopSignature('EVT_WDF_IO_QUEUE_IO_STOP') + '\n```',
        STOP_FACTS,
        STOP_REGISTERED,
        STOP_LINK,
      ].join('\n\n'),
    );
  });

  it('on a callback function names its role and shows the same facts', async function () {
    const { document } = await openFixture('queue.c');
    const expected = [
      '**BulbEvtIoStop** — *EvtIoStop* callback (`EVT_WDF_IO_QUEUE_IO_STOP`)',
      '```c\n' + stopSignature('BulbEvtIoStop') + '\n```',
      STOP_FACTS,
      STOP_REGISTERED,
      STOP_LINK,
    ].join('\n\n');
    assert.equal(
      await kmdfHover(document.uri, positionOf(document, 'BulbEvtIoStop(', 2)),
      expected,
      'at the definition',
    );
    assert.equal(
      await kmdfHover(document.uri, positionOf(document, '= BulbEvtIoStop', 4)),
      expected,
      'where it is registered',
    );
  });

  it('on a Wdf method shows its prototype, IRQL and header', async function () {
    const { document } = await openFixture('queue.c');
    const markdown = await kmdfHover(document.uri, positionOf(document, 'WdfIoQueueCreate(Device', 3));
    assert.equal(
      markdown,
      [
        '```c\nNTSTATUS\nWdfIoQueueCreate(\n    _In_ WDFDEVICE Device,\n    _In_ PWDF_IO_QUEUE_CONFIG Config,\n    _In_opt_ PWDF_OBJECT_ATTRIBUTES QueueAttributes,\n    _Out_opt_ WDFQUEUE* Queue\n    );\n```',
        'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h',
        `[WdfIoQueueCreate on the reference site](${REF}wdfio/nf-wdfio-wdfioqueuecreate)`,
      ].join('\n\n'),
    );
  });

  it('gives no hover on a local variable', async function () {
    const { document } = await openFixture('queue.c');
    assert.deepEqual(await hoverText(document.uri, positionOf(document, 'WDFQUEUE queue;', 10)), []);
  });
});
