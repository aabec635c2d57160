/**
 * The path walk of analysis/paths.ts as it was before its per-run savings (sites read per code node
 * on every walk, a new list of paths after every site, a new map of values on every assignment),
 * kept as the reference the faster walk must agree with (paths.property.test.ts). Not used by the
 * server.
 */
import type { Flow, FlowTest, FunctionFlow } from '../../../server/src/analysis/flow';
import type { CallModel, FunctionModel } from '../../../server/src/analysis/model';
import { functionSites, type FlowSite, type PathAnalysis, type PathExit } from '../../../server/src/analysis/paths';
import { lookupTable } from '../../../server/src/util/lookupTable';

const CONSTANT = /^(?:[A-Z_][A-Z0-9_]*|true|false|nullptr|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)$/;

const SUCCESS_STATUS = new Set([
  'STATUS_SUCCESS',
  'STATUS_PENDING',
  'STATUS_TIMEOUT',
  'STATUS_REPARSE',
  'STATUS_MORE_ENTRIES',
  'STATUS_WAIT_0',
  'STATUS_ALERTED',
  'STATUS_USER_APC',
  'STATUS_NOTIFY_ENUM_DIR',
  'STATUS_ABANDONED',
  'STATUS_KERNEL_APC',
]);

/**
 * What a path has learnt of a local from a test it passed without knowing the value: `<success>` /
 * `<failure>` after `NT_SUCCESS(v)`, `<nonzero>` / `<zero>` after `if (v)`. A second test of the same
 * kind on the same path is then decided.
 */
const LEARNT: Readonly<Record<string, { zero?: boolean; success?: boolean }>> = lookupTable({
  '<success>': { success: true },
  '<failure>': { zero: false, success: false },
  '<nonzero>': { zero: false },
  '<zero>': { zero: true, success: true },
});

/** What is known of a constant: whether it is zero, whether NT_SUCCESS holds. */
function constantFacts(value: string): { zero?: boolean; success?: boolean } {
  if (value in LEARNT) return LEARNT[value];
  if (/^(TRUE|true)$/.test(value)) return { zero: false };
  if (/^(FALSE|false|NULL|nullptr)$/.test(value)) return { zero: true };
  if (/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(value)) {
    const n = Number(value.replace(/[uUlL]+$/, ''));
    return { zero: n === 0 };
  }
  if (value === 'STATUS_SUCCESS') return { zero: true, success: true };
  if (value.startsWith('STATUS_')) return { zero: false, success: SUCCESS_STATUS.has(value) };
  return {};
}

/** Whether a test holds when its local has `value`; undefined when that cannot be told. */
function decide(test: FlowTest, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const facts = constantFacts(value);
  let result: boolean | undefined;
  if (test.op === 'truthy') result = facts.zero === undefined ? undefined : !facts.zero;
  else if (test.op === 'success') result = facts.success;
  else if (test.value === value) result = true;
  else {
    const other = constantFacts(test.value ?? '');
    const bothStatus = value.startsWith('STATUS_') && test.value?.startsWith('STATUS_');
    if (bothStatus)
      result = false; // distinct status names have distinct values
    else if (facts.success !== undefined && other.success !== undefined && facts.success !== other.success)
      result = false;
    else if (facts.zero !== undefined && other.zero !== undefined && facts.zero !== other.zero) result = false;
    else if (facts.zero === true && other.zero === true) result = true;
  }
  return result === undefined ? undefined : result !== test.negated;
}

/** What a path learns of the tested local by taking the arm where the test came out `outcome`. */
function learnt(test: FlowTest, outcome: boolean): string | undefined {
  const holds = outcome !== test.negated;
  if (test.op === 'success') return holds ? '<success>' : '<failure>';
  if (test.op === 'truthy') return holds ? '<nonzero>' : '<zero>';
  if (holds) return test.value;
  // `p != NULL` taken: p is not zero.
  return constantFacts(test.value ?? '').zero === true ? '<nonzero>' : undefined;
}

interface Path<S> {
  state: S;
  /** Constant values of tested locals on this path. */
  values?: ReadonlyMap<string, string>;
  /** The merge key, once asked for (a path never changes once made: the key neither). */
  key?: string;
}

/**
 * The empty list of paths, shared: the walk never changes a list of paths once made, it makes new
 * ones (frozen, so a change would throw rather than leak into every outcome).
 */
const NO_PATHS: Path<never>[] = Object.freeze([]) as unknown as Path<never>[];

function noPaths<S>(): Path<S>[] {
  return NO_PATHS;
}

/** More paths than this at one point: forget the tracked values (the states stay exact). */
const MAX_PATHS = 48;
/** Loop bodies are walked until nothing new reaches the top, at most this many times. */
const MAX_LOOP_ROUNDS = 4;

interface Outcome<S> {
  normal: Path<S>[];
  breaks: Path<S>[];
  continues: Path<S>[];
}

/**
 * Walk every path of `fn` with `analysis`. Undefined when the function has no flow (a prototype,
 * a body the flow cannot describe, a definition recovered from a parse error).
 */
export function referenceWalkPaths<S>(fn: FunctionModel, analysis: PathAnalysis<S>): PathExit<S>[] | undefined {
  const flow = fn.flow;
  if (!flow) return undefined;
  const { sites, tracked } = walkInputs(fn, flow);
  const walker = new PathWalker(analysis, sites, tracked);
  const end = walker.walk(flow.root, [{ state: analysis.start }]);
  walker.exit(flow.end, end.normal);
  const returnsAt = new Map(fn.returns.map((r) => [r.span.startOffset, r]));
  return [...walker.exits]
    .sort((a, b) => a[0] - b[0])
    .map(([offset, states]) => ({ ret: returnsAt.get(offset), offset, states: [...states.values()] }));
}

const empty = <S>(): Outcome<S> => ({ normal: noPaths(), breaks: noPaths(), continues: noPaths() });

/** One walk of one function: the paths at each point of its flow, the states at each exit, the gotos not yet at their label. */
class PathWalker<S> {
  /** The states leaving the function, by the offset of the return (or of the body's end). */
  readonly exits = new Map<number, Map<string, S>>();
  /** Paths that jumped to a label not reached yet. */
  private readonly pending = new Map<string, Path<S>[]>();

  constructor(
    private readonly analysis: PathAnalysis<S>,
    private readonly sites: readonly FlowSite[],
    /** The locals the function's tests read: their constant values are followed along each path. */
    private readonly tracked: ReadonlySet<string>,
  ) {}

  walk(node: Flow, paths: Path<S>[]): Outcome<S> {
    switch (node.kind) {
      case 'code':
        return { normal: this.runCode(node, paths), breaks: noPaths(), continues: noPaths() };
      case 'init':
        // The flow node is the site itself (same fields): one object for every path and walk.
        return {
          normal: this.merge(paths.map((p) => this.visit(p, node))),
          breaks: noPaths(),
          continues: noPaths(),
        };
      case 'seq':
        return this.walkSeq(node, paths);
      case 'if':
        return this.walkIf(node, paths);
      case 'choice': {
        const outs = node.arms.map((arm) => this.walk(arm, paths));
        return {
          normal: this.merge(...outs.map((o) => o.normal), node.exhaustive ? [] : paths),
          breaks: this.merge(...outs.map((o) => o.breaks)),
          continues: this.merge(...outs.map((o) => o.continues)),
        };
      }
      case 'switch':
        return this.walkSwitch(node, paths);
      case 'loop':
        return this.walkLoop(node, paths);
      case 'return': {
        const out = node.value ? this.walk(node.value, paths).normal : paths;
        this.exit(node.start, out);
        return empty();
      }
      case 'break':
        return { normal: noPaths(), breaks: paths, continues: noPaths() };
      case 'continue':
        return { normal: noPaths(), breaks: noPaths(), continues: paths };
      case 'goto':
        this.pending.set(node.label, this.merge(this.pending.get(node.label) ?? [], paths));
        return empty();
      case 'label': {
        const arriving = this.merge(paths, this.pending.get(node.label) ?? []);
        this.pending.delete(node.label);
        return this.walk(node.statement, arriving);
      }
    }
  }

  exit(offset: number, paths: Path<S>[]): void {
    if (!paths.length) return;
    let states = this.exits.get(offset);
    if (!states) this.exits.set(offset, (states = new Map<string, S>()));
    for (const p of paths) states.set(this.analysis.key(p.state), p.state);
  }

  private walkSeq(node: Extract<Flow, { kind: 'seq' }>, paths: Path<S>[]): Outcome<S> {
    let current = paths;
    const breaks: Path<S>[][] = [];
    const continues: Path<S>[][] = [];
    for (const item of node.items) {
      const out = this.walk(item, current);
      current = out.normal;
      breaks.push(out.breaks);
      continues.push(out.continues);
    }
    return { normal: current, breaks: this.merge(...breaks), continues: this.merge(...continues) };
  }

  private walkIf(node: Extract<Flow, { kind: 'if' }>, paths: Path<S>[]): Outcome<S> {
    const afterCondition = this.walk(node.condition, paths).normal;
    const toThen: Path<S>[] = [];
    const toElse: Path<S>[] = [];
    const test = node.test;
    const analysis = this.analysis;
    const take = (into: Path<S>[], p: Path<S>, holds: boolean): void => {
      if (!test || !analysis.branch) {
        into.push(p);
        return;
      }
      const state = analysis.branch(p.state, test, holds);
      if (state !== undefined) into.push(state === p.state ? p : { state, values: p.values });
    };
    for (const p of afterCondition) {
      // A call's result is never known: both arms, and nothing learnt for a later test.
      const verdict = test && test.call === undefined ? decide(test, p.values?.get(test.variable)) : undefined;
      if (verdict === undefined && test) {
        const known = test.call === undefined;
        take(toThen, known ? assume(p, test.variable, learnt(test, true)) : p, true);
        take(toElse, known ? assume(p, test.variable, learnt(test, false)) : p, false);
        continue;
      }
      if (verdict !== false) take(toThen, p, true);
      if (verdict !== true) take(toElse, p, false);
    }
    const a = this.walk(node.then, toThen);
    const b = node.else
      ? this.walk(node.else, toElse)
      : { normal: toElse, breaks: noPaths<S>(), continues: noPaths<S>() };
    return {
      normal: this.merge(a.normal, b.normal),
      breaks: this.merge(a.breaks, b.breaks),
      continues: this.merge(a.continues, b.continues),
    };
  }

  private walkSwitch(node: Extract<Flow, { kind: 'switch' }>, paths: Path<S>[]): Outcome<S> {
    const entry = this.walk(node.subject, paths).normal;
    let fallthrough: Path<S>[] = [];
    const breaks: Path<S>[][] = [];
    const continues: Path<S>[][] = [];
    for (const c of node.cases) {
      const out = this.walk(c, this.merge(entry, fallthrough));
      fallthrough = out.normal;
      breaks.push(out.breaks);
      continues.push(out.continues);
    }
    return {
      normal: this.merge(fallthrough, ...breaks, node.hasDefault ? [] : entry),
      breaks: noPaths(),
      continues: this.merge(...continues),
    };
  }

  /** Loop bodies are walked again until nothing new reaches the top (at most MAX_LOOP_ROUNDS times). */
  private walkLoop(node: Extract<Flow, { kind: 'loop' }>, paths: Path<S>[]): Outcome<S> {
    let entry = node.init ? this.walk(node.init, paths).normal : paths;
    let leaving: Path<S>[] = [];
    let breaks: Path<S>[] = [];
    for (let round = 0; round < MAX_LOOP_ROUNDS; round++) {
      let intoBody = entry;
      if (node.testFirst) {
        const tested = node.condition ? this.walk(node.condition, entry).normal : entry;
        if (!node.infinite) leaving = this.merge(leaving, tested);
        intoBody = tested;
      }
      const out = this.walk(node.body, intoBody);
      breaks = this.merge(breaks, out.breaks);
      let back = this.merge(out.normal, out.continues);
      if (node.update) back = this.walk(node.update, back).normal;
      if (!node.testFirst) {
        const tested = node.condition ? this.walk(node.condition, back).normal : back;
        if (!node.infinite) leaving = this.merge(leaving, tested);
        back = node.once ? [] : tested;
      }
      const next = this.merge(entry, back);
      if (next.length === entry.length && next.every((p, i) => this.keyOf(p) === this.keyOf(entry[i]))) break;
      entry = next;
    }
    return { normal: this.merge(leaving, breaks), breaks: noPaths(), continues: noPaths() };
  }

  private runCode(node: Extract<Flow, { kind: 'code' }>, paths: Path<S>[]): Path<S>[] {
    let current = paths;
    for (const site of sitesWithin(this.sites, node.start, node.end)) {
      const optional = node.optional?.some(([a, b]) => a <= site.start && site.end <= b) ?? false;
      const after = current.map((p) => this.visit(p, site));
      current = optional ? this.merge(current, after) : this.merge(after);
    }
    return current;
  }

  private visit(p: Path<S>, site: FlowSite): Path<S> {
    const state = this.analysis.step(p.state, site);
    // A site that changes nothing keeps the path itself, and with it the key merges have computed.
    let next: Path<S> = state === p.state ? p : { state, values: p.values };
    if (!this.tracked.size) return next;
    if (site.kind === 'assignment') {
      const target = site.assignment.target;
      if (/^[A-Za-z_]\w*$/.test(target)) next = this.setValue(next, target, site.assignment.value);
    } else if (site.kind === 'init') {
      next = this.setValue(next, site.variable, site.value);
    } else {
      for (const name of addressedLocals(site.call)) next = this.setValue(next, name, undefined);
    }
    return next;
  }

  private setValue(p: Path<S>, variable: string, value: string | undefined): Path<S> {
    if (!this.tracked.has(variable)) return p;
    if (value === undefined && !p.values?.has(variable)) return p;
    const values = new Map(p.values);
    if (value !== undefined && CONSTANT.test(value)) values.set(variable, value);
    else values.delete(variable);
    return { state: p.state, values };
  }

  /** A path's merge key, computed once per path (merges ask for it again and again). */
  private keyOf(p: Path<S>): string {
    let key = p.key;
    if (key === undefined) {
      key = p.values?.size
        ? `${this.analysis.key(p.state)}|${[...p.values].map(([k, v]) => `${k}=${v}`).join(',')}`
        : this.analysis.key(p.state);
      p.key = key;
    }
    return key;
  }

  /** The distinct paths of `sets`, first come first kept (too many: the states alone). */
  private merge(...sets: Path<S>[][]): Path<S>[] {
    // Most merges meet one path or none: nothing to compare, and the list is kept as it is.
    let nonEmpty = 0;
    let last: Path<S>[] = noPaths();
    for (const set of sets)
      if (set.length) {
        nonEmpty++;
        last = set;
      }
    if (nonEmpty === 0) return noPaths();
    if (nonEmpty === 1 && last.length === 1) return last;
    const seen = new Map<string, Path<S>>();
    for (const set of sets)
      for (const p of set) {
        const key = this.keyOf(p);
        if (!seen.has(key)) seen.set(key, p);
      }
    let out = [...seen.values()];
    if (out.length > MAX_PATHS) {
      const plain = new Map<string, Path<S>>();
      for (const p of out) plain.set(this.analysis.key(p.state), { state: p.state });
      out = [...plain.values()];
    }
    return out;
  }
}

/** The path with `variable` known to hold `value` (a test's outcome tells it), when the outcome says one. */
function assume<S>(p: Path<S>, variable: string, value: string | undefined): Path<S> {
  if (value === undefined) return p;
  const values = new Map(p.values);
  values.set(variable, value);
  return { state: p.state, values };
}

/** What every walk of a function needs first: its sites without declarations, and the locals its tests read. */
const walkInputsOf = new WeakMap<FunctionFlow, { sites: readonly FlowSite[]; tracked: Set<string> }>();

function walkInputs(
  fn: FunctionModel,
  flow: FunctionFlow,
): { sites: readonly FlowSite[]; tracked: ReadonlySet<string> } {
  let inputs = walkInputsOf.get(flow);
  if (!inputs) {
    // Declarations are flow nodes of their own: the walk visits them where they stand.
    const all = functionSites(fn);
    const sites = all.some((s) => s.kind === 'init') ? all.filter((s) => s.kind !== 'init') : all;
    const tracked = new Set<string>();
    collectTested(flow.root, tracked);
    inputs = { sites, tracked };
    walkInputsOf.set(flow, inputs);
  }
  return inputs;
}

const addressedOf = new WeakMap<CallModel, readonly string[]>();
const NO_NAMES: readonly string[] = [];

/** The locals a call is handed the address of (`&status`): their tracked values are forgotten after it. */
function addressedLocals(call: CallModel): readonly string[] {
  let names = addressedOf.get(call);
  if (!names) {
    const found: string[] = [];
    for (const a of call.args) {
      const m = /^&\s*([A-Za-z_]\w*)$/.exec(a.text);
      if (m) found.push(m[1]);
    }
    // Most calls take no address: they share one empty list (the cache lives as long as the models).
    names = found.length ? found : NO_NAMES;
    addressedOf.set(call, names);
  }
  return names;
}

/** The sites lying wholly inside [start, end], in evaluation order. */
function sitesWithin(sites: readonly FlowSite[], start: number, end: number): FlowSite[] {
  let low = 0;
  let high = sites.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sites[mid].end <= start) low = mid + 1;
    else high = mid;
  }
  const out: FlowSite[] = [];
  for (let i = low; i < sites.length && sites[i].end <= end; i++) if (sites[i].start >= start) out.push(sites[i]);
  return out;
}

function collectTested(node: Flow, into: Set<string>): void {
  switch (node.kind) {
    case 'seq':
      node.items.forEach((n) => collectTested(n, into));
      return;
    case 'if':
      if (node.test && node.test.call === undefined) into.add(node.test.variable);
      collectTested(node.then, into);
      if (node.else) collectTested(node.else, into);
      return;
    case 'choice':
      node.arms.forEach((n) => collectTested(n, into));
      return;
    case 'switch':
      node.cases.forEach((n) => collectTested(n, into));
      return;
    case 'loop':
      collectTested(node.body, into);
      return;
    case 'label':
      collectTested(node.statement, into);
      return;
    default:
      return;
  }
}
