/**
 * KMDF3001: an EvtIoStop that does nothing with the request it is given.
 */
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { HASTENS_COMPLETION, ROLE, STOP_ACTIONS } from '../facts/wdfNames';
import { bareArgument, isOpaqueCall, reachedCalls, registrationRelated, type ReachedCall } from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

export const ioStopIgnoresRequest: Rule = {
  meta: {
    id: 'KMDF3001',
    name: 'io-stop-ignores-request',
    title: 'EvtIoStop does nothing with its request',
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
      "Possible: doing nothing is allowed for a request that is sure to finish soon. Silent when the request goes to code the analysis cannot see, or when the callback stops the request's DMA transfer.",
    helpPage: rulePagePath('KMDF3001'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body || ctx.roleOf(fn.name) !== ROLE.ioStop) continue;
      const reached = reachedCalls(ctx, fn.name);
      if (reached.some((r) => STOP_ACTIONS.has(r.call.callee) || HASTENS_COMPLETION.has(r.call.callee))) continue;
      if (handsRequestToUnknownCode(ctx, reached)) continue;
      ctx.report({
        message:
          `EvtIoStop callback ${fn.name} never completes, requeues, acknowledges (WdfRequestStopAcknowledge) or cancels ` +
          `(WdfRequestCancelSentRequest) the request it is given, nor does any helper it calls. Doing nothing is a documented choice ` +
          `only for requests that are sure to finish quickly: the framework then waits for each such request before the device ` +
          `powers down or is removed, which can keep the system out of sleep or hibernation and, if the wait is long, ends in ` +
          `bug check 0x9F (DRIVER_POWER_STATE_FAILURE).`,
        span: fn.nameSpan,
        function: fn.name,
        related: registrationRelated(ctx, fn.name),
      });
    }
  },
};

/**
 * Whether a request parameter of a reached function goes to code we cannot see (a function-pointer
 * call, a library routine): that code may well acknowledge or complete it, so the rule says nothing.
 */
export function handsRequestToUnknownCode(ctx: RuleContext, reached: ReachedCall[]): boolean {
  return reached.some((r) => {
    if (!isOpaqueCall(ctx, r.call.callee)) return false;
    const requestParams = r.fn.params.filter((p) => p.type === 'WDFREQUEST').map((p) => p.name);
    return r.call.args.some((a) => requestParams.includes(bareArgument(a.text)));
  });
}
