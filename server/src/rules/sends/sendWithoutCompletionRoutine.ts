/**
 * KMDF3027: a request sent asynchronously — neither WDF_REQUEST_SEND_OPTION_SYNCHRONOUS nor
 * WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET — on a path where no completion routine was set on it
 * first (SDV ReqCompletionRoutine). Checked for the requests whose whole history the function
 * shows: the one a request handler was presented, and one the function created. WdfRequestReuse
 * takes the routine away, as WdfRequestSetCompletionRoutine(request, NULL, …) does.
 */
import { walkPaths } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { ownsHistory } from '../facts/requestOrigin';
import { bareArgument } from '../facts/driverGraph';
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
  check(ctx) {
    for (const { fn, send, request, options } of requestSends(ctx)) {
      if (options.synchronous || options.sendAndForget || !ownsHistory(ctx, fn, request)) continue;
      checkSend(ctx, fn, send, request);
    }
  },
};

function checkSend(ctx: RuleContext, fn: FunctionModel, send: CallModel, request: string): void {
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
      return set || callPrepares(ctx, site.call, request, COMPLETION_ROUTINE_SET);
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
