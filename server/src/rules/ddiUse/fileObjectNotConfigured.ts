/**
 * KMDF3037: WdfRequestGetFileObject in a driver that never calls WdfDeviceInitSetFileObjectConfig
 * (SDV FileObjectConfigured). Without that call the framework's file object class stays "not
 * required", it creates no framework file objects, and the method returns NULL for every request.
 * Decided over the whole driver (the project's files and the libraries it links): reported only
 * when the driver's device creation is in view and no init structure goes to code that could
 * configure file objects unseen (a class extension, a library outside the workspace).
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { allDocuments, bareArgument, definitionOf, isTraceCall } from '../facts/driverGraph';
import { carriesSdvRule } from '../facts/sdvRules';

const SDV_RULE = 'FileObjectConfigured';
const CONFIGURE = 'WdfDeviceInitSetFileObjectConfig';
/** Calls that create a device from an init structure, or allocate one the driver fills for a PDO or control device. */
const DEVICE_SETUP = /^(WdfDeviceCreate|WdfPdoInitAllocate|WdfControlDeviceInitAllocate)$/;

export const fileObjectNotConfigured: Rule = {
  meta: {
    id: 'KMDF3037',
    name: 'file-object-not-configured',
    title: 'WdfRequestGetFileObject in a driver that never configures file objects',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestGetFileObject',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestgetfileobject',
      },
      {
        title: 'WdfDeviceInitSetFileObjectConfig',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetfileobjectconfig',
      },
      { title: 'SDV rule FileObjectConfigured' },
    ],
    mirrors: { sdv: [SDV_RULE] },
    certainty:
      'Certain when the driver in view creates its devices and never calls WdfDeviceInitSetFileObjectConfig, and no init structure is handed to code outside the workspace. Silent for a library checked on its own (no device creation in view) and for a driver whose init structures go to a class extension or other unseen code.',
    helpPage: rulePagePath('KMDF3037'),
  },
  check(ctx) {
    if (ctx.target.framework !== 'KMDF') return;
    for (const fn of ctx.document.functions) {
      if (!fn.body) continue;
      for (const call of fn.calls) {
        if (call.callee === CONFIGURE || !carriesSdvRule(ctx, call.callee, SDV_RULE)) continue;
        if (!neverConfigured(ctx)) return;
        ctx.report({
          message:
            `${fn.name} calls ${call.callee}, but the driver never calls ${CONFIGURE}: without it the framework's file ` +
            `object class stays WdfFileObjectNotRequired, no framework file object is created for the driver's ` +
            `devices, and ${call.callee} returns NULL for every request. Call ${CONFIGURE} (with the ` +
            `WDF_FILEOBJECT_CLASS the driver needs) before WdfDeviceCreate, or keep the per-open state elsewhere.`,
          span: call.span,
          function: fn.name,
          references: referencesOf(ctx.index.get(call.callee)),
        });
      }
    }
  },
};

/**
 * Whether the driver's device setup is in view (some WdfDeviceCreate or init allocation), no
 * function calls WdfDeviceInitSetFileObjectConfig, and no init structure goes to code outside the
 * workspace. Once per workspace.
 */
function neverConfigured(ctx: RuleContext): boolean {
  const compute = (): boolean => {
    let setup = false;
    for (const doc of allDocuments(ctx))
      for (const fn of doc.functions) {
        if (!fn.body) continue;
        for (const call of fn.calls) {
          if (call.callee === CONFIGURE) return false;
          if (DEVICE_SETUP.test(call.callee)) setup = true;
        }
        if (initLeavesWorkspace(ctx, fn)) return false;
      }
    return setup;
  };
  return ctx.workspace ? ctx.workspace.derived(`KMDF3037:neverConfigured`, compute) : compute();
}

/** Whether `fn` hands an init structure (a PWDFDEVICE_INIT parameter, or the init it creates a device from) to code the workspace does not define. */
function initLeavesWorkspace(ctx: RuleContext, fn: FunctionModel): boolean {
  const inits = new Set(fn.params.filter((p) => /\bPWDFDEVICE_INIT\b/.test(p.type)).map((p) => p.name));
  for (const call of fn.calls) if (call.callee === 'WdfDeviceCreate') inits.add(bareArgument(call.args[0]?.text));
  if (!inits.size) return false;
  return fn.calls.some((call) => handsOver(ctx, call, inits));
}

/** A call of a routine outside the workspace (not a WDF method: a class extension's, a library's) with one of `inits` among its arguments. */
function handsOver(ctx: RuleContext, call: CallModel, inits: ReadonlySet<string>): boolean {
  if (!call.args.some((a) => inits.has(bareArgument(a.text)))) return false;
  if (/^(Wdf|WDF_)/.test(call.callee) || isTraceCall(call.callee)) return false;
  return !definitionOf(ctx, call.callee);
}
