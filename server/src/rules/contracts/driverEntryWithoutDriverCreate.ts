/**
 * KMDF3013: a DriverEntry that never reaches WdfDriverCreate, in a driver that uses WDF.
 */
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { ROLE } from '../facts/wdfNames';
import { allDocuments, isOpaqueCall, reachedCalls } from '../facts/driverGraph';

const DRIVER_CREATE = 'WdfDriverCreate';

export const driverEntryWithoutDriverCreate: Rule = {
  meta: {
    id: 'KMDF3013',
    name: 'driver-entry-without-driver-create',
    title: 'DriverEntry never calls WdfDriverCreate',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'WdfDriverCreate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdriver/nf-wdfdriver-wdfdrivercreate',
      },
      { title: 'SDV rule DriverCreate' },
    ],
    mirrors: { sdv: ['DriverCreate'] },
    certainty:
      'Certain: DriverEntry of a driver that uses WDF reaches no WdfDriverCreate, itself or through the functions it calls. Silent when the driver object goes to code the analysis cannot see.',
    helpPage: rulePagePath('KMDF3013'),
  },
  check(ctx) {
    for (const fn of ctx.document.functions) {
      if (!fn.body || (fn.name !== 'DriverEntry' && ctx.roleOf(fn.name) !== ROLE.driverEntry)) continue;
      if (!usesWdf(ctx)) return;
      const reached = reachedCalls(ctx, fn.name);
      if (reached.some((r) => r.call.callee === DRIVER_CREATE)) continue;
      // The driver object handed to code we cannot see (a library's init routine) may reach WdfDriverCreate there.
      const driverObject = fn.params.find((p) => /DRIVER_OBJECT/.test(p.type))?.name ?? fn.params[0]?.name;
      if (
        reached.some(
          (r) =>
            isOpaqueCall(ctx, r.call.callee) &&
            (r.fn !== fn || !driverObject || r.call.args.some((a) => a.text.includes(driverObject))),
        )
      )
        continue;
      ctx.report({
        message:
          `${fn.name} never calls WdfDriverCreate, directly or through the functions it calls. A WDF driver must create its ` +
          `framework driver object in DriverEntry before it calls any other framework method.`,
        span: fn.nameSpan,
        function: fn.name,
      });
    }
  },
};

/** Whether the driver calls any WDF method at all (a plain WDM DriverEntry is not our business). */
function usesWdf(ctx: RuleContext): boolean {
  return allDocuments(ctx).some((d) =>
    d.functions.some((f) => f.calls.some((c) => /^(Wdf[A-Z]|WDF_[A-Z])/.test(c.callee))),
  );
}
