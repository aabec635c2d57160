import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distDir, ensureBundle, fixturesDir, TestClient } from './harness';

const lamp = path.join(fixturesDir, 'lamp');

/** The bundle must load web-tree-sitter and the C grammar from beside dist/server.js (STYLE.md §5). */
describe('protocol: bundle smoke test', () => {
  for (const viaCli of [false, true]) {
    it(`${viaCli ? 'kmdf serve --stdio' : 'dist/server.js --stdio'} parses a fixture driver`, async () => {
      const client = await TestClient.start({ viaCli, settings: { docs: { online: false } } });
      try {
        await client.ready();
        const uri = await client.open(path.join(lamp, 'queue.c'));
        const symbols = await client.request<{ name: string; detail?: string }[]>('textDocument/documentSymbol', {
          textDocument: { uri },
        });
        assert.deepEqual(
          symbols.map((s) => s.name),
          ['LampQueueInitialize', 'LampEvtIoDeviceControl', 'LampEvtIoStop'],
        );
        const crashed = client.logs.filter((l) => /Analysis of .* failed|createRequire/.test(l.message));
        assert.deepEqual(crashed, []);
      } finally {
        await client.stop();
      }
    });
  }

  it('dist/server.js with a code cache folder: the next start is compiled from the cache and serves as the first', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-code-cache-'));
    const env = { KMDF_ASSIST_CODE_CACHE: path.join(folder, 'code') };
    const session = async () => {
      const client = await TestClient.start({ env, settings: { docs: { online: false } } });
      try {
        await client.ready();
        const uri = await client.open(path.join(lamp, 'queue.c'));
        const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', {
          textDocument: { uri },
        });
        const crashed = client.logs.filter((l) => /Analysis of .* failed|dynamic import/i.test(l.message));
        await client.waitFor(() => client.diagnostics.has(uri), 20000, 'diagnostics of queue.c');
        const diagnostics = client.diagnostics.get(uri)!.diagnostics.map((d) => `${d.code} ${d.range.start.line}`);
        return { symbols: symbols.map((s) => s.name), crashed, diagnostics };
      } finally {
        await client.stop();
      }
    };
    try {
      const first = await session();
      assert.deepEqual(first.crashed, []);
      assert.deepEqual(first.symbols, ['LampQueueInitialize', 'LampEvtIoDeviceControl', 'LampEvtIoStop']);
      // The first session wrote the cache when it exited.
      const [cache, ...others] = fs.readdirSync(env.KMDF_ASSIST_CODE_CACHE);
      assert.deepEqual(others, []);
      const written = fs.statSync(path.join(env.KMDF_ASSIST_CODE_CACHE, cache));
      assert.ok(written.size > 100_000, `cache of ${written.size} bytes`);
      const second = await session();
      assert.deepEqual(second, first);
      // A cache V8 rejected would have been written again.
      const after = fs.statSync(path.join(env.KMDF_ASSIST_CODE_CACHE, cache));
      assert.equal(after.mtimeMs, written.mtimeMs);
      assert.deepEqual(fs.readdirSync(env.KMDF_ASSIST_CODE_CACHE), [cache]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  // V8 holds a script's source in two bytes a character unless all of it is Latin-1: the size of the
  // bundle again in every thread's heap (esbuild.mjs escapes what esbuild leaves).
  it('ships ASCII-only bundles for the server, the CLI and their workers', () => {
    ensureBundle();
    for (const name of ['server', 'serverMain', 'cli', 'analysisWorker', 'lintWorker']) {
      const text = fs.readFileSync(path.join(distDir, `${name}.js`), 'utf8');
      // eslint-disable-next-line no-control-regex
      const at = text.search(/[^\x00-\x7f]/);
      assert.equal(at, -1, `${name}.js has a non-ASCII character at offset ${at}: ${text.slice(at - 40, at + 10)}`);
    }
  });
});
