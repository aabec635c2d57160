/**
 * The knowledge index the features use: the embedded catalog at start, then rebuilt from the WDK
 * headers (`kmdf.wdk.includePaths`, else an auto-detected WDK) and a docs folder (`kmdf.docs.path`).
 * A failed rebuild keeps the previous index and reports the error in the index status.
 */
import type { IndexStatus } from '../../../shared/protocol';
import type { Settings } from '../../../shared/settings';
import type { DocsTextProvider } from '../docsText/provider';
import { buildIndex } from '../knowledge/buildIndex';
import { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { describeError, type Logger } from '../util/logger';

/** Finds installed WDK header folders (the headers module's `findWdk`), adapted in server.ts. */
export type WdkFinder = () => Promise<
  { includePaths: string[]; label?: string; kmdfVersion?: string; umdfVersion?: string } | undefined
>;

/** Which WDK header folders the last build read, and how they were found (the start-up summary). */
export interface HeaderOrigin {
  paths: string[];
  /** `settings`: kmdf.wdk.includePaths; `detected`: an installed WDK; `none`: the catalog alone; `off`: none set and detection off. */
  origin: 'settings' | 'detected' | 'none' | 'off';
  /** The detected WDK: "WDK C:\Program Files (x86)\Windows Kits\10 (KMDF 1.33, UMDF 2.33)". */
  label?: string;
}

export class IndexService {
  private index: KnowledgeIndex;
  private status: IndexStatus;
  private building?: Promise<IndexStatus>;
  private headerOrigin: HeaderOrigin = { paths: [], origin: 'none' };

  constructor(
    private readonly logger: Logger,
    private readonly docs: DocsTextProvider,
    private readonly notify: (status: IndexStatus) => void,
    private readonly findWdk?: WdkFinder,
  ) {
    try {
      this.index = KnowledgeIndex.fromCatalog();
      this.status = this.statusOf('ready', []);
    } catch (error) {
      // Without the catalog the server still runs (workspace features, no WDF facts).
      this.index = new KnowledgeIndex([], []);
      this.status = this.statusOf('error', [], describeError(error));
      logger.error('The embedded catalog could not be loaded', error);
    }
  }

  current(): KnowledgeIndex {
    return this.index;
  }

  currentStatus(): IndexStatus {
    return this.status;
  }

  /** The WDK headers the current index was built from. */
  headers(): HeaderOrigin {
    return this.headerOrigin;
  }

  /** Rebuild from the configured sources; concurrent calls share one build. */
  rebuild(settings: Settings): Promise<IndexStatus> {
    const run = (this.building ?? Promise.resolve()).then(() => this.build(settings));
    this.building = run.finally(() => {
      if (this.building === run) this.building = undefined;
    });
    return run;
  }

  private async build(settings: Settings): Promise<IndexStatus> {
    const headers = [...settings.wdk.includePaths];
    const extra: string[] = [];
    let versions: { kmdfVersion?: string; umdfVersion?: string } = {};
    if (!headers.length && settings.wdk.autoDetect && this.findWdk) {
      const wdk = await this.findWdk().catch((error: unknown) => {
        this.logger.warn(`WDK detection failed: ${describeError(error)}`);
        return undefined;
      });
      if (wdk?.includePaths.length) {
        headers.push(...wdk.includePaths);
        if (wdk.label) extra.push(wdk.label);
        versions = { kmdfVersion: wdk.kmdfVersion, umdfVersion: wdk.umdfVersion };
      }
    }
    this.headerOrigin = settings.wdk.includePaths.length
      ? { paths: headers, origin: 'settings' }
      : headers.length
        ? { paths: headers, origin: 'detected', ...(extra[0] ? { label: extra[0] } : {}) }
        : { paths: [], origin: settings.wdk.autoDetect ? 'none' : 'off' };
    const docs = settings.docs.path ? [settings.docs.path] : [];
    if (!headers.length && !docs.length) {
      // Nothing beyond the catalog: back to the catalog alone (after a build from sources now removed).
      const onlyCatalog = this.index.sources.length === 1 && this.index.sources[0] === 'catalog';
      if (!onlyCatalog) {
        this.index = safeCatalog(this.index);
        this.docs.prime([]);
      }
      return this.publish(
        this.statusOf(
          this.index.entries.length ? 'ready' : 'error',
          extra,
          this.index.entries.length ? undefined : this.status.message,
          versions,
          settings,
        ),
      );
    }
    this.publish({ ...this.status, state: 'loading' });
    try {
      const result = await buildIndex({ headers, docs });
      this.index = result.index;
      this.docs.prime(result.pages.values());
      const skipped = result.skipped.length ? `${result.skipped.length} files skipped` : undefined;
      for (const s of result.skipped.slice(0, 20)) this.logger.debug(`Skipped ${s.file}: ${s.reason}`);
      this.logger.info(
        `Index rebuilt in ${result.ms} ms from ${result.index.sources.join(', ')}${skipped ? ` (${skipped})` : ''}`,
      );
      return this.publish(this.statusOf('ready', extra, skipped, versions, settings));
    } catch (error) {
      this.logger.error('Index rebuild failed; keeping the previous index', error);
      return this.publish(this.statusOf('error', extra, describeError(error), versions, settings));
    }
  }

  /** The reference-text state changed (a fetch failed or succeeded): the same index status with the new state. */
  docsChanged(): void {
    const docs = this.docs.status();
    if (JSON.stringify(docs) !== JSON.stringify(this.status.docs)) this.publish({ ...this.status, docs });
  }

  private publish(status: IndexStatus): IndexStatus {
    this.status = status;
    this.notify(status);
    return status;
  }

  private statusOf(
    state: IndexStatus['state'],
    extra: string[],
    message?: string,
    versions: { kmdfVersion?: string; umdfVersion?: string } = {},
    settings?: Settings,
  ): IndexStatus {
    const counts = this.index.counts();
    const sources = [...this.index.sources, ...extra];
    return {
      state,
      ...(settings?.target.kmdfVersion || versions.kmdfVersion
        ? { kmdfVersion: settings?.target.kmdfVersion || versions.kmdfVersion }
        : {}),
      ...(settings?.target.umdfVersion || versions.umdfVersion
        ? { umdfVersion: settings?.target.umdfVersion || versions.umdfVersion }
        : {}),
      callbacks: counts.callbacks,
      methods: counts.methods,
      structs: counts.structs,
      enums: counts.enums,
      sources,
      docs: this.docs.status(),
      ...(message ? { message } : {}),
    };
  }
}

function safeCatalog(previous: KnowledgeIndex): KnowledgeIndex {
  try {
    return KnowledgeIndex.fromCatalog();
  } catch {
    return previous;
  }
}
