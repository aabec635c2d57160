/**
 * Whether a function of the driver finishes the request it is handed on every path: completes it,
 * sends it and completes it where the send returned FALSE, or forwards (requeues) it and completes
 * it where the forward failed. Used by KMDF3021 to know that, after
 * `Helper(Request, …)`, the caller's request is gone. "Every path" is strict: a path that keeps,
 * forwards, or merely may send the request, or a body the path walk cannot describe, makes the
 * answer no.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { walkPaths, type FlowSite } from '../../analysis/paths';
import type { RuleContext } from '../types';
import { COMPLETE } from '../facts/wdfNames';
import { bareArgument, cacheScope, definitionOf } from '../facts/driverGraph';
import { resultVariable, sendSucceeded, type SendResult } from '../facts/requestSends';

/** How a helper finishes its request: only by completing it, or by completing or sending it. */
export type HelperFinish = 'completes' | 'finishes';

/** Methods that hand the request to a queue, returning NTSTATUS: on failure the request is still the driver's. */
const FORWARDS = new Set([
  'WdfRequestForwardToIoQueue',
  'WdfRequestForwardToParentDeviceIoQueue',
  'WdfDeviceEnqueueRequest',
  'WdfRequestRequeue',
]);

/** Helpers followed below the one called: a helper that finishes through another one. */
const MAX_DEPTH = 2;

interface State {
  own: 'held' | 'done' | 'sending' | 'forwarding' | 'lost';
  /** The send or forward whose result a test may still show (for a forward, `variable` is its status local). */
  send?: SendResult;
  sent?: boolean;
}

/** Summaries by helper and parameter, shared by the rules checking one document in one run. */
const summaries = new WeakMap<object, Map<string, HelperFinish | undefined>>();

/** Which argument of `call` is a plain request variable handed to a driver helper that finishes it, and how. */
export function finishingHelperCall(
  ctx: RuleContext,
  call: CallModel,
): { argument: string; how: HelperFinish } | undefined {
  if (COMPLETE.has(call.callee) || !/^[A-Za-z_]\w*$/.test(call.callee)) return undefined;
  const helper = definitionOf(ctx, call.callee)?.fn;
  if (!helper) return undefined;
  for (let i = 0; i < call.args.length; i++) {
    const argument = bareArgument(call.args[i].text);
    if (!/^[A-Za-z_]\w*$/.test(argument) || helper.params[i]?.type !== 'WDFREQUEST') continue;
    const how = helperFinishes(ctx, helper, i);
    if (how) return { argument, how };
  }
  return undefined;
}

/** Whether `fn` finishes its WDFREQUEST parameter `index` on every path, and how (see the module comment). */
export function helperFinishes(
  ctx: RuleContext,
  fn: FunctionModel,
  index: number,
  depth = 0,
): HelperFinish | undefined {
  const param = fn.params[index];
  if (!param || param.type !== 'WDFREQUEST' || !fn.body || depth > MAX_DEPTH) return undefined;
  let cache = summaries.get(cacheScope(ctx));
  if (!cache) summaries.set(cacheScope(ctx), (cache = new Map<string, HelperFinish | undefined>()));
  const key = `${fn.name}#${index}`;
  if (cache.has(key)) return cache.get(key);
  cache.set(key, undefined); // a recursive call while this one is summarised
  const result = summarise(ctx, fn, param.name, depth);
  cache.set(key, result);
  return result;
}

function summarise(ctx: RuleContext, fn: FunctionModel, param: string, depth: number): HelperFinish | undefined {
  const names = new Set([param]);
  const isRequest = (text: string | undefined) => names.has(bareArgument(text));
  const exits = walkPaths<State>(fn, {
    start: { own: 'held' },
    key: (s) => `${s.own}${s.sent ? '+' : ''}${s.send ? `@${s.send.call}=${s.send.variable ?? ''}` : ''}`,
    step(state, site) {
      if (state.own === 'done' || state.own === 'lost') return state;
      if (site.kind !== 'call') {
        const target = site.kind === 'init' ? site.variable : site.assignment.target;
        const value = site.kind === 'init' ? site.value : site.assignment.value;
        if (state.own === 'sending' && state.send && !state.send.variable) {
          const variable = resultVariable(site, state.send.call);
          if (variable) return { ...state, send: { ...state.send, variable } };
        }
        if (state.own === 'forwarding' && state.send && !state.send.variable) {
          const variable = statusVariable(site, state.send.call);
          if (variable) return { ...state, send: { ...state.send, variable } };
        }
        if (isRequest(value) && /^[A-Za-z_]\w*$/.test(target)) names.add(target);
        else if (names.has(target)) return { own: 'lost' }; // the variable now holds something else
        return state;
      }
      const call = site.call;
      if (COMPLETE.has(call.callee)) return isRequest(call.args[0]?.text) ? { own: 'done', sent: state.sent } : state;
      if (call.callee === 'WdfRequestSend' && isRequest(call.args[0]?.text))
        return { own: 'sending', send: { call: site.start }, sent: state.sent };
      if (FORWARDS.has(call.callee) && isRequest(call.args[0]?.text))
        return { own: 'forwarding', send: { call: site.start }, sent: state.sent };
      if (state.own !== 'held') return state;
      const helper = definitionOf(ctx, call.callee)?.fn;
      if (!helper || helper === fn) return state;
      for (let i = 0; i < call.args.length; i++) {
        if (!isRequest(call.args[i].text)) continue;
        const how = helperFinishes(ctx, helper, i, depth + 1);
        if (how) return { own: 'done', sent: state.sent || how === 'finishes' };
      }
      return state;
    },
    branch(state, test, holds) {
      if (state.own === 'forwarding' && state.send) {
        const tested =
          test.op === 'success' &&
          (test.call !== undefined ? test.call === state.send.call : test.variable === state.send.variable);
        if (!tested) return state;
        return holds !== test.negated ? { own: 'done', sent: true } : { own: 'held', sent: state.sent };
      }
      if (state.own !== 'sending' || !state.send) return state;
      const succeeded = sendSucceeded(test, holds, state.send);
      if (succeeded === undefined) return state;
      return succeeded ? { own: 'done', sent: true } : { own: 'held', sent: state.sent };
    },
  });
  if (!exits?.length) return undefined;
  // A forward's result the helper returns or never tests leaves the caller to decide: not finished.
  const states = exits.flatMap((e) => e.states);
  if (!states.length || !states.every((s) => s.own === 'done')) return undefined;
  return states.some((s) => s.sent) ? 'finishes' : 'completes';
}

/** The local a site stores the NTSTATUS of the call starting at `call` in (`status = WdfRequestForwardToIoQueue(…)`). */
function statusVariable(site: FlowSite, call: number): string | undefined {
  if (site.kind === 'assignment') {
    const a = site.assignment;
    return /^[A-Za-z_]\w*$/.test(a.target) && a.valueSpan.startOffset === call ? a.target : undefined;
  }
  if (site.kind === 'init') return site.start <= call && call < site.end ? site.variable : undefined;
  return undefined;
}
