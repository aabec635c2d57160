/**
 * Who owns a request at a point of a function: what a call or assignment does to the request a
 * function was handed. The request rules (rules/requests/) walk a function's paths (analysis/paths.ts)
 * with `requestEffect` as the step; helpers of the driver that take the request are summarised
 * from their own calls and assignments, following the call graph.
 */
import type { FunctionModel } from '../../analysis/model';
import { declaredLocals, functionSites, type FlowSite } from '../../analysis/paths';
import type { RuleContext } from '../types';
import { BoundedSummaries, UNKNOWN } from './boundedSummaries';
import { bareArgument, definitionOf, isOpaqueCall, isTraceCall, MAX_HELPER_DEPTH } from './driverGraph';

/**
 * Methods after which the request is no longer the caller's to finish: completed, sent, forwarded
 * or requeued, kept by the framework for the driver (cancelable, in a collection, in a DMA transaction).
 */
export const FINISHING_METHODS = new Set([
  'WdfRequestComplete',
  'WdfRequestCompleteWithInformation',
  'WdfRequestCompleteWithPriorityBoost',
  'WdfRequestSend',
  'WdfRequestForwardToIoQueue',
  'WdfRequestForwardToParentDeviceIoQueue',
  'WdfDeviceEnqueueRequest',
  'WdfRequestRequeue',
  'WdfRequestStopAcknowledge',
  'WdfRequestMarkCancelable',
  'WdfRequestMarkCancelableEx',
  'WdfCollectionAdd',
  'WdfDmaTransactionInitializeUsingRequest',
]);

/** Kernel routines that store a pointer they are given (the request is kept somewhere shared). */
const STORING_ROUTINES =
  /^(InterlockedExchangePointer|InterlockedCompareExchangePointer|InterlockedExchange|InsertTailList|InsertHeadList|ExInterlockedInsertTailList|ExInterlockedInsertHeadList|PushEntryList|InterlockedPushEntrySList|ExInterlockedPushEntrySList|ExInterlockedPushEntryList)$/;

/** What a step does to the request: finishes or keeps it, sends it where we cannot see, or nothing. */
export type RequestEffect = 'finished' | 'escaped' | undefined;

/** The names that stand for the request in one function: the parameter, its local copies, its contexts. */
export interface RequestNames {
  /** The request and local variables holding it. */
  request: Set<string>;
  /** Locals holding something derived from it (its context, obtained from a call that takes it). */
  derived: Set<string>;
  /** Parameters and declared locals (an assignment to anything else stores into shared memory). */
  locals: Set<string>;
}

/** The names for `param` in `fn`. */
export function requestNames(fn: FunctionModel, param: string): RequestNames {
  const locals = fn.flow ? declaredLocals(fn.flow) : new Set<string>();
  for (const p of fn.params) locals.add(p.name);
  return { request: new Set([param]), derived: new Set(), locals };
}

/** Whether an expression is the request (`Request`, `(WDFREQUEST)Request`, `(PVOID)Request`). */
function isRequest(names: RequestNames, text: string | undefined): boolean {
  return names.request.has(bareArgument(text));
}

/** The variable an argument points into: `&ctx->Entry` → ctx, `ctx` → ctx. */
function rootOf(text: string): string {
  const m = /^&?\s*\(?\s*([A-Za-z_]\w*)/.exec(bareArgument(text));
  return m ? m[1] : '';
}

/**
 * What one site of a function does to the request. Updates `names` as locals take copies of the
 * request or its context (flow-insensitively: a name once a copy stays one).
 */
export function requestEffect(ctx: RuleContext, names: RequestNames, site: FlowSite, depth = 0): RequestEffect {
  if (site.kind === 'init' || site.kind === 'assignment') {
    const target = site.kind === 'init' ? site.variable : site.assignment.target;
    const value = site.kind === 'init' ? site.value : site.assignment.value;
    const isLocal = /^[A-Za-z_]\w*$/.test(target) && names.locals.has(target);
    if (isRequest(names, value)) {
      if (isLocal) names.request.add(target);
      else return 'finished'; // kept in a context, a global or a structure
      return undefined;
    }
    if (names.derived.has(bareArgument(value)) && !isLocal) return 'finished';
    // `reqContext = RequestGetContext(Request)`: what is kept through the context keeps the request.
    if (isLocal && [...names.request].some((r) => new RegExp(`\\(\\s*(\\([^()]*\\)\\s*)?${r}\\b`).test(value)))
      names.derived.add(target);
    return undefined;
  }
  const call = site.call;
  const passed = call.args.map((a, i) => ({
    i,
    request: isRequest(names, a.text),
    derived: names.derived.has(rootOf(a.text)),
  }));
  const takesRequest = passed.some((p) => p.request);
  if (FINISHING_METHODS.has(call.callee)) return takesRequest ? 'finished' : undefined;
  if (STORING_ROUTINES.test(call.callee)) return takesRequest || passed.some((p) => p.derived) ? 'finished' : undefined;
  if (!takesRequest || isTraceCall(call.callee)) return undefined;
  const helper = definitionOf(ctx, call.callee);
  if (helper) {
    let effect: RequestEffect;
    for (const p of passed) if (p.request) effect = worst(effect, helperEffect(ctx, helper.fn, p.i, depth + 1));
    return effect;
  }
  return isOpaqueCall(ctx, call.callee) ? 'escaped' : undefined;
}

const summaries = new WeakMap<RuleContext, BoundedSummaries<RequestEffect>>();

/**
 * What a driver helper may do with the request it receives as parameter `index`, from all its calls
 * and assignments (any path): finish or keep it, let it escape, or nothing. Deep chains (a recursion
 * is unfolded down to the bound like any chain) count as finishing it: the rules give the benefit of
 * the doubt. The answer depends on the helper and `depth` alone, not on which helper was asked
 * about first (boundedSummaries.ts).
 */
export function helperEffect(ctx: RuleContext, fn: FunctionModel, index: number, depth = 0): RequestEffect {
  const param = fn.params[index]?.name;
  if (!param || param === '...') return 'finished';
  let memo = summaries.get(ctx);
  // Calls are read down to depth MAX_HELPER_DEPTH (included).
  if (!memo) summaries.set(ctx, (memo = new BoundedSummaries(MAX_HELPER_DEPTH + 1)));
  const key = `${fn.name}#${index}`;
  const known = memo.lookup(key, depth);
  if (known !== UNKNOWN) return known;
  if (depth > MAX_HELPER_DEPTH) return memo.atBound(key, depth, 'finished');
  const outer = memo.begin(depth);
  const names = requestNames(fn, param);
  const sites = functionSites(fn);
  let effect: RequestEffect;
  for (const site of sites) {
    effect = worst(effect, requestEffect(ctx, names, site, depth));
    if (effect === 'finished') break;
  }
  return memo.end(key, depth, outer, effect);
}

/** The stronger of two effects: finished over escaped over nothing. */
function worst(a: RequestEffect, b: RequestEffect): RequestEffect {
  if (a === 'finished' || b === 'finished') return 'finished';
  return a ?? b;
}
