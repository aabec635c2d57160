/**
 * Open documents and the workspace's files, each with its analysis model.
 *
 * Text is updated synchronously on every didChange (incremental sync), and the change is queued for
 * analysis. A request is about the document as it was when the request arrived: `current(uri)`
 * captures that version at once and waits for a model of *its* text, so an answer never mixes the
 * text of one keystroke with the model of another, however fast the user types. When a newer version
 * arrives whose text is the same up to the end of the line the request asks about, the request moves
 * to that version, so the older one need not be analysed at all. A cancelled request stops waiting.
 *
 * The order of versions is the order the client sent them in, never their numbers: a didChange with a
 * lower version than the last is still the newest text (the version is the client's to choose).
 *
 * Documents above the size limit (`kmdf.analysis.maxFileSizeKB`) are not analysed: requests on them
 * answer nothing, and the client is told once.
 *
 * Files of the workspace folders are scanned once at start so cross-file facts (a callback declared in
 * one file and registered in another) are known before those files are opened.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentModel } from '../analysis/model';
import type { WorkspaceModel } from '../analysis/index';
import type { Logger } from '../util/logger';
import { describeError } from '../util/logger';
import { lineIndexOf } from '../syntax/positions';
import { currentRequest } from '../util/requestScope';
import type { InboundMessages } from '../util/transport';

/**
 * Makes the models DriverDocuments keeps: open documents' texts analysed (incrementally), the files
 * under the workspace folders read from disk and analysed, and a closed or changed file read again.
 */
export interface FileAnalyzer {
  /**
   * Analyse a document's new text. `changes` are the edits from the previous version (absent on open),
   * so the analyzer can re-parse incrementally.
   */
  analyze(
    uri: string,
    text: string,
    version: number,
    language: 'c' | 'cpp',
    changes?: TextDocumentContentChangeEvent[],
  ): Promise<DocumentModel>;
  /** The document was closed. */
  close(uri: string): void;
  /**
   * Analyse the C/C++ files under these folders (for the workspace model); `pause` between files gives
   * way to requests; `first`: the files some documents' checks read are analysed before the others.
   */
  scan(folders: string[], pause?: () => Promise<void>, first?: ScanFirst): Promise<DocumentModel[]>;
  /**
   * The model of a file as it is on disk (after its document was closed); undefined when it is not a
   * file. `analysed`: the document's last analysis, kept when the disk holds the same text.
   */
  reload(uri: string, analysed?: { text: string; model: DocumentModel }): Promise<DocumentModel | undefined>;
  /** The file left the disk: forget what was read of it. */
  forget?(uri: string): void;
  /**
   * The findings of an open document's newest model are out: work that the first check did not need
   * may run now (the tree of a document whose model came from disk, for its first edit).
   */
  prepareEdits?(uri: string): void;
  /** How many open documents took the model read from disk instead of being analysed (tests, measures). */
  readonly reusedDiskModels?: number;
  /**
   * The files read from disk (those `skip` does not name) whose defines or header macros differ from
   * the ones they were analysed with (a project file changed), analysed again: their new models.
   */
  reanalyseChangedContexts?(skip: (uri: string) => boolean, pause?: () => Promise<void>): Promise<DocumentModel[]>;
}

/**
 * Documents to have checked before the whole scan is in: the files their checks read are analysed
 * first, and `analysed` is told once they are, so those documents can be checked then.
 */
export interface ScanFirst {
  /** The documents (asked once the folders are read and the projects known). */
  uris(): readonly string[];
  /** The files the checks of `ready` read are analysed: `models`, every model so far. */
  analysed(models: readonly DocumentModel[], ready: readonly string[]): void;
}

export type ModelListener = (uri: string, model: DocumentModel) => void;

/** A file's model in the workspace changed from disk (a document closed, a file changed or was deleted outside the editor). */
export type DiskListener = (uri: string) => void;

/** A document version with its text and, once analysed, its model. */
interface Snapshot {
  /** Order of arrival (client version numbers need not grow). */
  seq: number;
  version: number;
  text: string;
  /** Undefined for a version skipped (a newer one came before its turn and nobody waited on it), or too large. */
  model: Promise<DocumentModel | undefined>;
  /** The analysis finished (or was skipped). */
  settled: boolean;
  /** Requests waiting on this version: it must be analysed even when newer ones exist. */
  waiters: Set<Waiter>;
}

/** A request waiting for the model of a version. */
interface Waiter {
  snapshot: Snapshot;
  /** Offset after which the request does not look (end of its line); undefined: the whole text matters. */
  lookedAtEnd?: number;
  resolve(snapshot: Snapshot | undefined): void;
}

/** Versions of a document kept for requests still waiting on them. */
const KEPT_VERSIONS = 8;

/** Default size limit of an analysed document, as the workspace scan's. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** Ticks an analysis waits at most for queued requests of other documents to be answered first. */
const MAX_YIELDS = 200;

export interface DocumentsOptions {
  /** Documents larger than this (UTF-8 bytes) are not analysed. */
  maxBytes?: () => number;
  /** Messages read from the client and not yet handled (util/transport.ts). */
  inbound?: InboundMessages;
  /** A document was found too large (once per document and size limit). */
  onTooLarge?: (uri: string, bytes: number, maxBytes: number) => void;
}

interface OpenDocument {
  document: TextDocument;
  language: 'c' | 'cpp';
  snapshots: Snapshot[];
  latest?: { seq: number; model: DocumentModel; text: string };
  /** A version was skipped since the last analysis: the next one cannot use its own changes (they are relative to the skipped text). */
  skipped?: boolean;
  /** The size limit this document was last reported against (not analysed). */
  reportedTooLarge?: number;
}

export class DriverDocuments {
  private readonly open = new Map<string, OpenDocument>();
  private readonly listeners: ModelListener[] = [];
  private readonly diskListeners: DiskListener[] = [];
  private seq = 0;
  /** The latest read from disk of each file being read (an older one finishing later is dropped). */
  private readonly reloads = new Map<string, object>();
  /** The re-analysis after the last project change (projectsChanged). */
  private recontexting: Promise<void> = Promise.resolve();
  /** Settles when the workspace folders' scan has put its models in the workspace (or failed). */
  private readonly firstScan: Promise<void>;
  private firstScanDone!: () => void;
  private scanSettled = false;
  /** Documents whose projects the start-up scan read first (openFirst). */
  private readonly scannedEarly = new Set<string>();
  private readonly scannedListeners: ((uris: readonly string[]) => void)[] = [];

  /** `workspace` receives every model: each open document's latest, and the scanned files. */
  constructor(
    private readonly fileAnalyzer: FileAnalyzer,
    private readonly workspace: WorkspaceModel,
    private readonly logger: Logger,
    private readonly options: DocumentsOptions = {},
  ) {
    this.firstScan = new Promise(
      (resolve) =>
        (this.firstScanDone = () => {
          this.scanSettled = true;
          resolve();
        }),
    );
  }

  /**
   * Resolves once the start-up scan of the workspace folders is in the workspace, so that an answer
   * about the whole project (where a stub's declaration goes, which names are taken) is not decided
   * on the few files read so far; at most after `boundMs`, so that no request waits on a scan forever.
   */
  whenScanned(boundMs = 15_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref?.();
    });
    return Promise.race([this.firstScan, bound]).finally(() => clearTimeout(timer));
  }

  isOpen(uri: string): boolean {
    return this.open.has(uri);
  }

  openUris(): string[] {
    return [...this.open.keys()];
  }

  /** Current text of an open document. */
  text(uri: string): string | undefined {
    return this.open.get(uri)?.document.getText();
  }

  /** The text the newest model of an open document was analysed from (the model and the text agree). */
  analysedText(uri: string): string | undefined {
    return this.open.get(uri)?.latest?.text;
  }

  /**
   * The findings of a document's newest model were published (or answered): the analyzer may do now
   * what that check did not need (once the requests read meanwhile are answered).
   */
  checked(uri: string): void {
    if (!this.fileAnalyzer.prepareEdits) return;
    void this.yieldToQueuedRequests().then(() => {
      if (this.open.has(uri)) this.fileAnalyzer.prepareEdits?.(uri);
    });
  }

  onModel(listener: ModelListener): void {
    this.listeners.push(listener);
  }

  onDiskModel(listener: DiskListener): void {
    this.diskListeners.push(listener);
  }

  /**
   * A file changed, appeared or was deleted on disk (workspace/didChangeWatchedFiles). An open
   * document keeps its editor text; any other file is read again, or leaves the workspace.
   */
  diskChanged(uri: string, deleted: boolean): void {
    if (this.open.has(uri)) return;
    if (deleted) {
      this.fileAnalyzer.forget?.(uri);
      this.workspace.remove(uri);
      this.notifyDisk(uri);
      return;
    }
    this.reloadFromDisk(uri);
  }

  didOpen(uri: string, text: string, version: number, languageId: string): void {
    const language = languageId === 'cpp' || /\.(cpp|cc|cxx|hpp|hh|hxx)$/i.test(uri) ? 'cpp' : 'c';
    const document = TextDocument.create(uri, languageId, version, text);
    this.open.set(uri, { document, language, snapshots: [] });
    this.enqueue(uri);
  }

  didChange(uri: string, changes: TextDocumentContentChangeEvent[], version: number): void {
    const doc = this.open.get(uri);
    if (!doc) return;
    doc.document = TextDocument.update(doc.document, changes, version);
    this.enqueue(uri, changes);
  }

  didClose(uri: string): void {
    const doc = this.open.get(uri);
    this.open.delete(uri);
    for (const snapshot of doc?.snapshots ?? []) for (const waiter of snapshot.waiters) waiter.resolve(undefined);
    this.fileAnalyzer.close(uri);
    // The last analysis describes the disk too when the document was closed unchanged (saved or never edited).
    const latest = doc?.latest && doc.latest.text === doc.document.getText() ? doc.latest : undefined;
    this.reloadFromDisk(uri, latest);
  }

  /** Replace a closed file's model by the one of its text on disk (or remove it when it is not a file). */
  private reloadFromDisk(uri: string, analysed?: { text: string; model: DocumentModel }): void {
    const reload = {};
    this.reloads.set(uri, reload);
    // Reopened meanwhile, or read again since (closed again, changed on disk): the newer one decides.
    const moot = () => this.open.has(uri) || this.reloads.get(uri) !== reload;
    void this.fileAnalyzer.reload(uri, analysed).then(
      (model) => {
        if (moot()) return;
        this.reloads.delete(uri);
        if (model) this.workspace.update(model);
        else this.workspace.remove(uri);
        this.notifyDisk(uri);
      },
      (error: unknown) => {
        this.logger.debug(`Reloading ${uri} from disk failed: ${describeError(error)}`);
        if (moot()) return;
        this.reloads.delete(uri);
        this.workspace.remove(uri);
        this.notifyDisk(uri);
      },
    );
  }

  private notifyDisk(uri: string): void {
    for (const listener of this.diskListeners) listener(uri);
  }

  /**
   * A project file (`.vcxproj`, `sources`, `.kmdf.json`, …) changed on disk: every file is analysed
   * again with the defines and header macros its projects now give it. Open documents go through
   * their queue (the analyzer re-parses those whose context changed); files read from disk whose
   * context changed are re-read from the text already read. Resolves when the workspace holds the
   * new models (runs one after the other when changes come in quick succession).
   */
  projectsChanged(): Promise<void> {
    const run = this.recontexting.then(async () => {
      for (const uri of this.open.keys()) this.enqueue(uri);
      const models =
        (await this.fileAnalyzer.reanalyseChangedContexts?.(
          (uri) => this.open.has(uri),
          () => this.yieldToQueuedRequests(),
        )) ?? [];
      for (const model of models) if (!this.open.has(model.uri)) this.workspace.update(model);
      await Promise.all([...this.open.values()].map((doc) => doc.snapshots[doc.snapshots.length - 1]?.model));
      if (models.length) this.logger.debug(`Analysed ${models.length} files again with their projects' new defines`);
    });
    this.recontexting = run.catch((error: unknown) =>
      this.logger.error(`Analysing files again after a project change failed: ${describeError(error)}`),
    );
    return this.recontexting;
  }

  /** Analyse again the open documents the size limit now admits (after a settings change). */
  sizeLimitChanged(): void {
    for (const [uri, doc] of this.open)
      if (doc.reportedTooLarge !== undefined && !this.tooLarge(doc)) this.enqueue(uri);
  }

  /**
   * The text and model of an open document as of now. Inside a request (util/requestScope.ts) the
   * wait ends when the request is cancelled, and a newer version answers when the text up to the end
   * of the request's line is the same.
   */
  async current(uri: string): Promise<{ model: DocumentModel; text: string; version: number } | undefined> {
    const doc = this.open.get(uri);
    const latest = doc?.snapshots[doc.snapshots.length - 1];
    if (!doc || !latest) return undefined;
    const request = currentRequest();
    if (request?.token.isCancellationRequested) return undefined;
    let snapshot: Snapshot | undefined = latest;
    const atPosition = !!request?.position && request.uri === uri;
    // A request about a position, on a text the newest ready model was made from (an edit undone, the
    // same text analysed again after the scan read headers): that model answers, nothing is waited for.
    if (!latest.settled && atPosition && doc.latest?.text === latest.text)
      return { model: doc.latest.model, text: latest.text, version: latest.version };
    if (!latest.settled) {
      const lookedAtEnd = atPosition ? lineEndAt(latest.text, request.position) : undefined;
      snapshot = await new Promise<Snapshot | undefined>((resolve) => {
        const waiter: Waiter = { snapshot: latest, lookedAtEnd, resolve: () => undefined };
        const cancelled = request?.token.onCancellationRequested(() => waiter.resolve(undefined));
        waiter.resolve = (found) => {
          waiter.snapshot.waiters.delete(waiter);
          cancelled?.dispose();
          resolve(found);
        };
        latest.waiters.add(waiter);
        void latest.model.then(() => {
          if (waiter.snapshot === latest) waiter.resolve(latest);
        });
      });
      if (!snapshot) return undefined;
    }
    const model = await snapshot.model;
    return model ? { model, text: snapshot.text, version: snapshot.version } : undefined;
  }

  /** Scan workspace folders. */
  async scan(folders: string[]): Promise<number> {
    try {
      return await this.scanFolders(folders);
    } finally {
      this.firstScanDone();
    }
  }

  private async scanFolders(folders: string[]): Promise<number> {
    if (!folders.length) return 0;
    const started = performance.now();
    try {
      const models = await this.fileAnalyzer.scan(folders, () => this.yieldToQueuedRequests(), this.openFirst());
      for (const model of models) if (!this.open.has(model.uri)) this.workspace.update(model);
      // What the scan read (headers outside the folders, their macros) may change how an open document
      // reads: each is looked at again (the analyzer re-parses only those whose context changed).
      for (const uri of this.open.keys()) this.enqueue(uri);
      this.logger.info(
        `Scanned ${models.length} C/C++ files in ${Math.round(performance.now() - started)} ms (${folders.join(', ')})`,
      );
      return models.length;
    } catch (error) {
      this.logger.error(`Scanning ${folders.join(', ')} failed`, error);
      return 0;
    }
  }

  /**
   * The scan reads the projects of the documents open at its start first: once their files are in
   * the workspace, those documents are analysed again (the scan may have read headers that change how
   * they read) and said to be scanned (`scannedFor`), before the rest of the workspace is read.
   */
  private openFirst(): ScanFirst {
    return {
      uris: () => this.openUris(),
      analysed: (models, ready) => {
        for (const model of models) if (!this.open.has(model.uri)) this.workspace.update(model);
        for (const uri of ready) {
          this.scannedEarly.add(uri);
          if (this.open.has(uri)) this.enqueue(uri);
        }
        for (const listener of this.scannedListeners) listener(ready);
      },
    };
  }

  /**
   * Whether the files a document's checks read are in the workspace: after the start-up scan, or
   * earlier for a document open when it started whose projects it read first.
   */
  scannedFor(uri: string): boolean {
    return this.scanSettled || this.scannedEarly.has(uri);
  }

  /** Documents became `scannedFor` before the end of the scan. */
  onScannedEarly(listener: (uris: readonly string[]) => void): void {
    this.scannedListeners.push(listener);
  }

  private tooLarge(doc: OpenDocument): { bytes: number; maxBytes: number } | undefined {
    const maxBytes = this.options.maxBytes?.() ?? DEFAULT_MAX_DOCUMENT_BYTES;
    const text = doc.document.getText();
    // At most 3 UTF-8 bytes per UTF-16 unit: most texts are decided without counting.
    if (text.length * 3 <= maxBytes) return undefined;
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes > maxBytes ? { bytes, maxBytes } : undefined;
  }

  /**
   * Versions are analysed in order, each after the previous one (incremental parsing needs that
   * order). A version whose turn comes when a newer one is already queued or read from the client,
   * and that no request waits on, is skipped: typing faster than a large file parses costs one
   * analysis per pause, not one per keystroke. Before an analysis starts, requests already read
   * from the client are answered (those of other documents need not wait behind this one).
   */
  private enqueue(uri: string, changes?: TextDocumentContentChangeEvent[]): void {
    const doc = this.open.get(uri)!;
    const { version } = doc.document;
    const text = doc.document.getText();
    const previous = doc.snapshots[doc.snapshots.length - 1];
    const snapshot: Snapshot = {
      seq: ++this.seq,
      version,
      text,
      model: Promise.resolve(undefined),
      settled: false,
      waiters: new Set(),
    };
    const large = this.tooLarge(doc);
    if (large) {
      // Not analysed; still after the previous analysis, which must not publish over this.
      snapshot.model = (previous?.model ?? Promise.resolve(undefined))
        .catch(() => undefined)
        .then(() => {
          if (this.open.get(uri) === doc && doc.snapshots[doc.snapshots.length - 1] === snapshot)
            this.dropModel(uri, doc);
          return undefined;
        })
        .finally(() => {
          snapshot.settled = true;
        });
      if (previous) this.moveWaiters(previous, snapshot);
      doc.skipped = true;
      doc.snapshots.push(snapshot);
      if (doc.snapshots.length > KEPT_VERSIONS) doc.snapshots.splice(0, doc.snapshots.length - KEPT_VERSIONS);
      if (doc.reportedTooLarge !== large.maxBytes) {
        doc.reportedTooLarge = large.maxBytes;
        this.options.onTooLarge?.(uri, large.bytes, large.maxBytes);
      }
      return;
    }
    doc.reportedTooLarge = undefined;
    const superseded = () =>
      doc.snapshots[doc.snapshots.length - 1] !== snapshot || (this.options.inbound?.changesWaiting(uri) ?? 0) > 0;
    const model = (previous?.model ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then(() => this.yieldToQueuedRequests())
      .then(() => {
        if (this.open.get(uri) !== doc) return undefined;
        if (superseded() && !snapshot.waiters.size) {
          doc.skipped = true;
          return undefined;
        }
        // After a skip the changes are relative to a text the analyzer never saw: send the whole text
        // (the analyzer still re-parses incrementally from its last tree).
        const since = doc.skipped ? undefined : changes;
        doc.skipped = false;
        const started = performance.now();
        return this.fileAnalyzer.analyze(uri, text, version, doc.language, since).then((analysed) => {
          this.logger.debug(
            () =>
              `Analysed ${uri} v${version} in ${(performance.now() - started).toFixed(1)} ms (${analysed.functions.length} functions, ${analysed.errorCount} parse errors)`,
          );
          return analysed;
        });
      })
      .then((analysed) => {
        if (!analysed) return undefined;
        if (this.open.get(uri) !== doc) return analysed; // closed (or reopened) meanwhile: do not publish
        // The newest text wins by arrival, whatever its version number.
        if (!doc.latest || doc.latest.seq < snapshot.seq) {
          doc.latest = { seq: snapshot.seq, model: analysed, text };
          this.workspace.update(analysed);
        }
        for (const listener of this.listeners) listener(uri, analysed);
        return analysed;
      })
      .catch((error: unknown) => {
        this.logger.error(`Analysis of ${uri} (version ${version}) failed: ${describeError(error)}`);
        return undefined;
      })
      .finally(() => {
        snapshot.settled = true;
      });
    snapshot.model = model;
    // Only now: a moved waiter waits on this snapshot's own model, not the placeholder it was made with.
    if (previous) this.moveWaiters(previous, snapshot);
    doc.snapshots.push(snapshot);
    if (doc.snapshots.length > KEPT_VERSIONS) doc.snapshots.splice(0, doc.snapshots.length - KEPT_VERSIONS);
  }

  /**
   * Requests waiting on `older` that look only at text `newer` has unchanged move to `newer`, so
   * `older` need not be analysed for them.
   */
  private moveWaiters(older: Snapshot, newer: Snapshot): void {
    for (const waiter of [...older.waiters]) {
      const end = waiter.lookedAtEnd;
      const looked = end === undefined ? undefined : older.text.slice(0, end);
      // Up to a line break the request's line is whole; else (the last line, or the whole text) all must match.
      const same =
        looked !== undefined && /[\r\n]$/.test(looked) ? newer.text.startsWith(looked) : newer.text === older.text;
      if (!same) continue;
      older.waiters.delete(waiter);
      waiter.snapshot = newer;
      newer.waiters.add(waiter);
      void newer.model.then(() => {
        if (waiter.snapshot === newer) waiter.resolve(newer);
      });
    }
  }

  /** A document now too large: its last model leaves the workspace (it no longer describes the text). */
  private dropModel(uri: string, doc: OpenDocument): void {
    this.fileAnalyzer.close(uri);
    if (doc.latest) this.workspace.remove(uri);
    doc.latest = undefined;
  }

  /** Let the connection hand over the requests it has read (a bounded number of ticks). */
  async yieldToQueuedRequests(): Promise<void> {
    const inbound = this.options.inbound;
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; inbound && inbound.requestsWaiting() > 0 && i < MAX_YIELDS; i++)
      await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Offset of the end of a position's line (the request looks at nothing after it). */
function lineEndAt(text: string, position: { line: number; character: number }): number {
  const lines = lineIndexOf(text);
  if (position.line + 1 >= lines.lineCount) return text.length;
  return lines.lineStart(position.line + 1);
}
