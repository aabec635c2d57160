/**
 * KMDF3031: WdfRequestGetParameters on the request an EvtIoStop or EvtIoResume callback is handed
 * (SDV EvtIoStopGetParam / EvtIoResumeGetParam). Those callbacks see requests the driver still owns,
 * including ones it has sent to an I/O target: the IRP's current stack location is then the lower
 * driver's, so the parameters read are not the ones the request arrived with (and the framework's
 * verifier fails the call). Information: harmless for a driver that never sends its requests on.
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { chainText } from '../facts/driverGraph';
import { carriesSdvRule } from '../facts/sdvRules';
import { parameterIndexOf, roleParameterOrigin } from '../facts/roleParameters';
import { checkedFunctions } from '../findingsReuse';

const ROLES = [
  { roleType: 'EVT_WDF_IO_QUEUE_IO_STOP', roleName: 'EvtIoStop', sdvRule: 'EvtIoStopGetParam' },
  { roleType: 'EVT_WDF_IO_QUEUE_IO_RESUME', roleName: 'EvtIoResume', sdvRule: 'EvtIoResumeGetParam' },
];

export const ioStopGetParameters: Rule = {
  meta: {
    id: 'KMDF3031',
    name: 'io-stop-get-parameters',
    title: 'WdfRequestGetParameters on the request of EvtIoStop or EvtIoResume',
    defaultSeverity: 'info',
    documentation: [
      {
        title: 'WdfRequestGetParameters',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestgetparameters',
      },
      {
        title: 'EVT_WDF_IO_QUEUE_IO_STOP',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
      },
      { title: 'SDV rule EvtIoStopGetParam' },
      { title: 'SDV rule EvtIoResumeGetParam' },
    ],
    mirrors: { sdv: ['EvtIoStopGetParam', 'EvtIoResumeGetParam'] },
    certainty:
      'Certain about the call: the request is the one the EvtIoStop or EvtIoResume callback was handed (directly, or through a helper every call of which passes it on). Only possible about the harm, which needs the request to be at an I/O target, so the finding is information.',
    helpPage: rulePagePath('KMDF3031'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      for (const call of fn.calls) {
        const roles = ROLES.filter((r) => carriesSdvRule(ctx, call.callee, r.sdvRule));
        if (!roles.length) continue;
        const index = parameterIndexOf(fn, call.args[0]?.text);
        for (const role of roles) {
          const origin = roleParameterOrigin(ctx, fn.name, index, role.roleType, 'WDFREQUEST');
          if (!origin) continue;
          const where =
            origin.chain.length === 1
              ? `the ${role.roleName} callback ${fn.name}`
              : `${fn.name}, which only ever gets the request of the ${role.roleName} callback ${origin.callback} (${chainText(origin.chain)})`;
          ctx.report({
            message:
              `${call.callee} reads the parameters of ${call.args[0].text} in ${where}. ${role.roleName} is also called for requests ` +
              `the driver has sent to an I/O target, whose current stack location then belongs to the lower driver. ` +
              `Read the parameters when the request arrives and keep what is needed in its context.`,
            span: call.span,
            function: fn.name,
            references: referencesOf(ctx.index.get(call.callee)),
          });
        }
      }
    }
  },
};
