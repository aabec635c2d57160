/**
 * Open documents and the workspace's files, each with its analysis model. Open documents are
 * re-analysed on every change (the analysis layer re-parses incrementally); `current(uri)` waits for
 * the model of the text as it is now, so answers never describe text the user has already changed.
 * Files of the workspace folders are scanned once at start so cross-file facts (a callback declared
 * in one file and registered in another) are known before those files are opened.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { DocumentModel } from '../analysis/model';
import type { Logger } from '../util/logger';
import { describeError } from '../util/logger';

/** What the features need from the analysis layer. */
export interface AnalysisBackend {
  /** Open a document (or replace its text). */
  open(uri: string, text: string, version: number, language: 'c' | 'cpp'): Promise<DocumentModel>;
  /** Apply LSP content changes to an open document. */
  change(uri: string, changes: TextDocumentContentChangeEvent[], version: number): Promise<DocumentModel>;
  close(uri: string): void;
  /** Current text of an open document. */
  text(uri: string): string | undefined;
  version(uri: string): number | undefined;
  /** Analyse the C/C++ files under these folders (for the workspace model). */
  scan(folders: string[]): Promise<DocumentModel[]>;
}

export type ModelListener = (uri: string, model: DocumentModel) => void;

export class DriverDocuments {
  /** Models of files scanned from disk (not open). */
  private readonly scanned = new Map<string, DocumentModel>();
  /** Models of open documents, by uri. */
  private readonly openModels = new Map<string, DocumentModel>();
  /** The analysis of the latest change of each open document (changes are applied in order). */
  private readonly pending = new Map<string, Promise<DocumentModel | undefined>>();
  private readonly listeners: ModelListener[] = [];

  constructor(
    private readonly backend: AnalysisBackend,
    private readonly logger: Logger,
  ) {}

  /** Every known model: open documents over scanned files. */
  *models(): Iterable<DocumentModel> {
    for (const model of this.openModels.values()) yield model;
    for (const [uri, model] of this.scanned) if (!this.openModels.has(uri)) yield model;
  }

  isOpen(uri: string): boolean {
    return this.backend.text(uri) !== undefined;
  }

  openUris(): string[] {
    return [...this.openModels.keys()];
  }

  text(uri: string): string | undefined {
    return this.backend.text(uri);
  }

  onModel(listener: ModelListener): void {
    this.listeners.push(listener);
  }

  didOpen(uri: string, text: string, version: number, languageId: string): void {
    const language = languageId === 'cpp' ? 'cpp' : 'c';
    this.enqueue(uri, () => this.backend.open(uri, text, version, language));
  }

  didChange(uri: string, changes: TextDocumentContentChangeEvent[], version: number): void {
    this.enqueue(uri, () => this.backend.change(uri, changes, version));
  }

  didClose(uri: string): void {
    this.backend.close(uri);
    this.openModels.delete(uri);
    this.pending.delete(uri);
  }

  /** The model of an open document's current text (waits for pending analysis), or the scanned model. */
  async current(uri: string): Promise<{ model: DocumentModel; text: string } | undefined> {
    const pending = this.pending.get(uri);
    if (pending) await pending;
    const text = this.backend.text(uri);
    const model = this.openModels.get(uri);
    if (text !== undefined && model) return { model, text };
    return undefined;
  }

  /** Scan workspace folders; open documents keep their own (newer) models. */
  async scan(folders: string[]): Promise<number> {
    if (!folders.length) return 0;
    const started = performance.now();
    try {
      const models = await this.backend.scan(folders);
      for (const model of models) this.scanned.set(model.uri, model);
      this.logger.info(`Scanned ${models.length} C/C++ files in ${Math.round(performance.now() - started)} ms (${folders.join(', ')})`);
      return models.length;
    } catch (error) {
      this.logger.error(`Scanning ${folders.join(', ')} failed`, error);
      return 0;
    }
  }

  /** Changes are analysed in order, one after the other, so a slow analysis never overwrites a newer one. */
  private enqueue(uri: string, analyse: () => Promise<DocumentModel>): void {
    const previous = this.pending.get(uri) ?? Promise.resolve(undefined);
    const next = previous
      .then(analyse)
      .then((model) => {
        if (this.backend.text(uri) === undefined) return undefined; // closed meanwhile
        this.openModels.set(uri, model);
        for (const listener of this.listeners) listener(uri, model);
        return model;
      })
      .catch((error: unknown) => {
        this.logger.error(`Analysis of ${uri} failed: ${describeError(error)}`);
        return undefined;
      });
    this.pending.set(uri, next);
    void next.finally(() => {
      if (this.pending.get(uri) === next) this.pending.delete(uri);
    });
  }
}
