/**
 * KMDF3033: a WDFDEVICE_INIT the driver allocated (WdfPdoInitAllocate, WdfControlDeviceInitAllocate)
 * left behind on a path that neither hands it to a WdfDeviceCreate that succeeds nor frees it with
 * WdfDeviceInitFree (SDV PdoInitFreeDeviceCreate, PdoInitFreeDeviceCallback, InitFreeDeviceCreate,
 * InitFreeDeviceCallback and their Type2/Type4 variants). Unlike the DeviceInit of EvtDriverDeviceAdd,
 * these belong to the driver until a create succeeds: every error path must free them. Followed
 * across one call: a helper returning a structure it allocated is an allocator for its caller, and
 * a helper handed one by callers that never free it owns it from its first line.
 */
import { functionSites, walkPaths, type FlowSite, type FlowTest } from '../../analysis/paths';
import type { CallModel, FunctionModel, Span } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { insertBeforeFix } from '../fixes/insertStatement';
import {
  bareArgument,
  callersOf,
  definitionOf,
  isOpaqueCall,
  isTraceCall,
  reachedCalls,
  closingBrace,
  mayLeaveFunction,
} from '../facts/driverGraph';
import { DEVICE_CREATE, DEVICE_INIT_FREE, isDeviceInitMethod } from '../facts/wdfNames';
import { lookupTable } from '../../util/lookupTable';
import { checkedFunctions } from '../findingsReuse';

/** The allocators of a driver-owned init structure and the SDV rules about freeing it (keyed by callee names). */
const ALLOCATORS: Readonly<Record<string, string[]>> = lookupTable({
  WdfPdoInitAllocate: [
    'PdoInitFreeDeviceCreate',
    'PdoInitFreeDeviceCallback',
    'PdoInitFreeDeviceCreateType2',
    'PdoInitFreeDeviceCreateType4',
  ],
  WdfControlDeviceInitAllocate: [
    'InitFreeDeviceCreate',
    'InitFreeDeviceCallback',
    'InitFreeDeviceCreateType2',
    'InitFreeDeviceCreateType4',
  ],
});

/**
 * none: nothing allocated (or the allocation returned NULL); owned: the driver must free it;
 * creating: handed to WdfDeviceCreate, outcome not yet tested; done: created, freed, or handed on.
 */
type Phase = 'none' | 'owned' | 'creating' | 'done';
interface State {
  phase: Phase;
  /** The status local WdfDeviceCreate's result went to, while `creating`. */
  createStatus?: string;
}

const IDENTIFIER = /^[A-Za-z_]\w*$/;

export const deviceInitNotFreed: Rule = {
  meta: {
    id: 'KMDF3033',
    name: 'device-init-not-freed',
    title: 'Allocated WDFDEVICE_INIT neither created nor freed on a path',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfDeviceInitFree',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitfree',
      },
      {
        title: 'WdfPdoInitAllocate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfpdo/nf-wdfpdo-wdfpdoinitallocate',
      },
      {
        title: 'WdfControlDeviceInitAllocate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfcontrol/nf-wdfcontrol-wdfcontroldeviceinitallocate',
      },
      ...[...ALLOCATORS.WdfPdoInitAllocate, ...ALLOCATORS.WdfControlDeviceInitAllocate].map((r) => ({
        title: `SDV rule ${r}`,
      })),
    ],
    mirrors: { sdv: [...ALLOCATORS.WdfPdoInitAllocate, ...ALLOCATORS.WdfControlDeviceInitAllocate] },
    certainty:
      'Certain on the paths reported: the allocation was not found NULL, no WdfDeviceCreate tested successful and no WdfDeviceInitFree ran, and the structure went to nothing but the WdfDeviceInit…/WdfPdoInit… methods and helpers that neither free nor create with it. Silent where it is stored, returned, or handed to a routine that may free it, and after a create whose result is not tested. Reported as a warning by default.',
    helpPage: rulePagePath('KMDF3033'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body || !fn.flow) continue;
      const handed = handedInit(ctx, fn);
      if (handed) checkAllocation(ctx, fn, { handed }, handed.param);
      if (!fn.calls.some((c) => allocates(ctx, c.callee))) continue;
      for (const site of functionSites(fn)) {
        const allocation = allocationAt(ctx, fn, site);
        if (allocation) checkAllocation(ctx, fn, { call: allocation.call }, allocation.variable);
      }
    }
  },
};

/** Whether `callee` allocates a driver-owned init structure: an allocator, or a helper that returns one it allocated. */
function allocates(ctx: RuleContext, callee: string): boolean {
  return callee in ALLOCATORS || allocatingHelper(ctx, callee);
}

const helperCache = new WeakMap<RuleContext, Map<string, boolean>>();

/**
 * A driver function returning PWDFDEVICE_INIT whose every return gives back NULL or the structure an
 * allocator made in it: its caller owns what it returns, as if it had called the allocator itself.
 */
function allocatingHelper(ctx: RuleContext, callee: string): boolean {
  let cache = helperCache.get(ctx);
  if (!cache) helperCache.set(ctx, (cache = new Map<string, boolean>()));
  let known = cache.get(callee);
  if (known === undefined) {
    cache.set(callee, false); // recursion
    const fn = definitionOf(ctx, callee)?.fn;
    known = false;
    if (fn?.body && fn.flow && /^PWDFDEVICE_INIT$/.test(fn.returnType.trim()) && fn.returns.length) {
      const made = new Set<string>();
      for (const site of functionSites(fn)) {
        const a = allocationAt(ctx, fn, site, true);
        if (a) made.add(a.variable);
      }
      known =
        made.size > 0 &&
        fn.returns.every((r) => {
          const value = bareArgument(r.value);
          return isNull(value) || made.has(value);
        });
    }
    cache.set(callee, known);
  }
  return known;
}

/**
 * A PWDFDEVICE_INIT parameter of a driver function (no framework callback) that every caller hands a
 * structure it allocated and never frees itself: the function owns it until its create succeeds.
 */
function handedInit(ctx: RuleContext, fn: FunctionModel): Handed | undefined {
  if (ctx.roleOf(fn.name)) return undefined;
  const index = fn.params.findIndex((p) => /^PWDFDEVICE_INIT$/.test(p.type.trim()));
  if (index < 0) return undefined;
  if (!fn.calls.some((c) => c.callee === DEVICE_CREATE || c.callee === DEVICE_INIT_FREE)) return undefined;
  const callers = callersOf(ctx, fn.name);
  if (!callers.length) return undefined;
  for (const { fn: caller, call } of callers) {
    const variable = bareArgument(call.args[index]?.text);
    if (!IDENTIFIER.test(variable) || !caller.flow) return undefined;
    const allocated = functionSites(caller).some((site) => allocationAt(ctx, caller, site)?.variable === variable);
    if (!allocated) return undefined;
    // A caller that frees it (after a failure, say) takes the failure paths on itself.
    if (caller.calls.some((c) => c.callee === DEVICE_INIT_FREE && bareArgument(c.args[0]?.text) === variable))
      return undefined;
  }
  return {
    param: fn.params[index].name,
    callers: callers.map((c) => ({ name: c.fn.name, uri: c.uri, span: c.call.span })),
  };
}

/** `pInit = WdfPdoInitAllocate(…)` / `PWDFDEVICE_INIT pInit = WdfControlDeviceInitAllocate(…)`: the call and the local. */
function allocationAt(
  ctx: RuleContext,
  fn: FunctionModel,
  site: FlowSite,
  allocatorsOnly = false,
): { call: CallModel; variable: string } | undefined {
  let variable: string;
  let from: number;
  let to: number;
  if (site.kind === 'assignment') {
    variable = site.assignment.target;
    from = site.assignment.valueSpan.startOffset;
    to = site.assignment.valueSpan.endOffset;
  } else if (site.kind === 'init') {
    variable = site.variable;
    from = site.start;
    to = site.end;
  } else return undefined;
  if (!IDENTIFIER.test(variable)) return undefined;
  const call = fn.calls.find(
    (c) =>
      c.span.startOffset >= from &&
      c.span.endOffset <= to &&
      !c.inMacroArguments &&
      (c.callee in ALLOCATORS || (!allocatorsOnly && allocatingHelper(ctx, c.callee))),
  );
  if (!call) return undefined;
  // The whole value must be the call (a cast or parentheses around it are fine).
  const value = site.kind === 'assignment' ? site.assignment.value : site.value;
  if (!value.replace(/^\(\s*PWDFDEVICE_INIT\s*\)\s*/, '').startsWith(call.callee)) return undefined;
  return { call, variable };
}

/** A parameter that receives a driver-allocated init structure, and the calls handing it over. */
interface Handed {
  param: string;
  callers: { name: string; uri: string; span: Span }[];
}
type Origin = { call: CallModel; handed?: undefined } | { handed: Handed; call?: undefined };

function checkAllocation(ctx: RuleContext, fn: FunctionModel, origin: Origin, init: string) {
  const allocation = origin.call;
  const createStatus = new Map<number, string | undefined>();
  for (const c of fn.calls.filter((x) => x.callee === DEVICE_CREATE && bareArgument(x.args[0]?.text) === init))
    createStatus.set(c.span.startOffset, resultLocal(fn, c));

  const stepCall = (state: State, call: CallModel): State => {
    if (allocation && call.span.startOffset === allocation.span.startOffset) return { phase: 'owned' };
    if (state.phase !== 'owned' && state.phase !== 'creating') return state;
    if (mayLeaveFunction(ctx, call.callee)) return { phase: 'done' };
    if (state.phase === 'creating' && call.args.some((a) => a.text.trim() === `&${state.createStatus}`))
      return { phase: 'done' };
    if (!call.args.some((a) => bareArgument(a.text) === init)) return state;
    if (call.callee === DEVICE_INIT_FREE) return { phase: 'done' };
    if (call.callee === DEVICE_CREATE) {
      const status = createStatus.get(call.span.startOffset);
      return status ? { phase: 'creating', createStatus: status } : { phase: 'done' };
    }
    if (isDeviceInitMethod(call.callee) || isTraceCall(call.callee)) return state;
    return keepsInit(ctx, call, init) ? state : { phase: 'done' };
  };
  const step = (state: State, site: FlowSite): State => {
    if (site.kind === 'call') return stepCall(state, site.call);
    // The allocation's own assignment (its call has run just before).
    if (allocation && site.start <= allocation.span.startOffset && allocation.span.endOffset <= site.end)
      return { phase: 'owned' };
    if (state.phase === 'none' || state.phase === 'done') return state;
    // `WdfDeviceCreate(&init, …)` clears the pointer only when it succeeds: the walk tests that.
    if (site.kind === 'assignment' && site.assignment.outArgumentOf === DEVICE_CREATE) return state;
    const [target, value] =
      site.kind === 'assignment' ? [site.assignment.target, site.assignment.value] : [site.variable, site.value];
    // The structure stored anywhere (a context, an out parameter) is handed on; the local overwritten is out of sight.
    if (bareArgument(value) === init || target === init) return { phase: 'done' };
    // The create's status overwritten before it was tested: its outcome is out of sight.
    if (state.phase === 'creating' && target === state.createStatus && !value.startsWith(DEVICE_CREATE))
      return { phase: 'done' };
    return state;
  };
  const branch = (state: State, test: FlowTest, outcome: boolean): State => {
    const holds = outcome !== test.negated;
    if (test.variable === init && (state.phase === 'owned' || state.phase === 'creating')) {
      const nonNull = test.op === 'truthy' ? holds : test.op === 'eq' && isNull(test.value) ? !holds : undefined;
      if (nonNull === undefined) return state;
      // WdfDeviceCreate sets the pointer to NULL when it succeeds.
      if (state.phase === 'creating') return nonNull ? { phase: 'owned' } : { phase: 'done' };
      return nonNull ? state : { phase: 'none' };
    }
    if (state.phase === 'creating' && test.variable === state.createStatus) {
      const success =
        test.op === 'success' ? holds : test.op === 'eq' && test.value === 'STATUS_SUCCESS' ? holds : undefined;
      if (success === undefined) return state;
      return success ? { phase: 'done' } : { phase: 'owned' };
    }
    return state;
  };
  const exits = walkPaths<State>(fn, {
    start: { phase: allocation ? 'none' : 'owned' },
    step,
    branch,
    key: (s) => `${s.phase}|${s.createStatus ?? ''}`,
  });
  if (!exits) return;
  for (const exit of exits) {
    if (!exit.states.some((s) => s.phase === 'owned')) continue;
    // Handing the structure to the caller is not a leak.
    if (exit.ret && bareArgument(exit.ret.value) === init) continue;
    const at = exit.ret ? exit.ret.span : closingBrace(fn);
    const callers = origin.handed ? [...new Set(origin.handed.callers.map((c) => c.name))].join(', ') : '';
    const what = allocation
      ? `${init}, allocated by ${allocation.callee},`
      : `${init}, which ${callers} allocate${origin.handed.callers.length === 1 ? 's' : ''} and hand${origin.handed.callers.length === 1 ? 's' : ''} over without freeing it,`;
    ctx.report({
      message:
        `${fn.name} can leave here with ${what} neither passed to a WdfDeviceCreate ` +
        `that succeeded nor freed. The driver owns that structure until a create succeeds: call WdfDeviceInitFree(${init}) ` +
        `on this path.`,
      span: at,
      function: fn.name,
      related: allocation
        ? [{ uri: ctx.document.uri, span: allocation.span, message: `${init} is allocated here` }]
        : origin.handed.callers.map((c) => ({
            uri: c.uri,
            span: c.span,
            message: `${c.name} hands over the structure it allocated`,
          })),
      references: referencesOf(ctx.index.get(DEVICE_INIT_FREE)),
      // Mechanical only where every path arriving here still owns the structure (elsewhere it may be NULL or consumed).
      fixes: exit.states.every((s) => s.phase === 'owned')
        ? insertBeforeFix(ctx, `Free ${init} with WdfDeviceInitFree`, `WdfDeviceInitFree(${init});`, at, !exit.ret)
        : undefined,
    });
  }
}

/** The local a call's result goes to (`status = WdfDeviceCreate(…)`). */
function resultLocal(fn: FunctionModel, call: CallModel): string | undefined {
  for (const site of functionSites(fn)) {
    if (site.kind === 'assignment') {
      const a = site.assignment;
      if (a.valueSpan.startOffset === call.span.startOffset && a.valueSpan.endOffset === call.span.endOffset)
        return IDENTIFIER.test(a.target) ? a.target : undefined;
    } else if (site.kind === 'init' && site.start <= call.span.startOffset && call.span.endOffset <= site.end) {
      if (site.value.startsWith(DEVICE_CREATE)) return site.variable;
    }
  }
  return undefined;
}

/**
 * A driver helper handed the structure that neither frees it, creates a device with it, stores a
 * WDFDEVICE_INIT pointer anywhere, nor passes anything to a routine the workspace does not know: the
 * caller still owns the structure after the call.
 */
function keepsInit(ctx: RuleContext, call: CallModel, init: string): boolean {
  const callee = call.callee;
  // One definition, taking a WDFDEVICE_INIT where the structure goes (not a C++ overload or a namesake method).
  if (ctx.workspace.definitions(callee).length !== 1) return false;
  const root = definitionOf(ctx, callee);
  const index = call.args.findIndex((a) => bareArgument(a.text) === init);
  if (!root || !/\bPWDFDEVICE_INIT\b/.test(root.fn.params[index]?.type ?? '')) return false;
  const reached = reachedCalls(ctx, callee);
  const functions = new Set<FunctionModel>([root.fn, ...reached.map((r) => r.fn)]);
  for (const f of functions) {
    const inits = new Set(f.params.filter((p) => /\bPWDFDEVICE_INIT\b/.test(p.type)).map((p) => p.name));
    if (f.assignments.some((a) => inits.has(bareArgument(a.value)))) return false;
  }
  return reached.every(
    (r) => r.call.callee !== DEVICE_INIT_FREE && r.call.callee !== DEVICE_CREATE && !isOpaqueCall(ctx, r.call.callee),
  );
}

function isNull(value: string | undefined): boolean {
  return value === 'NULL' || value === 'nullptr' || value === '0';
}
