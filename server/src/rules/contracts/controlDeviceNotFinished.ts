/**
 * KMDF3012: a control device whose init structure is allocated (WdfControlDeviceInitAllocate) in a
 * driver that never calls WdfControlFinishInitializing.
 */
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { allDocuments } from '../facts/driverGraph';

const ALLOCATE = 'WdfControlDeviceInitAllocate';
const FINISH = 'WdfControlFinishInitializing';

export const controlDeviceNotFinished: Rule = {
  meta: {
    id: 'KMDF3012',
    name: 'control-device-not-finished',
    title: 'Control device never finished with WdfControlFinishInitializing',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfControlFinishInitializing',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfcontrol/nf-wdfcontrol-wdfcontrolfinishinitializing',
      },
      {
        title: 'WdfControlDeviceInitAllocate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfcontrol/nf-wdfcontrol-wdfcontroldeviceinitallocate',
      },
      { title: 'SDV rule CtlDeviceFinishInitDrEntry' },
      { title: 'SDV rule CtlDeviceFinishInitDeviceAdd' },
    ],
    mirrors: { sdv: ['CtlDeviceFinishInitDrEntry', 'CtlDeviceFinishInitDeviceAdd'] },
    certainty:
      'Certain when the whole driver is in the workspace: WdfControlDeviceInitAllocate is called and no file calls WdfControlFinishInitializing.',
    helpPage: rulePagePath('KMDF3012'),
  },
  check(ctx) {
    const allocations = ctx.document.functions.flatMap((fn) =>
      fn.calls.filter((c) => c.callee === ALLOCATE).map((call) => ({ fn, call })),
    );
    if (!allocations.length) return;
    // Driver-wide: the control device is often created in one helper and finished in its caller.
    const finished = allDocuments(ctx).some((d) => d.functions.some((f) => f.calls.some((c) => c.callee === FINISH)));
    if (finished) return;
    for (const { fn, call } of allocations) {
      ctx.report({
        message:
          `${fn.name} allocates a control device init structure, but the driver never calls ${FINISH}. Until that call the ` +
          `control device stays marked as initializing and I/O requests sent to it are not delivered; call it once WdfDeviceCreate has succeeded.`,
        span: call.span,
        function: fn.name,
      });
    }
  },
};
