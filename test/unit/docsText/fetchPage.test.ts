/**
 * Issue 11, item 7: the online docs fetcher takes only https (http to loopback), follows redirects
 * only within the configured origin, caps the body while streaming it, and accepts only text pages.
 * Each refusal is one log line and no cache file; the hover then shows facts only.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings, parseSettings } from '../../../shared/settings';
import { DEFAULT_PAGE_FETCH_LIMITS, fetchPage } from '../../../server/src/docsText/fetchPage';
import { cacheKey, PAGES_FOLDER } from '../../../server/src/docsText/pageCache';
import { DocsTextProvider, type FetchLike, type PageParser } from '../../../server/src/docsText/provider';
import type { IndexEntry } from '../../../server/src/knowledge/types';
import { Logger } from '../../../server/src/util/logger';

const PAGE_PATH = 'wdftimer/nc-wdftimer-evt_wdf_timer.md';
const PAGE = 'EVT_WDF_TIMER callback\n\nA page of our own.\n';
const MB = 1024 * 1024;

/** Any text becomes a page whose description is its length, so a served page is visible in the answer. */
const lengthParser: PageParser = (text, location) => ({
  name: 'EVT_WDF_TIMER',
  kind: 'callback',
  frameworks: [],
  params: [],
  description: `${text.length} characters`,
  seeAlso: [],
  flags: [],
  location,
  format: 'markdown',
});

const timerEntry: IndexEntry = {
  name: 'EVT_WDF_TIMER',
  kind: 'callback',
  params: [],
  frameworks: ['KMDF'],
  flags: [],
  sources: [],
  docsPath: PAGE_PATH,
};

/** Returns what it likes (a response, a promise); the server does not wait. */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

async function listen(handler: Handler): Promise<{ server: http.Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('docsText: bounded online fetch (issue 11, item 7)', () => {
  let cacheDir: string;
  let servers: http.Server[];
  let lines: string[];
  let logger: Logger;
  /** The cache's entry files (none when nothing was kept). */
  const cachedEntries = () => {
    const pages = path.join(cacheDir, PAGES_FOLDER);
    return fs.existsSync(pages) ? fs.readdirSync(pages) : [];
  };
  /** Refusal lines without their clock time. */
  const refusals = () => lines.filter((l) => l.includes('refused')).map((l) => l.replace(/^\[[\d:.]+\] /, ''));

  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-fetch-cache-'));
    servers = [];
    lines = [];
    logger = new Logger((_t, m) => lines.push(m), 'debug');
  });

  afterEach(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  async function serve(handler: Handler) {
    const served = await listen(handler);
    servers.push(served.server);
    return served;
  }

  function provider(baseUrl: string, fetchImpl?: FetchLike): DocsTextProvider {
    return new DocsTextProvider({ online: true, baseUrl, cacheDir }, lengthParser, logger, fetchImpl);
  }

  it('aborts a streamed body past 1 MB: refused, not cached, the server sees the request dropped', async () => {
    let dropped!: (finished: boolean) => void;
    const droppedUnfinished = new Promise<boolean>((resolve) => (dropped = resolve));
    const { origin } = await serve(async (_req, res) => {
      res.on('close', () => dropped(res.writableFinished));
      // No Content-Length: only reading the stream can tell the size. 16 MB is more than socket buffers hold.
      res.writeHead(200, { 'content-type': 'text/markdown' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < 16 * MB && !res.destroyed; sent += chunk.length) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      res.end();
    });
    const baseUrl = `${origin}/content/`;
    assert.equal(await provider(baseUrl).text(timerEntry), undefined);
    assert.equal(await droppedUnfinished, false);
    assert.deepEqual(refusals(), [
      `[warning] Docs page ${baseUrl}${PAGE_PATH} refused: page is over the ${MB}-byte cap (aborted); showing facts only.`,
    ]);
    assert.deepEqual(cachedEntries(), []);
  });

  it('refuses a page whose Content-Length is over the cap without reading it', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 * MB });
      res.end(Buffer.alloc(2 * MB, 'a'));
    });
    const baseUrl = `${origin}/content/`;
    assert.equal(await provider(baseUrl).text(timerEntry), undefined);
    assert.deepEqual(refusals(), [
      `[warning] Docs page ${baseUrl}${PAGE_PATH} refused: page of ${2 * MB} bytes is over the ${MB}-byte cap; showing facts only.`,
    ]);
    assert.deepEqual(cachedEntries(), []);
  });

  it('does not follow a redirect to another host, and follows one within the configured host', async () => {
    const other = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/markdown' }).end(PAGE));
    const home = await serve((req, res) => {
      if (req.url?.startsWith('/moved/')) res.writeHead(200, { 'content-type': 'text/markdown' }).end(PAGE);
      else if (req.url?.startsWith('/away/')) res.writeHead(302, { location: `${other.origin}/evil.md` }).end();
      else res.writeHead(301, { location: req.url!.replace('/content/', '/moved/') }).end();
    });

    const away = `${home.origin}/away/`;
    assert.equal(await provider(away).text(timerEntry), undefined);
    assert.deepEqual(other.requests, []);
    assert.deepEqual(refusals(), [
      `[warning] Docs page ${away}${PAGE_PATH} refused: redirect to another host (${other.origin}/evil.md); showing facts only.`,
    ]);
    assert.deepEqual(cachedEntries(), []);

    const within = await provider(`${home.origin}/content/`).text(timerEntry);
    assert.equal(within?.description, `${PAGE.length} characters`);
    assert.deepEqual(home.requests, [`/away/${PAGE_PATH}`, `/content/${PAGE_PATH}`, `/moved/${PAGE_PATH}`]);
    assert.deepEqual(cachedEntries(), [cacheKey(`${home.origin}/content/${PAGE_PATH}`)]);
    assert.equal(
      fs.readFileSync(path.join(cacheDir, PAGES_FOLDER, cacheKey(`${home.origin}/content/${PAGE_PATH}`)), 'utf8'),
      PAGE,
    );
  });

  it('refuses a body that is not a text page (application/octet-stream)', async () => {
    const { origin } = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PAGE),
    );
    const baseUrl = `${origin}/content/`;
    assert.equal(await provider(baseUrl).text(timerEntry), undefined);
    assert.deepEqual(refusals(), [
      `[warning] Docs page ${baseUrl}${PAGE_PATH} refused: content type "application/octet-stream" is not a text page; showing facts only.`,
    ]);
    assert.deepEqual(cachedEntries(), []);
  });

  it('kmdf.docs.baseUrl: a non-https, non-loopback URL is refused by settings, which keep the https default', () => {
    for (const bad of ['http://example.com/content/', 'http://127.0.0.1.example.com/', 'file:///etc/', 'ftp://x/']) {
      const { settings, problems } = parseSettings({ docs: { baseUrl: bad, online: true } });
      assert.equal(settings.docs.baseUrl, defaultSettings.docs.baseUrl, bad);
      assert.equal(settings.docs.online, true);
      assert.deepEqual(problems, [
        'kmdf.docs.baseUrl: must be an https:// URL (http:// only to 127.0.0.1, [::1] or localhost)',
      ]);
    }
    for (const good of ['https://mirror.example.com/ddi/', 'http://127.0.0.1:8080/content/', 'http://[::1]:9/']) {
      assert.deepEqual(parseSettings({ docs: { baseUrl: good } }).problems, [], good);
    }
  });

  it('a provider given an http base URL to another host fetches nothing and says so once', async () => {
    const asked: string[] = [];
    const spy: FetchLike = (url) => {
      asked.push(url);
      return Promise.resolve({ kind: 'page', text: PAGE });
    };
    const docs = provider('http://example.com/content/', spy);
    assert.equal(await docs.text(timerEntry), undefined);
    assert.equal(
      await docs.text({ ...timerEntry, name: 'EVT_WDF_DPC', docsPath: 'wdfdpc/nc-wdfdpc-evt_wdf_dpc.md' }),
      undefined,
    );
    assert.deepEqual(asked, []);
    assert.deepEqual(refusals(), [
      '[warning] Online docs refused: only https: URLs are fetched (http: only to 127.0.0.1, ::1 or localhost): http://example.com/content/; showing facts only.',
    ]);
  });

  it('fetchPage itself refuses a non-https URL to another host before any request', async () => {
    assert.deepEqual(await fetchPage('http://example.invalid/page.md', DEFAULT_PAGE_FETCH_LIMITS), {
      kind: 'refused',
      reason:
        'only https: URLs are fetched (http: only to 127.0.0.1, ::1 or localhost): http://example.invalid/page.md',
    });
  });
});
