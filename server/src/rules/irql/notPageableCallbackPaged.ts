/**
 * KMDF2003: a callback whose page says it must not (or should not) be pageable — EvtDeviceD0Entry,
 * EvtDeviceSelfManagedIoRestart, EvtDmaEnablerSelfManagedIoStart and others on the power-up path —
 * placed in a paged section. While the device powers up the paging device may itself be powering
 * up, so a page fault there can hang the system. Real drivers do this; the fix makes it resident.
 */
import type { Rule } from '../types';
import { meta } from '../ruleMeta';
import { referencesOf } from '../findingReferences';
import { runsInUserMode } from '../facts/irqlContext';
import { unpageEdits } from '../fixes/unpageFunction';
import { checkedFunctions } from '../findingsReuse';

export const notPageableCallbackPaged: Rule = {
  meta: meta({
    id: 'KMDF2003',
    name: 'not-pageable-callback-paged',
    title: 'Power-up path callback placed in a paged section',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_DEVICE_D0_ENTRY callback function',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nc-wdfdevice-evt_wdf_device_d0_entry',
      },
      {
        title: 'Making PnP and power management callbacks pageable',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/wdf/making-pnp-and-power-management-callbacks-pageable',
      },
    ],
    certainty:
      "Certain: the callback's role type is documented as one that must not (or should not) be pageable, and the definition is placed in a paged section.",
  }),
  perFunction: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.pagedSection) continue;
      const roleType = ctx.roleOf(fn.name);
      const entry = roleType ? ctx.index.get(roleType) : undefined;
      if (!entry || !entry.flags.some((f) => f.id === 'not-pageable')) continue;
      const edits = unpageEdits(ctx, fn);
      ctx.report({
        message: `${fn.name} is ${entry.name}, which should not be pageable (it runs on the power-up path, possibly before the paging device is back), but it is placed in the paged section ${fn.pagedSection.section}.`,
        span: fn.nameSpan,
        function: fn.name,
        related: [
          { uri: ctx.document.uri, span: fn.pagedSection.span, message: `placed in ${fn.pagedSection.section} here` },
        ],
        references: referencesOf(entry),
        ...(edits
          ? {
              fixes: [{ title: `Make ${fn.name} resident (remove it from the paged section)`, preferred: true, edits }],
            }
          : {}),
      });
    }
  },
};
