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
