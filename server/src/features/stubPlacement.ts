/**
 * Where generated code goes in a document, and the edits that put it there. Shared by completion
 * ("new EvtIoStop callback…"), code actions ("Define …", "Declare …") and GenerateStubRequest.
 */
import type { TextEdit } from 'vscode-languageserver';
import type { DocumentModel } from '../analysis/model';
import type { IndexEntry } from '../knowledge/types';
import { generateStub, type Stub } from '../stubs/stub';
import { eolOf, indentUnitOf, positionAt } from '../session/lsp';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { functionAt } from '../session/projectView';

/** A document's line ending and indentation unit (reading them is a pass over the whole text: once per request). */
export interface DocumentStyle {
  indent: string;
  eol: string;
}

export function documentStyleOf(text: string): DocumentStyle {
  return { indent: indentUnitOf(text), eol: eolOf(text) };
}

/** A stub written in the document's own line endings and indentation (`text`, or its style read once). */
export function stubForDocument(
  entry: IndexEntry,
  functionName: string,
  text: string | DocumentStyle,
  index: KnowledgeIndex,
): Stub {
  const style = typeof text === 'string' ? documentStyleOf(text) : text;
  return generateStub(entry, functionName, style, (n) => index.get(n));
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

/** A file a stub can be placed in: its current text and the model of that text. */
export interface PlacementFile {
  uri: string;
  text: string;
  model: DocumentModel;
}

/** Where a placed stub's edits go, and where to put the cursor afterwards (on the defined name). */
export interface StubPlacement {
  changes: Record<string, TextEdit[]>;
  reveal: { uri: string; position: { line: number; character: number } };
}

/** Offset just after the line holding `offset` (after its line break). */
function afterLineOf(text: string, offset: number): number {
  const next = text.indexOf('\n', offset);
  return next < 0 ? text.length : next + 1;
}

/**
 * Where new declarations go at the top of a file: after the leading comment, `#pragma once`,
 * `#include` and `#define` lines, before the first other code.
 */
export function topOfFile(text: string): number {
  let at = 0;
  let end = 0;
  let inComment = false;
  while (at < text.length) {
    const next = afterLineOf(text, at);
    const line = text.slice(at, next).trim();
    at = next;
    if (inComment) {
      if (line.includes('*/')) inComment = false;
      end = next;
    } else if (line.startsWith('/*')) {
      inComment = !line.includes('*/');
      end = next;
    } else if (line.startsWith('//') || /^#\s*(?:include|pragma\s+once|define|undef)\b/.test(line)) {
      end = next;
    } else if (line !== '') {
      break;
    }
  }
  return end;
}

/**
 * Edits that add a new callback the way the project is laid out: the role-type declaration after
 * the last role-type declaration of `declarationFile` (the header that already declares the driver's
 * callbacks; else the target file, after its role-type declarations or at its top); the
 * `alloc_text` line beside the file's other ones (else after the declaration, or at the top); the
 * definition after the function that registers the name in the target file, else at its end.
 */
export function placeStub(stub: Stub, target: PlacementFile, declarationFile?: PlacementFile): StubPlacement {
  const inserts = new Map<string, { offset: number; text: string }[]>();
  const insert = (file: PlacementFile, offset: number, text: string) => {
    const list = inserts.get(file.uri) ?? [];
    list.push({ offset, text });
    inserts.set(file.uri, list);
  };
  const eol = eolOf(target.text);
  const declFile = declarationFile ?? target;
  const declEol = eolOf(declFile.text);
  const lastDecl = [...declFile.model.roleDecls].sort((a, b) => a.span.endOffset - b.span.endOffset).pop();
  const declAt = lastDecl ? afterLineOf(declFile.text, lastDecl.span.endOffset) : topOfFile(declFile.text);
  const declText = lastDecl ? `${stub.declaration}${declEol}` : `${declEol}${stub.declaration}${declEol}`;
  insert(declFile, declAt, declText);

  if (stub.allocText) {
    const lastAlloc = target.model.pagedSections
      .filter((s) => s.kind === 'alloc_text')
      .sort((a, b) => a.span.endOffset - b.span.endOffset)
      .pop();
    if (lastAlloc) insert(target, afterLineOf(target.text, lastAlloc.span.endOffset), `${stub.allocText}${eol}`);
    else if (declFile === target) insert(target, declAt, allocTextLines(stub, target.text, eol));
    else insert(target, topOfFile(target.text), `${eol}${allocTextLines(stub, target.text, eol)}`);
  }

  const registering = target.model.registrations
    .filter((r) => r.functionName === stub.functionName && r.inFunction)
    .map((r) => target.model.functions.find((f) => f.isDefinition && f.name === r.inFunction))
    .find((f) => f !== undefined);
  const defAt = registering ? afterLineOf(target.text, registering.span.endOffset) : target.text.length;
  const tail = defAt === target.text.length && target.text.length > 0 && !target.text.endsWith('\n') ? eol : '';
  const definitionText = `${tail}${eol}${stub.definition}${eol}`;
  insert(target, defAt, definitionText);

  const changes: Record<string, TextEdit[]> = {};
  for (const [uri, list] of inserts) {
    const text = uri === target.uri ? target.text : declFile.text;
    // Inserts at one offset become one edit, in the order they were made.
    const merged = new Map<number, string>();
    for (const i of list) merged.set(i.offset, (merged.get(i.offset) ?? '') + i.text);
    changes[uri] = [...merged]
      .sort((a, b) => a[0] - b[0])
      .map(([offset, newText]) => {
        const at = positionAt(text, offset);
        return { range: { start: at, end: at }, newText };
      });
  }
  // The cursor goes on the name in the new definition: its offset in the target's text after the edits.
  const before = (inserts.get(target.uri) ?? [])
    .filter((i) => i.offset < defAt || (i.offset === defAt && i.text !== definitionText))
    .reduce((sum, i) => sum + i.text.length, 0);
  const nameInDefinition = definitionText.indexOf(`${stub.functionName}(`);
  const edited = applyInserts(target.text, inserts.get(target.uri) ?? []);
  return {
    changes,
    reveal: { uri: target.uri, position: positionAt(edited, defAt + before + nameInDefinition) },
  };
}

/** The text after inserting `inserts` (same-offset inserts in the order given). */
function applyInserts(text: string, inserts: { offset: number; text: string }[]): string {
  const sorted = inserts.map((i, order) => ({ ...i, order })).sort((a, b) => a.offset - b.offset || a.order - b.order);
  let out = '';
  let at = 0;
  for (const i of sorted) {
    out += text.slice(at, i.offset) + i.text;
    at = i.offset;
  }
  return out + text.slice(at);
}
