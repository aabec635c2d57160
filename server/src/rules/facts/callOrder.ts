/**
 * Whether two calls of a function can run one after the other on the same path, read from the
 * branch outline the model builds (analysis/build/outline.ts): for each call and return, the branches
 * that enclose it (`branches`, outermost first). A site without one (a body the outline could not
 * read) answers "unknown", and the path-sensitive rules stay silent there — a wrong finding is worse
 * than none.
 */
import type { CallModel, FunctionModel, ReturnModel } from '../../analysis/model';
import { bareArgument } from './driverGraph';

/**
 * One enclosing branch: the control statement (by its start offset) and which arm holds the site —
 * 0 for an if's consequence, 1 for its else, the case index in a switch; loops have one arm (0).
 */
export interface BranchStep {
  statement: number;
  arm: number;
  kind?: 'if' | 'switch' | 'loop';
}

type Outlined = { branches?: BranchStep[] };

function stepsOf(site: CallModel | ReturnModel): BranchStep[] | undefined {
  return (site as Outlined).branches;
}

/** Whether the model carries the branch outline for every call and return of `fn`. */
export function hasOutline(fn: FunctionModel): boolean {
  return fn.calls.every((c) => stepsOf(c) !== undefined) && fn.returns.every((r) => stepsOf(r) !== undefined);
}

/**
 * `b` can run after `a` (a written first) on one path: no control statement puts them in different
 * arms, and no return between them closes the path after `a`. Undefined without an outline.
 */
export function mayRunAfter(fn: FunctionModel, a: CallModel, b: CallModel): boolean | undefined {
  const sa = stepsOf(a);
  const sb = stepsOf(b);
  if (!sa || !sb || !hasOutline(fn)) return undefined;
  if (a.span.endOffset > b.span.startOffset) return false;
  for (const x of sa) {
    const y = sb.find((s) => s.statement === x.statement);
    if (y && y.arm !== x.arm) return false;
  }
  // A return written between them, in a block that encloses `a`, ends every path through `a` first.
  for (const r of fn.returns) {
    if (r.span.startOffset < a.span.endOffset || r.span.startOffset > b.span.startOffset) continue;
    const sr = stepsOf(r)!;
    if (sr.every((s) => sa.some((t) => t.statement === s.statement && t.arm === s.arm))) return false;
  }
  return true;
}

/** Whether `variable` is assigned between two calls (a new request in a loop, say). */
export function assignedBetween(fn: FunctionModel, variable: string, a: CallModel, b: CallModel): boolean {
  return fn.assignments.some(
    (x) =>
      bareArgument(x.target) === variable &&
      x.span.startOffset >= a.span.endOffset &&
      x.span.endOffset <= b.span.startOffset,
  );
}

/** Pairs (first, second) of calls in `fn` matching `pick`, on the same first argument, that may run one after the other. */
export function sequentialPairs(
  fn: FunctionModel,
  pick: (c: CallModel) => boolean,
  breaks: (c: CallModel, variable: string) => boolean,
): { first: CallModel; second: CallModel; variable: string }[] {
  const calls = fn.calls.filter(pick).sort((x, y) => x.span.startOffset - y.span.startOffset);
  const out: { first: CallModel; second: CallModel; variable: string }[] = [];
  for (let i = 0; i < calls.length; i++) {
    for (let j = i + 1; j < calls.length; j++) {
      const variable = bareArgument(calls[i].args[0]?.text);
      if (!variable || variable !== bareArgument(calls[j].args[0]?.text)) continue;
      if (mayRunAfter(fn, calls[i], calls[j]) !== true) continue;
      if (assignedBetween(fn, variable, calls[i], calls[j])) continue;
      const between = fn.calls.filter(
        (c) => c.span.startOffset >= calls[i].span.endOffset && c.span.endOffset <= calls[j].span.startOffset,
      );
      // Something between them that resets the state only counts when it must run on the same path.
      if (
        between.some(
          (c) => breaks(c, variable) && mayRunAfter(fn, calls[i], c) === true && mayRunAfter(fn, c, calls[j]) === true,
        )
      )
        continue;
      out.push({ first: calls[i], second: calls[j], variable });
      break;
    }
  }
  return out;
}
