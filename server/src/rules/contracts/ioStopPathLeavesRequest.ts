/**
 * KMDF3002: an EvtIoStop that returns early, before anything is done with the request, while its
 * other paths do handle it. Without statement structure in the model the check looks for the one
 * shape that needs none: a `return` written before every call that could touch the request.
 */
import type { CallModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { handsRequestToUnknownCode } from './ioStopIgnoresRequest';
import { ROLE, STOP_ACTIONS, UNMARK_CANCELABLE } from '../facts/wdfNames';
import {
  definitionOf,
  isOpaqueCall,
  isTraceCall,
  paramOfType,
  passes,
  reachedCalls,
  reaches,
  registrationRelated,
  returnsInOrder,
} from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

export const ioStopPathLeavesRequest: Rule = {
  meta: {
    id: 'KMDF3002',
    name: 'io-stop-path-leaves-request',
    title: 'A path through EvtIoStop leaves the request untouched',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_IO_QUEUE_IO_STOP',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
      },
      { title: 'SDV rule EvtIoStopCompleteOrStopAck' },
    ],
    mirrors: { sdv: ['EvtIoStopCompleteOrStopAck'] },
    certainty:
      'Possible: the early path may be taken only for requests that finish soon. Only the shape of a return written before every call that touches the request is looked for.',
    helpPage: rulePagePath('KMDF3002'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body || ctx.roleOf(fn.name) !== ROLE.ioStop) continue;
      const reached = reachedCalls(ctx, fn.name);
      // A stop routine that never handles its request is KMDF3001's finding, not this one.
      if (!reached.some((r) => STOP_ACTIONS.has(r.call.callee))) continue;
      if (handsRequestToUnknownCode(ctx, reached)) continue;
      const request = paramOfType(fn, 'WDFREQUEST');
      const handling = fn.calls.filter((c) => touchesRequest(ctx, c, request));
      if (!handling.length) continue;
      const firstHandling = Math.min(...handling.map((c) => c.span.startOffset));
      const early = returnsInOrder(fn).find((r) => r.span.endOffset <= firstHandling);
      if (!early) continue;
      const first = handling.find((c) => c.span.startOffset === firstHandling)!;
      ctx.report({
        message:
          `EvtIoStop callback ${fn.name} can return here before it does anything with its request: on this path the request is ` +
          `neither completed, requeued, acknowledged nor cancelled, while the later code (${first.callee}) shows the callback does ` +
          `handle it on other paths. The framework then waits for the request before the power-down or removal goes on; unless the ` +
          `request is certain to finish quickly this can stall sleep or removal and end in bug check 0x9F.`,
        span: early.span,
        function: fn.name,
        related: [
          { uri: ctx.document.uri, span: first.span, message: `${fn.name} handles the request here on another path` },
          ...registrationRelated(ctx, fn.name, 2),
        ],
      });
    }
  },
};

/** Whether a call of the stop routine itself may act on the request (directly, through a helper, or out of sight). */
function touchesRequest(ctx: RuleContext, call: CallModel, request: string | undefined): boolean {
  if (STOP_ACTIONS.has(call.callee) || call.callee === UNMARK_CANCELABLE) return true;
  if (isTraceCall(call.callee)) return false;
  if (
    definitionOf(ctx, call.callee) &&
    (reaches(ctx, call.callee, STOP_ACTIONS) || (request !== undefined && passes(call, request)))
  )
    return true;
  return request !== undefined && passes(call, request) && isOpaqueCall(ctx, call.callee);
}
