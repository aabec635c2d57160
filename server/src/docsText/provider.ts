/**
 * Documentation prose at run time. The committed catalog holds facts only; descriptions, parameter
 * texts and remarks come from a local docs folder (`kmdf.docs.path`) or, on demand, from the online
 * docs repository (`kmdf.docs.online`, `kmdf.docs.baseUrl`), cached on disk so they keep working
 * offline. Nothing here throws at the caller: a page that cannot be had is `undefined`, and the
 * failure is logged once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../util/logger';
import { describeError } from '../util/logger';
import type { DocPage, DocText, IndexEntry } from '../knowledge/types';
import { absolutizeLinks } from './links';
import {
  DEFAULT_PAGE_FETCH_LIMITS,
  fetchPage,
  refusedUrl,
  type PageFetchLimits,
  type PageFetchOutcome,
} from './fetchPage';
import { docsStatusOf, type HostOutcome } from './docsState';
import { defaultCacheDir, PageCache } from './pageCache';
import type { DocsStatus } from '../../../shared/protocol';

/** Parses one page's text (any of the three formats) into a DocPage; the docs parsers' `parseDocText`. */
export type PageParser = (text: string, location: string) => DocPage | undefined;

export interface DocsTextConfig {
  /** Local folder: docs-repository layout (`wdfio/nc-….md`) or a folder of rendered pages. Empty = none. */
  folder?: string;
  online: boolean;
  /** Base URL the entry's `docsPath` is appended to: https, or http to loopback (checked again before each fetch). */
  baseUrl: string;
  /** Disk cache folder for online pages (default: the per-user cache folder, pageCache.defaultCacheDir). */
  cacheDir?: string;
  /** Cached pages older than this many days are fetched again (default 14). */
  cacheMaxAgeDays?: number;
  /** Network timeout of one fetch (default 8000 ms). */
  fetchTimeoutMs?: number;
  /** Largest page accepted from the network (default 1 MB); a bigger one is refused and not cached. */
  maxPageBytes?: number;
}

/** How long an online failure stops further attempts (a hover should not retry a dead network each time). */
const OFFLINE_BACKOFF_MS = 60_000;
/** Files read when looking for a page by name in a folder of rendered pages. */
const MAX_SCAN_FILES = 20_000;
const PAGE_EXTENSIONS = /\.(md|markdown|txt|html?)$/i;

export type FetchLike = (url: string, limits: PageFetchLimits) => Promise<PageFetchOutcome>;

export class DocsTextProvider {
  private config: DocsTextConfig;
  /** Name → pending or settled prose. */
  private readonly memory = new Map<string, Promise<DocText | undefined>>();
  private readonly settled = new Map<string, DocText | undefined>();
  /** Why an entry's prose could not be read (host unreachable, address refused). */
  private readonly failures = new Map<string, string>();
  /** Pages already parsed while building the index (same prose, no second read). */
  private readonly primed = new Map<string, DocPage>();
  /** Lower-case name → file, built once per folder when pages are not where docsPath says. */
  private nameIndex?: { folder: string; files: Map<string, string> };
  private offlineUntil = 0;
  private cache: PageCache;
  /** What the state is computed from (docsState.ts), reset when the settings change. */
  private lastFetch?: HostOutcome;
  private folderReadable?: boolean;
  private cachedPages = 0;
  private lastStatus: DocsStatus;
  private readonly listeners: ((status: DocsStatus) => void)[] = [];

  constructor(
    config: DocsTextConfig,
    private readonly parse: PageParser,
    private readonly logger: Logger,
    private readonly fetchImpl: FetchLike = fetchPage,
  ) {
    this.config = config;
    this.cache = this.newCache();
    this.checkFolder();
    this.lastStatus = this.computeStatus();
  }

  /** The reference-text state now (status item, Rebuild Index message). */
  status(): DocsStatus {
    return this.lastStatus;
  }

  /** Called with the new state each time it changes (a fetch failed, the host answered again, new settings). */
  onStatusChange(listener: (status: DocsStatus) => void): void {
    this.listeners.push(listener);
  }

  private computeStatus(): DocsStatus {
    return docsStatusOf({
      folder: this.config.folder ?? '',
      folderReadable: this.folderReadable,
      folderPages: this.primed.size || undefined,
      online: this.config.online,
      baseUrl: this.config.baseUrl,
      lastFetch: this.lastFetch,
      cachedPages: this.cachedPages,
    });
  }

  private updateStatus(): void {
    const next = this.computeStatus();
    if (JSON.stringify(next) === JSON.stringify(this.lastStatus)) return;
    this.lastStatus = next;
    for (const listener of this.listeners) listener(next);
  }

  /** Record an answer of the docs host, or its failure (then the disk cache is counted: "cached" or "facts"). */
  private async hostOutcome(outcome: HostOutcome): Promise<void> {
    if (!outcome.reached) this.cachedPages = await this.cache.count();
    this.lastFetch = outcome;
    this.updateStatus();
  }

  /**
   * Ask the docs host for one page now, past the disk cache and the back-off (Rebuild Index), so the
   * state says what the network does at this moment. Does nothing without online docs or a page to ask for.
   */
  async check(entry: IndexEntry | undefined): Promise<DocsStatus> {
    this.checkFolder();
    if (this.config.online && !this.config.folder && entry?.docsPath && isSafeRelative(entry.docsPath)) {
      this.offlineUntil = 0;
      await this.fetchOnline(entry, joinUrl(this.config.baseUrl, entry.docsPath));
    }
    this.updateStatus();
    return this.lastStatus;
  }

  /** Whether `kmdf.docs.path` is a folder that can be read (once per setting). */
  private checkFolder(): void {
    if (!this.config.folder || this.folderReadable !== undefined) return;
    try {
      fs.accessSync(this.config.folder, fs.constants.R_OK);
      this.folderReadable = fs.statSync(this.config.folder).isDirectory();
    } catch {
      this.folderReadable = false;
    }
    if (!this.folderReadable)
      this.logger.once(
        'warning',
        `docs-folder:${this.config.folder}`,
        `kmdf.docs.path ${this.config.folder} is not a readable folder; ${this.config.online ? 'online docs are used' : 'hovers show facts only'}.`,
      );
  }

  /** New settings: forget what was read under the old ones (the disk cache stays). */
  configure(config: DocsTextConfig): void {
    const changed = JSON.stringify(config) !== JSON.stringify(this.config);
    this.config = config;
    if (!changed) return;
    this.cache = this.newCache();
    this.memory.clear();
    this.settled.clear();
    this.failures.clear();
    this.nameIndex = undefined;
    this.offlineUntil = 0;
    this.lastFetch = undefined;
    this.folderReadable = undefined;
    this.cachedPages = 0;
    this.checkFolder();
    this.updateStatus();
  }

  private newCache(): PageCache {
    const dir = this.config.cacheDir || defaultCacheDir();
    return new PageCache({
      dir,
      maxAgeDays: this.config.cacheMaxAgeDays,
      maxBytes: this.config.maxPageBytes ?? DEFAULT_PAGE_FETCH_LIMITS.maxBytes,
      onRefused: (reason) =>
        this.logger.once(
          'warning',
          `docs-cache:${reason}`,
          `Docs cache not used: ${reason}; pages are fetched but not kept or read from there.`,
        ),
    });
  }

  /** Pages parsed by an index build from the same folder. */
  prime(pages: Iterable<DocPage>): void {
    this.primed.clear();
    for (const page of pages) this.primed.set(page.name, page);
    this.memory.clear();
    this.settled.clear();
    this.updateStatus();
  }

  /**
   * Why an entry's prose could not be had, when its read failed for a reason beyond the page
   * (the docs host unreachable, the address refused); undefined when it was read, has no page, or is
   * still being read.
   */
  unavailable(name: string): string | undefined {
    return this.settled.has(name) && !this.settled.get(name) ? this.failures.get(name) : undefined;
  }

  /** Prose already at hand (no I/O): the DocText, `undefined` when known to be missing, `null` when not looked up yet. */
  peek(name: string): DocText | undefined | null {
    return this.settled.has(name) ? this.settled.get(name) : null;
  }

  /**
   * The prose of an entry. With `waitMs`, gives up waiting after that long (returning undefined)
   * while the read goes on in the background and fills the cache for the next call.
   */
  async text(entry: IndexEntry, waitMs?: number): Promise<DocText | undefined> {
    if (entry.text) return entry.text;
    // A page the network failed to bring is asked for again once the back-off is over.
    if (this.failures.has(entry.name) && this.settled.has(entry.name) && Date.now() >= this.offlineUntil) {
      this.memory.delete(entry.name);
      this.settled.delete(entry.name);
      this.failures.delete(entry.name);
    }
    let pending = this.memory.get(entry.name);
    if (!pending) {
      pending = this.load(entry).then(
        (text) => {
          this.settled.set(entry.name, text);
          return text;
        },
        (error: unknown) => {
          // load() catches its own failures; this is a last guard so a hover never sees a rejection.
          this.logger.once(
            'warning',
            `docs-text:${entry.name}`,
            `Docs for ${entry.name} could not be read: ${describeError(error)}`,
          );
          this.settled.set(entry.name, undefined);
          return undefined;
        },
      );
      this.memory.set(entry.name, pending);
    }
    if (waitMs === undefined) return pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async load(entry: IndexEntry): Promise<DocText | undefined> {
    const primed = this.primed.get(entry.name);
    if (primed) return toDocText(primed, entry);
    if (this.config.folder) {
      const fromFolder = await this.fromFolder(entry, this.config.folder);
      if (fromFolder) return fromFolder;
    }
    if (this.config.online && entry.docsPath) return this.fromOnline(entry, entry.docsPath);
    return undefined;
  }

  private async fromFolder(entry: IndexEntry, folder: string): Promise<DocText | undefined> {
    const candidates: string[] = [];
    if (entry.docsPath && isSafeRelative(entry.docsPath)) {
      candidates.push(path.join(folder, entry.docsPath), path.join(folder, path.basename(entry.docsPath)));
    }
    for (const file of candidates) {
      const text = await readIfExists(file);
      if (text !== undefined) return this.parsePage(text, file, entry);
    }
    const file = (await this.folderIndex(folder)).get(entry.name.toLowerCase());
    if (!file) return undefined;
    const text = await readIfExists(file);
    return text === undefined ? undefined : this.parsePage(text, file, entry);
  }

  private async fromOnline(entry: IndexEntry, docsPath: string): Promise<DocText | undefined> {
    if (!isSafeRelative(docsPath)) return undefined;
    const url = joinUrl(this.config.baseUrl, docsPath);
    const cacheFile = this.cache.fileFor(url);
    const cached = await this.cache.read(url);
    if (cached !== undefined) return this.parsePage(cached, cacheFile, entry);
    if (Date.now() < this.offlineUntil) {
      this.failures.set(entry.name, 'the docs host could not be reached');
      return undefined;
    }
    return this.fetchOnline(entry, url);
  }

  /** Fetch a page from the docs host (no cache read), keep it in the cache, record how the host answered. */
  private async fetchOnline(entry: IndexEntry, url: string): Promise<DocText | undefined> {
    const cacheFile = this.cache.fileFor(url);
    // A bad base URL refuses every page: say it once for the URL, not once per page.
    const schemeRefusal = refusedUrl(this.config.baseUrl);
    if (schemeRefusal) {
      this.logger.once(
        'warning',
        `docs-refused:${this.config.baseUrl}`,
        `Online docs refused: ${schemeRefusal}; showing facts only.`,
      );
      this.failures.set(entry.name, 'the docs address was refused');
      await this.hostOutcome({ reached: false, reason: 'refused' });
      return undefined;
    }
    try {
      const response = await this.fetchImpl(url, {
        ...DEFAULT_PAGE_FETCH_LIMITS,
        timeoutMs: this.config.fetchTimeoutMs ?? DEFAULT_PAGE_FETCH_LIMITS.timeoutMs,
        maxBytes: this.config.maxPageBytes ?? DEFAULT_PAGE_FETCH_LIMITS.maxBytes,
      });
      if (response.kind === 'http') {
        // A missing page is a fact about that page, not about the network.
        await this.hostOutcome({ reached: true });
        this.logger.once('info', `docs-http:${url}`, `Docs page ${url}: HTTP ${response.status}`);
        return undefined;
      }
      if (response.kind === 'refused') {
        this.logger.once(
          'warning',
          `docs-refused:${url}`,
          `Docs page ${url} refused: ${response.reason}; showing facts only.`,
        );
        this.failures.set(entry.name, 'the docs page was refused');
        // The host answered; only this page's answer was refused (too big, wrong type).
        await this.hostOutcome({ reached: true });
        return undefined;
      }
      await this.hostOutcome({ reached: true });
      const text = response.text;
      const kept = await this.cache.write(url, text);
      this.logger.debug(`Fetched ${url} (${text.length} characters)${kept ? `, cached in ${cacheFile}` : ''}`);
      return this.parsePage(text, url, entry);
    } catch (error) {
      this.offlineUntil = Date.now() + OFFLINE_BACKOFF_MS;
      this.failures.set(entry.name, 'the docs host could not be reached');
      this.logger.once(
        'warning',
        `docs-offline:${this.config.baseUrl}`,
        `Online docs unavailable (${url}: ${describeError(error)}); showing facts only. Pages cached earlier still show.`,
      );
      await this.hostOutcome({ reached: false, reason: 'unreachable' });
      return undefined;
    }
  }

  private parsePage(text: string, location: string, entry: IndexEntry): DocText | undefined {
    try {
      const page = this.parse(text, location);
      if (!page) return undefined;
      return toDocText(page, entry);
    } catch (error) {
      this.logger.once(
        'warning',
        `docs-parse:${location}`,
        `Docs page ${location} could not be parsed: ${describeError(error)}`,
      );
      return undefined;
    }
  }

  /** Name → file for a folder of pages laid out any way (rendered pages have no predictable file names). */
  private async folderIndex(folder: string): Promise<Map<string, string>> {
    if (this.nameIndex?.folder === folder) return this.nameIndex.files;
    const files = new Map<string, string>();
    this.nameIndex = { folder, files };
    const all = await listFiles(folder, MAX_SCAN_FILES).catch((error: unknown) => {
      this.logger.once(
        'warning',
        `docs-folder:${folder}`,
        `Docs folder ${folder} cannot be read: ${describeError(error)}`,
      );
      this.folderReadable = false;
      this.updateStatus();
      return [] as string[];
    });
    for (const file of all) {
      const head = await readHead(file, 2048);
      const name = pageNameOf(head);
      if (name && !files.has(name.toLowerCase())) files.set(name.toLowerCase(), file);
    }
    this.logger.debug(`Docs folder ${folder}: ${files.size} pages by name`);
    return files;
  }
}

/** The documented name a page is about, from its first bytes: front matter `UID:`/`title:`, else the first heading or line. */
export function pageNameOf(head: string): string | undefined {
  const uid = /^UID:\s*N[A-Z]?:[\w.]*?\.?([A-Za-z_]\w*)\s*$/m.exec(head);
  if (uid) return uid[1];
  const title = /^title:\s*([A-Za-z_]\w*)/m.exec(head);
  if (title) return title[1];
  const body = head.replace(/^---[\s\S]*?\n---\s*\n/, '');
  const first = /^\s*(?:#\s*)?([A-Za-z_]\w*)\s/.exec(body);
  return first?.[1];
}

/** The prose of a parsed page as a hover shows it for `entry` (links made absolute against the page's folder). */
export function toDocText(page: DocPage, entry: IndexEntry): DocText {
  const pageDir = entry.docsPath ? path.posix.dirname(entry.docsPath.replace(/\\/g, '/')) : undefined;
  const fix = (s: string | undefined) =>
    s ? absolutizeLinks(s.trim(), pageDir === '.' ? undefined : pageDir) : undefined;
  return {
    description: fix(page.description),
    params: page.params.filter((p) => p.description).map((p) => ({ name: p.name, description: fix(p.description)! })),
    returnText: fix(page.returnText),
    remarks: fix(page.remarks),
    seeAlso: page.seeAlso,
    location: page.location,
  };
}

function joinUrl(base: string, rel: string): string {
  return base.replace(/\/+$/, '') + '/' + rel.replace(/\\/g, '/').replace(/^\/+/, '');
}

/** A relative path that stays inside its base folder. */
function isSafeRelative(p: string): boolean {
  return !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..');
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await fs.promises.open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function listFiles(folder: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  const queue = [folder];
  while (queue.length && out.length < limit) {
    const dir = queue.shift()!;
    const items = await fs.promises.readdir(dir, { withFileTypes: true });
    items.sort((a, b) => a.name.localeCompare(b.name));
    for (const item of items) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) queue.push(full);
      else if (PAGE_EXTENSIONS.test(item.name)) out.push(full);
    }
  }
  return out.slice(0, limit);
}
