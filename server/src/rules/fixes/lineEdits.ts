/**
 * Positions and whole-line edits for quick fixes: the document's line index (cached per model), a
 * point span, the indentation and line ending a fix must match, inserting and deleting lines.
 */
import type { Span } from '../../analysis/model';
import { LineIndex, lineIndexOf } from '../../syntax/positions';
import type { FixEdit, RuleContext } from '../types';

const lineIndexes = new WeakMap<object, LineIndex>();

/** A LineIndex for the context's text (cached per document model). */
export function lines(ctx: RuleContext): LineIndex {
  let li = lineIndexes.get(ctx.document);
  if (!li || li.text !== ctx.text) {
    li = lineIndexOf(ctx.text);
    lineIndexes.set(ctx.document, li);
  }
  return li;
}

/** A zero-length span at an offset. */
export function pointSpan(ctx: RuleContext, offset: number): Span {
  return lines(ctx).span(offset, offset);
}

/** The indentation of the line holding an offset. */
export function indentAt(ctx: RuleContext, offset: number): string {
  const start = lines(ctx).lineStart(lines(ctx).positionAt(offset).line);
  return /^[ \t]*/.exec(ctx.text.slice(start))?.[0] ?? '';
}

/** The line ending the document uses. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** An edit inserting whole lines before the line holding `offset`. */
export function insertLinesBefore(ctx: RuleContext, offset: number, linesText: string[]): FixEdit {
  const li = lines(ctx);
  const start = li.lineStart(li.positionAt(offset).line);
  const eol = eolOf(ctx.text);
  return { uri: ctx.document.uri, span: li.span(start, start), newText: linesText.join(eol) + eol };
}

/** An edit deleting the whole line(s) covering a span, when nothing else is on them; else just the span. */
export function deleteLines(ctx: RuleContext, span: Span): FixEdit {
  const li = lines(ctx);
  const start = li.lineStart(span.start.line);
  let end = span.endOffset;
  const before = ctx.text.slice(start, span.startOffset);
  const restMatch = /^[ \t;]*(\r\n|\n|\r|$)/.exec(ctx.text.slice(end));
  if (/^[ \t]*$/.test(before) && restMatch) {
    end += restMatch[0].length;
    return { uri: ctx.document.uri, span: li.span(start, end), newText: '' };
  }
  return { uri: ctx.document.uri, span, newText: '' };
}
