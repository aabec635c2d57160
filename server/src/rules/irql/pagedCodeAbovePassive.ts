/**
 * KMDF2002: pageable code in a function that may run at DISPATCH_LEVEL or above — `PAGED_CODE()` in its
 * body, or the function placed in a paged section. A page fault at DISPATCH_LEVEL is a bug check.
 */
import { levelRank } from '../../knowledge/irql';
import { describeChain, levelPhrase } from '../facts/irql';
import { fixesFor, passiveExecutionFix } from '../fixes/passiveExecution';
import type { Rule } from '../types';
import { irqlFacts, runsInUserMode } from '../facts/irqlContext';
import { meta, severityFor } from '../ruleMeta';

export const pagedCodeAbovePassive: Rule = {
  meta: meta({
    id: 'KMDF2002',
    name: 'pageable-code-above-apc-level',
    title: 'Pageable code in a function that may run at DISPATCH_LEVEL or above',
    defaultSeverity: 'warning',
    documentation: [
      { title: 'PAGED_CODE macro', url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/paged_code' },
      {
        title: 'Making drivers pageable',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/making-drivers-pageable',
      },
    ],
    mirrors: { codeAnalysis: [28118, 28121] },
    certainty:
      "Certain when the function runs at a known DISPATCH_LEVEL (a DPC, timer or completion routine, or reached from one): reported at the rule's severity. " +
      'Possible when DISPATCH_LEVEL is only the upper bound: a warning for PAGED_CODE() in the callback itself (EvtIoStop, request handlers), information when the bound reaches the function through helpers.',
  }),
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    const facts = irqlFacts(ctx);
    for (const fn of ctx.document.functions) {
      if (!fn.isDefinition || (!fn.pagedCode.length && !fn.pagedSection)) continue;
      // `_IRQL_limited_to_(PASSIVE_LEVEL)` before PAGED_CODE() is what Code Analysis reads there as well.
      const at = facts.levelAt(fn, { offset: fn.pagedCode[0]?.startOffset ?? fn.body?.startOffset ?? 0 });
      if (!at?.irql.max || levelRank(at.irql.max) < levelRank('DISPATCH_LEVEL')) continue;
      const chain = describeChain(at, fn.name);
      const what = fn.pagedCode.length
        ? 'calls PAGED_CODE()'
        : `is placed in the paged section ${fn.pagedSection!.section}`;
      // A callback whose role type allows DISPATCH_LEVEL (EvtIoStop, request handlers): Code Analysis and
      // Driver Verifier's PAGED_CODE assertion say the same, so a warning even though the level is a bound.
      // Only in the callback itself: through helpers the bound is weaker (DMF reaches its ReleaseHardware
      // handlers from a WDFDEVICE cleanup callback, which the framework calls at PASSIVE_LEVEL).
      const fromRoleType =
        at.certainty === 'possible' && at.root === fn.name && !at.lock && ctx.roleOf(fn.name) !== undefined;
      ctx.report({
        message: `${fn.name} ${what} but can run at ${levelPhrase(at)}${chain ? ` (${chain})` : ''}; pageable code must run below DISPATCH_LEVEL.`,
        severity: fromRoleType ? 'warning' : severityFor(at.certainty),
        ...fixesFor(fromRoleType ? passiveExecutionFix(ctx, fn.name) : undefined),
        span: fn.pagedCode[0] ?? fn.nameSpan,
        function: fn.name,
        ...(fn.pagedSection
          ? {
              related: [
                {
                  uri: ctx.document.uri,
                  span: fn.pagedSection.span,
                  message: `paged section ${fn.pagedSection.section}`,
                },
              ],
            }
          : {}),
      });
    }
  },
};
