/**
 * The disk cache of online docs pages (issue 11, item 8). Pages are untrusted text that a hover
 * shows, so the cache must hold only what this user fetched: a per-user folder created owner-only,
 * refused when someone else owns it or anyone may write to it, no symbolic links followed inside it,
 * writes through a temporary file renamed into place, one entry per full page URL (its SHA-256), and
 * entries older than `kmdf.docs.cacheMaxAgeDays` treated as missing and removed.
 * Nothing here throws at the caller: a refused folder or entry means "not cached".
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { folderRefusal, ownerRefusal } from '../util/privateFolder';

/** Where the cache lives when the client gives no folder: the per-user cache folder of the platform. */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && path.win32.isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : undefined;
    return path.win32.join(local ?? path.win32.join(home, 'AppData', 'Local'), 'kmdf-assist', 'cache');
  }
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME && path.posix.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  return path.posix.join(xdg ?? path.posix.join(home, '.cache'), 'kmdf-assist');
}

/** The entry file name of a page URL: its SHA-256 in hex (any base URL change is a different entry). */
export function cacheKey(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('hex');
}

/** The folder inside the cache root that holds the entries. */
export const PAGES_FOLDER = 'pages';

export const DEFAULT_CACHE_MAX_AGE_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A temporary file this old is left from a write that never finished (another server may be writing a newer one). */
const TEMP_FILE_MAX_AGE_MS = 60 * 60 * 1000;

/** Why a folder or entry was not used; undefined when it may be used. */

// O_NOFOLLOW does not exist on Windows (0 there): the lstat before each open covers it.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

export interface PageCacheOptions {
  /** The cache root (created owner-only when missing). */
  dir: string;
  /** Entries older than this are stale (default 14 days). */
  maxAgeDays?: number;
  /** Entries larger than this are not read (a page over the fetch cap cannot have been written by us). */
  maxBytes?: number;
  /** Told once per distinct reason when the folder or an entry is refused. */
  onRefused?: (reason: string) => void;
  /** The clock (tests). */
  now?: () => number;
}

export class PageCache {
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private pruned = false;

  constructor(private readonly options: PageCacheOptions) {
    this.maxAgeMs = (options.maxAgeDays ?? DEFAULT_CACHE_MAX_AGE_DAYS) * DAY_MS;
    this.now = options.now ?? Date.now;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** The file an entry for `url` is kept in. */
  fileFor(url: string): string {
    return path.join(this.options.dir, PAGES_FOLDER, cacheKey(url));
  }

  /** The cached text of `url`, or undefined (missing, stale, refused or unreadable). */
  async read(url: string): Promise<string | undefined> {
    const folder = await this.pagesFolder(false);
    if (!folder) return undefined;
    const file = path.join(folder, cacheKey(url));
    let handle: fs.promises.FileHandle | undefined;
    try {
      const link = await fs.promises.lstat(file);
      if (!link.isFile()) return this.refuse(`${file} is not a regular file`);
      handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_NOFOLLOW);
      const stat = await handle.stat();
      // The file opened must be the one checked (not swapped for a link between lstat and open).
      if (!stat.isFile() || stat.ino !== link.ino || stat.dev !== link.dev)
        return this.refuse(`${file} changed while it was opened`);
      const owner = ownerRefusal(stat, file);
      if (owner) return this.refuse(owner);
      if (this.now() - stat.mtimeMs > this.maxAgeMs) {
        await fs.promises.unlink(file).catch(() => undefined);
        return undefined;
      }
      if (this.options.maxBytes !== undefined && stat.size > this.options.maxBytes)
        return this.refuse(`${file} is larger than a page may be`);
      return await handle.readFile('utf8');
    } catch {
      return undefined;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** How many fresh entries the cache holds (of any base URL); 0 when it is missing or refused. */
  async count(): Promise<number> {
    const folder = await this.pagesFolder(false);
    if (!folder) return 0;
    const names = await fs.promises.readdir(folder).catch(() => [] as string[]);
    let fresh = 0;
    for (const name of names) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const stat = await fs.promises.lstat(path.join(folder, name)).catch(() => undefined);
      if (stat?.isFile() && this.now() - stat.mtimeMs <= this.maxAgeMs) fresh++;
    }
    return fresh;
  }

  /** Keep `text` as the entry of `url`; false when the cache is refused or the write failed. */
  async write(url: string, text: string): Promise<boolean> {
    const folder = await this.pagesFolder(true);
    if (!folder) return false;
    await this.pruneOnce(folder);
    const file = path.join(folder, cacheKey(url));
    // A fresh name opened exclusively and without following links; the rename then replaces the
    // entry's directory entry itself, so a link planted under the entry's name is never written through.
    const temp = path.join(folder, `.${cacheKey(url)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: fs.promises.FileHandle | undefined;
    try {
      handle = await fs.promises.open(
        temp,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW,
        0o600,
      );
      await handle.writeFile(text, 'utf8');
      await handle.close();
      handle = undefined;
      await fs.promises.rename(temp, file);
      return true;
    } catch {
      await handle?.close().catch(() => undefined);
      await fs.promises.unlink(temp).catch(() => undefined);
      return false;
    }
  }

  /**
   * The entries folder, checked (the root and itself) each time; with `create`, made owner-only when
   * missing. Undefined when refused, or missing and not to be created.
   */
  private async pagesFolder(create: boolean): Promise<string | undefined> {
    const root = this.options.dir;
    if (!path.isAbsolute(root)) return this.refuse(`cache folder ${root} is not an absolute path`);
    const pages = path.join(root, PAGES_FOLDER);
    for (const folder of [root, pages]) {
      try {
        if (create) await fs.promises.mkdir(folder, { recursive: true, mode: 0o700 });
        const refusal = folderRefusal(await fs.promises.lstat(folder), folder);
        if (refusal) return this.refuse(refusal);
      } catch (error) {
        if (!create && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return this.refuse(`cache folder ${folder} cannot be used (${(error as Error).message})`);
      }
    }
    return pages;
  }

  /** Remove stale entries and leftovers (links, temporary files of a crashed write) once per cache. */
  private async pruneOnce(folder: string): Promise<void> {
    if (this.pruned) return;
    this.pruned = true;
    const names = await fs.promises.readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(folder, name);
      const stat = await fs.promises.lstat(file).catch(() => undefined);
      if (!stat || stat.isDirectory()) continue;
      const age = this.now() - stat.mtimeMs;
      const abandoned = name.endsWith('.tmp') && age > TEMP_FILE_MAX_AGE_MS;
      if (!stat.isFile() || age > this.maxAgeMs || abandoned) await fs.promises.unlink(file).catch(() => undefined);
    }
  }

  private refuse(reason: string): undefined {
    this.options.onRefused?.(reason);
    return undefined;
  }
}
