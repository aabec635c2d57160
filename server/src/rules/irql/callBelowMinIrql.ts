/**
 * KMDF2010: a call to a function whose minimum IRQL is above the level the caller runs at — a
 * `KeAcquireSpinLockAtDpcLevel` (or another `…AtDpcLevel`/`…FromDpcLevel` routine, or a method or
 * helper annotated `_IRQL_requires_min_(DISPATCH_LEVEL)` / `_IRQL_requires_(DISPATCH_LEVEL)`) from a
 * function that runs at PASSIVE_LEVEL or APC_LEVEL, with nothing on any path to the call that raises
 * the IRQL (a spin lock, an interrupt lock, a KeRaiseIrql; a function whose paths cannot be walked
 * and that takes a lock or raises anywhere is left alone). Such a routine assumes the caller has
 * already raised: called lower, it skips the raise a spin lock needs, and the thread can be preempted
 * while it holds the lock.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { levelRank, normalizeLevel, type IrqlLevel } from '../../knowledge/irql';
import { kernelMinIrql } from '../../knowledge/kernelRoutines';
import { lookupOf } from '../facts/driverGraph';
import type { DriverLookup } from '../facts/driverLookup';
import { lockEffect, lockWalk } from '../facts/heldLocks';
import { describeChain, entryIrql } from '../facts/irql';
import { irqlFacts, runsInUserMode } from '../facts/irqlContext';
import { irqlEffect, raiseWalk } from '../facts/irqlRaises';
import { referencesOf } from '../findingReferences';
import { meta } from '../ruleMeta';
import type { Rule, RuleContext } from '../types';
import { checkedFunctions } from '../findingsReuse';

export const callBelowMinIrql: Rule = {
  meta: meta({
    id: 'KMDF2010',
    name: 'call-below-min-irql',
    title: 'Call to a function below its minimum IRQL',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'KeAcquireSpinLockAtDpcLevel',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel',
      },
      {
        title: 'IRQL annotations for drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/irql-annotations-for-drivers',
      },
      { title: 'Code Analysis warning C28120 (IRQL too low for the call)' },
    ],
    mirrors: { codeAnalysis: [28120] },
    certainty:
      "Certain when the caller's own role type or IRQL annotation keeps it at PASSIVE_LEVEL or APC_LEVEL (or its object runs at WdfExecutionLevelPassive) and no path to the call holds a spin lock or a raise: reported at the rule's severity. " +
      'When the low level comes only from the callbacks that reach a helper through the call graph, information. Any lock or raise on some path to the call, or a function whose paths cannot be walked, keeps the rule quiet.',
  }),
  perFunction: true,
  readsCallerLevels: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    const facts = irqlFacts(ctx);
    const lookup = lookupOf(ctx);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body) continue;
      let reached: ReturnType<typeof facts.irqlOf> | undefined;
      let known = false;
      for (const call of fn.calls) {
        const min = calleeMin(ctx, call.callee);
        if (!min) continue;
        if (!known) {
          reached = facts.irqlOf(fn.name);
          known = true;
        }
        const max = reached?.irql.max ? normalizeLevel(reached.irql.max) : undefined;
        if (!reached || !max || levelRank(max) >= levelRank(min.level)) continue;
        // A function that says it runs at the callee's minimum or above is right to call it: its own
        // callers are the ones to check.
        const ownMin = ownMinimum(ctx, fn.name);
        if (ownMin && levelRank(ownMin) >= levelRank(min.level)) continue;
        if (mayBeRaised(lookup, fn, call)) continue;
        // The level is the function's own (role type, annotation, ExecutionLevel) or only a helper's reach.
        const own = reached.root === fn.name && !reached.chain.length;
        const why = own
          ? facts.callbackLevel(fn.name) && !facts.ownLevel(fn.name)
            ? `${fn.name} runs at ${max}${facts.callbackLevel(fn.name)?.lowered ? ` (${facts.callbackLevel(fn.name)!.lowered})` : ctx.roleOf(fn.name) ? ` as ${ctx.roleOf(fn.name)}` : ''}`
            : `${fn.name} is annotated to run at ${max} or lower`
          : `${fn.name} runs at ${max} (${describeChain(reached, fn.name, ctx.document.uri)})`;
        ctx.report({
          message:
            `${call.callee} must be called at IRQL ≥ ${min.level}, but ${why}, and nothing raises the IRQL on the way to this call` +
            `${min.hint ? `: ${min.hint}` : ''}.`,
          severity: own ? 'warning' : 'info',
          span: call.calleeSpan,
          function: fn.name,
          ...(min.references ? { references: min.references } : {}),
        });
      }
    }
  },
};

/** The minimum (or exact) IRQL any declaration or definition of a driver function states. */
function ownMinimum(ctx: RuleContext, name: string): IrqlLevel | undefined {
  for (const f of ctx.workspace.functionsNamed(name)) {
    const level = normalizeLevel(f.fn.irql?.min) ?? normalizeLevel(f.fn.irql?.exact);
    if (level) return level;
  }
  return undefined;
}

/** The minimum IRQL of a callee above PASSIVE_LEVEL: a framework method, a kernel routine, or a helper's own SAL. */
function calleeMin(
  ctx: RuleContext,
  name: string,
): { level: IrqlLevel; hint?: string; references?: ReturnType<typeof referencesOf> } | undefined {
  const entry = ctx.index.get(name);
  const defined = ctx.workspace.functionsNamed(name);
  let level: IrqlLevel | undefined;
  let hint: string | undefined;
  let references: ReturnType<typeof referencesOf> | undefined;
  if (entry?.kind === 'method') {
    const irql = entryIrql(entry);
    level = normalizeLevel(irql?.min) ?? normalizeLevel(irql?.exact);
  } else if (!entry && defined.length) {
    for (const f of defined) {
      level = normalizeLevel(f.fn.irql?.min) ?? normalizeLevel(f.fn.irql?.exact);
      if (level) break;
    }
  } else if (!entry) {
    const kernel = kernelMinIrql(name);
    if (kernel) {
      level = kernel.level;
      hint = kernel.instead ? `call ${kernel.instead}, which raises the IRQL itself, instead` : undefined;
      references = [{ title: name, url: kernel.url }];
    }
  }
  if (!level || levelRank(level) <= levelRank('PASSIVE_LEVEL')) return undefined;
  // Read only for a callee that has a minimum (most calls have none: a list per call was garbage).
  if (entry?.kind === 'method') references = referencesOf(entry);
  return { level, ...(hint ? { hint } : {}), ...(references ? { references } : {}) };
}

/**
 * Whether something the function does may have raised the IRQL at `call`: a lock that raises, or a
 * raise, held on some path to it. A function that takes a lock or raises, and whose paths cannot be
 * walked, may have raised anywhere.
 */
function mayBeRaised(lookup: DriverLookup, fn: FunctionModel, call: CallModel): boolean {
  if (fn.calls.some((c) => lockEffect(lookup, fn, c) === 'acquire')) {
    const locks = lockWalk(lookup, fn);
    if (!locks || locks.before.get(call)?.some((state) => state.some((l) => l.spin || l.raises !== undefined)))
      return true;
  }
  if (fn.calls.some((c) => irqlEffect(lookup, c.callee) === 'raise')) {
    const raises = raiseWalk(lookup, fn);
    if (!raises || raises.before.get(call)?.some((state) => state.length > 0)) return true;
  }
  return false;
}
