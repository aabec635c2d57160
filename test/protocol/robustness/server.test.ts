/**
 * Issue 11 through the bundled server over stdio: bad framing (item 5), cancellation (item 4), the size
 * limit and requests of other files answered before a long analysis (item 3), a didChange whose version
 * goes down (item 9), and a missing WDK or docs folder (item 12). Generated inputs are fixed; no test
 * asserts a duration, only the order of answers and bounded waits.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { copyFixture, distDir, ensureBundle, fixturesDir, positionOf, TestClient } from '../harness';
import { repoRoot } from '../../support/paths';

const lamp = path.join(fixturesDir, 'lamp');
const queueH = path.join(lamp, 'queue.h');

/** A C file of `count` small functions (about 90 bytes each): long enough to analyse that the order of answers shows. */
function generatedDriver(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++)
    text += `VOID Helper${i}(PVOID Context) { ULONG value = ${i}; UNREFERENCED_PARAMETER(Context); }\n`;
  return text;
}

const isCancelled = (error: unknown) => (error as { code?: number }).code === -32800;

describe('robustness: the server over stdio', function () {
  this.timeout(60_000);

  it('exits 1 and says why on a Content-Length that is not a number', async () => {
    ensureBundle();
    const proc = spawn(process.execPath, [path.join(distDir, 'server.js'), '--stdio'], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stdin.write('Content-Length: abc\r\n\r\n{}');
    const timer = setTimeout(() => proc.kill(), 10_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 1, `exit code (stderr: ${stderr})`);
    assert.equal(
      stderr,
      'KMDF Assist: protocol error from the client, exiting so that it restarts the server: Content-Length value must be a number. Got abc\n',
    );
    assert.match(stdout, /"method":"window\/logMessage".*protocol error from the client/);
  });

  describe('cancellation', () => {
    let hanging: http.Server;
    let cacheDir: string | undefined;
    let client: TestClient;
    /** Called when the docs host receives a request (the server has started waiting for prose). */
    let onDocsRequest = () => {};
    before(async () => {
      // A docs host that accepts requests and never answers: a hover waits for prose until it gives up.
      hanging = http.createServer(() => onDocsRequest());
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      client = await TestClient.start({
        workspaceFolder: lamp,
        settings: { docs: { online: true, baseUrl: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/` } },
        initializationOptions: { cacheDir: (cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-robust-cancel-'))) },
        // The hover waits for the never-answering host far longer than any load delays the cancellation.
        env: { KMDF_ASSIST_HOVER_DOCS_WAIT_MS: '60000' },
      });
      await client.ready();
    });
    after(async () => {
      await client?.stop();
      hanging?.closeAllConnections();
      hanging?.close();
      if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
    });

    it('a hover cancelled while it waits for docs prose is answered RequestCancelled', async () => {
      const text = fs.readFileSync(queueH, 'utf8');
      const uri = await client.open(queueH, text);
      // The document is analysed and checked first, so that the hover below waits on the docs host only.
      await client.waitFor(() => client.diagnostics.has(uri), 20_000, 'the diagnostics of queue.h');
      const asked = new Promise<void>((resolve) => (onDocsRequest = resolve));
      const source = new CancellationTokenSource();
      const hover = client.connection.sendRequest(
        'textDocument/hover',
        { textDocument: { uri }, position: positionOf(text, 'EVT_WDF_IO_QUEUE_IO_STOP', 2) },
        source.token,
      );
      // Cancelled once the server is waiting for the prose (the page is asked for), not after a guessed delay.
      await asked;
      source.cancel();
      await assert.rejects(hover, isCancelled);
    });

    it('a request cancelled before the server took it up is answered RequestCancelled', async () => {
      const big = path.join(lamp, 'generated-cancel.c');
      const uri = client.uriOf(big);
      // While the server analyses the big file, the hover and its cancellation arrive together.
      await client.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'c', version: 1, text: generatedDriver(600) },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const source = new CancellationTokenSource();
      const hover = client.connection.sendRequest(
        'textDocument/hover',
        { textDocument: { uri: client.uriOf(queueH) }, position: { line: 0, character: 0 } },
        source.token,
      );
      source.cancel();
      await assert.rejects(hover, isCancelled);
    });
  });

  describe('a long analysis of one file', () => {
    let client: TestClient;
    before(async () => {
      client = await TestClient.start({ workspaceFolder: lamp, settings: { docs: { online: false } } });
      await client.ready();
    });
    after(async () => client?.stop());

    it('does not hold up a hover of another file sent after an edit of the long one', async () => {
      const text = fs.readFileSync(queueH, 'utf8');
      const small = await client.open(queueH, text);
      await client.request('textDocument/documentSymbol', { textDocument: { uri: small } });
      const bigText = generatedDriver(600);
      const big = await client.open(path.join(lamp, 'generated-long.c'), bigText);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the server is busy with version 1
      const answered: string[] = [];
      // An edit of the big file's first line, a hover there (it needs the edit analysed), then a hover of the small file.
      await client.change(big, [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } }, text: 'void' },
      ]);
      const onBig = client.hover(big, { line: 0, character: 6 }).then(() => answered.push('big'));
      const onSmall = client
        .hover(small, positionOf(text, 'EVT_WDF_IO_QUEUE_IO_STOP', 2))
        .then(() => answered.push('small'));
      await Promise.all([onBig, onSmall]);
      assert.deepEqual(answered, ['small', 'big']);
    });
  });

  it('answers a hover while the workspace-wide checks run (before their progress ends)', async () => {
    const folder = copyFixture('lamp');
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(folder, `generated-${i}.c`), generatedDriver(150));
    const client = await TestClient.start({
      workspaceFolder: folder,
      settings: { docs: { online: false } },
      capabilities: { window: { workDoneProgress: true } },
    });
    try {
      await client.ready();
      const file = path.join(folder, 'queue.h');
      const text = fs.readFileSync(file, 'utf8');
      const uri = await client.open(file, text);
      await client.request('textDocument/documentSymbol', { textDocument: { uri } });
      const run = () => [...client.progress.values()][0] ?? [];
      await client.waitFor(() => run().length > 0, 30_000, 'the workspace checks to begin');
      const hover = await client.hover(uri, positionOf(text, 'EVT_WDF_IO_QUEUE_IO_STOP', 2));
      const when = run().map((v) => v.kind);
      assert.match(hover?.contents.value ?? '', /^```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP\(/);
      assert.equal(when.includes('end'), false, `the hover was answered after the checks ended (${when.join(', ')})`);
      await client.waitFor(() => run().some((v) => v.kind === 'end'), 60_000, 'the workspace checks to end');
    } finally {
      await client.stop();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('above kmdf.analysis.maxFileSizeKB: says so once, analyses nothing, the other files keep working', async () => {
    const client = await TestClient.start({
      workspaceFolder: lamp,
      settings: { docs: { online: false }, analysis: { maxFileSizeKB: 8 } },
    });
    try {
      await client.ready();
      const bigText = generatedDriver(100); // 8,890 bytes
      const big = await client.open(path.join(lamp, 'generated-big.c'), bigText);
      await client.change(big, [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' },
      ]);
      assert.equal(await client.hover(big, { line: 0, character: 8 }), null);
      assert.deepEqual(await client.request('textDocument/documentSymbol', { textDocument: { uri: big } }), []);
      const text = fs.readFileSync(queueH, 'utf8');
      const small = await client.open(queueH, text);
      const hover = await client.hover(small, positionOf(text, 'EVT_WDF_IO_QUEUE_IO_STOP', 2));
      assert.match(hover?.contents.value ?? '', /^```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP\(/);
      assert.deepEqual(client.warnings, [
        'KMDF Assist: generated-big.c is 9 KB, above kmdf.analysis.maxFileSizeKB (8 KB): it is not analysed.',
      ]);
    } finally {
      await client.stop();
    }
  });

  it('follows the text of a didChange whose version is lower than the one before', async () => {
    const client = await TestClient.start({ workspaceFolder: lamp, settings: { docs: { online: false } } });
    try {
      await client.ready();
      const file = path.join(lamp, 'generated-versions.c');
      const uri = client.uriOf(file);
      const violating = 'EVT_WDF_IO_QUEUE_IO_STOP StopIt;\n';
      await client.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'c', version: 5, text: violating },
      });
      await client.waitFor(() => !!client.diagnostics.get(uri)?.diagnostics.length, 20_000, 'a finding at version 5');
      assert.deepEqual(
        client.diagnostics.get(uri)?.diagnostics.map((d) => d.code),
        ['KMDF1007'],
      );
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 3 },
        contentChanges: [{ text: 'int Add(int a, int b) { return a + b; }\n' }],
      });
      await client.waitFor(
        () => client.diagnostics.get(uri)?.diagnostics.length === 0,
        20_000,
        'no finding at version 3',
      );
    } finally {
      await client.stop();
    }
  });

  it('a missing WDK folder and a missing docs folder: one clear message, hovers keep working', async () => {
    const client = await TestClient.start({
      workspaceFolder: lamp,
      settings: {
        docs: { online: false, path: '/nonexistent/kmdf-docs' },
        wdk: { includePaths: ['/nonexistent/kmdf-wdk/km'] },
      },
    });
    try {
      await client.ready();
      const text = fs.readFileSync(queueH, 'utf8');
      const uri = await client.open(queueH, text);
      const hover = await client.hover(uri, positionOf(text, 'EVT_WDF_IO_QUEUE_IO_STOP', 2));
      assert.match(hover?.contents.value ?? '', /^```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP\(/);
      const status = client.indexStatuses[client.indexStatuses.length - 1];
      assert.equal(status.state, 'error');
      const errors = client.logs.filter((l) => l.type === 1).map((l) => l.message.replace(/^\[[^\]]+\] /, ''));
      assert.deepEqual(errors, [`[error] Index rebuild failed; keeping the previous index: ${status.message}`]);
      assert.match(status.message ?? '', /\/nonexistent\/kmdf-/);
    } finally {
      await client.stop();
    }
  });
});
