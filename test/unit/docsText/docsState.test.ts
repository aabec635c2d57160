import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DocsStatus } from '../../../shared/protocol';
import { docsStatusOf, type DocsObservations } from '../../../server/src/docsText/docsState';
import { cacheKey, PAGES_FOLDER } from '../../../server/src/docsText/pageCache';
import { DocsTextProvider, type FetchLike, type PageParser } from '../../../server/src/docsText/provider';
import type { IndexEntry } from '../../../server/src/knowledge/types';
import { Logger } from '../../../server/src/util/logger';

const BASE = 'https://docs.example.test/content/';
const online: DocsObservations = { folder: '', online: true, baseUrl: BASE, cachedPages: 0 };

describe('docsText: the reference-text state', () => {
  it('online before any fetch is online, not yet checked', () => {
    assert.deepEqual(docsStatusOf(online), {
      state: 'online',
      detail: 'docs.example.test, nothing fetched yet',
      checked: false,
      degraded: false,
    });
  });

  it('online once the host answered (a page or an HTTP status)', () => {
    assert.deepEqual(docsStatusOf({ ...online, lastFetch: { reached: true } }), {
      state: 'online',
      detail: 'docs.example.test',
      checked: true,
      degraded: false,
    });
  });

  it('never online after a failed fetch: cached with pages on disk, else facts only', () => {
    const failed: DocsObservations = { ...online, lastFetch: { reached: false, reason: 'unreachable' } };
    assert.deepEqual(docsStatusOf({ ...failed, cachedPages: 12 }), {
      state: 'cached',
      detail: 'host unreachable, 12 pages cached',
      checked: true,
      degraded: true,
    });
    assert.deepEqual(docsStatusOf(failed), {
      state: 'facts',
      detail: 'host unreachable, nothing cached',
      checked: true,
      degraded: true,
    });
    assert.equal(
      docsStatusOf({ ...online, lastFetch: { reached: false, reason: 'refused' }, cachedPages: 1 }).detail,
      'address refused, 1 page cached',
    );
  });

  it('a readable folder wins; an unreadable one falls back and says so', () => {
    assert.deepEqual(docsStatusOf({ ...online, folder: '/docs/ddi-docs/', folderReadable: true, folderPages: 250 }), {
      state: 'folder',
      detail: '250 pages in ddi-docs',
      checked: true,
      degraded: false,
    });
    assert.deepEqual(
      docsStatusOf({ ...online, folder: '/gone', folderReadable: false, lastFetch: { reached: true } }),
      {
        state: 'online',
        detail: 'kmdf.docs.path unreadable; docs.example.test',
        checked: true,
        degraded: true,
      },
    );
    assert.deepEqual(docsStatusOf({ ...online, online: false, folder: '/gone', folderReadable: false }), {
      state: 'facts',
      detail: 'kmdf.docs.path unreadable, online docs off',
      checked: true,
      degraded: true,
    });
  });

  it('facts only by choice is not degraded', () => {
    assert.deepEqual(docsStatusOf({ ...online, online: false }), {
      state: 'facts',
      detail: 'no kmdf.docs.path, online docs off',
      checked: true,
      degraded: false,
    });
  });
});

describe('docsText: DocsTextProvider reports its state from the fetch outcomes', () => {
  let cacheDir: string;
  const silent = new Logger(() => undefined, 'error');
  const parser: PageParser = (text, location) => ({
    name: 'EVT_WDF_DRIVER_DEVICE_ADD',
    kind: 'callback',
    frameworks: [],
    params: [],
    description: text,
    seeAlso: [],
    flags: [],
    location,
    format: 'markdown',
  });
  const addPage: IndexEntry = {
    name: 'EVT_WDF_DRIVER_DEVICE_ADD',
    kind: 'callback',
    params: [],
    frameworks: ['KMDF'],
    flags: [],
    sources: [],
    docsPath: 'wdfdriver/nc-wdfdriver-evt_wdf_driver_device_add.md',
  };
  const timerPage: IndexEntry = {
    ...addPage,
    name: 'EVT_WDF_TIMER',
    docsPath: 'wdftimer/nc-wdftimer-evt_wdf_timer.md',
  };

  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-docs-state-'));
  });
  afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  /** A provider whose network is `network` (throws: down), with every state it announced. */
  function providerWith(network: { up: boolean }) {
    const fetchImpl: FetchLike = (url) =>
      network.up
        ? Promise.resolve(url.endsWith('_timer.md') ? { kind: 'http', status: 404 } : { kind: 'page', text: 'prose' })
        : Promise.reject(new Error('getaddrinfo ENOTFOUND docs.example.test'));
    const provider = new DocsTextProvider({ online: true, baseUrl: BASE, cacheDir }, parser, silent, fetchImpl);
    const seen: DocsStatus['state'][] = [];
    provider.onStatusChange((status) => seen.push(status.state));
    return { provider, seen };
  }

  it('goes from online (unchecked) to facts only when the host cannot be reached, and back on a check', async () => {
    const network = { up: false };
    const { provider, seen } = providerWith(network);
    assert.deepEqual(provider.status(), {
      state: 'online',
      detail: 'docs.example.test, nothing fetched yet',
      checked: false,
      degraded: false,
    });
    assert.equal(await provider.text(addPage), undefined);
    assert.deepEqual(provider.status(), {
      state: 'facts',
      detail: 'host unreachable, nothing cached',
      checked: true,
      degraded: true,
    });
    network.up = true;
    // Within the back-off a hover does not ask the network; Rebuild Index's check does.
    assert.equal(await provider.text(timerPage), undefined);
    assert.equal(provider.status().state, 'facts');
    assert.equal((await provider.check(addPage)).state, 'online');
    assert.deepEqual(seen, ['facts', 'online']);
    // The page the check fetched is cached: the host going down again leaves cached pages.
    network.up = false;
    provider.configure({ online: true, baseUrl: BASE, cacheDir, cacheMaxAgeDays: 30 });
    assert.equal((await provider.check(timerPage)).detail, 'host unreachable, 1 page cached');
    assert.equal((await provider.text(addPage))?.description, 'prose');
    assert.deepEqual(seen, ['facts', 'online', 'online', 'cached']);
  });

  it('a missing page (HTTP 404) means the host answered: online', async () => {
    const { provider } = providerWith({ up: true });
    assert.equal(await provider.text(timerPage), undefined);
    assert.deepEqual(provider.status(), {
      state: 'online',
      detail: 'docs.example.test',
      checked: true,
      degraded: false,
    });
  });

  it('counts only fresh cache entries as cached pages', async () => {
    const pages = path.join(cacheDir, PAGES_FOLDER);
    fs.mkdirSync(pages, { recursive: true, mode: 0o700 });
    fs.chmodSync(cacheDir, 0o700);
    const fresh = path.join(pages, cacheKey(`${BASE}a.md`));
    const stale = path.join(pages, cacheKey(`${BASE}b.md`));
    fs.writeFileSync(fresh, 'a', { mode: 0o600 });
    fs.writeFileSync(stale, 'b', { mode: 0o600 });
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    fs.utimesSync(stale, old, old);
    const { provider } = providerWith({ up: false });
    assert.equal(await provider.text(addPage), undefined);
    assert.deepEqual(provider.status(), {
      state: 'cached',
      detail: 'host unreachable, 1 page cached',
      checked: true,
      degraded: true,
    });
  });

  it('a docs folder that exists is the state; one that does not is said', () => {
    const folder = new DocsTextProvider({ folder: cacheDir, online: false, baseUrl: BASE, cacheDir }, parser, silent);
    assert.equal(folder.status().state, 'folder');
    assert.equal(folder.status().checked, true);
    folder.configure({ folder: path.join(cacheDir, 'missing'), online: false, baseUrl: BASE, cacheDir });
    assert.deepEqual(folder.status(), {
      state: 'facts',
      detail: 'kmdf.docs.path unreadable, online docs off',
      checked: true,
      degraded: true,
    });
  });
});
