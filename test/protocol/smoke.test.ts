import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { fixturesDir, TestClient } from './harness';

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
});
