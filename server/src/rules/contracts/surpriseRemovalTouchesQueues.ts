/**
 * KMDF3016: EvtDeviceSurpriseRemoval that stops, purges or drains queues, or completes requests.
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { COMPLETE, QUEUE_STATE_METHODS, ROLE } from '../facts/wdfNames';
import { documentFunctionsWithRole, reachedCalls, reachedRelated } from '../facts/driverGraph';

export const surpriseRemovalTouchesQueues: Rule = {
  meta: {
    id: 'KMDF3016',
    name: 'surprise-removal-touches-queues',
    title: 'Queues stopped or requests completed in EvtDeviceSurpriseRemoval',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_DEVICE_SURPRISE_REMOVAL',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nc-wdfdevice-evt_wdf_device_surprise_removal',
      },
      { title: 'SDV rule EvtSurpriseRemoveNoSuspendQueue' },
      { title: 'SDV rule EvtSurpriseRemoveNoRequestComplete' },
      { title: 'SDV rule NoCancelFromEvtSurpriseRemove' },
    ],
    mirrors: {
      sdv: ['EvtSurpriseRemoveNoSuspendQueue', 'EvtSurpriseRemoveNoRequestComplete', 'NoCancelFromEvtSurpriseRemove'],
    },
    certainty:
      "Certain about the call: EvtDeviceSurpriseRemoval, or a helper it calls, changes a queue's state or completes a request.",
    helpPage: rulePagePath('KMDF3016'),
  },
  check(ctx) {
    for (const fn of documentFunctionsWithRole(ctx, ROLE.surpriseRemoval)) {
      for (const r of reachedCalls(ctx, fn.name)) {
        const queue = QUEUE_STATE_METHODS.has(r.call.callee);
        if (!queue && !COMPLETE.has(r.call.callee)) continue;
        const here = r.fn === fn && r.uri === ctx.document.uri;
        const via = r.chain.length > 1 ? ` (through ${r.chain.slice(1).join(' → ')})` : '';
        ctx.report({
          message: queue
            ? `EvtDeviceSurpriseRemoval callback ${fn.name} calls ${r.call.callee}${via}. The framework stops and purges the device's ` +
              `queues itself as the removal goes on; changing queue state here races with it. Leave the queues to the framework ` +
              `(handle outstanding requests in EvtIoStop, or in EvtDeviceSelfManagedIoFlush for self-managed I/O).`
            : `EvtDeviceSurpriseRemoval callback ${fn.name} completes a request with ${r.call.callee}${via}. Requests still in the ` +
              `driver's queues are handed back through EvtIoStop or the queue purge during removal; completing them here as well ` +
              `can complete a request twice.`,
          span: here ? r.call.span : fn.nameSpan,
          function: fn.name,
          related: here ? undefined : [reachedRelated(r, `${r.call.callee} is called`)],
        });
      }
    }
  },
};
