/**
 * The paths after a WDF create method that fills an object handle (`WdfDeviceCreate(…, &device)`,
 * `WdfMemoryCreate(…, &memory, …)`) and whose status the function tests: which calls are handed the
 * handle on the paths where the test found a failure, and what the status local holds where those
 * paths leave. Shared by KMDF3032 (the device a device add creates) and KMDF3039 (every other create).
 */
import { functionSites, walkPaths, type FlowSite, type FlowTest, type PathExit } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { RuleContext } from '../types';
import { bareArgument, isTraceCall, mayLeaveFunction } from './driverGraph';

export type CreatePhase = 'before' | 'created' | 'failed' | 'succeeded' | 'dead';
export interface CreatePathState {
  phase: CreatePhase;
  /** What the status local holds on a failed path: the create's result, or what was assigned since. */
  status: 'create' | 'success' | 'failure' | 'other';
  /** The handle local was given another value after the failure. */
  handleReassigned: boolean;
}

export interface FailedCreatePaths {
  /** Calls handed the handle on a failed path, in source order, not guarded by a NULL test of it. */
  misuses: CallModel[];
  exits: PathExit<CreatePathState>[];
}

export const IDENTIFIER = /^[A-Za-z_]\w*$/;

/** The local a call's result is stored in (`status = WdfMemoryCreate(…)`, `NTSTATUS status = …`). */
export function statusLocalOf(fn: FunctionModel, call: CallModel): string | undefined {
  for (const site of functionSites(fn)) {
    if (site.kind === 'assignment') {
      const a = site.assignment;
      if (a.valueSpan.startOffset === call.span.startOffset && a.valueSpan.endOffset === call.span.endOffset)
        return IDENTIFIER.test(a.target) ? a.target : undefined;
    } else if (site.kind === 'init') {
      if (site.start <= call.span.startOffset && call.span.endOffset <= site.end && site.value.startsWith(call.callee))
        return site.variable;
    }
  }
  return undefined;
}

/** The local a create fills (`&memory` → `memory`), or undefined when it writes elsewhere (`&ctx->Memory`). */
export function handleLocalOf(argument: string | undefined): string | undefined {
  const text = argument?.trim() ?? '';
  if (!text.startsWith('&')) return undefined;
  const name = bareArgument(text);
  return IDENTIFIER.test(name) ? name : undefined;
}

/** Walk the paths of `fn` after `create`, whose status is kept in `statusVar` and which fills `handleVar`. */
export function failedCreatePaths(
  ctx: RuleContext,
  fn: FunctionModel,
  create: CallModel,
  statusVar: string,
  handleVar: string,
): FailedCreatePaths | undefined {
  const misuses = new Map<number, CallModel>();
  const passesHandle = (call: CallModel) => call.args.some((a) => bareArgument(a.text) === handleVar);
  const writes = (call: CallModel, name: string) =>
    call.args.some((a) => bareArgument(a.text) === name && a.text.trim().startsWith('&'));

  const stepCall = (state: CreatePathState, call: CallModel): CreatePathState => {
    if (call.span.startOffset === create.span.startOffset)
      return { phase: 'created', status: 'create', handleReassigned: false };
    // The status the test would read is no longer the create's.
    if (state.phase === 'created' && writes(call, statusVar)) return { ...state, phase: 'dead' };
    if (state.phase !== 'failed') return state;
    if (mayLeaveFunction(ctx, call.callee)) return { ...state, phase: 'dead' };
    if (!state.handleReassigned && !isTraceCall(call.callee) && passesHandle(call) && !writes(call, handleVar))
      misuses.set(call.span.startOffset, call);
    if (writes(call, statusVar)) return { ...state, status: 'other' };
    if (writes(call, handleVar)) return { ...state, handleReassigned: true };
    return state;
  };
  const step = (state: CreatePathState, site: FlowSite): CreatePathState => {
    if (site.kind === 'call') return stepCall(state, site.call);
    const [variable, value] =
      site.kind === 'assignment' ? [site.assignment.target, site.assignment.value] : [site.variable, site.value];
    if (state.phase === 'created' && variable === statusVar && !value.startsWith(create.callee))
      return { ...state, phase: 'dead' };
    if (state.phase !== 'failed') return state;
    if (variable === statusVar) return { ...state, status: statusKind(value) };
    if (variable === handleVar) return { ...state, handleReassigned: true };
    return state;
  };
  const branch = (state: CreatePathState, test: FlowTest, outcome: boolean): CreatePathState => {
    const holds = outcome !== test.negated;
    if (state.phase === 'created' && test.variable === statusVar && state.status === 'create') {
      if (test.op === 'success') return { ...state, phase: holds ? 'succeeded' : 'failed' };
      if (test.op === 'eq' && test.value === 'STATUS_SUCCESS')
        return { ...state, phase: holds ? 'succeeded' : 'failed' };
    }
    // A failed create leaves no object in the handle: a path that finds it non-NULL is one the driver guards.
    if (state.phase === 'failed' && !state.handleReassigned && test.variable === handleVar) {
      const nonNull = test.op === 'truthy' ? holds : test.op === 'eq' && isNull(test.value) ? !holds : undefined;
      if (nonNull === true) return { ...state, phase: 'dead' };
    }
    return state;
  };
  const exits = walkPaths<CreatePathState>(fn, {
    start: { phase: 'before', status: 'create', handleReassigned: false },
    step,
    branch,
    key: (s) => `${s.phase}|${s.status}|${s.handleReassigned}`,
  });
  if (!exits) return undefined;
  const guarded = (call: CallModel) =>
    // A NULL test of the handle on the way (`if (!NT_SUCCESS(status) && memory != NULL)`) may guard the use.
    testsForNull(ctx.text.slice(create.span.endOffset, call.span.startOffset), handleVar);
  return {
    misuses: [...misuses.values()].filter((c) => !guarded(c)).sort((a, b) => a.span.startOffset - b.span.startOffset),
    exits,
  };
}

function statusKind(value: string): CreatePathState['status'] {
  const v = value.trim();
  if (v === 'STATUS_SUCCESS') return 'success';
  if (/^STATUS_[A-Z0-9_]+$/.test(v)) return 'failure';
  return 'other';
}

function isNull(value: string | undefined): boolean {
  return value === 'NULL' || value === 'nullptr' || value === '0';
}

/** Whether `text` tests `variable` against NULL (or for being non-zero) anywhere: `p != NULL`, `&& p)`, `if (p)`. */
function testsForNull(text: string, variable: string): boolean {
  const v = variable.replace(/[^\w]/g, '');
  return new RegExp(`\\b${v}\\s*[!=]=|[!=]=\\s*${v}\\b|(?:\\(|&&|\\|\\||!)\\s*${v}\\s*(?:\\)|&&|\\|\\|)`).test(text);
}
