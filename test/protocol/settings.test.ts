/**
 * Settings through the bundled server: invalid values are reported and the rest keeps working,
 * changes take effect without a restart, and a dead docs server never holds a hover up.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { endPosition, fixturesDir, positionOf, TestClient } from './harness';

const lamp = path.join(fixturesDir, 'lamp');

describe('protocol: settings', () => {
  it('reports an invalid setting as a warning and keeps the valid ones', async () => {
    const client = await TestClient.start({
      workspaceFolder: lamp,
      settings: { logLevel: 'loud', inlayHints: { irql: false }, docs: { online: false } },
    });
    try {
      await client.ready();
      await client.waitFor(() => client.warnings.length > 0, 10000, 'a settings warning');
      assert.match(client.warnings[0], /^KMDF Assist: invalid settings \(defaults used for these\): kmdf\.logLevel: /);
      const text = fs.readFileSync(path.join(lamp, 'queue.c'), 'utf8');
      const uri = await client.open(path.join(lamp, 'queue.c'), text);
      const hints = await client.request<unknown[]>('textDocument/inlayHint', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: endPosition(text) },
      });
      assert.deepEqual(hints, [], 'inlayHints.irql=false was kept despite the bad logLevel');
    } finally {
      await client.stop();
    }
  });

  it('applies a changed setting without a restart (inlay hints refresh)', async () => {
    const client = await TestClient.start({ workspaceFolder: lamp, settings: { docs: { online: false } } });
    try {
      await client.ready();
      const text = fs.readFileSync(path.join(lamp, 'queue.c'), 'utf8');
      const uri = await client.open(path.join(lamp, 'queue.c'), text);
      const ask = () =>
        client.request<{ label: string }[]>('textDocument/inlayHint', {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: endPosition(text) },
        });
      assert.equal((await ask()).length, 2);
      const refreshes = client.inlayRefreshes;
      await client.changeSettings({ docs: { online: false }, inlayHints: { irql: false } });
      await client.waitFor(() => client.inlayRefreshes > refreshes, 10000, 'an inlay hint refresh');
      assert.deepEqual(await ask(), []);
      assert.equal(client.warnings.length, 0);
    } finally {
      await client.stop();
    }
  });

  it('answers a hover with facts when the docs server does not answer', async () => {
    // A server that accepts connections and never responds; it counts the connections closed on it.
    let closed = 0;
    let requests = 0;
    const hanging = http.createServer((request) => {
      requests++;
      request.socket.on('close', () => closed++);
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-lsp-hang-'));
    const baseUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    const client = await TestClient.start({
      workspaceFolder: lamp,
      settings: { docs: { online: true, baseUrl } },
      initializationOptions: { cacheDir },
    });
    try {
      await client.ready();
      const text = fs.readFileSync(path.join(lamp, 'queue.h'), 'utf8');
      const uri = await client.open(path.join(lamp, 'queue.h'), text);
      const hover = await client.hover(uri, positionOf(text, 'EVT_WDF_IO_QUEUE_IO_STOP', 2));
      // Answered without waiting for the fetch: the page's request is still open (the fetch would end
      // only at its 8 s timeout, closing it) and the server has not yet said the docs are unavailable.
      assert.equal(closed, 0);
      assert.deepEqual(
        client.logs.filter((l) => l.message.startsWith('Online docs unavailable')),
        [],
      );
      assert.match(hover?.contents.value ?? '', /^```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP\(/);
      assert.ok(!(hover?.contents.value ?? '').includes('**Parameters**'));
      await client.waitFor(() => requests >= 1, 10_000, 'the page request at the docs server');
    } finally {
      await client.stop();
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
