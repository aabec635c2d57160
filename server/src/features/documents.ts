/**
 * Open documents and the workspace's files, each with its analysis model.
 *
 * Text is updated synchronously on every didChange (incremental sync), and the change is queued for
 * analysis. A request is about the document as it was when the request arrived: `current(uri)`
 * captures that version at once and waits for *its* model, so an answer never mixes the text of one
 * keystroke with the model of another, however fast the user types. Files of the workspace folders
 * are scanned once at start so cross-file facts (a callback declared in one file and registered in
 * another) are known before those files are opened.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentModel } from '../analysis/model';
import type { WorkspaceModel } from '../analysis';
import type { Logger } from '../util/logger';
import { describeError } from '../util/logger';

/** What the features need from the analysis layer. */
export interface AnalysisBackend {
  /**
   * Analyse a document's new text. `changes` are the edits from the previous version (absent on open),
   * so the backend can re-parse incrementally.
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
  /** Analyse the C/C++ files under these folders (for the workspace model). */
  scan(folders: string[]): Promise<DocumentModel[]>;
  /** The model of a file as it is on disk (after its document was closed); undefined when it is not a file. */
  reload(uri: string): Promise<DocumentModel | undefined>;
}

export type ModelListener = (uri: string, model: DocumentModel) => void;

/** A document version with its text and, once analysed, its model. */
interface Snapshot {
  version: number;
  text: string;
  /** Undefined for a version skipped because a newer one came before its turn and nobody asked for it. */
  model: Promise<DocumentModel | undefined>;
  /** A request is waiting on this version: it must be analysed even when newer ones exist. */
  wanted: boolean;
}

/** Versions of a document kept for requests still waiting on them. */
const KEPT_VERSIONS = 8;

export class DriverDocuments {
  private readonly open = new Map<
    string,
    {
      document: TextDocument;
      language: 'c' | 'cpp';
      snapshots: Snapshot[];
      latest?: DocumentModel;
      /** A version was skipped since the last analysis: the next one cannot use its own changes (they are relative to the skipped text). */
      skipped?: boolean;
    }
  >();
  private readonly listeners: ModelListener[] = [];

  /** `workspace` receives every model: each open document's latest, and the scanned files. */
  constructor(
    private readonly backend: AnalysisBackend,
    private readonly workspace: WorkspaceModel,
    private readonly logger: Logger,
  ) {}

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

  onModel(listener: ModelListener): void {
    this.listeners.push(listener);
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
    this.open.delete(uri);
    this.backend.close(uri);
    void this.backend.reload(uri).then(
      (model) => {
        if (this.open.has(uri)) return; // reopened meanwhile
        if (model) this.workspace.update(model);
        else this.workspace.remove(uri);
      },
      (error: unknown) => {
        this.logger.debug(`Reloading ${uri} from disk failed: ${describeError(error)}`);
        if (!this.open.has(uri)) this.workspace.remove(uri);
      },
    );
  }

  /** The text and model of an open document as of now (waits for that version's analysis). */
  async current(uri: string): Promise<{ model: DocumentModel; text: string; version: number } | undefined> {
    const doc = this.open.get(uri);
    const snapshot = doc?.snapshots[doc.snapshots.length - 1];
    if (!snapshot) return undefined;
    snapshot.wanted = true;
    const model = await snapshot.model;
    return model ? { model, text: snapshot.text, version: snapshot.version } : undefined;
  }

  /** Scan workspace folders. */
  async scan(folders: string[]): Promise<number> {
    if (!folders.length) return 0;
    const started = performance.now();
    try {
      const models = await this.backend.scan(folders);
      for (const model of models) if (!this.open.has(model.uri)) this.workspace.update(model);
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
   * Versions are analysed in order, each after the previous one (incremental parsing needs that
   * order). A version whose turn comes when a newer one is already queued, and that no request
   * waits on, is skipped: typing faster than a large file parses costs one analysis per pause,
   * not one per keystroke.
   */
  private enqueue(uri: string, changes?: TextDocumentContentChangeEvent[]): void {
    const doc = this.open.get(uri)!;
    const { version } = doc.document;
    const text = doc.document.getText();
    const previous = doc.snapshots[doc.snapshots.length - 1]?.model ?? Promise.resolve(undefined);
    const snapshot: Snapshot = { version, text, model: previous, wanted: false };
    const model = previous
      .catch(() => undefined)
      .then(() => {
        const superseded = doc.snapshots[doc.snapshots.length - 1] !== snapshot;
        if (superseded && !snapshot.wanted && this.open.get(uri) === doc) {
          doc.skipped = true;
          return undefined;
        }
        // After a skip the changes are relative to a text the backend never saw: send the whole text
        // (the backend still re-parses incrementally from its last tree).
        const since = doc.skipped ? undefined : changes;
        doc.skipped = false;
        const started = performance.now();
        return this.backend.analyze(uri, text, version, doc.language, since).then((analysed) => {
          this.logger.debug(
            () =>
              `Analysed ${uri} v${version} in ${(performance.now() - started).toFixed(1)} ms (${analysed.functions.length} functions, ${analysed.errorCount} parse errors)`,
          );
          return analysed;
        });
      })
      .then((analysed) => {
        if (!analysed) return undefined;
        const still = this.open.get(uri);
        if (still !== doc) return analysed; // closed (or reopened) meanwhile: do not publish
        if (!doc.latest || doc.latest.version <= analysed.version) {
          doc.latest = analysed;
          this.workspace.update(analysed);
        }
        for (const listener of this.listeners) listener(uri, analysed);
        return analysed;
      })
      .catch((error: unknown) => {
        this.logger.error(`Analysis of ${uri} (version ${version}) failed: ${describeError(error)}`);
        return undefined;
      });
    snapshot.model = model;
    doc.snapshots.push(snapshot);
    if (doc.snapshots.length > KEPT_VERSIONS) doc.snapshots.splice(0, doc.snapshots.length - KEPT_VERSIONS);
  }
}
