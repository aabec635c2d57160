/**
 * KMDF3015: WdfIoQueue…Synchronously called from a request handler (EvtIoRead, EvtIoWrite, …) or a
 * helper only request handlers reach. The call waits for requests to finish, including the one the
 * handler is holding, so it can wait forever.
 */
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { REQUEST_HANDLER_ROLES, SYNCHRONOUS_QUEUE_METHODS } from '../facts/wdfNames';
import { chainText, roleDisplayName, rootsOf } from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

export const synchronousQueueCallInRequestHandler: Rule = {
  meta: {
    id: 'KMDF3015',
    name: 'synchronous-queue-call-in-request-handler',
    title: 'WdfIoQueue…Synchronously called from a request handler',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'WdfIoQueueStopSynchronously',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuestopsynchronously',
      },
      {
        title: 'WdfIoQueuePurgeSynchronously',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuepurgesynchronously',
      },
      {
        title: 'WdfIoQueueDrainSynchronously',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuedrainsynchronously',
      },
    ],
    certainty:
      'Certain: every known way into the function is a request handler. Silent when a helper is also reached from other callbacks or from a caller that cannot be seen.',
    helpPage: rulePagePath('KMDF3015'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      const calls = fn.calls.filter((c) => c.callee in SYNCHRONOUS_QUEUE_METHODS);
      if (!calls.length) continue;
      const { roots, unknown } = rootsOf(ctx, fn.name);
      if (!roots.length) continue;
      for (const call of calls) {
        const forbidden = forbiddenCallers(ctx, call.callee);
        const handlerRoots = roots.filter((r) => forbidden.has(roleDisplayName(ctx, r.role)));
        // Every known way in must be a request handler: a helper shared with PnP code may be guarded.
        if (!handlerRoots.length || handlerRoots.length !== roots.length || (unknown && roots[0].name !== fn.name))
          continue;
        const root = handlerRoots[0];
        const where =
          root.name === fn.name
            ? `the ${roleDisplayName(ctx, root.role)} callback ${fn.name}`
            : `${fn.name}, reached from the ${roleDisplayName(ctx, root.role)} callback ${root.name} (${chainText(root.chain)})`;
        const asynchronous = SYNCHRONOUS_QUEUE_METHODS[call.callee];
        const queue = call.args[0]?.text;
        ctx.report({
          message:
            `${call.callee} is called from ${where}. It must not be called from a request handler: it waits until the queue's ` +
            `requests are finished, and the handler is still holding one. Use ${asynchronous} with a completion callback instead.`,
          span: call.span,
          function: fn.name,
          fixes: queue
            ? [
                {
                  title: `Use ${asynchronous}(${queue}, NULL, NULL)`,
                  edits: [{ uri: ctx.document.uri, span: call.span, newText: `${asynchronous}(${queue}, NULL, NULL)` }],
                },
              ]
            : undefined,
        });
      }
    }
  },
};

/** Role names a method must not be called from: the index's 'do-not-call-from' facts, else the documented request handlers. */
function forbiddenCallers(ctx: RuleContext, method: string): Set<string> {
  const refs = (ctx.index.get(method)?.flags ?? [])
    .filter((f) => f.id === 'do-not-call-from' && f.ref)
    .map((f) => roleDisplayName(ctx, f.ref!));
  return new Set([...REQUEST_HANDLER_ROLES, ...refs]);
}
