/**
 * KMDF2001: a call to a method (or a helper with its own IRQL annotation) whose maximum IRQL is below
 * the level the caller can run at — directly in a callback, or in a helper reached from one. The level
 * is "= X" when certain (DPC, timer, completion routine, a spin lock held) and "≤ X" when it is only
 * an upper bound (request handlers: the level depends on the sender). A bound that comes from a
 * callback's role type, over a framework method, is a warning (Code Analysis and SDV say the same);
 * a bound that comes only from a helper's own annotation, or over a helper of the driver, is
 * information, since a top-level driver's request handlers usually run at PASSIVE_LEVEL.
 * A method whose level depends on an argument (`_When_`) is held to the branch its arguments select,
 * else to its loosest branch. Besides the framework's methods, the well-known kernel routines of
 * knowledge/kernelRoutines.ts are held to their pages' levels (KeWaitForSingleObject with a NULL
 * timeout, the Zw registry and file routines, paged-pool allocations, …).
 */
import { levelRank, maxLevel, normalizeLevel } from '../../knowledge/irql';
import { describeChain, entryIrql, levelPhrase, raisedClause } from '../facts/irql';
import { callMaxIrql } from '../facts/conditionalIrql';
import { fixesFor, passiveExecutionFix } from '../fixes/passiveExecution';
import type { RelatedLocation, Rule } from '../types';
import { irqlFacts, runsInUserMode } from '../facts/irqlContext';
import { meta, severityFor } from '../ruleMeta';
import { referencesOf } from '../findingReferences';
import { kernelRoutine } from '../../knowledge/kernelRoutines';
import { checkedFunctions } from '../findingsReuse';

/**
 * EvtIoInCallerContext runs in the sender's thread at the sender's IRQL, which is PASSIVE_LEVEL when
 * the sender is a user-mode application. A user-mode buffer only exists for such a sender, so the
 * methods and routines that reach one (the unsafe-buffer methods are made for this callback and
 * fail outside it) run at PASSIVE_LEVEL there, whatever bound the role type gives.
 */
const IN_CALLER_CONTEXT = 'EVT_WDF_IO_IN_CALLER_CONTEXT';
const USER_BUFFER_METHODS = new Set([
  'WdfRequestRetrieveUnsafeUserInputBuffer',
  'WdfRequestRetrieveUnsafeUserOutputBuffer',
  'WdfRequestProbeAndLockUserBufferForRead',
  'WdfRequestProbeAndLockUserBufferForWrite',
]);

function touchesUserBuffer(callee: string, decidedBy: string | undefined): boolean {
  return USER_BUFFER_METHODS.has(callee) || /\bUserMode\b/.test(decidedBy ?? '');
}

export const callAboveMaxIrql: Rule = {
  meta: meta({
    id: 'KMDF2001',
    name: 'call-above-max-irql',
    title: 'Call to a function above its maximum IRQL',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'Managing hardware priorities (IRQL)',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/managing-hardware-priorities',
      },
      {
        title: 'Static Driver Verifier rules KmdfIrql, KmdfIrql2',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-kmdfirql',
      },
      { title: 'Code Analysis warning C28121 (IRQL too high for the call)' },
    ],
    mirrors: { codeAnalysis: [28118, 28121], sdv: ['KmdfIrql', 'KmdfIrql2'] },
    certainty:
      "Certain when the caller runs at a known level (a DPC, timer or completion routine, code under a spin lock): reported at the rule's severity. " +
      "Possible when the level is only an upper bound: a framework method reached from a callback whose role type allows DISPATCH_LEVEL is still a warning (Code Analysis C28118 and SDV KmdfIrql say the same; set ExecutionLevel to passive on the queue or object if the callback needs PASSIVE_LEVEL), information when that callback is pageable, since KMDF2002 warns at it for the same bound; a bound that comes only from a helper's own annotation, or a driver helper as the callee, is information. " +
      'In an #if branch the known defines leave open, or inside the arguments of a macro that may drop them (an assertion such as ASSERT or DmfAssert, or an upper-case macro whose definition is not known): information.',
  }),
  perFunction: true,
  readsCallerLevels: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    const facts = irqlFacts(ctx);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition) continue;
      for (const call of fn.calls) {
        // A framework method from the index; else a well-known kernel routine the driver does not define itself.
        // (The table is looked up first: most calls are the driver's own, and the workspace lookup costs more.)
        const indexed = ctx.index.get(call.callee);
        const routine = indexed ? undefined : kernelRoutine(call.callee);
        const entry = indexed ?? (routine && !ctx.workspace.functionsNamed(call.callee).length ? routine : undefined);
        let calleeMax: string | undefined;
        let calleeOwn = false;
        let decidedBy: string | undefined;
        if (entry && entry.kind === 'method') {
          const irql = entryIrql(entry);
          const forCall = callMaxIrql(entry, irql, call, maxLevel(irql));
          calleeMax = forCall?.max;
          decidedBy = forCall?.decidedBy;
        } else if (!entry) {
          const own = facts.ownLevel(call.callee);
          if (own && ctx.workspace.functionsNamed(call.callee).length) {
            calleeMax = own.level;
            calleeOwn = true;
          }
        }
        if (!calleeMax) continue;
        const at = facts.levelAtCall(fn, call, normalizeLevel(calleeMax));
        if (!at?.irql.max || levelRank(at.irql.max) <= levelRank(calleeMax)) continue;
        if (!at.raisedBy && touchesUserBuffer(call.callee, decidedBy) && ctx.roleOf(at.root) === IN_CALLER_CONTEXT)
          continue;
        const uri = ctx.document.uri;
        const chain = describeChain(at, fn.name, uri);
        const levelText = levelPhrase(at);
        // A lock held (or a raise) in this function, or in a caller on the way here, sets the level.
        const raised = at.raisedBy;
        const why =
          raised?.fn === fn.name
            ? `it is called ${raisedClause(raised, uri)}, ${at.certainty === 'certain' ? 'at' : 'so possibly at'} ${at.irql.max}`
            : chain
              ? `${fn.name} can run at ${levelText} (${chain})`
              : `${fn.name} runs at ${levelText}${facts.callbackLevel(fn.name)?.lowered ? '' : ctx.roleOf(fn.name) ? ` as ${ctx.roleOf(fn.name)}` : ` as its own IRQL annotation allows (${calleeOwn ? 'one of the two annotations is wrong' : 'the annotation promises callers more than this call allows'})`}`;
        const related: RelatedLocation[] = [];
        if (raised) {
          related.push({
            uri: raised.uri,
            span: raised.call.span,
            message: raised.kind === 'raise' ? 'the IRQL is raised here' : `the ${raised.noun} is taken here`,
          });
          let from = raised.fn;
          const i = raised.callee ? at.chain.lastIndexOf(raised.callee) : -1;
          for (const step of i >= 0 ? at.chain.slice(i) : []) {
            const caller = ctx.workspace.callers(step).find((c) => c.caller === from);
            if (caller)
              related.push({ uri: caller.uri, span: caller.call.calleeSpan, message: `${from} calls ${step}` });
            from = step;
          }
        } else if (at.root !== fn.name) {
          const root = ctx.workspace.definitions(at.root)[0];
          if (root) related.push({ uri: root.uri, span: root.fn.nameSpan, message: `${at.root} runs at ${levelText}` });
          let from = at.root;
          for (const step of at.chain) {
            const caller = ctx.workspace.callers(step).find((c) => c.caller === from);
            if (caller)
              related.push({ uri: caller.uri, span: caller.call.calleeSpan, message: `${from} calls ${step}` });
            from = step;
          }
        }
        // A framework method that needs PASSIVE_LEVEL, reached from a callback whose role type allows
        // DISPATCH_LEVEL and whose queue/object does not ask for passive execution: Code Analysis (C28118)
        // and SDV (KmdfIrql) report exactly this, so it is a warning even though the level is only a bound.
        const possibleFromCallback =
          at.certainty === 'possible' && !raised && !calleeOwn && ctx.roleOf(at.root) !== undefined;
        const registration = ctx.workspace.registrations(at.root)[0];
        if (!raised && registration)
          related.push({
            uri: registration.uri,
            span: registration.registration.span,
            message: `${at.root} is registered here`,
          });
        // A pageable callback is already KMDF2002's warning for this same bound (one cause, one warning):
        // each PASSIVE_LEVEL call in it, or in the helpers it reaches, is then information.
        const rootPageable =
          possibleFromCallback &&
          ctx.workspace.definitions(at.root).some((d) => d.fn.pagedCode.length > 0 || d.fn.pagedSection !== undefined);
        // Inside the arguments of a macro that may drop them (an assertion, compiled in debug builds only).
        const inMacro = call.inMacroArguments;
        ctx.report({
          message:
            `${call.callee}${decidedBy ? ` with ${decidedBy}` : ''} must be called at IRQL ≤ ${calleeMax}, but ${why}.` +
            (inMacro ? ` The call is inside ${inMacro}(…), which may not compile it in every build.` : '') +
            (rootPageable
              ? ` ${at.root} is pageable, so KMDF2002 reports this bound there; asking for passive execution settles both.`
              : ''),
          severity: inMacro || rootPageable ? 'info' : possibleFromCallback ? 'warning' : severityFor(at.certainty),
          span: call.calleeSpan,
          function: fn.name,
          related,
          ...fixesFor(possibleFromCallback ? passiveExecutionFix(ctx, at.root) : undefined),
          ...(calleeOwn ? {} : { references: referencesOf(entry) }),
        });
      }
    }
  },
};
