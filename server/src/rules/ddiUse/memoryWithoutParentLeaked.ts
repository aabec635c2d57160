/**
 * KMDF3035: a WDFMEMORY created without a parent (WdfMemoryCreate with WDF_NO_OBJECT_ATTRIBUTES, or
 * attributes whose ParentObject is never set) that a path leaves behind: created successfully, then
 * neither deleted, stored, returned nor handed to anything (SDV ParentObjectCheck). Such memory is
 * parented to the driver object, so each run of that path keeps one more allocation until the driver
 * unloads.
 */
import { declaredLocals, functionSites, walkPaths, type FlowSite, type FlowTest } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { insertBeforeFix } from '../fixes/insertStatement';
import { bareArgument, isTraceCall, closingBrace, mayLeaveFunction } from '../facts/driverGraph';
import { carriesSdvRule } from '../facts/sdvRules';
import { checkedFunctions } from '../findingsReuse';

const SDV_RULE = 'ParentObjectCheck';
const IDENTIFIER = /^[A-Za-z_]\w*$/;
/** Calls that read or fill the memory and leave it where it is. */
const KEEPS = new Set([
  'WdfMemoryGetBuffer',
  'WdfMemoryCopyToBuffer',
  'WdfMemoryCopyFromBuffer',
  'WdfMemoryAssignBuffer',
]);

type Phase = 'none' | 'created' | 'owned' | 'done';
interface State {
  phase: Phase;
}

export const memoryWithoutParentLeaked: Rule = {
  meta: {
    id: 'KMDF3035',
    name: 'memory-without-parent-leaked',
    title: 'Memory object without a parent left undeleted on a path',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfMemoryCreate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfmemory/nf-wdfmemory-wdfmemorycreate',
      },
      {
        title: 'WDF_OBJECT_ATTRIBUTES',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfobject/ns-wdfobject-_wdf_object_attributes',
      },
      { title: 'SDV rule ParentObjectCheck' },
    ],
    mirrors: { sdv: [SDV_RULE] },
    certainty:
      "Certain on the paths reported: the create's status was tested successful there, no parent was given, and the handle went to nothing but the WdfMemory… accessors before the path left the function. Silent where the handle is stored, returned, or passed to anything else. Reported as a warning by default.",
    helpPage: rulePagePath('KMDF3035'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body || !fn.flow) continue;
      for (const create of fn.calls) {
        if (!carriesSdvRule(ctx, create.callee, SDV_RULE) || create.inMacroArguments) continue;
        const memory = bareArgument(create.args[4]?.text);
        if (!IDENTIFIER.test(memory) || !declaredLocals(fn.flow).has(memory) || !parentless(fn, create)) continue;
        const status = resultLocal(fn, create);
        if (!status) continue;
        checkCreate(ctx, fn, create, memory, status);
      }
    }
  },
};

/** No parent: WDF_NO_OBJECT_ATTRIBUTES / NULL, or a local attributes structure whose ParentObject is never set. */
function parentless(fn: FunctionModel, create: CallModel): boolean {
  const attributes = create.args[0]?.text.trim() ?? '';
  if (attributes === 'WDF_NO_OBJECT_ATTRIBUTES' || attributes === 'NULL') return true;
  const m = /^&\s*([A-Za-z_]\w*)$/.exec(attributes);
  if (!m || !declaredLocals(fn.flow!).has(m[1])) return false;
  // Set anywhere (or handed to anything but its INIT macro) and the parent may be there.
  if (fn.assignments.some((a) => a.object === m[1] || bareArgument(a.value) === m[1])) return false;
  return !fn.calls.some(
    (c) =>
      c !== create &&
      c.args.some((a) => bareArgument(a.text) === m[1]) &&
      !/^WDF_OBJECT_ATTRIBUTES_INIT/.test(c.callee),
  );
}

/** The local a call's result goes to (`status = WdfMemoryCreate(…)`, also inside `NT_SUCCESS(…)`). */
function resultLocal(fn: FunctionModel, call: CallModel): string | undefined {
  for (const site of functionSites(fn)) {
    if (site.kind === 'assignment') {
      const a = site.assignment;
      if (a.valueSpan.startOffset === call.span.startOffset && a.valueSpan.endOffset === call.span.endOffset)
        return IDENTIFIER.test(a.target) ? a.target : undefined;
    } else if (site.kind === 'init' && site.start <= call.span.startOffset && call.span.endOffset <= site.end) {
      if (site.value.startsWith(call.callee)) return site.variable;
    }
  }
  return undefined;
}

function checkCreate(ctx: RuleContext, fn: FunctionModel, create: CallModel, memory: string, status: string) {
  const stepCall = (state: State, call: CallModel): State => {
    if (call.span.startOffset === create.span.startOffset) return { phase: 'created' };
    if (state.phase === 'none' || state.phase === 'done') return state;
    if (mayLeaveFunction(ctx, call.callee)) return { phase: 'done' };
    // The status overwritten before it was tested: the outcome is out of sight.
    if (state.phase === 'created' && call.args.some((a) => a.text.trim() === `&${status}`)) return { phase: 'done' };
    if (!call.args.some((a) => bareArgument(a.text) === memory)) return state;
    if (KEEPS.has(call.callee) || isTraceCall(call.callee)) return state;
    // Deleted, or handed to something that may keep or delete it.
    return { phase: 'done' };
  };
  const step = (state: State, site: FlowSite): State => {
    if (site.kind === 'call') return stepCall(state, site.call);
    if (state.phase === 'none' || state.phase === 'done') return state;
    if (site.kind === 'assignment' && site.assignment.outArgumentOf === create.callee) return state;
    const [target, value] =
      site.kind === 'assignment' ? [site.assignment.target, site.assignment.value] : [site.variable, site.value];
    if (site.start <= create.span.startOffset && create.span.endOffset <= site.end) return state;
    if (bareArgument(value) === memory || target === memory) return { phase: 'done' };
    if (state.phase === 'created' && target === status) return { phase: 'done' };
    return state;
  };
  const branch = (state: State, test: FlowTest, outcome: boolean): State => {
    const holds = outcome !== test.negated;
    // A created memory handle is not NULL: `if (memory != NULL) WdfObjectDelete(memory);` takes its first arm.
    if ((state.phase === 'created' || state.phase === 'owned') && test.variable === memory) {
      const nonNull = test.op === 'truthy' ? holds : test.op === 'eq' && isNull(test.value) ? !holds : undefined;
      if (nonNull === undefined) return state;
      if (state.phase === 'created') return { phase: nonNull ? 'owned' : 'none' };
      return nonNull ? state : { phase: 'done' };
    }
    if (state.phase !== 'created' || test.variable !== status) return state;
    const success =
      test.op === 'success' ? holds : test.op === 'eq' && test.value === 'STATUS_SUCCESS' ? holds : undefined;
    if (success === undefined) return state;
    return { phase: success ? 'owned' : 'none' };
  };
  const exits = walkPaths<State>(fn, { start: { phase: 'none' }, step, branch, key: (s) => s.phase });
  if (!exits) return;
  for (const exit of exits) {
    if (!exit.states.some((s) => s.phase === 'owned')) continue;
    if (exit.ret && bareArgument(exit.ret.value) === memory) continue;
    const at = exit.ret ? exit.ret.span : closingBrace(fn);
    ctx.report({
      message:
        `${fn.name} can leave here with ${memory}, created by ${create.callee} without a parent object, neither deleted nor ` +
        `kept. Without a parent the memory belongs to the driver object and stays allocated until the driver unloads: ` +
        `call WdfObjectDelete(${memory}) on this path, or give it a parent in its attributes.`,
      span: at,
      function: fn.name,
      related: [{ uri: ctx.document.uri, span: create.span, message: `${memory} is created here` }],
      references: referencesOf(ctx.index.get(create.callee)),
      // Mechanical only where every path arriving here holds the memory.
      fixes: exit.states.every((s) => s.phase === 'owned')
        ? insertBeforeFix(ctx, `Delete ${memory} with WdfObjectDelete`, `WdfObjectDelete(${memory});`, at, !exit.ret)
        : undefined,
    });
  }
}

function isNull(value: string | undefined): boolean {
  return value === 'NULL' || value === 'nullptr' || value === '0';
}
