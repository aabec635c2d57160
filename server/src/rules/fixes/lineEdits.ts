/**
 * Positions and whole-line edits for quick fixes: the document's line index, a
 * point span, the indentation and line ending a fix must match, inserting and deleting lines.
 */
import type { Span } from '../../analysis/model';
import { LineIndex, lineIndexOf } from '../../syntax/positions';
import type { FixEdit, RuleContext } from '../types';

/** The line index of the context's text (lineIndexOf keeps the texts asked about last). */
export function lines(ctx: RuleContext): LineIndex {
  return lineIndexOf(ctx.text);
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
