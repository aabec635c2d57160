/**
 * Whether a parameter of a function only ever holds the object a callback of one role was handed —
 * the callback's own parameter, or a helper's parameter that every call site fills from it (the
 * role-based DDI rules, KMDF303x, ask this of the objects they check).
 */
import type { FunctionModel } from '../../analysis/model';
import type { RuleContext } from '../types';
import { bareArgument, callersOf, definitionOf, MAX_HELPER_DEPTH } from './driverGraph';

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
