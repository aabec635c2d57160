/**
 * Parsing: one cached parser per grammar, blanking, a parse timeout, and `analyzeText`.
 */
import type { DocumentModel } from './model';
import { buildModel, type AnalysisOptions, type BodyCache, type OutlineCache } from './build';
import { blankSourceState, type BlankingState } from './prepass';
import { getQuery } from './queries';
import {
  createParser,
  grammarForFile,
  loadLanguage,
  type GrammarId,
  type Language,
  type Parser,
  type Tree,
} from '../syntax/treeSitter';

/**
 * The text the analysis reads: each lone "\r" (old Mac line ends) becomes "\n". The C grammar and the
 * scanners end `//` comments and directives only at "\n", while positions (syntax/positions.ts, and
 * LSP clients) count a lone "\r" as a line break. The replacement keeps every offset, and a line break
 * stays a line break, so positions computed on the normalised text are those of the original.
 */
export function normalizeLineBreaks(text: string): string {
  return hasLoneCr(text) ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Whether a "\r" is not followed by "\n": from one "\r" to the next (a CRLF file ran the regex over all of it on every edit). */
function hasLoneCr(text: string): boolean {
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1))
    if (text.charCodeAt(at + 1) !== 10) return true;
  return false;
}

/** Default parse time limit. A pathological file must not stall the server. */
export const DEFAULT_PARSE_TIMEOUT_MS = 5000;

/** Thrown when a document cannot be parsed (timeout, grammar failure). */
export class AnalysisError extends Error {
  constructor(
    message: string,
    readonly uri: string,
  ) {
    super(message);
    this.name = 'AnalysisError';
  }
}

const parsers = new Map<GrammarId, Promise<Parser>>();

/** The shared parser of a grammar. Parsing is synchronous, so one parser per grammar is enough. */
export function sharedParser(language: GrammarId): Promise<Parser> {
  let parser = parsers.get(language);
  if (!parser) {
    parser = createParser(language);
    parsers.set(language, parser);
  }
  return parser;
}

/**
 * Load a grammar's parser and compile its query ahead of the first analysis (the server starts this
 * at initialize, so that the wasm compile, which runs off the main thread, and the query compile are
 * done before the first didOpen when the client leaves a moment between them). A failure is left to
 * the first analysis, which reports it.
 */
export function prepareGrammar(language: GrammarId): Promise<void> {
  return sharedParser(language)
    .then(() => loadLanguage(language))
    .then((treeLanguage) => void getQuery(treeLanguage, 'all'))
    .catch(() => undefined);
}

/** Grammar for a URI or file name (`.cpp`, `.hpp`… → C++). */
export function languageOf(uriOrPath: string): GrammarId {
  return grammarForFile(uriOrPath.replace(/[?#].*$/, ''));
}

/** C++ written in a header: classes, namespaces, templates, access labels. */
const CPP_IN_HEADER =
  /^[ \t]*(class[ \t]+\w+[ \t]*(:[^;{]*)?\{|namespace[ \t]+\w+[ \t]*\{|template[ \t]*<|(public|private|protected)[ \t]*:)/m;

/**
 * The grammar a text is read with: C++ for a `.h` header that is written in C++ (only C++ sources
 * include it; read as C, a constructor's initialiser list turns into functions).
 */
export function grammarOfText(uriOrPath: string, text: string, requested: GrammarId): GrammarId {
  if (requested === 'c' && /\.h$/i.test(uriOrPath.replace(/[?#].*$/, '')) && CPP_IN_HEADER.test(text)) return 'cpp';
  return requested;
}

/**
 * Parse (blanked) text, reusing `oldTree` when it was edited to match. Returns undefined on timeout.
 */
export function parseWithTimeout(
  parser: Parser,
  text: string,
  oldTree: Tree | undefined,
  timeoutMs: number,
): Tree | undefined {
  const deadline = performance.now() + timeoutMs;
  // progressCallback returns true to cancel (web-tree-sitter ≥ 0.25; typed as void in its d.ts).
  const progressCallback = (() => performance.now() > deadline) as unknown as (state: unknown) => void;
  const tree = parser.parse(text, oldTree ?? null, { progressCallback });
  if (!tree) {
    parser.reset();
    return undefined;
  }
  return tree;
}

export interface AnalyzeOptions extends AnalysisOptions {
  version?: number;
  parseTimeoutMs?: number;
}

/** Everything a parse produced: the model, and the tree (the caller owns it and must delete it). */
export interface ParseResult {
  model: DocumentModel;
  tree: Tree;
  blanked: string;
  /** The blanking of the text, for the next edit's (prepass.ts reblankSource). */
  blanking: BlankingState;
  language: Language;
}

/** Parse text and build its model, keeping the tree. */
export async function parseDocument(
  uri: string,
  text: string,
  language: GrammarId,
  options: AnalyzeOptions = {},
  oldTree?: Tree,
  /** Body outlines kept across builds of one document (document.ts). */
  outlines?: OutlineCache,
  /** Body facts kept across builds of one document (document.ts; a first build only fills it). */
  bodies?: BodyCache,
): Promise<ParseResult> {
  text = normalizeLineBreaks(text);
  language = grammarOfText(uri, text, language);
  const parser = await sharedParser(language);
  const treeLanguage = await loadLanguage(language);
  const blanking = blankSourceState(text, language, options.defines, options.macros);
  const blanked = blanking.result;
  const tree = parseWithTimeout(parser, blanked.text, oldTree, options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS);
  if (!tree)
    throw new AnalysisError(
      `Parsing ${uri} took longer than ${options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS} ms and was stopped`,
      uri,
    );
  try {
    const model = buildModel({
      uri,
      version: options.version ?? 0,
      language,
      text,
      blankedText: blanked.text,
      annotations: blanked.annotations,
      undecided: blanked.undecided,
      macros: blanked.macros,
      tree,
      treeLanguage,
      options,
      ...(outlines ? { outlines } : {}),
      ...(bodies ? { bodies } : {}),
    });
    return { model, tree, blanked: blanked.text, blanking, language: treeLanguage };
  } catch (error) {
    tree.delete();
    throw new AnalysisError(`Analysing ${uri} failed: ${error instanceof Error ? error.message : String(error)}`, uri);
  }
}

/**
 * The model of a text (no tree kept). `language` defaults to the grammar for the URI's extension.
 */
export async function analyzeText(
  uri: string,
  text: string,
  language?: GrammarId,
  options: AnalyzeOptions = {},
): Promise<DocumentModel> {
  const result = await parseDocument(uri, text, language ?? languageOf(uri), options);
  result.tree.delete();
  return result.model;
}
