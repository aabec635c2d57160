/**
 * The C analysis layer: what features and rules import. Free of LSP types.
 *
 * - `analyzeText(uri, text, language?)`: the DocumentModel of a text.
 * - `DocumentStore` / `ParsedDocument`: trees per open document, incremental re-parsing.
 * - `WorkspaceModel`: cross-file tables (definitions, roles, registrations, call graph, prefix).
 * - `scanPaths(paths)`: analyse the C/C++ files under folders.
 */
export type * from './model';
export type { Annotation, BlankedSource } from '../syntax/sal';
export { analyzeText, languageOf, AnalysisError, DEFAULT_PARSE_TIMEOUT_MS, type AnalyzeOptions } from './parse';
export {
  defaultIsRegistrationCallee,
  defaultIsRoleType,
  defaultIsWdfStructType,
  structTypeName,
  type AnalysisOptions,
} from './build';
export { DocumentStore, ParsedDocument, type DocumentStoreOptions, type TextChange } from './document';
export {
  WorkspaceModel,
  callbackPrefixOf,
  type CallSite,
  type RoleSource,
  type LocatedFunction,
  type RegistrationLookup,
} from './workspace';
export {
  scanPaths,
  listSourceFiles,
  SOURCE_FILE,
  type ScanOptions,
  type ScanResult,
  type SkippedFile,
} from './folderScan';
export { findFunctionAt, enclosingFunction, identifierAt, type IdentifierAt } from './modelLookups';
export { identifierOffsets, occurrencesOf, type Occurrence, type OccurrenceKind } from './occurrences';
export { LineIndex, positionBefore, spanContainsPosition } from '../syntax/positions';
export { blankSource } from './prepass';
