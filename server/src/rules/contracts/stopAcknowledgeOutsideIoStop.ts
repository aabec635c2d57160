/**
 * KMDF3004: WdfRequestStopAcknowledge called from somewhere other than an EvtIoStop callback (or a
 * helper only EvtIoStop callbacks reach).
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { ROLE, STOP_ACKNOWLEDGE } from '../facts/wdfNames';
import { chainText, roleDisplayName, rootsOf } from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

export const stopAcknowledgeOutsideIoStop: Rule = {
  meta: {
    id: 'KMDF3004',
    name: 'stop-acknowledge-outside-io-stop',
    title: 'WdfRequestStopAcknowledge outside an EvtIoStop callback',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'WdfRequestStopAcknowledge',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequeststopacknowledge',
      },
      { title: 'SDV rule StopAckWithinEvtIoStop' },
    ],
    mirrors: { sdv: ['StopAckWithinEvtIoStop'] },
    certainty:
      'Certain: every known way into the function is a callback other than EvtIoStop. Silent when any caller cannot be seen.',
    helpPage: rulePagePath('KMDF3004'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      const calls = fn.calls.filter((c) => c.callee === STOP_ACKNOWLEDGE);
      if (!calls.length) continue;
      const { roots, unknown } = rootsOf(ctx, fn.name);
      // Only when every way in is known and none is EvtIoStop: an unseen caller could be one.
      if (unknown || !roots.length || roots.some((r) => r.role === ROLE.ioStop)) continue;
      const root = roots[0];
      const where =
        root.name === fn.name
          ? `${fn.name}, which is an ${roleDisplayName(ctx, root.role)} callback`
          : `${fn.name}, which is reached only from ${roots.map((r) => `${r.name} (${roleDisplayName(ctx, r.role)})`).join(', ')} via ${chainText(root.chain)}`;
      for (const call of calls) {
        ctx.report({
          message: `WdfRequestStopAcknowledge is called from ${where}. The method acknowledges a stop the framework asked for, so it belongs in the queue's EvtIoStop callback (or a helper called from it).`,
          span: call.span,
          function: fn.name,
        });
      }
    }
  },
};
