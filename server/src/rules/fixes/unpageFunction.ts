/** Fix edits shared by the paging rules: taking a function out of its paged section. */
import type { FunctionModel } from '../../analysis/model';
import type { FixEdit, RuleContext } from '../types';
import { deleteLines, eolOf, lines } from './lineEdits';

/**
 * Edits that make `fn` resident: drop it from its `#pragma alloc_text(PAGE, …)` (the whole line when
 * it names only this function), remove its `__declspec(code_seg("PAGE"))` (or the macro standing for
 * it), or close the `code_seg("PAGE")` region around it; and remove its
 * `PAGED_CODE()` statements, which would otherwise assert in a function that is no longer paged.
 */
export function unpageEdits(ctx: RuleContext, fn: FunctionModel): FixEdit[] | undefined {
  const section = fn.pagedSection;
  if (!section) return undefined;
  const edits: FixEdit[] = [];
  const li = lines(ctx);
  const eol = eolOf(ctx.text);
  if (section.kind === 'alloc_text') {
    const pragma = ctx.document.pagedSections.find(
      (p) => p.kind === 'alloc_text' && p.span.startOffset === section.span.startOffset,
    );
    const names = pragma?.functions ?? [fn.name];
    if (names.length <= 1) edits.push(deleteLines(ctx, section.span));
    else {
      const text = ctx.text.slice(section.span.startOffset, section.span.endOffset);
      const rewritten = text.replace(new RegExp(`\\s*,\\s*${fn.name}\\b`), '');
      if (rewritten === text) return undefined;
      edits.push({ uri: ctx.document.uri, span: section.span, newText: rewritten });
    }
  } else if (section.kind === 'declspec') {
    edits.push(deleteLines(ctx, section.span));
  } else {
    const start = li.lineStart(fn.span.start.line);
    const endLine = fn.span.end.line + 1;
    const end = endLine < li.lineCount ? li.lineStart(endLine) : ctx.text.length;
    const tail = end === ctx.text.length && !ctx.text.endsWith('\n') ? eol : '';
    edits.push({ uri: ctx.document.uri, span: li.span(start, start), newText: `#pragma code_seg()${eol}` });
    edits.push({
      uri: ctx.document.uri,
      span: li.span(end, end),
      newText: `${tail}#pragma code_seg(${JSON.stringify(section.section)})${eol}`,
    });
  }
  for (const p of fn.pagedCode) edits.push(deleteLines(ctx, p));
  return edits;
}
