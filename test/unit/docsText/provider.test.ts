import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheKey, PAGES_FOLDER } from '../../../server/src/docsText/pageCache';
import { DocsTextProvider, pageNameOf, type PageParser } from '../../../server/src/docsText/provider';
import type { DocPage, IndexEntry } from '../../../server/src/knowledge/types';
import { Logger } from '../../../server/src/util/logger';

import { sharedDir } from '../../support/paths';

const docsRoot = path.join(sharedDir, 'ddi-docs/current');
const STOP_PATH = 'wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md';

/**
 * A stand-in for the docs parsers: the transport and cache are under test here, not parsing.
 * It records the page's byte length and the link it finds, so answers can be checked against the file.
 */
const lengthParser: PageParser = (text, location) => {
  const name = pageNameOf(text);
  if (!name) return undefined;
  const page: DocPage = {
    name,
    kind: 'callback',
    frameworks: [],
    params: [{ name: 'Queue', type: 'WDFQUEUE', description: 'see [queues](/windows-hardware/drivers/wdf/x)' }],
    description: `${text.length} characters`,
    remarks:
      'see [create](nf-wdfio-wdfioqueuecreate.md) and [other](../wdfrequest/nf-wdfrequest-wdfrequestcomplete.md)',
    seeAlso: [],
    flags: [],
    location,
    format: 'markdown',
  };
  return page;
};

function entry(name: string, docsPath?: string): IndexEntry {
  return { name, kind: 'callback', params: [], frameworks: ['KMDF'], flags: [], sources: [], docsPath };
}

function collectingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger((_t, m) => lines.push(m), 'debug'), lines };
}

describe('docsText: DocsTextProvider', () => {
  let server: http.Server;
  let baseUrl: string;
  let requests: string[];
  /** When set, requests wait for this before answering (to test the hover race). */
  let gate: Promise<void> | undefined;
  let cacheDir: string;
  const cacheFileOf = (url: string) => path.join(cacheDir, PAGES_FOLDER, cacheKey(url));

  beforeEach(async () => {
    requests = [];
    gate = undefined;
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-docs-cache-'));
    const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
      requests.push(req.url ?? '');
      if (gate) await gate;
      const rel = decodeURIComponent((req.url ?? '').replace(/^\/content\//, ''));
      const file = path.join(docsRoot, rel);
      if (rel.includes('..') || !fs.existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/markdown' }).end(fs.readFileSync(file));
    };
    server = http.createServer((req, res) => void serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/content/`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('fetches a page on demand, caches it on disk and serves it from the cache when offline', async () => {
    const { logger } = collectingLogger();
    const expectedLength = fs.readFileSync(path.join(docsRoot, STOP_PATH), 'utf8').length;
    const provider = new DocsTextProvider({ online: true, baseUrl, cacheDir }, lengthParser, logger);
    const text = await provider.text(entry('EVT_WDF_IO_QUEUE_IO_STOP', STOP_PATH));
    assert.equal(text?.description, `${expectedLength} characters`);
    assert.deepEqual(requests, [`/content/${STOP_PATH}`]);
    assert.equal(fs.readFileSync(cacheFileOf(`${baseUrl}${STOP_PATH}`), 'utf8').length, expectedLength);
    // Relative links are absolute.
    assert.equal(
      text?.remarks,
      'see [create](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuecreate) and [other](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestcomplete)',
    );
    assert.deepEqual(text?.params, [
      { name: 'Queue', description: 'see [queues](https://learn.microsoft.com/windows-hardware/drivers/wdf/x)' },
    ]);

    // A new provider (a new session) with the server gone: the disk cache answers.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const offline = new DocsTextProvider({ online: true, baseUrl, cacheDir }, lengthParser, collectingLogger().logger);
    const again = await offline.text(entry('EVT_WDF_IO_QUEUE_IO_STOP', STOP_PATH));
    assert.equal(again?.description, `${expectedLength} characters`);
  });

  it('logs a network failure once and never throws', async () => {
    const { logger, lines } = collectingLogger();
    const provider = new DocsTextProvider(
      { online: true, baseUrl: 'http://127.0.0.1:9/content/', cacheDir, fetchTimeoutMs: 2000 },
      lengthParser,
      logger,
    );
    assert.equal(await provider.text(entry('EVT_WDF_TIMER', 'wdftimer/nc-wdftimer-evt_wdf_timer.md')), undefined);
    assert.equal(await provider.text(entry('EVT_WDF_DPC', 'wdfdpc/nc-wdfdpc-evt_wdf_dpc.md')), undefined);
    const warnings = lines.filter((l) => l.includes('Online docs unavailable'));
    assert.equal(warnings.length, 1);
  });

  it('answers a missing page with undefined (HTTP 404)', async () => {
    const provider = new DocsTextProvider({ online: true, baseUrl, cacheDir }, lengthParser, collectingLogger().logger);
    assert.equal(await provider.text(entry('EVT_NOPE', 'wdfio/nc-wdfio-evt_nope.md')), undefined);
    assert.deepEqual(requests, ['/content/wdfio/nc-wdfio-evt_nope.md']);
  });

  it('gives up waiting after waitMs but keeps the fetch going for the next call', async () => {
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    const provider = new DocsTextProvider({ online: true, baseUrl, cacheDir }, lengthParser, collectingLogger().logger);
    const e = entry('EVT_WDF_IO_QUEUE_IO_STOP', STOP_PATH);
    assert.equal(await provider.text(e, 30), undefined);
    assert.equal(provider.peek(e.name), null);
    open();
    const full = await provider.text(e);
    assert.match(full?.description ?? '', /^\d+ characters$/);
    assert.equal(requests.length, 1);
    assert.equal(provider.peek(e.name)?.description, full?.description);
  });

  it('reads a docs-repository folder by docsPath, and a folder of rendered pages by name', async () => {
    const folderProvider = new DocsTextProvider(
      { folder: docsRoot, online: false, baseUrl, cacheDir },
      lengthParser,
      collectingLogger().logger,
    );
    const expectedLength = fs.readFileSync(path.join(docsRoot, STOP_PATH), 'utf8').length;
    assert.equal(
      (await folderProvider.text(entry('EVT_WDF_IO_QUEUE_IO_STOP', STOP_PATH)))?.description,
      `${expectedLength} characters`,
    );
    assert.equal(requests.length, 0);

    const seeds = path.join(sharedDir, 'seeds');
    const rendered = new DocsTextProvider(
      { folder: seeds, online: false, baseUrl, cacheDir },
      lengthParser,
      collectingLogger().logger,
    );
    const restart = fs
      .readdirSync(seeds)
      .find((f) => fs.readFileSync(path.join(seeds, f), 'utf8').startsWith('EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART'))!;
    const restartLength = fs.readFileSync(path.join(seeds, restart), 'utf8').length;
    assert.equal(
      (await rendered.text(entry('EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART')))?.description,
      `${restartLength} characters`,
    );
    assert.equal(await rendered.text(entry('EVT_WDF_TIMER')), undefined);
  });

  it('names pages from front matter or their first line', () => {
    assert.equal(
      pageNameOf('---\nUID: NC:wdfio.EVT_WDF_IO_QUEUE_IO_STOP\ntitle: x\n---\n'),
      'EVT_WDF_IO_QUEUE_IO_STOP',
    );
    assert.equal(pageNameOf('---\nUID: NF:wdfio.WdfIoQueueCreate\n---\n'), 'WdfIoQueueCreate');
    assert.equal(pageNameOf('EVT_WDF_TIMER callback function (wdftimer.h)\n\nText'), 'EVT_WDF_TIMER');
    assert.equal(pageNameOf(''), undefined);
  });
});
