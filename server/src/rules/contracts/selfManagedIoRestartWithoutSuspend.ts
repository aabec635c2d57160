/**
 * KMDF3007: EvtDeviceSelfManagedIoRestart registered without EvtDeviceSelfManagedIoSuspend. The
 * framework calls Restart only after Suspend (the index's 'called-only-after' fact), so a Restart
 * alone never runs and whatever it was meant to restart stays as it was.
 */
import { realRegistrations } from '../../analysis/helpers';
import type { RegistrationModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { ROLE } from './names';
import { siblingRegistrations } from './support';
import { fieldOf } from './stopAcknowledgeWithoutResume';

export const selfManagedIoRestartWithoutSuspend: Rule = {
  meta: {
    id: 'KMDF3007',
    name: 'self-managed-io-restart-without-suspend',
    title: 'EvtDeviceSelfManagedIoRestart registered without EvtDeviceSelfManagedIoSuspend',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nc-wdfdevice-evt_wdf_device_self_managed_io_restart',
      },
      {
        title: 'EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nc-wdfdevice-evt_wdf_device_self_managed_io_suspend',
      },
    ],
    certainty:
      'Certain for the config seen: the restart callback is registered on a config that has other callbacks but no suspend callback.',
    helpPage: rulePagePath('KMDF3007'),
  },
  check(ctx) {
    const restartField = fieldOf(ctx, ROLE.selfManagedIoRestart, 'EvtDeviceSelfManagedIoRestart');
    const prerequisite = prerequisiteField(ctx);
    for (const reg of realRegistrations(ctx.document)) {
      if (!isField(ctx, reg, ROLE.selfManagedIoRestart, restartField)) continue;
      const siblings = siblingRegistrations(ctx, { uri: ctx.document.uri, registration: reg });
      if (!siblings.length || siblings.some((s) => s.registration.field === prerequisite)) continue;
      ctx.report({
        message:
          `${reg.functionName} is registered as ${restartField} on ${reg.object}, but no ${prerequisite} is registered there. ` +
          `The framework calls ${restartField} only after it has called ${prerequisite}, so this callback will never run. ` +
          `Register a ${prerequisite} that pauses the self-managed I/O the restart callback resumes.`,
        span: reg.span,
        function: reg.inFunction,
      });
    }
  },
};

/** The callback Restart depends on: the 'called-only-after' flag's reference, as a config field name. */
function prerequisiteField(ctx: RuleContext): string {
  const ref = ctx.index.get(ROLE.selfManagedIoRestart)?.flags.find((f) => f.id === 'called-only-after')?.ref;
  if (!ref) return fieldOf(ctx, ROLE.selfManagedIoSuspend, 'EvtDeviceSelfManagedIoSuspend');
  // The reference is a role name ("EvtDeviceSelfManagedIoSuspend") or a role type.
  const roleType = ctx.index.get(ref)?.kind === 'callback' ? ref : ctx.index.byRole(ref)[0]?.name;
  return roleType ? fieldOf(ctx, roleType, ref) : ref;
}

/** Whether a registration puts a function in the config field of this role type. */
export function isField(ctx: RuleContext, reg: RegistrationModel, roleType: string, field: string): boolean {
  if (reg.kind !== 'field' || !reg.field || !reg.object) return false;
  const entry = ctx.index.callbackForField(reg.structType, reg.field);
  return entry ? entry.name === roleType : reg.field === field;
}
