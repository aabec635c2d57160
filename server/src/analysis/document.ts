/**
 * Parsed documents with incremental re-parsing, and a store keeping one tree per URI (latest
 * version) in an LRU, deleting trees on eviction or replacement (wasm memory is not garbage
 * collected).
 *
 * An edit is applied to the raw text, the new text is blanked again (blanking is not local in
 * general: typing `/*` changes what follows; a plain change inside a block is spliced into the
 * last blanking, prepass.ts reblankSource), and the tree is edited with the range where the old
 * and new *blanked* texts differ, found by their common prefix and suffix (or known from the
 * splice). The tree is then re-parsed from the edited old tree, and the model rebuilt from the
 * new tree.
 */
import type { Edit } from 'web-tree-sitter';
import { BodyCache, buildModel, OutlineCache } from './build';
import type { MacroTable } from './conditionals';
import type { MacroDefinitions } from './macros';
import type { DocumentModel, Position } from './model';
import {
  AnalysisError,
  DEFAULT_PARSE_TIMEOUT_MS,
  grammarOfText,
  languageOf,
  normalizeLineBreaks,
  parseDocument,
  parseWithTimeout,
  sharedParser,
  type AnalyzeOptions,
} from './parse';
import { lineIndexOf } from '../syntax/positions';
import { commonPrefix, commonSuffix } from '../util/commonAffix';
import { reblankSource, type BlankingState } from './prepass';
import type { GrammarId, Language, Tree } from '../syntax/treeSitter';

/** One change of a document: a range replaced by text, or (no range) the whole text. Same shape as LSP's. */
export interface TextChange {
  range?: { start: Position; end: Position };
  text: string;
}

/** A document's text, its tree and its model, at one version. */
export class ParsedDocument {
  private disposed = false;
  private readonly blankings = { spliced: 0, afresh: 0 };

  private constructor(
    readonly uri: string,
    readonly language: GrammarId,
    private currentText: string,
    private currentBlanked: string,
    /** The blanking of `currentText` (its text is `currentBlanked`), which the next edit starts from. */
    private currentBlanking: BlankingState,
    private currentTree: Tree,
    private currentModel: DocumentModel,
    private readonly treeLanguage: Language,
    private readonly options: AnalyzeOptions,
    /** Function bodies' outlines from the last build: an edit re-reads only the bodies it changed. */
    private readonly outlines: OutlineCache,
    /** What the last build read inside each body: an edit re-reads only the definitions it changed. */
    private readonly bodies: BodyCache,
  ) {}

  /** Parse a document from scratch. */
  static async create(
    uri: string,
    text: string,
    version: number,
    language?: GrammarId,
    options: AnalyzeOptions = {},
  ): Promise<ParsedDocument> {
    const grammar = grammarOfText(uri, text, language ?? languageOf(uri));
    const outlines = new OutlineCache();
    const bodies = new BodyCache();
    const result = await parseDocument(uri, text, grammar, { ...options, version }, undefined, outlines, bodies);
    return new ParsedDocument(
      uri,
      grammar,
      text,
      result.blanked,
      result.blanking,
      result.tree,
      result.model,
      result.language,
      options,
      outlines,
      bodies,
    );
  }

  get text(): string {
    return this.currentText;
  }

  get version(): number {
    return this.currentModel.version;
  }

  get model(): DocumentModel {
    return this.currentModel;
  }

  /** How many function bodies the last build read from the tree, and how many it took from the build before. */
  get outlineReuse(): { read: number; reused: number } {
    return { read: this.outlines.read, reused: this.outlines.reused };
  }

  /** How many definitions the last build read inside, and how many bodies' facts it took from the build before. */
  get bodyReuse(): { read: number; reused: number } {
    return { read: this.bodies.read, reused: this.bodies.reused };
  }

  /** How many edits' blankings were spliced into the one before (prepass.ts reblankSource), and how many were done afresh. */
  get blankingReuse(): { spliced: number; afresh: number } {
    return { ...this.blankings };
  }

  /** The current tree (owned by this document: do not delete it, do not keep it past the next change). */
  get tree(): Tree {
    this.assertLive();
    return this.currentTree;
  }

  /**
   * Apply changes (in order, each relative to the text left by the previous one) and re-parse
   * incrementally. The model returned is also `this.model`. On a parse failure the document keeps
   * its previous text, tree and model, and the error is thrown.
   */
  async applyChanges(version: number, changes: TextChange[]): Promise<DocumentModel> {
    this.assertLive();
    let text = this.currentText;
    for (const change of changes) {
      if (!change.range) {
        text = change.text;
        continue;
      }
      const lines = lineIndexOf(text);
      const start = lines.offsetAt(change.range.start);
      const end = Math.max(start, lines.offsetAt(change.range.end));
      text = text.slice(0, start) + change.text + text.slice(end);
    }
    return this.replaceText(version, text);
  }

  /** Replace the whole text, re-parsing incrementally from the old tree. */
  async replaceText(version: number, text: string): Promise<DocumentModel> {
    this.assertLive();
    text = normalizeLineBreaks(text);
    const parser = await sharedParser(this.language);
    const blanking = reblankSource(
      this.currentBlanking,
      text,
      this.language,
      this.options.defines,
      this.options.macros,
    );
    const blanked = blanking.result;
    const edit = blanking.change
      ? editOfChange(this.currentBlanked, blanking.change)
      : editBetween(this.currentBlanked, blanked.text);
    let tree: Tree | undefined;
    if (!edit) {
      // Same blanked text (a change inside a comment or an annotation): the old tree still fits.
      tree = this.currentTree.copy();
    } else {
      // Edit a copy, so that the current tree stays valid if the parse fails.
      const oldTree = this.currentTree.copy();
      oldTree.edit(edit);
      tree = parseWithTimeout(parser, blanked.text, oldTree, this.options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS);
      oldTree.delete();
      if (!tree)
        throw new AnalysisError(
          `Parsing ${this.uri} took longer than ${this.options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS} ms and was stopped`,
          this.uri,
        );
    }
    let model: DocumentModel;
    try {
      model = buildModel({
        uri: this.uri,
        version,
        language: this.language,
        text,
        blankedText: blanked.text,
        annotations: blanked.annotations,
        undecided: blanked.undecided,
        macros: blanked.macros,
        tree,
        treeLanguage: this.treeLanguage,
        options: this.options,
        outlines: this.outlines,
        bodies: this.bodies,
        // No edit of the blanked text: every body stays where it was.
        edit: edit
          ? { start: edit.startIndex, oldEnd: edit.oldEndIndex, newEnd: edit.newEndIndex }
          : { start: 0, oldEnd: 0, newEnd: 0 },
      });
    } catch (error) {
      tree.delete();
      throw new AnalysisError(
        `Analysing ${this.uri} failed: ${error instanceof Error ? error.message : String(error)}`,
        this.uri,
      );
    }
    this.currentTree.delete();
    this.currentTree = tree;
    this.currentText = text;
    this.currentBlanked = blanked.text;
    if (blanking.change || blanking.result === this.currentBlanking.result) this.blankings.spliced++;
    else this.blankings.afresh++;
    this.currentBlanking = blanking;
    this.currentModel = model;
    return model;
  }

  /** Free the tree. The document cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.currentTree.delete();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`Document ${this.uri} was disposed`);
  }
}

/** The single edit turning `before` into `after` (common prefix and suffix removed); undefined if equal. */
export function editBetween(before: string, after: string): Edit | undefined {
  if (before === after) return undefined;
  const prefix = commonPrefix(before, after);
  const suffix = commonSuffix(before, after, Math.min(before.length, after.length) - prefix);
  const oldEnd = before.length - suffix;
  const newEnd = after.length - suffix;
  return {
    startIndex: prefix,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, prefix),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  } as Edit;
}

/**
 * The edit of a change spliced into a blanking (prepass.ts BlankingState.change), which removed and
 * inserted no line break: the same as editBetween of the blanked texts, without comparing them.
 */
export function editOfChange(before: string, change: { start: number; oldEnd: number; newEnd: number }): Edit {
  const at = pointAt(before, change.start);
  return {
    startIndex: change.start,
    oldEndIndex: change.oldEnd,
    newEndIndex: change.newEnd,
    startPosition: at,
    oldEndPosition: { row: at.row, column: at.column + change.oldEnd - change.start },
    newEndPosition: { row: at.row, column: at.column + change.newEnd - change.start },
  } as Edit;
}

/** tree-sitter point of an offset: rows split at "\n" only, columns in UTF-16 units (web-tree-sitter's units). */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

export interface DocumentStoreOptions extends AnalyzeOptions {
  /** Trees kept at once (least recently used evicted first). Default 50. */
  capacity?: number;
  /** The defines of each document (its project's), instead of `defines`; a document whose defines change is parsed afresh. */
  definesFor?: (uri: string) => MacroTable | undefined;
  /**
   * The macros each document gets from its headers, instead of `macros`; a document whose table changes
   * (another object: the provider keeps one per content) is parsed afresh.
   */
  macrosFor?: (uri: string) => MacroDefinitions | undefined;
}

/** A defines table as a comparable string. */
const definesKey = (defines: MacroTable | undefined) => (defines ? JSON.stringify([...defines]) : '');

/**
 * Parsed documents by URI: the latest version of each, at most `capacity` at once.
 * Calls for one URI must not overlap (await each before the next); different URIs may.
 */
export class DocumentStore {
  private readonly documents = new Map<string, ParsedDocument>();
  private readonly definesKeys = new Map<string, string>();
  private readonly macroTables = new Map<string, MacroDefinitions | undefined>();
  private readonly capacity: number;

  constructor(private readonly options: DocumentStoreOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 50);
  }

  /** Open (or reopen) a document with its full text. */
  async open(uri: string, text: string, version: number, language?: GrammarId): Promise<DocumentModel> {
    const defines = this.options.definesFor ? this.options.definesFor(uri) : this.options.defines;
    const macros = this.options.macrosFor ? this.options.macrosFor(uri) : this.options.macros;
    const options = {
      ...this.options,
      ...(this.options.definesFor && defines ? { defines } : {}),
      ...(this.options.macrosFor && macros ? { macros } : {}),
    };
    const doc = await ParsedDocument.create(uri, text, version, language, options);
    this.put(uri, doc);
    this.definesKeys.set(uri, definesKey(defines));
    this.macroTables.set(uri, macros);
    return doc.model;
  }

  /**
   * The model of a document's new version. With `changes` and the previous version at hand,
   * re-parses incrementally; the result is checked against `text` (a missed version falls back to
   * a full parse). Without the document (never opened, or evicted), parses `text` from scratch.
   */
  async update(
    uri: string,
    text: string,
    version: number,
    language?: GrammarId,
    changes?: TextChange[],
  ): Promise<DocumentModel> {
    const doc = this.documents.get(uri);
    if (!doc || (language && doc.language !== language)) return this.open(uri, text, version, language);
    if (this.options.definesFor && definesKey(this.options.definesFor(uri)) !== this.definesKeys.get(uri))
      return this.open(uri, text, version, language);
    if (this.options.macrosFor && this.options.macrosFor(uri) !== this.macroTables.get(uri))
      return this.open(uri, text, version, language);
    this.touch(uri, doc);
    // The document keeps its text with lone "\r" normalised (parse.ts): compare like with like.
    const normalized = normalizeLineBreaks(text);
    if (doc.version === version && doc.text === normalized) return doc.model;
    if (changes?.length) {
      const model = await doc.applyChanges(version, changes);
      if (doc.text === normalized) return model;
    }
    return doc.replaceText(version, text);
  }

  /** The parsed document of a URI, if kept. */
  get(uri: string): ParsedDocument | undefined {
    return this.documents.get(uri);
  }

  has(uri: string): boolean {
    return this.documents.has(uri);
  }

  get size(): number {
    return this.documents.size;
  }

  /** Forget a document and free its tree. */
  close(uri: string): void {
    const doc = this.documents.get(uri);
    if (!doc) return;
    this.documents.delete(uri);
    this.definesKeys.delete(uri);
    this.macroTables.delete(uri);
    doc.dispose();
  }

  /** Free every tree. */
  dispose(): void {
    for (const doc of this.documents.values()) doc.dispose();
    this.documents.clear();
  }

  private put(uri: string, doc: ParsedDocument): void {
    const old = this.documents.get(uri);
    if (old && old !== doc) old.dispose();
    this.documents.delete(uri);
    this.documents.set(uri, doc);
    while (this.documents.size > this.capacity) {
      const [oldestUri, oldest] = this.documents.entries().next().value as [string, ParsedDocument];
      this.documents.delete(oldestUri);
      oldest.dispose();
    }
  }

  private touch(uri: string, doc: ParsedDocument): void {
    this.documents.delete(uri);
    this.documents.set(uri, doc);
  }
}
