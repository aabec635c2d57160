/**
 * KMDF3022: a callback assigned to a field of a local configuration or attributes structure that
 * never reaches the framework: the structure is passed to no call afterwards (never handed over, or
 * only before the assignment). The framework copies what it needs when the create or init call
 * runs; a field set later, or a structure never passed, registers nothing.
 */
import type { Rule } from '../types';
import { meta } from '../ruleMeta';

export const callbackNeverRegistered: Rule = {
  meta: meta({
    id: 'KMDF3022',
    name: 'callback-never-registered',
    title: 'Callback assigned to a structure that never reaches the framework',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfIoQueueCreate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuecreate',
      },
      {
        title: 'WdfDeviceInitSetPnpPowerEventCallbacks',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpnppowereventcallbacks',
      },
      {
        title: 'WDF_OBJECT_ATTRIBUTES',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfobject/ns-wdfobject-_wdf_object_attributes',
      },
    ],
    certainty:
      'Certain for the structure as written: a local WDF configuration or attributes structure gets the callback in a field and is not named by any call (other than its WDF_…_INIT and setter helpers), assignment or return after that point. Silent when the structure is a pointer, a global or a member of something else, or is named anywhere after the assignment.',
  }),
  check(ctx) {
    for (const r of ctx.document.registrations) {
      if (r.kind !== 'field' || !r.notHandedOver || !r.object || !r.field) continue;
      const where = `${r.object}.${r.field}`;
      if (r.notHandedOver === 'never') {
        ctx.report({
          message: `${r.functionName} is assigned to ${where}, but ${r.object} is never passed to the framework, so ${r.functionName} is never registered. Pass ${r.object} to the create or init call that reads it (instead of WDF_NO_OBJECT_ATTRIBUTES or NULL, for attributes).`,
          span: r.span,
          ...(r.inFunction ? { function: r.inFunction } : {}),
        });
        continue;
      }
      const handedTo = r.handedOverAt
        ? ctx.document.functions.flatMap((f) => f.calls).find((c) => c.span.startOffset === r.handedOverAt!.startOffset)
        : undefined;
      const callee = handedTo?.callee ?? 'the call that read it';
      ctx.report({
        message: `${r.functionName} is assigned to ${where} after ${r.object} was passed to ${callee}, which has already read the structure, so ${r.functionName} is never registered. Set ${r.field} before that call.`,
        span: r.span,
        ...(r.inFunction ? { function: r.inFunction } : {}),
        ...(r.handedOverAt
          ? { related: [{ uri: ctx.document.uri, span: r.handedOverAt, message: `${r.object} is handed over here` }] }
          : {}),
      });
    }
  },
};
