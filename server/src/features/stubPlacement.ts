/**
 * Where generated code goes in a document, and the edits that put it there. Shared by completion
 * ("new EvtIoStop callback…"), code actions ("Define …", "Declare …") and GenerateStubRequest.
 */
import type { TextEdit } from 'vscode-languageserver';
import type { DocumentModel } from '../analysis/model';
import type { IndexEntry } from '../knowledge/types';
import { generateStub, type Stub } from '../stubs/stub';
import { eolOf, indentUnitOf, positionAt } from '../util/lsp';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { functionAt } from '../session/projectView';

/** A stub written in the document's own line endings and indentation. */
export function stubForDocument(entry: IndexEntry, functionName: string, text: string, index: KnowledgeIndex): Stub {
  return generateStub(entry, functionName, { indent: indentUnitOf(text), eol: eolOf(text) }, (n) => index.get(n));
}

/** Offset of the start of the line holding `offset`. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

/** The `#pragma alloc_text` line(s), guarded by ALLOC_PRAGMA when the file already uses that guard. */
export function allocTextLines(stub: Stub, text: string, eol: string): string {
  if (!stub.allocText) return '';
  if (/#\s*ifdef\s+ALLOC_PRAGMA/.test(text)) return `#ifdef ALLOC_PRAGMA${eol}${stub.allocText}${eol}#endif${eol}`;
  return `${stub.allocText}${eol}`;
}

/**
 * Edits that add a stub for a new callback used at `offset`: the declaration (and alloc_text) on
 * the lines before the function containing `offset` — so the name is declared before it is
 * registered — and the definition at the end of the file. Outside any function, everything goes
 * at the end of the file.
 */
export function stubEdits(stub: Stub, text: string, model: DocumentModel, offset: number): TextEdit[] {
  const eol = eolOf(text);
  const edits: TextEdit[] = [];
  const enclosing = functionAt(model, offset);
  const end = positionAt(text, text.length);
  const tail = text.length === 0 || text.endsWith('\n') ? '' : eol;
  if (enclosing) {
    const at = positionAt(text, lineStart(text, enclosing.span.startOffset));
    edits.push({
      range: { start: at, end: at },
      newText: `${stub.declaration}${eol}${allocTextLines(stub, text, eol)}${eol}`,
    });
    edits.push({ range: { start: end, end }, newText: `${tail}${eol}${stub.definition}${eol}` });
  } else {
    edits.push({
      range: { start: end, end },
      newText: `${tail}${eol}${stub.declaration}${eol}${allocTextLines(stub, text, eol)}${eol}${stub.definition}${eol}`,
    });
  }
  return edits;
}

/** Edit inserting a definition at the end of the file. */
export function definitionAtEnd(stub: Stub, text: string): TextEdit {
  const eol = eolOf(text);
  const end = positionAt(text, text.length);
  const tail = text.length === 0 || text.endsWith('\n') ? '' : eol;
  return { range: { start: end, end }, newText: `${tail}${eol}${stub.definition}${eol}` };
}

/** Edit inserting lines before the line that holds `offset`. */
export function insertLinesBefore(text: string, offset: number, lines: string): TextEdit {
  const at = positionAt(text, lineStart(text, offset));
  return { range: { start: at, end: at }, newText: lines };
}
