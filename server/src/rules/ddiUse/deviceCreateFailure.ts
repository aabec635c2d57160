/**
 * KMDF3032: what follows a failed WdfDeviceCreate (SDV DeviceCreateFail). On the paths where the
 * status it returned was tested and found a failure, the device handle it was to fill (which the
 * framework sets to NULL) is passed to a call (a warning), or the function returns STATUS_SUCCESS for
 * the device an EvtDriverDeviceAdd is creating (information: the framework accepts a device add that
 * creates no device, so the failure is only lost, not tripped over).
 */
import type { CallModel, FunctionModel, ReturnModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { bareArgument, chainText } from '../facts/driverGraph';
import { DEVICE_CREATE } from '../facts/wdfNames';
import { parameterIndexOf, roleParameterOrigin } from '../facts/roleParameters';
import { failedCreatePaths, IDENTIFIER, statusLocalOf, type CreatePathState } from '../facts/failedCreatePaths';
import { checkedFunctions } from '../findingsReuse';

export const deviceCreateFailure: Rule = {
  meta: {
    id: 'KMDF3032',
    name: 'device-create-failure-ignored',
    title: 'Device handle used, or success returned, after WdfDeviceCreate failed',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfDeviceCreate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicecreate',
      },
      {
        title: 'EVT_WDF_DRIVER_DEVICE_ADD',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdriver/nc-wdfdriver-evt_wdf_driver_device_add',
      },
      { title: 'SDV rule DeviceCreateFail' },
    ],
    mirrors: { sdv: ['DeviceCreateFail'] },
    certainty:
      'Certain on the paths reported: the status WdfDeviceCreate returned was tested there (`NT_SUCCESS`, `== STATUS_SUCCESS`) and found a failure, and nothing gave the device local another value. Using the NULL handle is a warning; returning STATUS_SUCCESS, reported only for the device an EvtDriverDeviceAdd creates from its own DeviceInit, is information, because the framework accepts a device add that creates no device.',
    helpPage: rulePagePath('KMDF3032'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body || !fn.flow) continue;
      for (const create of fn.calls.filter((c) => c.callee === DEVICE_CREATE)) {
        const statusVar = statusLocalOf(fn, create);
        const deviceVar = bareArgument(create.args[2]?.text);
        if (!statusVar || !IDENTIFIER.test(deviceVar)) continue;
        checkCreate(ctx, fn, create, statusVar, deviceVar);
      }
    }
  },
};

function checkCreate(ctx: RuleContext, fn: FunctionModel, create: CallModel, statusVar: string, deviceVar: string) {
  const paths = failedCreatePaths(ctx, fn, create, statusVar, deviceVar);
  if (!paths) return;
  const { misuses, exits } = paths;

  for (const call of misuses) {
    ctx.report({
      message:
        `${fn.name} passes ${deviceVar} to ${call.callee} on a path where WdfDeviceCreate failed. The framework sets ` +
        `${deviceVar} to NULL when the create fails, so there is no device to use: return the failure status instead.`,
      span: call.span,
      function: fn.name,
      related: [{ uri: ctx.document.uri, span: create.span, message: 'WdfDeviceCreate is called here' }],
      references: referencesOf(ctx.index.get(DEVICE_CREATE)),
    });
  }

  if (!/\bNTSTATUS\b/.test(fn.returnType)) return;
  const initIndex = parameterIndexOf(fn, create.args[0]?.text);
  const origin = roleParameterOrigin(ctx, fn.name, initIndex, 'EVT_WDF_DRIVER_DEVICE_ADD', 'PWDFDEVICE_INIT');
  if (!origin) return;
  for (const exit of exits) {
    const failed = exit.states.filter((s) => s.phase === 'failed');
    if (!exit.ret || !failed.length) continue;
    const value = exit.ret.value?.trim();
    const success = (s: CreatePathState) =>
      value === 'STATUS_SUCCESS' || (value === statusVar && s.status === 'success');
    if (!failed.some(success)) continue;
    const who =
      origin.chain.length === 1
        ? `The EvtDriverDeviceAdd callback ${fn.name}`
        : `${fn.name}, which creates the device of the EvtDriverDeviceAdd callback ${origin.callback} (${chainText(origin.chain)}),`;
    ctx.report({
      message:
        `${who} returns STATUS_SUCCESS on a path where WdfDeviceCreate failed. The framework takes a successful device ` +
        `add without a device for a driver that chose not to attach, so the failure is lost; return the failure status (${statusVar}).`,
      // The framework accepts this shape on purpose (filters attach selectively): information, not a defect it trips on.
      severity: 'info',
      span: exit.ret.span,
      function: fn.name,
      related: [{ uri: ctx.document.uri, span: create.span, message: 'WdfDeviceCreate is called here' }],
      references: referencesOf(ctx.index.get(DEVICE_CREATE)),
      fixes:
        value === 'STATUS_SUCCESS' && failed.every((s) => s.status === 'create')
          ? returnStatusFix(ctx, exit.ret, statusVar)
          : undefined,
    });
  }
}

/** `return STATUS_SUCCESS;` → `return status;` */
function returnStatusFix(ctx: RuleContext, ret: ReturnModel, statusVar: string): QuickFix[] | undefined {
  const text = ctx.text.slice(ret.span.startOffset, ret.span.endOffset);
  const m = /^return\s+STATUS_SUCCESS\s*;$/.exec(text);
  if (!m) return undefined;
  return [
    {
      title: `Return ${statusVar}`,
      preferred: true,
      edits: [{ uri: ctx.document.uri, span: ret.span, newText: `return ${statusVar};` }],
    },
  ];
}
