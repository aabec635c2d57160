/**
 * Hover with real reference pages: ../shared/ddi-docs/current served over HTTP on 127.0.0.1, as
 * the online docs would be. The server's Markdown must equal what the hover layout makes of the
 * same page parsed in-process (the page's prose is read at run time, never stored in the repository).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { hoverMarkdown } from '../../server/src/features/hoverContent';
import { parseDocPage } from '../../server/src/knowledge/docs';
import { KnowledgeIndex } from '../../server/src/knowledge/knowledgeIndex';
import { loadEmbeddedCatalog } from '../../server/src/knowledge/catalog';
import { DocsTextProvider } from '../../server/src/docsText/provider';
import { silentLogger } from '../../server/src/util/logger';
import { fixturesDir, positionOf, TestClient } from './harness';
import { sharedDir } from '../support/paths';

const lamp = path.join(fixturesDir, 'lamp');
const docsRoot = path.join(sharedDir, 'ddi-docs/current');

describe('protocol: hover with the real reference pages served over HTTP', () => {
  let server: http.Server;
  let client: TestClient;
  let baseUrl: string;
  const cacheDirs: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const file = path.join(docsRoot, decodeURIComponent((req.url ?? '').replace(/^\/content\//, '')));
      if (!file.startsWith(docsRoot) || !fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/content/`;
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-real-docs-'));
    cacheDirs.push(cacheDir);
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
    for (const dir of cacheDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the hover of `name` should be: the same layout over the page parsed here. */
  async function expected(name: string, subject: Parameters<typeof hoverMarkdown>[1]): Promise<string> {
    const index = new KnowledgeIndex(loadEmbeddedCatalog().entries, ['catalog']);
    const entry = index.get(name)!;
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-real-docs-'));
    cacheDirs.push(cacheDir);
    const provider = new DocsTextProvider({ online: true, baseUrl, cacheDir }, parseDocPage, silentLogger);
    const text = await provider.text(entry);
    assert.ok(text?.description, `the page of ${name} has a description`);
    return hoverMarkdown(entry, subject, index, text);
  }

  async function hoverUntilProse(uri: string, position: { line: number; character: number }): Promise<string> {
    // The first hover may race the fetch and answer with facts only; poll until the prose is in.
    let value = '';
    const until = Date.now() + 10000;
    while (!value.includes('**Parameters**') && Date.now() < until) {
      value = (await client.hover(uri, position))?.contents.value ?? '';
      if (!value.includes('**Parameters**')) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return value;
  }

  it('EvtIoStop: signature, facts, prose with absolute links, long remarks trimmed', async () => {
    const text = fs.readFileSync(path.join(lamp, 'queue.c'), 'utf8');
    const uri = await client.open(path.join(lamp, 'queue.c'), text);
    const value = await hoverUntilProse(uri, positionOf(text, 'LampEvtIoStop(', 3));
    assert.equal(
      value,
      await expected('EVT_WDF_IO_QUEUE_IO_STOP', { kind: 'function', functionName: 'LampEvtIoStop', defined: true }),
    );
    assert.ok(!/\]\(\/|\]\((?!https?:|#)/.test(value), 'every link is absolute');
    assert.match(
      value,
      /\[…more on the reference page\]\(https:\/\/learn\.microsoft\.com\/windows-hardware\/drivers\/ddi\/wdfio\/nc-wdfio-evt_wdf_io_queue_io_stop\)/,
    );
    for (const param of ['Queue', 'Request', 'ActionFlags'])
      assert.match(value, new RegExp(`^- \`${param}\` — \\S`, 'm'));
  });

  it('WdfIoQueueCreate at a call', async () => {
    const text = fs.readFileSync(path.join(lamp, 'queue.c'), 'utf8');
    const uri = await client.open(path.join(lamp, 'queue.c'), text);
    const value = await hoverUntilProse(uri, positionOf(text, 'WdfIoQueueCreate(Device', 3));
    assert.equal(value, await expected('WdfIoQueueCreate', { kind: 'entry' }));
    assert.match(value, /\*\*Return value\*\*/);
  });

  it('kmdf.docs.path: the index is rebuilt from a docs folder, and prose comes from it', async () => {
    const local = await TestClient.start({
      workspaceFolder: lamp,
      settings: { docs: { online: false, path: docsRoot } },
    });
    try {
      await local.waitFor(
        () => local.indexStatuses.some((s) => s.state === 'ready' && s.sources.includes(`docs:${docsRoot}`)),
        60000,
        'the index built from the docs folder',
      );
      const status = local.indexStatuses.find((s) => s.state === 'ready' && s.sources.includes(`docs:${docsRoot}`))!;
      assert.deepEqual(status.sources, ['catalog', `docs:${docsRoot}`]);
      assert.equal(status.docs.state, 'folder');
      assert.match(status.docs.detail, /^\d+ pages in current$/);
      const text = fs.readFileSync(path.join(lamp, 'queue.c'), 'utf8');
      const uri = await local.open(path.join(lamp, 'queue.c'), text);
      const hover = await local.hover(uri, positionOf(text, 'LampEvtIoStop(', 3));
      assert.equal(
        hover?.contents.value,
        await expected('EVT_WDF_IO_QUEUE_IO_STOP', { kind: 'function', functionName: 'LampEvtIoStop', defined: true }),
      );
    } finally {
      await local.stop();
    }
  });
});
