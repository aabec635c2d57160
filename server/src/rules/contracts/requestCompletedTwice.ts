/**
 * KMDF3017: the same request completed twice on one path of a function. Path-sensitive: needs the
 * model's branch outline (see paths.ts).
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { COMPLETE } from '../facts/wdfNames';
import { sequentialPairs } from '../facts/callOrder';
import { checkedFunctions } from '../findingsReuse';

export const requestCompletedTwice: Rule = {
  meta: {
    id: 'KMDF3017',
    name: 'request-completed-twice',
    title: 'Request completed twice on one path',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'WdfRequestComplete',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestcomplete',
      },
      { title: 'SDV rule DoubleCompletion' },
      { title: 'SDV rule DoubleCompletionLocal' },
    ],
    mirrors: { sdv: ['DoubleCompletion', 'DoubleCompletionLocal'] },
    certainty: 'Certain: one path of a function completes the same request variable twice.',
    helpPage: rulePagePath('KMDF3017'),
  },
  perFunction: true,
  readsOnlyItsFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      for (const { first, second, variable } of sequentialPairs(
        fn,
        (c) => COMPLETE.has(c.callee),
        () => false,
      )) {
        ctx.report({
          message: `${fn.name} can complete ${variable} twice: ${second.callee} here runs on a path that already completed it with ${first.callee}. A completed request is gone; completing it again is a bug check.`,
          span: second.span,
          function: fn.name,
          related: [{ uri: ctx.document.uri, span: first.span, message: `${variable} is first completed here` }],
        });
      }
    }
  },
};
