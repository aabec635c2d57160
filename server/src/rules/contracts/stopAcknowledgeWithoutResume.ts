/**
 * KMDF3005: WdfRequestStopAcknowledge(…, FALSE) from an EvtIoStop whose queue has no EvtIoResume
 * (SDV EvtIoStopResume). A queue whose request handlers send their requests to an I/O target is left
 * alone: such a request is acknowledged while the target holds it and comes back through its
 * completion routine, with no resume needed (the WDK's USB samples are written this way).
 */
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { ROLE, STOP_ACKNOWLEDGE } from '../facts/wdfNames';
import {
  allRegistrations,
  bareArgument,
  functionsWithRole,
  reaches,
  registrationsOf,
  rootsOf,
  siblingRegistrations,
  type LocatedRegistration,
} from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

/** Handing a request to an I/O target: it returns through the completion routine, not EvtIoResume. */
const SENDS: ReadonlySet<string> = new Set(['WdfRequestSend']);

export const stopAcknowledgeWithoutResume: Rule = {
  meta: {
    id: 'KMDF3005',
    name: 'stop-acknowledge-without-resume',
    title: 'WdfRequestStopAcknowledge without requeue, but no EvtIoResume registered',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestStopAcknowledge',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequeststopacknowledge',
      },
      {
        title: 'EVT_WDF_IO_QUEUE_IO_RESUME',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_resume',
      },
      {
        title: 'SDV rule EvtIoStopResume',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-evtiostopresume',
      },
    ],
    mirrors: { sdv: ['EvtIoStopResume'] },
    certainty:
      "Possible: the queue of the stop callback, or the whole driver when that queue is not known, registers no EvtIoResume. Silent when the queue's request handlers send their requests to an I/O target.",
    helpPage: rulePagePath('KMDF3005'),
  },
  perFunction: true,
  check(ctx) {
    const resumeField = fieldOf(ctx, ROLE.ioResume, 'EvtIoResume');
    const stopField = fieldOf(ctx, ROLE.ioStop, 'EvtIoStop');
    for (const fn of checkedFunctions(ctx)) {
      for (const call of fn.calls) {
        if (call.callee !== STOP_ACKNOWLEDGE || call.args.length < 2) continue;
        const requeue = bareArgument(call.args[1].text);
        if (requeue !== 'FALSE' && requeue !== '0') continue;
        const stopRoutines =
          ctx.roleOf(fn.name) === ROLE.ioStop
            ? [fn.name]
            : rootsOf(ctx, fn.name)
                .roots.filter((r) => r.role === ROLE.ioStop)
                .map((r) => r.name);
        const queues = stopRoutines
          .flatMap((s) => registrationsOf(ctx, s))
          .filter((r) => r.registration.kind === 'field' && r.registration.field === stopField);
        let lacking: LocatedRegistration[];
        if (queues.length) {
          lacking = queues.filter((q) => {
            const siblings = siblingRegistrations(ctx, q);
            return (
              !siblings.some((s) => s.registration.field === resumeField) &&
              !siblings.some((s) => reaches(ctx, s.registration.functionName, SENDS))
            );
          });
          if (!lacking.length) continue;
        } else {
          // The queue is not known: any EvtIoResume in the driver may be the one, and any send may be its handlers'.
          if (
            functionsWithRole(ctx, ROLE.ioResume).length ||
            allRegistrations(ctx).some((r) => r.registration.field === resumeField)
          )
            continue;
          if (allRegistrations(ctx).some((r) => reaches(ctx, r.registration.functionName, SENDS))) continue;
          lacking = [];
        }
        const where = lacking.length
          ? `the queue configured in ${lacking[0].registration.inFunction ?? 'the driver'} (${lacking[0].registration.object}) registers no ${resumeField}`
          : `the driver registers no ${resumeField} callback`;
        ctx.report({
          message:
            `${fn.name} calls WdfRequestStopAcknowledge with Requeue FALSE, keeping the request for later, but ${where}. ` +
            `The framework hands such requests back through EvtIoResume when the device returns to D0; without one the request is never resumed. ` +
            `Register an EvtIoResume callback on the queue, or requeue the request (TRUE).`,
          span: call.span,
          function: fn.name,
          related: lacking.slice(0, 3).map((q) => ({
            uri: q.uri,
            span: q.registration.span,
            message: `${q.registration.functionName} is registered as ${stopField} here, without ${resumeField}`,
          })),
          fixes: [
            {
              title: 'Requeue the request instead (Requeue = TRUE)',
              edits: [{ uri: ctx.document.uri, span: call.args[1].span, newText: 'TRUE' }],
            },
          ],
        });
      }
    }
  },
};

/** The config field a role type is registered through, from the index; `fallback` when the index does not say. */
export function fieldOf(ctx: RuleContext, roleType: string, fallback: string): string {
  return ctx.index.primaryRegistration(roleType)?.field ?? fallback;
}
