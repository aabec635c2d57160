/**
 * KMDF3006: EvtIoResume (or EvtIoStop) registered on a queue whose config sets PowerManaged = WdfFalse.
 */
import { realRegistrations } from '../../analysis/modelLookups';
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { ROLE } from '../facts/wdfNames';
import { bareArgument } from '../facts/driverGraph';
import { fieldOf } from './stopAcknowledgeWithoutResume';

export const resumeOnNonPowerManagedQueue: Rule = {
  meta: {
    id: 'KMDF3006',
    name: 'stop-resume-on-non-power-managed-queue',
    title: 'EvtIoResume or EvtIoStop on a queue that is not power-managed',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_IO_QUEUE_IO_RESUME',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_resume',
      },
      {
        title: 'EVT_WDF_IO_QUEUE_IO_STOP',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
      },
      {
        title: 'WDF_IO_QUEUE_CONFIG',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/ns-wdfio-_wdf_io_queue_config',
      },
    ],
    certainty:
      'Certain about the configuration (PowerManaged = WdfFalse on the same config variable, in the same function). EvtIoResume never runs on such a queue; EvtIoStop still runs at removal, so that case is only information.',
    helpPage: rulePagePath('KMDF3006'),
  },
  check(ctx) {
    const resumeField = fieldOf(ctx, ROLE.ioResume, 'EvtIoResume');
    const stopField = fieldOf(ctx, ROLE.ioStop, 'EvtIoStop');
    for (const reg of realRegistrations(ctx.document)) {
      if (reg.kind !== 'field' || !reg.object || (reg.field !== resumeField && reg.field !== stopField)) continue;
      const owner = ctx.document.functions.find((f) => f.isDefinition && f.name === reg.inFunction);
      const powerOff = owner?.assignments.find(
        (a) => a.object === reg.object && a.field === 'PowerManaged' && bareArgument(a.value) === 'WdfFalse',
      );
      if (!powerOff) continue;
      const isResume = reg.field === resumeField;
      ctx.report({
        severity: isResume ? 'warning' : 'info',
        message: isResume
          ? `${reg.functionName} is registered as ${resumeField} on ${reg.object}, a queue that is not power-managed (PowerManaged = WdfFalse). ` +
            `EvtIoResume is meant for power-managed queues only: it follows a stop the framework makes when the device leaves D0, which never happens to this queue.`
          : `${reg.functionName} is registered as ${stopField} on ${reg.object}, a queue that is not power-managed (PowerManaged = WdfFalse). ` +
            `Leaving D0 does not stop this queue, so the callback will not run for power transitions; make the queue power-managed if it must stop then.`,
        span: reg.span,
        function: reg.inFunction,
        related: [
          { uri: ctx.document.uri, span: powerOff.span, message: `${reg.object} is made non-power-managed here` },
        ],
      });
    }
  },
};
