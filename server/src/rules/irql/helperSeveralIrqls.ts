/**
 * KMDF2007 (hint): a helper reached from callbacks at different IRQLs, with no IRQL annotation of its
 * own. Annotating it with the highest level lets Code Analysis check its body, and makes its contract
 * visible to whoever calls it next.
 */
import type { Rule } from '../types';
import { insertLinesBefore } from '../fixes/lineEdits';
import { irqlFacts, runsInUserMode } from '../facts/irqlContext';
import { meta } from '../ruleMeta';
import { checkedFunctions } from '../findingsReuse';

export const helperSeveralIrqls: Rule = {
  meta: meta({
    id: 'KMDF2007',
    name: 'helper-several-irqls',
    title: 'Helper called at several IRQLs without an IRQL annotation',
    defaultSeverity: 'hint',
    documentation: [
      {
        title: 'IRQL annotations for drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/irql-annotations-for-drivers',
      },
    ],
    certainty:
      'Certain about the levels, advice about the fix: a helper with no IRQL annotation and no role type is reached from callbacks at two or more different levels.',
  }),
  perFunction: true,
  readsCallerLevels: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    const facts = irqlFacts(ctx);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || facts.ownLevel(fn.name) || ctx.roleOf(fn.name)) continue;
      const levels = facts.levelsReaching(fn.name);
      if (levels.length < 2) continue;
      const highest = levels[0].irql.max!;
      ctx.report({
        message: `${fn.name} is reached at ${levels.map((l) => `${l.irql.max} (from ${[l.root, ...l.chain.slice(0, -1)].join(' → ')})`).join(' and at ')} but has no IRQL annotation; annotate it with _IRQL_requires_max_(${highest}).`,
        span: fn.nameSpan,
        function: fn.name,
        fixes: [
          {
            title: `Annotate ${fn.name} with _IRQL_requires_max_(${highest})`,
            preferred: true,
            edits: [insertLinesBefore(ctx, fn.span.startOffset, [`_IRQL_requires_max_(${highest})`])],
          },
        ],
      });
    }
  },
};
