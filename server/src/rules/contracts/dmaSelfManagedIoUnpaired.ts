/**
 * KMDF3008: a DMA enabler config with EvtDmaEnablerSelfManagedIoStart but no
 * EvtDmaEnablerSelfManagedIoStop, or the reverse.
 */
import { realRegistrations } from '../../analysis/modelLookups';
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { isField, siblingRegistrations } from '../facts/driverGraph';
import { fieldOf } from './stopAcknowledgeWithoutResume';

const START = 'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START';
const STOP = 'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP';

export const dmaSelfManagedIoUnpaired: Rule = {
  meta: {
    id: 'KMDF3008',
    name: 'dma-self-managed-io-unpaired',
    title: 'DMA enabler self-managed I/O start without stop, or stop without start',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmaenabler/nc-wdfdmaenabler-evt_wdf_dma_enabler_selfmanaged_io_start',
      },
      {
        title: 'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmaenabler/nc-wdfdmaenabler-evt_wdf_dma_enabler_selfmanaged_io_stop',
      },
      {
        title: 'WDF_DMA_ENABLER_CONFIG',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdmaenabler/ns-wdfdmaenabler-_wdf_dma_enabler_config',
      },
    ],
    certainty:
      'Certain for the config seen: one of the two DMA enabler self-managed I/O callbacks is registered without the other.',
    helpPage: rulePagePath('KMDF3008'),
  },
  check(ctx) {
    const startField = fieldOf(ctx, START, 'EvtDmaEnablerSelfManagedIoStart');
    const stopField = fieldOf(ctx, STOP, 'EvtDmaEnablerSelfManagedIoStop');
    for (const reg of realRegistrations(ctx.document)) {
      const isStart = isField(ctx, reg, START, startField);
      if (!isStart && !isField(ctx, reg, STOP, stopField)) continue;
      const [have, missing] = isStart ? [startField, stopField] : [stopField, startField];
      const siblings = siblingRegistrations(ctx, { uri: ctx.document.uri, registration: reg });
      if (siblings.some((s) => s.registration.field === missing)) continue;
      ctx.report({
        message:
          `${reg.functionName} is registered as ${have} on the DMA enabler config ${reg.object}, but no ${missing} is registered there. ` +
          `The two callbacks bracket the enabler's self-managed I/O across start-up, power changes and removal: ` +
          (isStart
            ? `whatever the start callback sets going is never stopped by the driver.`
            : `the stop callback undoes a start the driver never makes.`),
        span: reg.span,
        function: reg.inFunction,
      });
    }
  },
};
