/**
 * Summaries of driver helpers made from what their calls do, over the whole call graph below them
 * (the lock and IRQL effects of helpers: heldLocks.ts, irqlRaises.ts). A summary is a pure function
 * of the driver's functions, whichever helper a run asks about first (an editor run and `kmdf lint`
 * ask in different orders): no answer is made while a callee's is provisional, and there is no depth
 * bound for an answer made deep in a chain to carry to the top.
 *
 * A recursion (a strongly connected set of functions, or one that calls itself) counts as one
 * function: what its functions do by themselves and through the functions outside it, together,
 * gives each of them its summary (any of them may run the others' bodies). Each function is read
 * once per memo: the recursions are found as the summaries are asked for (Tarjan's algorithm).
 */
import type { FunctionModel } from '../../analysis/model';

/** What the memo needs of one name: a summary known without its calls, or what it does and calls. */
export type SummaryNode<T, F> = { summary: T } | { own: F; callees: readonly string[] };

/** How summaries are made from what functions do. */
export interface SummaryRules<T, F> {
  /** The name's summary if it is known without reading calls, else its own doings and its callees. */
  node(name: string): SummaryNode<T, F>;
  /** `doings` with a callee's summary added (the callee outside the caller's recursion). */
  add(doings: F, callee: T): F;
  /** Two functions' doings together (the functions of one recursion). */
  join(a: F, b: F): F;
  /** The summary of what a function (or recursion) does. */
  summary(doings: F): T;
}

/** One name while its recursion is being found. */
interface Visit<F> {
  index: number;
  low: number;
  doings: F;
  onStack: boolean;
}

export class RecursionSummaries<T, F> {
  private readonly done = new Map<string, T>();
  private readonly visits = new Map<string, Visit<F>>();
  private readonly stack: string[] = [];
  private next = 0;

  constructor(private readonly rules: SummaryRules<T, F>) {}

  /** The summary of `name`. */
  get(name: string): T {
    const known = this.done.get(name);
    if (known !== undefined || this.done.has(name)) return known as T;
    this.visit(name);
    return this.done.get(name) as T;
  }

  private visit(name: string): void {
    const node = this.rules.node(name);
    if ('summary' in node) {
      this.done.set(name, node.summary);
      return;
    }
    const visit: Visit<F> = { index: this.next, low: this.next, doings: node.own, onStack: true };
    this.next++;
    this.visits.set(name, visit);
    this.stack.push(name);
    for (const callee of node.callees) {
      if (this.done.has(callee)) {
        visit.doings = this.rules.add(visit.doings, this.done.get(callee) as T);
        continue;
      }
      const seen = this.visits.get(callee);
      if (!seen) {
        this.visit(callee);
        if (this.done.has(callee)) visit.doings = this.rules.add(visit.doings, this.done.get(callee) as T);
        else visit.low = Math.min(visit.low, this.visits.get(callee)!.low);
      } else if (seen.onStack) visit.low = Math.min(visit.low, seen.index); // a call into its own recursion
    }
    if (visit.low !== visit.index) return;
    // `name` closes a recursion (or stands alone): the functions above it on the stack are its members.
    const start = this.stack.lastIndexOf(name);
    const members = this.stack.splice(start);
    let doings = visit.doings;
    for (let i = 1; i < members.length; i++) doings = this.rules.join(doings, this.visits.get(members[i])!.doings);
    const summary = this.rules.summary(doings);
    for (const member of members) {
      this.done.set(member, summary);
      this.visits.delete(member);
    }
  }
}

/**
 * What a function does with one of two opposite effects (takes or drops a lock, raises or lowers the
 * IRQL): bit 1 the first, bit 2 the second.
 */
function doings(first: boolean, second: boolean): number {
  return (first ? 1 : 0) | (second ? 2 : 0);
}

/**
 * A function's own part in a pair of opposite effects, from its calls: `classify` names a callee's
 * effect (1 the first, 2 the second, 0 neither: a name to follow). Kept in `memo` by function model.
 */
export function ownDoings(
  fn: FunctionModel,
  classify: (callee: string) => 0 | 1 | 2,
  memo: WeakMap<FunctionModel, SummaryNode<never, number>>,
): SummaryNode<never, number> {
  let own = memo.get(fn);
  if (!own) {
    let bits = 0;
    const others = new Set<string>();
    for (const call of fn.calls) {
      const effect = classify(call.callee);
      if (effect) bits |= effect;
      else others.add(call.callee);
    }
    memo.set(fn, (own = { own: bits, callees: [...others] }));
  }
  return own;
}

/**
 * Summaries of a pair of opposite effects: a function (or recursion) has one of them when it does
 * that one, by itself or through its callees, and never the other (`node`'s `own` is `doings(…)`).
 */
export function oneWaySummaries<A extends string, B extends string>(
  first: A,
  second: B,
  node: (name: string) => SummaryNode<A | B | undefined, number>,
): RecursionSummaries<A | B | undefined, number> {
  return new RecursionSummaries<A | B | undefined, number>({
    node,
    add: (own, callee) => own | doings(callee === first, callee === second),
    join: (a, b) => a | b,
    summary: (own) => (own === 1 ? first : own === 2 ? second : undefined),
  });
}
