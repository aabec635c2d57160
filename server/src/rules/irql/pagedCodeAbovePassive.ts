/**
 * KMDF2002: pageable code in a function that may run at DISPATCH_LEVEL or above — `PAGED_CODE()` in its
 * body, or the function placed in a paged section — whether the level comes from the callbacks that
 * reach it or from a lock a caller holds around the call; and a pageable function that itself takes a
 * spin lock (or raises the IRQL), so its own code runs at DISPATCH_LEVEL while the lock is held. A page
 * fault at DISPATCH_LEVEL is a bug check.
 */
import type { FunctionModel } from '../../analysis/model';
import { levelRank } from '../../knowledge/irql';
import { describeChain, levelPhrase, type RaisedBy } from '../facts/irql';
import { fixesFor, passiveExecutionFix } from '../fixes/passiveExecution';
import { unpageEdits } from '../fixes/unpageFunction';
import type { QuickFix, RelatedLocation, Rule, RuleContext } from '../types';
import { irqlFacts, runsInUserMode } from '../facts/irqlContext';
import { meta, severityFor } from '../ruleMeta';
import { checkedFunctions } from '../findingsReuse';

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
      {
        title: 'Isolating pageable code',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/isolating-pageable-code',
      },
    ],
    mirrors: { codeAnalysis: [28118, 28121] },
    certainty:
      "Certain when the function runs at a known DISPATCH_LEVEL (a DPC, timer or completion routine, or reached from one, or called while a spin lock is held): reported at the rule's severity. " +
      'Possible when DISPATCH_LEVEL is only the upper bound: a warning for PAGED_CODE() in the callback itself (EvtIoStop, request handlers), information when the bound reaches the function through helpers, or when the lock is held on some paths only. ' +
      'A pageable function that takes a spin lock (or raises to DISPATCH_LEVEL) on every path to its release: certain when it is placed in a paged section, information when only PAGED_CODE() says it is pageable.',
  }),
  perFunction: true,
  readsCallerLevels: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    const facts = irqlFacts(ctx);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || (!fn.pagedCode.length && !fn.pagedSection)) continue;
      // Entered at DISPATCH_LEVEL already: its own locks add nothing to that finding.
      if (!reportReachedLevel(ctx, fn)) reportOwnRaise(ctx, fn);
    }

    /** PAGED_CODE() or the paged section of a function that is entered at DISPATCH_LEVEL or above. */
    function reportReachedLevel(ctx: RuleContext, fn: FunctionModel): boolean {
      // `_IRQL_limited_to_(PASSIVE_LEVEL)` before PAGED_CODE() is what Code Analysis reads there as well.
      const at = facts.levelAt(fn, { offset: fn.pagedCode[0]?.startOffset ?? fn.body?.startOffset ?? 0 }, 'APC_LEVEL');
      if (!at?.irql.max || levelRank(at.irql.max) < levelRank('DISPATCH_LEVEL')) return false;
      // The function's own locks are the other report; here only what it is entered at counts.
      if (at.raisedBy?.fn === fn.name) return false;
      const chain = describeChain(at, fn.name, ctx.document.uri);
      const what = fn.pagedCode.length
        ? 'calls PAGED_CODE()'
        : `is placed in the paged section ${fn.pagedSection!.section}`;
      // A callback whose role type allows DISPATCH_LEVEL (EvtIoStop, request handlers): Code Analysis and
      // Driver Verifier's PAGED_CODE assertion say the same, so a warning even though the level is a bound.
      // Only in the callback itself: through helpers the bound is weaker (DMF reaches its ReleaseHardware
      // handlers from a WDFDEVICE cleanup callback, which the framework calls at PASSIVE_LEVEL).
      const fromRoleType =
        at.certainty === 'possible' && at.root === fn.name && !at.raisedBy && ctx.roleOf(fn.name) !== undefined;
      const related: RelatedLocation[] = sectionRelated(ctx, fn);
      if (at.raisedBy) related.unshift(raisedRelated(at.raisedBy));
      ctx.report({
        message: `${fn.name} ${what} but can run at ${levelPhrase(at)}${chain ? ` (${chain})` : ''}; pageable code must run below DISPATCH_LEVEL.`,
        severity: fromRoleType ? 'warning' : severityFor(at.certainty),
        ...fixesFor(
          fromRoleType
            ? passiveExecutionFix(ctx, fn.name)
            : at.raisedBy && at.certainty === 'certain'
              ? residentFix(ctx, fn)
              : undefined,
        ),
        span: fn.pagedCode[0] ?? fn.nameSpan,
        function: fn.name,
        ...(related.length ? { related } : {}),
      });
      return true;
    }

    /** A pageable function that takes a spin lock or raises the IRQL itself: its code under the lock is paged. */
    function reportOwnRaise(ctx: RuleContext, fn: FunctionModel): void {
      // PAGED_CODE_LOCKED(): the section is locked into memory before the function runs, so it may spin.
      if (fn.pagedCode.some((p) => ctx.text.slice(p.startOffset, p.endOffset).includes('PAGED_CODE_LOCKED'))) return;
      const seen = new Set<number>();
      for (const call of fn.calls) {
        const raised = facts.raisedAtCall(fn, call);
        const r =
          raised.certain && levelRank(raised.certain.level) >= levelRank('DISPATCH_LEVEL')
            ? raised.certain
            : raised.possible && levelRank(raised.possible.level) >= levelRank('DISPATCH_LEVEL')
              ? raised.possible
              : undefined;
        if (!r || seen.has(r.by.call.span.startOffset)) continue;
        seen.add(r.by.call.span.startOffset);
        const pageable = fn.pagedSection
          ? `is placed in the paged section ${fn.pagedSection.section}`
          : 'calls PAGED_CODE(), which says it is pageable,';
        // Only a paged section makes the code pageable; PAGED_CODE() alone states the intent.
        const certain = r.certain && !!fn.pagedSection;
        const taken =
          r.by.kind === 'raise'
            ? `raises the IRQL here (${r.by.callText})`
            : `takes ${/^[aeiou]/.test(r.by.noun) ? 'an' : 'a'} ${r.by.noun} here (${r.by.callText}${r.by.note ? `; ${r.by.note}` : ''})`;
        ctx.report({
          message:
            `${fn.name} ${pageable} but ${taken}${r.certain ? '' : ' on some paths'}: until it is ${r.by.kind === 'raise' ? 'lowered' : 'released'} the function's own code runs at ${r.level}, ` +
            `and code that runs at DISPATCH_LEVEL or above must not be pageable (a page fault there is a bug check). ` +
            `Move the work done under it into a function that is not paged, or make ${fn.name} resident.`,
          severity: severityFor(certain ? 'certain' : 'possible'),
          span: r.by.call.calleeSpan,
          function: fn.name,
          related: [
            ...sectionRelated(ctx, fn),
            ...(fn.pagedCode[0]
              ? [{ uri: ctx.document.uri, span: fn.pagedCode[0], message: 'PAGED_CODE() here' }]
              : []),
          ],
          ...fixesFor(certain ? residentFix(ctx, fn) : undefined),
        });
      }
    }
  },
};

function sectionRelated(ctx: RuleContext, fn: FunctionModel): RelatedLocation[] {
  return fn.pagedSection
    ? [{ uri: ctx.document.uri, span: fn.pagedSection.span, message: `paged section ${fn.pagedSection.section}` }]
    : [];
}

function raisedRelated(by: RaisedBy): RelatedLocation {
  return {
    uri: by.uri,
    span: by.call.span,
    message: by.kind === 'raise' ? 'the IRQL is raised here' : `the ${by.noun} is taken here`,
  };
}

/** "Make F resident": take it out of its paged section (and drop its PAGED_CODE()). */
function residentFix(ctx: RuleContext, fn: FunctionModel): QuickFix | undefined {
  const edits = fn.pagedSection ? unpageEdits(ctx, fn) : undefined;
  return edits ? { title: `Make ${fn.name} resident (remove it from the paged section)`, edits } : undefined;
}
