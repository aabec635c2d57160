/**
 * KMDF3026: `WdfRequestSend` with WDF_REQUEST_SEND_OPTION_SYNCHRONOUS and no time-out anywhere
 * before it (neither the TIMEOUT flag, WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT nor `.Timeout =`), so
 * the sending thread waits for as long as the target takes.
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { sendOptions } from '../facts/requestSends';
import { checkedFunctions } from '../findingsReuse';

export const synchronousSendWithoutTimeout: Rule = {
  meta: {
    id: 'KMDF3026',
    name: 'synchronous-send-without-timeout',
    title: 'Synchronous WdfRequestSend without a time-out',
    defaultSeverity: 'info',
    documentation: [
      {
        title: 'WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdf_request_send_options_set_timeout',
      },
      {
        title: 'SDV rule SyncReqSend2',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-syncreqsend2',
      },
    ],
    mirrors: { sdv: ['SyncReqSend2'] },
    certainty:
      'Certain that no time-out is set: the options are a local of the function, initialised synchronous, and nothing sets a time-out on them before the send, on any path. Whether the wait can last is the target’s affair, so the finding is information.',
    helpPage: rulePagePath('KMDF3026'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition) continue;
      for (const send of fn.calls) {
        if (send.callee !== 'WdfRequestSend' || send.inMacroArguments) continue;
        const options = sendOptions(fn, send);
        if (!options?.synchronous || options.timeout || !options.variable) continue;
        ctx.report({
          message:
            `${fn.name} sends a request synchronously with no time-out in ${options.variable}: WdfRequestSend does not ` +
            `return until the target completes the request, so a target that stalls (hardware that stops answering, a ` +
            `device being removed) blocks this thread with it. Set one with ` +
            `WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(&${options.variable}, WDF_REL_TIMEOUT_IN_SEC(…)) before the send.`,
          span: send.calleeSpan,
          function: fn.name,
        });
      }
    }
  },
};
