/**
 * KMDF3003: in a driver that marks requests cancelable, an EvtIoStop that completes or acknowledges
 * its request without ever calling WdfRequestUnmarkCancelable.
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { COMPLETE, MARK_CANCELABLE, ROLE, STOP_ACKNOWLEDGE, UNMARK_CANCELABLE } from '../facts/wdfNames';
import { allDocuments, documentFunctionsWithRole, reachedCalls, reachedRelated } from '../facts/driverGraph';

export const ioStopCancelableNotUnmarked: Rule = {
  meta: {
    id: 'KMDF3003',
    name: 'io-stop-cancelable-not-unmarked',
    title: 'EvtIoStop completes or acknowledges a cancelable request without unmarking it',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_IO_QUEUE_IO_STOP',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
      },
      {
        title: 'WdfRequestUnmarkCancelable',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestunmarkcancelable',
      },
      { title: 'SDV rule EvtIoStopCancel' },
    ],
    mirrors: { sdv: ['EvtIoStopCancel'] },
    certainty:
      "Possible: the driver marks some request cancelable, but the analysis cannot tell whether this queue's requests are among them.",
    helpPage: rulePagePath('KMDF3003'),
  },
  check(ctx) {
    const stops = documentFunctionsWithRole(ctx, ROLE.ioStop).filter((f) => f.body);
    if (!stops.length) return;
    const mark = firstMarkCancelable(ctx);
    if (!mark) return;
    const finishing = new Set([...COMPLETE, STOP_ACKNOWLEDGE]);
    for (const fn of stops) {
      const reached = reachedCalls(ctx, fn.name);
      if (reached.some((r) => r.call.callee === UNMARK_CANCELABLE)) continue;
      const finish = reached.filter((r) => finishing.has(r.call.callee));
      if (!finish.length) continue;
      const at = finish.find((r) => r.uri === ctx.document.uri && r.fn === fn) ?? finish[0];
      const here = at.uri === ctx.document.uri && at.fn === fn;
      ctx.report({
        message:
          `EvtIoStop callback ${fn.name} calls ${at.call.callee} but never WdfRequestUnmarkCancelable, while this driver marks ` +
          `requests cancelable (${mark.callee} in ${mark.fn}). When the framework passes WdfRequestStopRequestCancelable in ` +
          `ActionFlags, the request must be unmarked first, and not finished at all if unmarking reports STATUS_CANCELLED ` +
          `(its cancel routine owns it then).`,
        span: here ? at.call.span : fn.nameSpan,
        function: fn.name,
        related: [
          ...(here ? [] : [reachedRelated(at, `${at.call.callee} is called`)]),
          { uri: mark.uri, span: mark.span, message: `a request is marked cancelable here (${mark.fn})` },
        ],
      });
    }
  },
};

/** The first WdfRequestMarkCancelable[Ex] call of the driver, if any. */
function firstMarkCancelable(ctx: Parameters<Rule['check']>[0]) {
  for (const doc of allDocuments(ctx)) {
    for (const fn of doc.functions) {
      const call = fn.calls.find((c) => MARK_CANCELABLE.has(c.callee));
      if (call) return { uri: doc.uri, span: call.span, callee: call.callee, fn: fn.name };
    }
  }
  return undefined;
}
