/**
 * Issue 11, item 8: the disk cache of online docs pages holds only what this user fetched. A per-user
 * folder (not one shared folder in the temp directory), created owner-only, refused when another user
 * owns it or every user may write to it; no link followed inside it, on read or on write; entries keyed
 * by the SHA-256 of the full URL; entries past kmdf.docs.cacheMaxAgeDays fetched again.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings, parseSettings } from '../../../shared/settings';
import type { PageFetchOutcome } from '../../../server/src/docsText/fetchPage';
import { cacheKey, defaultCacheDir, PageCache, PAGES_FOLDER } from '../../../server/src/docsText/pageCache';
import { DocsTextProvider, type PageParser } from '../../../server/src/docsText/provider';
import type { IndexEntry } from '../../../server/src/knowledge/types';
import { Logger } from '../../../server/src/util/logger';

const URL_A = 'https://docs.example.test/content/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md';
const PAGE = '# EVT_WDF_IO_QUEUE_IO_STOP\n\nA page of our own, as fetched.\n';
const PLANTED = '# EVT_WDF_IO_QUEUE_IO_STOP\n\nPlanted by someone else: [run](command:evil)\n';
const DAY_MS = 24 * 60 * 60 * 1000;
/** uid of "nobody": another user, for folders this test hands away (the suite runs as root in CI). */
const OTHER_UID = 65534;
const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('robustness: the docs disk cache (issue 11, item 8)', () => {
  let tmp: string;
  let refusals: string[];
  const cacheIn = (dir: string, extra: { maxAgeDays?: number; now?: () => number } = {}) =>
    new PageCache({ dir, onRefused: (reason) => refusals.push(reason), ...extra });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-cache-robust-'));
    refusals = [];
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('the default folder is the per-user cache folder, not the temp directory', () => {
    it('XDG_CACHE_HOME, else ~/.cache, on Linux and macOS; a relative XDG_CACHE_HOME is ignored', () => {
      assert.equal(
        defaultCacheDir({ XDG_CACHE_HOME: '/home/ann/.xdg' }, 'linux', '/home/ann'),
        '/home/ann/.xdg/kmdf-assist',
      );
      assert.equal(defaultCacheDir({}, 'linux', '/home/ann'), '/home/ann/.cache/kmdf-assist');
      assert.equal(
        defaultCacheDir({ XDG_CACHE_HOME: 'rel/cache' }, 'darwin', '/Users/ann'),
        '/Users/ann/.cache/kmdf-assist',
      );
    });

    it('%LOCALAPPDATA% on Windows, else the profile’s AppData\\Local', () => {
      assert.equal(
        defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann'),
        'C:\\Users\\ann\\AppData\\Local\\kmdf-assist\\cache',
      );
      assert.equal(
        defaultCacheDir({}, 'win32', 'C:\\Users\\ann'),
        'C:\\Users\\ann\\AppData\\Local\\kmdf-assist\\cache',
      );
    });

    it('on this machine, under the home folder and not in os.tmpdir()', () => {
      const dir = defaultCacheDir();
      assert.equal(dir.startsWith(os.tmpdir() + path.sep), false, dir);
    });
  });

  posixOnly('creates the folders owner-only (0700) and the entries 0600', async () => {
    const dir = path.join(tmp, 'fresh', 'kmdf-assist');
    assert.equal(await cacheIn(dir).write(URL_A, PAGE), true);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, PAGES_FOLDER)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, PAGES_FOLDER, cacheKey(URL_A))).mode & 0o777, 0o600);
    assert.equal(await cacheIn(dir).read(URL_A), PAGE);
    assert.deepEqual(refusals, []);
  });

  posixOnly(
    'refuses a folder every user may write to: a page planted there is not served, nothing is written',
    async () => {
      const dir = path.join(tmp, 'shared');
      fs.mkdirSync(path.join(dir, PAGES_FOLDER), { recursive: true });
      fs.writeFileSync(path.join(dir, PAGES_FOLDER, cacheKey(URL_A)), PLANTED);
      fs.chmodSync(dir, 0o777);
      const cache = cacheIn(dir);
      assert.equal(await cache.read(URL_A), undefined);
      assert.equal(await cache.write('https://docs.example.test/other.md', PAGE), false);
      assert.deepEqual(fs.readdirSync(path.join(dir, PAGES_FOLDER)), [cacheKey(URL_A)]);
      assert.deepEqual(refusals, [
        `cache folder ${dir} is writable by every user`,
        `cache folder ${dir} is writable by every user`,
      ]);
    },
  );

  posixOnly('refuses a folder owned by another user', async function () {
    // Handing a folder to another user takes root (CI runs as root).
    if (process.getuid?.() !== 0) this.skip();
    const dir = path.join(tmp, 'theirs');
    fs.mkdirSync(path.join(dir, PAGES_FOLDER), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, PAGES_FOLDER, cacheKey(URL_A)), PLANTED);
    fs.chownSync(path.join(dir, PAGES_FOLDER), OTHER_UID, OTHER_UID);
    const cache = cacheIn(dir);
    assert.equal(await cache.read(URL_A), undefined);
    assert.equal(await cache.write(URL_A, PAGE), false);
    assert.equal(fs.readFileSync(path.join(dir, PAGES_FOLDER, cacheKey(URL_A)), 'utf8'), PLANTED);
    const owned = `${path.join(dir, PAGES_FOLDER)} is owned by another user (uid ${OTHER_UID})`;
    assert.deepEqual(refusals, [owned, owned]);
  });

  posixOnly('refuses a link planted as the cache folder or as its pages folder', async () => {
    const elsewhere = path.join(tmp, 'elsewhere');
    fs.mkdirSync(path.join(elsewhere, PAGES_FOLDER), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(elsewhere, PAGES_FOLDER, cacheKey(URL_A)), PLANTED);
    const linkedRoot = path.join(tmp, 'linked-root');
    fs.symlinkSync(elsewhere, linkedRoot);
    assert.equal(await cacheIn(linkedRoot).read(URL_A), undefined);

    const root = path.join(tmp, 'root');
    fs.mkdirSync(root, { mode: 0o700 });
    fs.symlinkSync(path.join(elsewhere, PAGES_FOLDER), path.join(root, PAGES_FOLDER));
    assert.equal(await cacheIn(root).read(URL_A), undefined);
    assert.equal(await cacheIn(root).write(URL_A, PAGE), false);
    assert.equal(fs.readFileSync(path.join(elsewhere, PAGES_FOLDER, cacheKey(URL_A)), 'utf8'), PLANTED);
    assert.deepEqual(refusals, [
      `cache folder ${linkedRoot} is a symbolic link`,
      `cache folder ${path.join(root, PAGES_FOLDER)} is a symbolic link`,
      `cache folder ${path.join(root, PAGES_FOLDER)} is a symbolic link`,
    ]);
  });

  posixOnly(
    'never reads through a link planted as an entry, and a write replaces the link instead of writing through it',
    async () => {
      const dir = path.join(tmp, 'cache');
      const target = path.join(tmp, 'victim.md');
      fs.writeFileSync(target, PLANTED);
      fs.mkdirSync(path.join(dir, PAGES_FOLDER), { recursive: true, mode: 0o700 });
      const entry = path.join(dir, PAGES_FOLDER, cacheKey(URL_A));
      fs.symlinkSync(target, entry);

      assert.equal(await cacheIn(dir).read(URL_A), undefined);
      assert.deepEqual(refusals, [`${entry} is not a regular file`]);
      assert.equal(await cacheIn(dir).write(URL_A, PAGE), true);
      assert.equal(fs.readFileSync(target, 'utf8'), PLANTED);
      assert.equal(fs.lstatSync(entry).isFile(), true);
      assert.equal(await cacheIn(dir).read(URL_A), PAGE);
    },
  );

  it('keys each entry by the SHA-256 of the full page URL', async () => {
    assert.equal(cacheKey(URL_A), createHash('sha256').update(URL_A).digest('hex'));
    const dir = path.join(tmp, 'cache');
    const cache = cacheIn(dir);
    const mirror = URL_A.replace('docs.example.test', 'mirror.example.test');
    assert.equal(await cache.write(URL_A, PAGE), true);
    assert.equal(await cache.read(mirror), undefined);
    assert.deepEqual(fs.readdirSync(path.join(dir, PAGES_FOLDER)), [cacheKey(URL_A)]);
  });

  it('an entry older than the maximum age is not served and is removed; a younger one is', async () => {
    const dir = path.join(tmp, 'cache');
    let now = Date.now();
    const cache = cacheIn(dir, { maxAgeDays: 14, now: () => now });
    assert.equal(await cache.write(URL_A, PAGE), true);
    now += 13 * DAY_MS;
    assert.equal(await cache.read(URL_A), PAGE);
    now += 2 * DAY_MS;
    assert.equal(await cache.read(URL_A), undefined);
    assert.deepEqual(fs.readdirSync(path.join(dir, PAGES_FOLDER)), []);
  });

  describe('through the docs provider', () => {
    const entry: IndexEntry = {
      name: 'EVT_WDF_IO_QUEUE_IO_STOP',
      kind: 'callback',
      params: [],
      frameworks: ['KMDF'],
      flags: [],
      sources: [],
      docsPath: 'wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md',
    };
    /** The page's first text line after the title, as the description. */
    const firstLineParser: PageParser = (text, location) => ({
      name: entry.name,
      kind: 'callback',
      frameworks: [],
      params: [],
      description: text.split('\n')[2],
      seeAlso: [],
      flags: [],
      location,
      format: 'markdown',
    });
    const silent = new Logger(() => undefined, 'error');

    it('a page cached under one base URL is not served for another, and a stale one is fetched again', async () => {
      const dir = path.join(tmp, 'cache');
      const fetched: string[] = [];
      let served = PAGE;
      const fetchImpl = (url: string): Promise<PageFetchOutcome> => {
        fetched.push(url);
        return Promise.resolve({ kind: 'page', text: served });
      };
      const provider = (baseUrl: string, cacheMaxAgeDays?: number) =>
        new DocsTextProvider(
          { online: true, baseUrl, cacheDir: dir, cacheMaxAgeDays },
          firstLineParser,
          silent,
          fetchImpl,
        );

      const a = 'https://docs.example.test/content/';
      const b = 'https://mirror.example.test/content/';
      assert.equal((await provider(a).text(entry))?.description, 'A page of our own, as fetched.');
      served = PLANTED;
      assert.equal((await provider(b).text(entry))?.description, 'Planted by someone else: [run](command:evil)');
      // A new session on the first base URL: its own entry, not the second host's page.
      assert.equal((await provider(a).text(entry))?.description, 'A page of our own, as fetched.');
      assert.deepEqual(fetched, [`${a}${entry.docsPath}`, `${b}${entry.docsPath}`]);

      // Twenty days later (the entry's time moved back), with a 14-day limit: fetched again.
      const old = new Date(Date.now() - 20 * DAY_MS);
      fs.utimesSync(path.join(dir, PAGES_FOLDER, cacheKey(`${a}${entry.docsPath}`)), old, old);
      served = '# EVT_WDF_IO_QUEUE_IO_STOP\n\nThe page as it is now.\n';
      assert.equal((await provider(a, 30).text(entry))?.description, 'A page of our own, as fetched.');
      assert.equal((await provider(a, 14).text(entry))?.description, 'The page as it is now.');
      assert.deepEqual(fetched.slice(2), [`${a}${entry.docsPath}`]);
    });
  });

  it('kmdf.docs.cacheMaxAgeDays: whole days from 1 to 3650, default 14', () => {
    assert.equal(defaultSettings.docs.cacheMaxAgeDays, 14);
    assert.equal(parseSettings({ docs: { cacheMaxAgeDays: 2 } }).settings.docs.cacheMaxAgeDays, 2);
    for (const bad of [0, 1.5, '7', 4000]) {
      const { settings, problems } = parseSettings({ docs: { cacheMaxAgeDays: bad } });
      assert.equal(settings.docs.cacheMaxAgeDays, 14, String(bad));
      assert.equal(problems.length, 1, String(bad));
    }
  });
});
