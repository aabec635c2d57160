/**
 * KMDF3027: a request sent asynchronously — neither WDF_REQUEST_SEND_OPTION_SYNCHRONOUS nor
 * WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET — on a path where no completion routine was set on it
 * first (SDV ReqCompletionRoutine). Checked for the requests whose whole history the function
 * shows: the one a request handler was presented, and one the function created. WdfRequestReuse
 * takes the routine away, as WdfRequestSetCompletionRoutine(request, NULL, …) does. Quiet when a
 * helper called first sets a routine on some request (it may reach this one through a context), and
 * for a handler the driver also calls itself from a function that sets one.
 */
import { walkPaths } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { ownsHistory } from '../facts/requestOrigin';
import { bareArgument } from '../facts/driverGraph';
import { MAX_HELPER_DEPTH } from '../facts/driverLookup';
import { callPrepares, COMPLETION_ROUTINE_SET, requestSends, reusesRequest } from '../facts/requestSends';

const SET_ROUTINE = 'WdfRequestSetCompletionRoutine';

export const sendWithoutCompletionRoutine: Rule = {
  meta: {
    id: 'KMDF3027',
    name: 'send-without-completion-routine',
    title: 'Request sent asynchronously with no completion routine set',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestSetCompletionRoutine',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestsetcompletionroutine',
      },
      {
        title: 'Completing I/O requests',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/wdf/completing-i-o-requests',
      },
      {
        title: 'SDV rule ReqCompletionRoutine',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-reqcompletionroutine',
      },
    ],
    mirrors: { sdv: ['ReqCompletionRoutine'] },
    certainty:
      'Certain when no path to the send sets a completion routine, for a request the handler was presented or the function created; where only some paths skip it, the finding is information. A helper or an unknown routine the request is handed to first counts as setting one.',
    helpPage: rulePagePath('KMDF3027'),
  },
  perFunction: true,
  check(ctx) {
    for (const { fn, send, request, options } of requestSends(ctx)) {
      if (options.synchronous || options.sendAndForget || !ownsHistory(ctx, fn, request)) continue;
      checkSend(ctx, fn, send, request);
    }
  },
};

function checkSend(ctx: RuleContext, fn: FunctionModel, send: CallModel, request: string): void {
  // A handler the driver also calls itself: a caller that sets a routine may have set it on this request.
  if (
    fn.params.some((p) => p.name === request) &&
    ctx.workspace.callers(fn.name).some((c) => setsRoutine(ctx, c.caller))
  )
    return;
  const arriving: boolean[] = [];
  walkPaths<boolean>(fn, {
    start: false,
    key: (set) => (set ? 's' : '-'),
    step(set, site) {
      if (site.kind !== 'call') return set;
      if (site.call === send) arriving.push(set);
      if (reusesRequest(site.call, request)) return false;
      // Set here, or taken away with NULL.
      if (site.call.callee === SET_ROUTINE && bareArgument(site.call.args[0]?.text) === request)
        return callPrepares(ctx, site.call, request, COMPLETION_ROUTINE_SET);
      // A helper that sets a routine on a request it reaches some other way (a context field) may set it on this one.
      return (
        set ||
        callPrepares(ctx, site.call, request, COMPLETION_ROUTINE_SET) ||
        (!site.call.callee.startsWith('Wdf') && setsRoutine(ctx, site.call.callee))
      );
    },
  });
  if (!arriving.length || arriving.every((s) => s)) return;
  const everyPath = arriving.every((s) => !s);
  const created = !fn.params.some((p) => p.name === request);
  ctx.report({
    severity: everyPath ? undefined : 'info',
    message:
      `${fn.name} sends ${request} asynchronously${everyPath ? '' : ' on a path'} with no completion routine set on it: ` +
      `when the target completes the request the framework has no routine of the driver to call, so the driver never ` +
      `learns the result and has no place to ${created ? `delete the request it created` : `complete the request it was presented`}. ` +
      `Call WdfRequestSetCompletionRoutine(${request}, …) before WdfRequestSend` +
      (created
        ? '.'
        : `, or send it with WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET if the driver has nothing to do when it completes.`),
    span: send.calleeSpan,
    function: fn.name,
  });
}

const routineSetters = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether a function of the driver sets a completion routine on some request (a non-NULL routine),
 * itself or through the helpers it calls.
 */
function setsRoutine(ctx: RuleContext, name: string, depth = 0): boolean {
  let cache = routineSetters.get(ctx.workspace);
  if (!cache) routineSetters.set(ctx.workspace, (cache = new Map<string, boolean>()));
  const known = cache.get(name);
  if (known !== undefined) return known;
  cache.set(name, false); // recursion
  const result =
    depth <= MAX_HELPER_DEPTH &&
    ctx.workspace
      .definitions(name)
      .some(({ fn }) =>
        fn.calls.some((c) =>
          c.callee === SET_ROUTINE
            ? !COMPLETION_ROUTINE_SET.undoes?.(c)
            : !c.callee.startsWith('Wdf') && ctx.workspace.isDefined(c.callee) && setsRoutine(ctx, c.callee, depth + 1),
        ),
      );
  cache.set(name, result);
  return result;
}
