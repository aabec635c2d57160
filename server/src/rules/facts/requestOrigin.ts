/**
 * Whether a function shows the whole history of the request it sends: the request a request handler
 * was presented, or one it created itself. The rules that ask what happened to a request before its
 * send (formatted, given a completion routine) check only those.
 */
import type { FunctionModel } from '../../analysis/model';
import type { RuleContext } from '../types';
import { REQUEST_HANDLERS } from '../requests/requestNotFinished';
import { createdHere } from './requestSends';

/** A request handler's presented request, or a request this function created (every value it holds). */
export function ownsHistory(ctx: RuleContext, fn: FunctionModel, request: string): boolean {
  const param = fn.params.find((p) => p.name === request);
  if (param) {
    const role = ctx.roleOf(fn.name);
    return param.type === 'WDFREQUEST' && !!role && role in REQUEST_HANDLERS;
  }
  return createdHere(fn, request);
}
