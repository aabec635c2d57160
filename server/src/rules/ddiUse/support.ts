/**
 * What the role-based DDI rules (KMDF303x) share: which methods the catalog lists under a Static
 * Driver Verifier rule (the reference pages' DDI-compliance lists are the source of truth), and
 * whether a parameter of a function only ever holds the object a callback of one role was handed —
 * the callback's own parameter, or a helper's parameter that every call site fills from it.
 */
import type { FunctionModel, Span } from '../../analysis/model';
import type { RuleContext } from '../types';
import { bareArgument, callersOf, definitionOf, isTraceCall, MAX_HELPER_DEPTH } from '../facts/driverGraph';

/** The DDI-compliance rules of each method, lower-cased, per index (asked for every call of every function). */
const sdvRulesCache = new WeakMap<object, Map<string, ReadonlySet<string>>>();

/** Whether the index lists `rule` among the DDI-compliance rules of `method` (names compared without case). */
export function carriesSdvRule(ctx: RuleContext, method: string, rule: string): boolean {
  let byMethod = sdvRulesCache.get(ctx.index);
  if (!byMethod) {
    byMethod = new Map<string, ReadonlySet<string>>();
    sdvRulesCache.set(ctx.index, byMethod);
  }
  let rules = byMethod.get(method);
  if (!rules) {
    rules = new Set(
      (ctx.index.get(method)?.ddiCompliance ?? []).map((r) =>
        r
          .replace(/\(.*\)$/, '')
          .trim()
          .toLowerCase(),
      ),
    );
    byMethod.set(method, rules);
  }
  return rules.has(rule.toLowerCase());
}

/**
 * Whether `fn` gives `name` a new value anywhere in its body (then the parameter is not what it was
 * handed). WdfDeviceCreate(&DeviceInit, …) only clears the pointer it consumes.
 */
function reassigns(fn: FunctionModel, name: string): boolean {
  return fn.assignments.some((a) => a.target === name && a.outArgumentOf !== 'WdfDeviceCreate');
}

/**
 * How the handed-over object reaches a function: the callback it came from, then each helper down
 * to the function (just [callback] when the function is the callback itself).
 */
export interface RoleParameterOrigin {
  callback: string;
  chain: string[];
}

/**
 * Whether parameter `index` of `fnName` always holds the object a `roleType` callback is handed in
 * its parameter of type `paramType`: `fnName` is such a callback (and has no other role, and nothing
 * in the workspace calls it directly), or every call of `fnName` passes, at that position, a
 * parameter of its caller that itself always holds it. Undefined when any way in is not known to do
 * so (another role, a caller that cannot be seen, a parameter the caller reassigns, the depth bound).
 */
export function roleParameterOrigin(
  ctx: RuleContext,
  fnName: string,
  index: number,
  roleType: string,
  paramType: string,
  depth = 0,
  seen: Set<string> = new Set(),
): RoleParameterOrigin | undefined {
  const located = definitionOf(ctx, fnName);
  if (!located || index < 0) return undefined;
  const fn = located.fn;
  const param = fn.params[index];
  if (!param || reassigns(fn, param.name)) return undefined;
  const roles = ctx.workspace.rolesOf(fnName);
  const callers = callersOf(ctx, fnName);
  if (roles.length) {
    // A callback the driver also calls itself may be handed something else by that caller.
    if (!roles.every((r) => r.roleType === roleType) || callers.length) return undefined;
    return param.type === paramType ? { callback: fnName, chain: [fnName] } : undefined;
  }
  if (!callers.length || depth >= MAX_HELPER_DEPTH || seen.has(fnName)) return undefined;
  const nextSeen = new Set(seen).add(fnName);
  let origin: RoleParameterOrigin | undefined;
  for (const c of callers) {
    const arg = bareArgument(c.call.args[index]?.text);
    const callerIndex = c.fn.params.findIndex((p) => p.name === arg);
    if (callerIndex < 0) return undefined;
    const up = roleParameterOrigin(ctx, c.fn.name, callerIndex, roleType, paramType, depth + 1, nextSeen);
    if (!up) return undefined;
    origin ??= { callback: up.callback, chain: [...up.chain, fnName] };
  }
  return origin;
}

/** The index of the parameter of `fn` named by a call argument (after `&`, casts, parentheses), or -1. */
export function parameterIndexOf(fn: FunctionModel, argument: string | undefined): number {
  const name = bareArgument(argument);
  return fn.params.findIndex((p) => p.name === name);
}

/** Upper-case macros that never leave the function they are written in. */
const FUNCTION_LOCAL_MACROS =
  /^(NT_SUCCESS|NT_ERROR|NT_INFORMATION|NT_WARNING|UNREFERENCED_PARAMETER|ASSERT|ASSERTMSG|NT_ASSERT|NT_ASSERTMSG|NT_VERIFY|PAGED_CODE|FIELD_OFFSET|CONTAINING_RECORD|ARRAYSIZE|RTL_NUMBER_OF|RTL_CONSTANT_STRING|DECLARE_CONST_UNICODE_STRING|DECLARE_UNICODE_STRING_SIZE|WDF_\w+|DMF_\w+_INIT\w*)$/;

/**
 * A call that may be a macro which leaves the function (`LOG_AND_RETURN(status)` expanding to a
 * `return`): an upper-case name that is neither defined in the workspace, known to the index, a
 * tracing macro, nor one of the plain ones. A path through it is not followed further.
 */
export function mayLeaveFunction(ctx: RuleContext, callee: string): boolean {
  if (!/^[A-Z][A-Z0-9_]*$/.test(callee) || FUNCTION_LOCAL_MACROS.test(callee)) return false;
  return !ctx.workspace.isDefined(callee) && !ctx.index.get(callee) && !isTraceCall(callee);
}

/** Whether `text` tests `variable` against NULL (or for being non-zero) anywhere: `p != NULL`, `&& p)`, `if (p)`. */
export function testsForNull(text: string, variable: string): boolean {
  const v = variable.replace(/[^\w]/g, '');
  return new RegExp(`\\b${v}\\s*[!=]=|[!=]=\\s*${v}\\b|(?:\\(|&&|\\|\\||!)\\s*${v}\\s*(?:\\)|&&|\\|\\|)`).test(text);
}

/** The closing brace of a function body, as a one-character span (where a path that falls off the end leaves). */
export function closingBrace(fn: FunctionModel): Span {
  const body = fn.body!;
  return {
    start: { line: body.end.line, character: Math.max(0, body.end.character - 1) },
    end: body.end,
    startOffset: body.endOffset - 1,
    endOffset: body.endOffset,
  };
}
