/**
 * KMDF2005: `PAGED_CODE()` in a function that is not in any paged section. The function stays resident,
 * so the assertion only costs time — or the `#pragma alloc_text(PAGE, …)` was forgotten.
 */
import type { Rule } from '../types';
import { deleteLines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { runsInUserMode } from '../facts/irqlContext';
import { checkedFunctions } from '../findingsReuse';

export const pagedCodeOutsidePagedSection: Rule = {
  meta: meta({
    id: 'KMDF2005',
    name: 'paged-code-outside-paged-section',
    title: 'PAGED_CODE() in a function outside any paged section',
    defaultSeverity: 'info',
    documentation: [
      { title: 'PAGED_CODE macro', url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/paged_code' },
      { title: 'Code Analysis warning C28172 (PAGED_CODE in a function not in a paged segment)' },
    ],
    mirrors: { codeAnalysis: [28172] },
    certainty:
      'Certain: PAGED_CODE() in a function no alloc_text or code_seg pragma places in a paged section. Mostly harmless (the check only costs time), unless the pragma was forgotten.',
  }),
  perFunction: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    const eol = ctx.text.includes('\r\n') ? '\r\n' : '\n';
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || fn.pagedSection || !fn.pagedCode.length) continue;
      // Only C sources get an alloc_text fix: the pragma has to follow a declaration of the function.
      const fixes = [{ title: 'Remove PAGED_CODE()', edits: fn.pagedCode.map((s) => deleteLines(ctx, s)) }];
      const allocText = ctx.document.pagedSections.filter((p) => p.kind === 'alloc_text').pop();
      if (allocText) {
        fixes.unshift({
          title: `Place ${fn.name} in the PAGE section`,
          edits: [
            {
              uri: ctx.document.uri,
              span: { ...allocText.span, start: allocText.span.end, startOffset: allocText.span.endOffset },
              newText: `${eol}#pragma alloc_text(PAGE, ${fn.name})`,
            },
          ],
        });
      }
      ctx.report({
        message: `${fn.name} calls PAGED_CODE() but is not in a paged section (no #pragma alloc_text(PAGE, ${fn.name}) or code_seg("PAGE")).`,
        span: fn.pagedCode[0],
        function: fn.name,
        fixes,
      });
    }
  },
};
