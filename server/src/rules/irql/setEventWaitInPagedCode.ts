/**
 * KMDF2006: `KeSetEvent(…, …, TRUE)` in pageable code. With Wait = TRUE the caller returns at
 * DISPATCH_LEVEL, ready to call a wait function; if the code after it is pageable, the next page fault
 * happens at DISPATCH_LEVEL.
 */
import type { Rule } from '../types';
import { lines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { runsInUserMode } from '../facts/irqlContext';
import { checkedFunctions } from '../findingsReuse';

export const setEventWaitInPagedCode: Rule = {
  meta: meta({
    id: 'KMDF2006',
    name: 'set-event-wait-in-paged-code',
    title: 'KeSetEvent with Wait = TRUE in pageable code',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'KeSetEvent function',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesetevent',
      },
    ],
    mirrors: { codeQL: ['KeSetEventPageable'] },
    certainty:
      'Certain: KeSetEvent with a literal TRUE as Wait, in a function placed in a paged section or calling PAGED_CODE().',
  }),
  perFunction: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || (!fn.pagedSection && !fn.pagedCode.length)) continue;
      for (const call of fn.calls) {
        if (call.callee !== 'KeSetEvent' || call.args.length !== 3 || call.args[2].text !== 'TRUE') continue;
        const arg = call.args[2];
        ctx.report({
          message: `${fn.name} is pageable but calls KeSetEvent with Wait = TRUE, which returns at DISPATCH_LEVEL; pass FALSE, or move the call and the wait that follows into resident code.`,
          span: arg.span,
          function: fn.name,
          fixes: [
            {
              title: 'Pass Wait = FALSE',
              preferred: true,
              edits: [
                {
                  uri: ctx.document.uri,
                  span: lines(ctx).span(arg.span.startOffset, arg.span.endOffset),
                  newText: 'FALSE',
                },
              ],
            },
          ],
        });
      }
    }
  },
};
