/**
 * The branch outline and statement tree of each function body, kept from one build of a document to
 * the next (issue 10 §2): after an edit, only the bodies whose text changed are read from the tree
 * again, and the others' outlines are moved by how far their body moved. They were 40% of a rebuild.
 *
 * A body's outline is a function of its own subtree and of where its calls and returns are: the key
 * is the body's blanked text (what the tree was parsed from), its text (what conditions and values
 * are read from) and the offsets of its sites relative to the body. Every offset in an outline is a
 * document offset, so an outline kept for a body that moved is a shifted copy; one whose body stayed
 * where it was is shared as it is, as the model's own objects are (a model is never changed once
 * built, and bodyCache.ts shares them the same way).
 */
import type { BranchArm } from '../model';
import type { FunctionFlow } from '../flow';

/** What outlineBranches computes for one body. */
export interface BodyOutlineFacts {
  hasGoto: boolean;
  /** Per site (calls, then returns), the arms enclosing it; undefined when the body cannot be outlined. */
  arms?: BranchArm[][];
  flow?: FunctionFlow;
}

interface Kept {
  bodyStart: number;
  facts: BodyOutlineFacts;
}

/** Outlines by body, from the last build; one build's lookups and stores at a time (`startBuild`). */
export class OutlineCache {
  private previous = new Map<string, Kept>();
  private current = new Map<string, Kept>();
  /** Bodies of the last build whose outline was reused, and read from the tree. */
  reused = 0;
  read = 0;

  /** A new build begins: what the last one stored is what this one may reuse (the rest is dropped). */
  startBuild(): void {
    if (this.current.size) this.previous = this.current;
    this.current = new Map();
    this.reused = 0;
    this.read = 0;
  }

  /** The outline of a body with this key, moved to `bodyStart`; also kept for the next build. */
  take(key: string, bodyStart: number): BodyOutlineFacts | undefined {
    const kept = this.previous.get(key) ?? this.current.get(key);
    if (!kept) return undefined;
    this.reused++;
    this.current.set(key, kept);
    const delta = bodyStart - kept.bodyStart;
    return delta ? shiftFacts(kept.facts, delta) : kept.facts;
  }

  /**
   * Keep a body's outline: the model's own objects, not a copy (copying every outline was a tenth of
   * the first build of a 3,000-line file, on open, for the edits to come).
   */
  store(key: string, bodyStart: number, facts: BodyOutlineFacts): void {
    this.read++;
    this.current.set(key, { bodyStart, facts });
  }
}

/** The key of a body: its blanked text, its text, and its sites' offsets from the body's start. */
export function bodyKey(blanked: string, text: string, bodyStart: number, sites: readonly [number, number][]): string {
  let key = `${blanked}\u0000${text}\u0000`;
  for (const [start, end] of sites) key += `${start - bodyStart},${end - bodyStart};`;
  return key;
}

/** Names of the fields holding document offsets, in arms and flows (`arm` is an index, not an offset). */
const OFFSET_FIELDS = new Set(['start', 'end', 'call', 'statement']);
/** Fields holding lists of offsets (`optional`: [start, end] pairs). */
const OFFSET_LISTS = new Set(['optional', 'discarded']);

/** A deep copy with every offset moved by `delta` (fields kept as they are, even undefined ones). */
function shiftFacts(facts: BodyOutlineFacts, delta: number): BodyOutlineFacts {
  return shifted(facts, delta, false) as BodyOutlineFacts;
}

function shifted(value: unknown, delta: number, offsets: boolean): unknown {
  if (typeof value === 'number') return offsets ? value + delta : value;
  if (Array.isArray(value)) return value.map((v) => shifted(v, delta, offsets));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    copy[key] = shifted(v, delta, OFFSET_FIELDS.has(key) || OFFSET_LISTS.has(key));
  return copy;
}
