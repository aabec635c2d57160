/**
 * The reference-text state on the bundled server with the docs host unreachable (issue 9 §5): the
 * index status says "online" only until a fetch fails, then "facts only" (nothing cached) or "cached"
 * (pages fetched earlier on disk), Rebuild Index asks the host again, and the hover says in one line
 * that the text is missing, linking `kmdf.docs.path` for a client that opens setting links. The host
 * is the discard port on the loopback, where nothing listens, so every fetch fails at once on any
 * machine (as the default host does on one without internet).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheKey, PAGES_FOLDER } from '../../server/src/docsText/pageCache';
import { fixturesDir, positionOf, TestClient } from './harness';

const lantern = path.join(fixturesDir, 'lantern');
const file = path.join(lantern, 'lantern.c');
const text = fs.readFileSync(file, 'utf8');
const baseUrl = 'http://127.0.0.1:9/content/';
const STOP_PATH = 'wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md';
const SETTING_LINK = '[`kmdf.docs.path`](command:workbench.action.openSettings?%5B%22kmdf.docs.path%22%5D)';

describe('protocol: the reference-text state with the docs host unreachable', function () {
  this.timeout(60_000);
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-lsp-docs-state-'));
  });
  afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  const lastDocs = (client: TestClient) => client.indexStatuses[client.indexStatuses.length - 1]?.docs;

  it('goes from online (not checked) to facts only, the hover links kmdf.docs.path, a rebuild asks again', async () => {
    const client = await TestClient.start({
      workspaceFolder: lantern,
      settings: { docs: { online: true, baseUrl } },
      initializationOptions: { cacheDir, settingsLinks: true, stampsLogLines: true },
    });
    try {
      await client.ready();
      assert.deepEqual(lastDocs(client), {
        state: 'online',
        detail: '127.0.0.1:9, nothing fetched yet',
        checked: false,
        degraded: false,
      });
      const uri = await client.open(file, text);
      const position = positionOf(text, 'EVT_WDF_IO_QUEUE_IO_READ LanternEvtIoRead', 2);
      const line = `*Reference text unavailable (the docs host could not be reached): facts only. Set ${SETTING_LINK} to a local copy of the reference pages to read it offline.*`;
      let hover = '';
      for (let i = 0; i < 50 && !hover.includes(line); i++) {
        hover = (await client.hover(uri, position))?.contents.value ?? '';
        if (!hover.includes(line)) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const blocks = hover.split('\n\n');
      assert.equal(blocks[blocks.length - 2], line);
      assert.match(blocks[blocks.length - 1], /^\[EVT_WDF_IO_QUEUE_IO_READ on the reference site\]\(https:/);
      const unreachable = { state: 'facts', detail: 'host unreachable, nothing cached', checked: true, degraded: true };
      await client.waitFor(() => lastDocs(client)?.state === 'facts', 10_000, 'the facts-only state');
      assert.deepEqual(lastDocs(client), unreachable);
      // Never "online" once a fetch failed, in any status sent.
      const afterFailure = client.indexStatuses.slice(client.indexStatuses.findIndex((s) => s.docs.checked));
      assert.deepEqual([...new Set(afterFailure.map((s) => s.docs.state))], ['facts']);

      const rebuilt = await client.request<{ docs: unknown; sources: string[] }>('kmdf/rebuildIndex', null);
      assert.deepEqual(rebuilt.docs, unreachable);
      assert.deepEqual(rebuilt.sources, ['catalog']);
      // The client stamps lines itself: no line carries a second time.
      const stamped = client.logs.filter((l) => /^\[\d\d:\d\d:\d\d/.test(l.message));
      assert.deepEqual(stamped, []);
      assert.ok(client.logs.some((l) => l.message.startsWith('Online docs unavailable')));
    } finally {
      await client.stop();
    }
  });

  it('says "cached" when pages fetched earlier are on disk, and shows their text', async () => {
    // A page fetched by an earlier session: the docs fixture page, kept under its URL's key.
    const pages = path.join(cacheDir, PAGES_FOLDER);
    fs.mkdirSync(pages, { recursive: true, mode: 0o700 });
    fs.chmodSync(cacheDir, 0o700);
    fs.copyFileSync(path.join(fixturesDir, 'docs', STOP_PATH), path.join(pages, cacheKey(baseUrl + STOP_PATH)));
    const client = await TestClient.start({
      workspaceFolder: lantern,
      settings: { docs: { online: true, baseUrl } },
      initializationOptions: { cacheDir },
    });
    try {
      await client.ready();
      const uri = await client.open(file, text);
      // A page not in the cache fails and sets the state; one in the cache still shows its text.
      await client.hover(uri, positionOf(text, 'EVT_WDF_IO_QUEUE_IO_READ LanternEvtIoRead', 2));
      await client.waitFor(() => lastDocs(client)?.state === 'cached', 10_000, 'the cached state');
      assert.deepEqual(lastDocs(client), {
        state: 'cached',
        detail: 'host unreachable, 1 page cached',
        checked: true,
        degraded: true,
      });
      const header = 'EVT_WDF_IO_QUEUE_IO_STOP LanternEvtIoStop;\n';
      const headerUri = await client.open(path.join(lantern, 'stop.h'), header);
      const stop = await client.hover(headerUri, positionOf(header, 'EVT_WDF_IO_QUEUE_IO_STOP', 2));
      assert.ok(stop?.contents.value.includes('**Parameters**'), stop?.contents.value);
      // Without settingsLinks and stampsLogLines: the setting in code, our own time stamps.
      assert.ok(client.logs.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] \[info\] /.test(l.message)));
    } finally {
      await client.stop();
    }
  });
});
