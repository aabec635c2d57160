/**
 * A memo for summaries of driver helpers that follow calls a bounded number of levels down (what a
 * helper does with the request it is handed: requestOwnership.ts, requestSends.ts, whose bound gives
 * the benefit of the doubt below it). The summary a memo stands for is
 * the plain depth-bounded definition: a function's summary at depth `d` is made from its callees'
 * summaries at `d + 1`, and a function reached at the bound is not read (its summary is the bound's
 * answer). A recursion is unfolded down to the bound like any other chain, so no answer is made while
 * a callee's entry is a provisional one, and each answer is a function of (name, depth) alone: the
 * same whichever question a run asks first (an editor run and `kmdf lint` ask in different orders).
 *
 * Kept so that the usual case costs one summary per name: an answer the bound did not cut (nothing
 * read at the bound) is the same at every depth that leaves room for the levels it read, and is kept
 * with that need; an answer the bound cut (a chain longer than the bound, every recursion) is kept for
 * its depth only.
 */

/** What `lookup` returns when the memo has no answer for the name at that depth. */
export const UNKNOWN: unique symbol = Symbol('unknown');

/** What the memo keeps of one name. */
interface Entry<T> {
  /** The answer the bound did not cut, when there is one (else `need` is Infinity). */
  value: T;
  /** How many levels below its function that answer read: it holds at every depth up to `limit - need`. */
  need: number;
  /** Answers the bound cut, by depth (NOTHING for an answer that is `undefined`; a hole: not made yet). */
  cut?: (T | typeof NOTHING)[];
}

const NOTHING: unique symbol = Symbol('nothing');

export class BoundedSummaries<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /**
   * While a summary is being made: how deep (from the question) the answers it used read, Infinity
   * once one of them was cut.
   */
  private reach = 0;

  /** `limit`: the depth at which a function's calls are no longer read. */
  constructor(readonly limit: number) {}

  /** The kept answer for `name` at `depth`, else UNKNOWN (then make it: `fixed`, `atBound` or `begin`/`end`). */
  lookup(name: string, depth: number): T | typeof UNKNOWN {
    const entry = this.entries.get(name);
    if (entry === undefined) return UNKNOWN;
    const reach = depth + entry.need;
    if (reach <= this.limit) {
      if (reach > this.reach) this.reach = reach;
      return entry.value;
    }
    const cut = entry.cut?.[depth];
    if (cut === undefined) return UNKNOWN;
    this.reach = Infinity;
    return cut === NOTHING ? (undefined as T) : cut;
  }

  /** An answer read without following any call (SAL, no body): the same at every depth. */
  fixed(name: string, value: T): T {
    this.entries.set(name, { value, need: 0 });
    return value;
  }

  /** The answer for a function whose calls the bound keeps it from reading (`depth >= limit`). */
  atBound(name: string, depth: number, value: T): T {
    this.reach = Infinity;
    this.keepCut(name, depth, value);
    return value;
  }

  /** Start making a summary from the function's calls (at `depth < limit`); hand the result to `end`. */
  begin(depth: number): number {
    const outer = this.reach;
    this.reach = depth + 1;
    return outer;
  }

  /** Keep the summary `begin` started (`outer`: what begin returned) and return it. */
  end(name: string, depth: number, outer: number, value: T): T {
    const reach = this.reach;
    if (reach === Infinity) this.keepCut(name, depth, value);
    else {
      const entry = this.entries.get(name);
      if (entry) {
        entry.value = value;
        entry.need = reach - depth;
      } else this.entries.set(name, { value, need: reach - depth });
    }
    this.reach = reach > outer ? reach : outer;
    return value;
  }

  private keepCut(name: string, depth: number, value: T): void {
    let entry = this.entries.get(name);
    if (!entry) this.entries.set(name, (entry = { value: undefined as T, need: Infinity }));
    (entry.cut ??= [])[depth] = value === undefined ? NOTHING : value;
  }
}
