import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
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

  // V8 holds a script's source in two bytes a character unless all of it is Latin-1: the size of the
  // bundle again in every thread's heap (esbuild.mjs escapes what esbuild leaves).
  it('ships ASCII-only bundles for the server, the CLI and their workers', () => {
    ensureBundle();
    for (const name of ['server', 'cli', 'analysisWorker', 'lintWorker']) {
      const text = fs.readFileSync(path.join(distDir, `${name}.js`), 'utf8');
      // eslint-disable-next-line no-control-regex
      const at = text.search(/[^\x00-\x7f]/);
      assert.equal(at, -1, `${name}.js has a non-ASCII character at offset ${at}: ${text.slice(at - 40, at + 10)}`);
    }
  });
});
