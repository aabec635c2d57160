/** Conversions between the analysis model (free of LSP types) and LSP shapes, and small text helpers. */
import type { Position as LspPosition, Range } from 'vscode-languageserver';
import type { Span } from '../analysis/model';
import { lineIndexOf } from '../syntax/positions';

/** The LSP range of a model span. */
export function toRange(span: Pick<Span, 'start' | 'end'>): Range {
  return {
    start: { line: span.start.line, character: span.start.character },
    end: { line: span.end.line, character: span.end.character },
  };
}

/** Offset of an LSP position in `text` (UTF-16 columns, clamped to the line; same line rules as the analysis layer). */
export function offsetAt(text: string, position: LspPosition): number {
  return lineIndexOf(text).offsetAt(position);
}

/** LSP position of an offset in `text`. */
export function positionAt(text: string, offset: number): LspPosition {
  return lineIndexOf(text).positionAt(offset);
}

/** Whether a model span contains an offset (end inclusive, so the cursor just after a name counts). */
export function spanContains(span: Pick<Span, 'startOffset' | 'endOffset'>, offset: number): boolean {
  return span.startOffset <= offset && offset <= span.endOffset;
}

/** The C identifier around `offset` (or ending at it), with its offsets. */
export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && /[A-Za-z0-9_]/.test(text[end])) end++;
  if (start === end || /[0-9]/.test(text[start])) return undefined;
  return { word: text.slice(start, end), start, end };
}

/** The line's indentation at an offset ("    ", "\t"). */
export function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The end-of-line sequence a document uses. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The indentation unit a document uses: a tab, or the smallest run of leading spaces (default four). */
export function indentUnitOf(text: string): string {
  let tabs = 0;
  let smallest = Infinity;
  for (const m of text.matchAll(/^([ \t]+)\S/gm)) {
    if (m[1].startsWith('\t')) tabs++;
    else smallest = Math.min(smallest, m[1].length);
  }
  if (tabs > 0 && smallest === Infinity) return '\t';
  return smallest >= 2 && smallest <= 8 ? ' '.repeat(smallest) : '    ';
}
