/**
 * KMDF3032: what follows a failed WdfDeviceCreate (SDV DeviceCreateFail). On the paths where the
 * status it returned was tested and found a failure, the device handle it was to fill (which the
 * framework sets to NULL) is passed to a call (a warning), or the function returns STATUS_SUCCESS for
 * the device an EvtDriverDeviceAdd is creating (information: the framework accepts a device add that
 * creates no device, so the failure is only lost, not tripped over).
 */
import { functionSites, walkPaths, type FlowSite, type FlowTest } from '../../analysis/paths';
import type { CallModel, FunctionModel, ReturnModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../util';
import { bareArgument, chainText, isTraceCall } from '../facts/driverGraph';
import { DEVICE_CREATE } from '../facts/wdfNames';
import { mayLeaveFunction, parameterIndexOf, roleParameterOrigin, testsForNull } from './support';

type Phase = 'before' | 'created' | 'failed' | 'succeeded' | 'dead';
interface State {
  phase: Phase;
  /** What the status local holds on a failed path: the create's result, or what was assigned since. */
  status: 'create' | 'success' | 'failure' | 'other';
  /** The device local was given another value after the failure. */
  deviceReassigned: boolean;
}

const IDENTIFIER = /^[A-Za-z_]\w*$/;

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
  check(ctx) {
    for (const fn of ctx.document.functions) {
      if (!fn.body || !fn.flow) continue;
      for (const create of fn.calls.filter((c) => c.callee === DEVICE_CREATE)) {
        const statusVar = assignedFrom(fn, create);
        const deviceVar = bareArgument(create.args[2]?.text);
        if (!statusVar || !IDENTIFIER.test(deviceVar)) continue;
        checkCreate(ctx, fn, create, statusVar, deviceVar);
      }
    }
  },
};

/** The local a call's result is stored in (`status = WdfDeviceCreate(…)`, `NTSTATUS status = …`). */
function assignedFrom(fn: FunctionModel, call: CallModel): string | undefined {
  for (const site of functionSites(fn)) {
    if (site.kind === 'assignment') {
      const a = site.assignment;
      if (a.valueSpan.startOffset === call.span.startOffset && a.valueSpan.endOffset === call.span.endOffset)
        return IDENTIFIER.test(a.target) ? a.target : undefined;
    } else if (site.kind === 'init') {
      if (
        site.start <= call.span.startOffset &&
        call.span.endOffset <= site.end &&
        site.value.startsWith(DEVICE_CREATE)
      )
        return site.variable;
    }
  }
  return undefined;
}

function checkCreate(ctx: RuleContext, fn: FunctionModel, create: CallModel, statusVar: string, deviceVar: string) {
  const misuses = new Map<number, CallModel>();
  const stepCall = (state: State, call: CallModel): State => {
    if (call.span.startOffset === create.span.startOffset)
      return { phase: 'created', status: 'create', deviceReassigned: false };
    const writesStatus = call.args.some((a) => bareArgument(a.text) === statusVar && a.text.trim().startsWith('&'));
    // The status the test would read is no longer the create's.
    if (state.phase === 'created' && writesStatus) return { ...state, phase: 'dead' };
    if (state.phase !== 'failed') return state;
    if (mayLeaveFunction(ctx, call.callee)) return { ...state, phase: 'dead' };
    if (
      !state.deviceReassigned &&
      !isTraceCall(call.callee) &&
      call.args.some((a) => bareArgument(a.text) === deviceVar)
    )
      misuses.set(call.span.startOffset, call);
    if (writesStatus) return { ...state, status: 'other' };
    if (call.args.some((a) => bareArgument(a.text) === deviceVar && a.text.trim().startsWith('&')))
      return { ...state, deviceReassigned: true };
    return state;
  };
  const step = (state: State, site: FlowSite): State => {
    if (site.kind === 'call') return stepCall(state, site.call);
    const [variable, value] =
      site.kind === 'assignment' ? [site.assignment.target, site.assignment.value] : [site.variable, site.value];
    if (state.phase === 'created' && variable === statusVar && !value.startsWith(DEVICE_CREATE))
      return { ...state, phase: 'dead' };
    if (state.phase !== 'failed') return state;
    if (variable === statusVar) return { ...state, status: statusKind(value) };
    if (variable === deviceVar) return { ...state, deviceReassigned: true };
    return state;
  };
  const branch = (state: State, test: FlowTest, outcome: boolean): State => {
    const holds = outcome !== test.negated;
    if (state.phase === 'created' && test.variable === statusVar && state.status === 'create') {
      if (test.op === 'success') return { ...state, phase: holds ? 'succeeded' : 'failed' };
      if (test.op === 'eq' && test.value === 'STATUS_SUCCESS')
        return { ...state, phase: holds ? 'succeeded' : 'failed' };
    }
    // WdfDeviceCreate sets the handle to NULL before it can fail: a non-NULL handle is a path that never happens.
    if (state.phase === 'failed' && !state.deviceReassigned && test.variable === deviceVar) {
      const nonNull = test.op === 'truthy' ? holds : test.op === 'eq' && isNull(test.value) ? !holds : undefined;
      if (nonNull === true) return { ...state, phase: 'dead' };
    }
    return state;
  };
  const exits = walkPaths<State>(fn, {
    start: { phase: 'before', status: 'create', deviceReassigned: false },
    step,
    branch,
    key: (s) => `${s.phase}|${s.status}|${s.deviceReassigned}`,
  });
  if (!exits) return;

  for (const call of [...misuses.values()].sort((a, b) => a.span.startOffset - b.span.startOffset)) {
    // A NULL test of the handle on the way (`if (!NT_SUCCESS(status) && device != NULL)`) may guard the use.
    if (testsForNull(ctx.text.slice(create.span.endOffset, call.span.startOffset), deviceVar)) continue;
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
    const success = (s: State) => value === 'STATUS_SUCCESS' || (value === statusVar && s.status === 'success');
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

function statusKind(value: string): State['status'] {
  const v = value.trim();
  if (v === 'STATUS_SUCCESS') return 'success';
  if (/^STATUS_[A-Z0-9_]+$/.test(v)) return 'failure';
  return 'other';
}

function isNull(value: string | undefined): boolean {
  return value === 'NULL' || value === 'nullptr' || value === '0';
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
