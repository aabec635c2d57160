/**
 * KMDF2004: a function in a paged section whose `PAGED_CODE()` is missing, written more than once, or
 * placed after a conditional statement. As Code Analysis (C28170, C28171) has it, the macro belongs
 * between the opening brace and the first conditional statement: declarations with initialisers,
 * trace and assert macros and plain calls before it are the accepted idiom, but a branch before it
 * means some paths run without the check.
 */
import type { FunctionModel } from '../../analysis/model';
import type { FixEdit, Rule } from '../types';
import { deleteLines, indentAt, insertLinesBefore } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { runsInUserMode } from '../facts/irqlContext';
import { checkedFunctions } from '../findingsReuse';

export const pagedWithoutPagedCode: Rule = {
  meta: meta({
    id: 'KMDF2004',
    name: 'paged-function-paged-code',
    title: 'Paged function without PAGED_CODE() as its first statement',
    defaultSeverity: 'warning',
    documentation: [
      { title: 'PAGED_CODE macro', url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/paged_code' },
      { title: 'Code Analysis warnings C28170 (no PAGED_CODE in a paged function) and C28171 (more than one)' },
    ],
    mirrors: { codeAnalysis: [28170, 28171] },
    certainty:
      'Certain: the function is placed in a PAGE section and its body has no PAGED_CODE(), has it more than once, or has a conditional statement before it.',
  }),
  perFunction: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.pagedSection || !fn.body) continue;
      if (!/^PAGE/i.test(fn.pagedSection.section)) continue;
      const related = [
        { uri: ctx.document.uri, span: fn.pagedSection.span, message: `placed in ${fn.pagedSection.section} here` },
      ];
      const insertAt = ctx.text.indexOf('\n', fn.body.startOffset) + 1 || fn.body.startOffset + 1;
      const indent = insertAt < fn.body.endOffset ? indentAt(ctx, insertAt) || '    ' : '    ';
      if (!fn.pagedCode.length) {
        ctx.report({
          message: `${fn.name} is in the paged section ${fn.pagedSection.section} but does not call PAGED_CODE().`,
          span: fn.nameSpan,
          function: fn.name,
          related,
          fixes: [
            {
              title: 'Insert PAGED_CODE() as the first statement',
              preferred: true,
              edits: [insertLinesBefore(ctx, afterDeclarations(ctx, fn, insertAt), [`${indent}PAGED_CODE();`, ''])],
            },
          ],
        });
        continue;
      }
      if (fn.pagedCode.length > 1) {
        ctx.report({
          message: `${fn.name} calls PAGED_CODE() ${fn.pagedCode.length} times; once, as the first statement, is enough.`,
          span: fn.pagedCode[1],
          function: fn.name,
          related,
          fixes: [
            {
              title: 'Remove the extra PAGED_CODE() calls',
              preferred: true,
              edits: fn.pagedCode.slice(1).map((s) => deleteLines(ctx, s)),
            },
          ],
        });
      }
      const branch = fn.firstConditional;
      if (branch && branch.startOffset < fn.pagedCode[0].startOffset) {
        const first = fn.pagedCode[0];
        const edits: FixEdit[] = [
          deleteLines(ctx, first),
          insertLinesBefore(ctx, afterDeclarations(ctx, fn, insertAt), [`${indent}PAGED_CODE();`, '']),
        ];
        ctx.report({
          message: `${fn.name} calls PAGED_CODE() after a conditional statement, so some paths run without the check; put it before the first condition.`,
          span: first,
          function: fn.name,
          related: [...related, { uri: ctx.document.uri, span: branch, message: 'first conditional statement' }],
          fixes: [{ title: 'Move PAGED_CODE() to the start of the body', preferred: true, edits }],
        });
      }
    }
  },
};

/** Statements that generate no code and may come before PAGED_CODE() (the WDK samples put them first). */
const NO_CODE = new Set([
  'UNREFERENCED_PARAMETER',
  'UNREFERENCED_LOCAL_VARIABLE',
  'DBG_UNREFERENCED_PARAMETER',
  'DBG_UNREFERENCED_LOCAL_VARIABLE',
]);

/**
 * Where the first statement goes: after the leading local declarations (C drivers declare locals first,
 * and `pagedCodeFirst` counts only statements).
 */
function afterDeclarations(ctx: Parameters<Rule['check']>[0], fn: FunctionModel, fallback: number): number {
  const firstStatement = Math.min(
    ...fn.calls.filter((c) => !NO_CODE.has(c.callee) && c.callee !== 'PAGED_CODE').map((c) => c.span.startOffset),
    ...fn.assignments.map((a) => a.span.startOffset),
    ...fn.returns.map((r) => r.span.startOffset),
    fn.body!.endOffset,
  );
  // Back up to the start of that line, but keep declarations with initialisers (`NTSTATUS s = X();`) above.
  const lineStart = ctx.text.lastIndexOf('\n', firstStatement - 1) + 1;
  const lineText = ctx.text.slice(lineStart, firstStatement);
  if (/^\s*$/.test(lineText) && lineStart > fallback) return lineStart;
  return fallback;
}
