/**
 * KMDF3014: the same request marked cancelable twice on one path, with no
 * WdfRequestUnmarkCancelable in between. Path-sensitive: needs the model's branch outline.
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { MARK_CANCELABLE, UNMARK_CANCELABLE } from '../facts/wdfNames';
import { sequentialPairs } from '../facts/callOrder';
import { passes } from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

export const requestMarkedCancelableTwice: Rule = {
  meta: {
    id: 'KMDF3014',
    name: 'request-marked-cancelable-twice',
    title: 'Request marked cancelable twice',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'WdfRequestMarkCancelableEx',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestmarkcancelableex',
      },
      { title: 'SDV rule MarkCancOnCancReqLocal' },
    ],
    mirrors: { sdv: ['MarkCancOnCancReqLocal'] },
    certainty:
      'Certain: one path of a function marks the same request variable cancelable twice with no WdfRequestUnmarkCancelable in between.',
    helpPage: rulePagePath('KMDF3014'),
  },
  perFunction: true,
  readsOnlyItsFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      const pairs = sequentialPairs(
        fn,
        (c) => MARK_CANCELABLE.has(c.callee),
        (c, request) => c.callee === UNMARK_CANCELABLE && passes(c, request),
      );
      for (const { first, second, variable } of pairs) {
        ctx.report({
          message: `${fn.name} marks ${variable} cancelable again with ${second.callee} while it is still cancelable from the earlier ${first.callee}; call WdfRequestUnmarkCancelable in between, or mark it once.`,
          span: second.span,
          function: fn.name,
          related: [
            { uri: ctx.document.uri, span: first.span, message: `${variable} is first marked cancelable here` },
          ],
        });
      }
    }
  },
};
