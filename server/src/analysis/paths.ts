/**
 * Paths through a function body. `outlineFlow` reads the statement structure of a body once, at
 * model-build time, into a small tree (`FunctionFlow`: sequences, if/else, switch with fall-through,
 * loops, return, break, continue, forward goto); `walkPaths` then runs a rule's state machine along
 * every path of it, visiting the function's calls and assignments in evaluation order, and hands back
 * the states that reach each return and the end of the body.
 *
 * The walk is path-sensitive for the flags drivers test: a local set to a constant (`TRUE`,
 * `STATUS_PENDING`) and tested later (`if (complete)`, `if (status != STATUS_PENDING)`,
 * `if (NT_SUCCESS(status))`) only takes the arm its value allows, so a "forwarded, so don't complete"
 * flag does not invent a path. Control flow it cannot describe (a backward goto, `__try`, `try`, a
 * parse error) gives no flow at all, and the rules stay silent there rather than guess.
 */
import type { Node } from 'web-tree-sitter';
import type { Flow, FlowTest, FunctionFlow } from './flow';
import type { AssignmentModel, CallModel, FunctionModel, ReturnModel } from './model';
import { lookupTable } from '../util/lookupTable';
import { ownString } from '../util/ownString';

export type { Flow, FlowTest, FunctionFlow } from './flow';

/** What the walk visits, in evaluation order. */
export type FlowSite =
  | { kind: 'call'; call: CallModel; start: number; end: number }
  | { kind: 'assignment'; assignment: AssignmentModel; start: number; end: number }
  | { kind: 'init'; variable: string; value: string; start: number; end: number };

/** A rule's state machine along the paths. */
export interface PathAnalysis<S> {
  start: S;
  /** The state after `site` (return `state` itself when the site changes nothing). */
  step(state: S, site: FlowSite): S;
  /** Paths whose states have the same key are merged. */
  key(state: S): string;
  /**
   * The state on entering an arm of an `if` whose condition is `test`: `holds` is what the whole
   * condition evaluates to in that arm (true in `then`, false in `else`), after the condition's own
   * sites. Lets a rule learn which way a status was tested (`if (!NT_SUCCESS(status))`) or what a
   * tested result means (the path where `WdfRequestSend` returned FALSE). Undefined: no path in that
   * state takes this arm (the rule knows the outcome). Optional.
   */
  branch?(state: S, test: FlowTest, holds: boolean): S | undefined;
}

/** Where paths leave the function: a return, or the end of the body (`ret` undefined). */
export interface PathExit<S> {
  ret?: ReturnModel;
  /** The return's start offset, or the closing brace's. */
  offset: number;
  /** The distinct states the paths arrive with. */
  states: S[];
}

/** Statements the flow does not describe: their function gets no flow. */
const UNSUPPORTED = new Set(['seh_try_statement', 'seh_leave_statement', 'try_statement', 'throw_statement']);
/** Values of a constant the walk tracks: `TRUE`, `0`, `STATUS_PENDING`, `NULL`. */
const CONSTANT = /^(?:[A-Z_][A-Z0-9_]*|true|false|nullptr|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)$/;

class Unsupported extends Error {}

/**
 * Read the statement tree of a function body (`{ … }`). `text` is the document text the node's
 * offsets index. Undefined when the body holds control flow the tree cannot describe.
 */
export function outlineFlow(body: Node, text: string): FunctionFlow | undefined {
  if (body.hasError || body.isMissing) return undefined;
  const reader = new FlowReader(text);
  try {
    const root = reader.statement(body);
    // A goto back to an earlier label makes a loop the walk does not follow.
    for (const g of reader.gotos) {
      const at = reader.labels.get(g.label);
      if (at === undefined || at < g.at) return undefined;
    }
    return { root, end: body.endIndex - 1, discarded: reader.discarded };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/**
 * Reads one function body's statements into a `Flow` tree (`statement` dispatches on the node type, one
 * method per construct), collecting the labels and gotos `outlineFlow` checks and the offsets of calls
 * whose result is discarded. Throws `Unsupported` on control flow the tree cannot describe.
 */
class FlowReader {
  /** Label name → the offset of its statement. */
  readonly labels = new Map<string, number>();
  readonly gotos: { label: string; at: number }[] = [];
  /** Start offsets of calls made as whole expression statements (their result dropped). */
  readonly discarded: number[] = [];

  constructor(private readonly text: string) {}

  statement(node: Node): Flow {
    const type = node.type;
    if (UNSUPPORTED.has(type)) throw new Unsupported(type);
    switch (type) {
      case 'compound_statement':
        return this.seq(node.namedChildren);
      case 'declaration':
        return this.declaration(node);
      case 'expression_statement': {
        const expression = node.namedChildren.find((c) => c.type !== 'comment');
        if (expression?.type === 'call_expression') this.discarded.push(expression.startIndex);
        return this.code(node);
      }
      case 'if_statement':
        return this.ifElse(node);
      case 'switch_statement':
        return this.switchCases(node);
      case 'while_statement':
      case 'do_statement':
      case 'for_statement':
      case 'for_range_loop':
        return this.loop(node);
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c.type !== 'comment');
        return {
          kind: 'return',
          start: node.startIndex,
          end: node.endIndex,
          value: value ? this.code(value) : undefined,
        };
      }
      case 'break_statement':
        return { kind: 'break' };
      case 'continue_statement':
        return { kind: 'continue' };
      case 'goto_statement':
        return this.goto(node);
      case 'labeled_statement':
        return this.labeled(node);
      case 'attributed_statement':
        return this.seq(node.namedChildren.filter((c) => c.type !== 'attribute_declaration'));
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'preproc_else':
        return this.preprocessor(node);
      case 'comment':
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
        return { kind: 'seq', items: [] };
      default:
        if (type === 'goto' || type === 'ERROR') throw new Unsupported(type);
        return this.code(node);
    }
  }

  private seq(nodes: Node[]): Flow {
    const items: Flow[] = [];
    for (const n of nodes) if (n.type !== 'comment') items.push(this.statement(n));
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  }

  private ifElse(node: Node): Flow {
    const condition = node.childForFieldName('condition');
    const consequence = node.childForFieldName('consequence');
    let alternative = node.childForFieldName('alternative');
    if (alternative?.type === 'else_clause') alternative = alternative.namedChildren.find(isStatement) ?? null;
    if (!condition || !consequence) throw new Unsupported('if without a condition');
    return {
      kind: 'if',
      condition: this.code(condition),
      test: testOf(condition),
      then: this.statement(consequence),
      else: alternative ? this.statement(alternative) : undefined,
    };
  }

  private switchCases(node: Node): Flow {
    const subject = node.childForFieldName('condition');
    const block = node.childForFieldName('body');
    if (!subject || !block) throw new Unsupported('switch without a body');
    const cases: Flow[] = [];
    let hasDefault = false;
    for (const child of block.namedChildren) {
      if (child.type === 'comment') continue;
      // Code before the first label never runs; a case label must be the block's own child.
      if (child.type !== 'case_statement') throw new Unsupported('statement outside a case');
      const value = child.childForFieldName('value');
      if (!value) hasDefault = true;
      cases.push(this.seq(child.namedChildren.filter((c) => !value || c.startIndex !== value.startIndex)));
    }
    return { kind: 'switch', subject: this.code(subject), cases, hasDefault };
  }

  private goto(node: Node): Flow {
    const label = node.childForFieldName('label');
    if (!label) throw new Unsupported('goto without a label');
    const name = ownString(label.text);
    this.gotos.push({ label: name, at: node.startIndex });
    return { kind: 'goto', label: name };
  }

  private labeled(node: Node): Flow {
    const label = node.childForFieldName('label');
    const inner = node.namedChildren.filter((c) => c.type !== 'statement_identifier' && c.type !== 'comment');
    if (!label) throw new Unsupported('label without a name');
    const name = ownString(label.text);
    if (this.labels.has(name)) throw new Unsupported('label defined twice');
    this.labels.set(name, node.startIndex);
    return { kind: 'label', label: name, statement: this.seq(inner) };
  }

  private loop(node: Node): Flow {
    const body = node.childForFieldName('body');
    if (!body) throw new Unsupported('loop without a body');
    const condition = node.childForFieldName('condition');
    const init = node.childForFieldName('initializer');
    const update = node.childForFieldName('update');
    const truth = condition ? constantTruth(condition) : node.type === 'for_statement' ? true : undefined;
    const isDo = node.type === 'do_statement';
    return {
      kind: 'loop',
      init: init ? (init.type === 'declaration' ? this.declaration(init) : this.code(init)) : undefined,
      condition: condition ? this.code(condition) : undefined,
      body: this.statement(body),
      update: update ? this.code(update) : undefined,
      testFirst: !isDo,
      infinite: truth === true,
      once: isDo && truth === false,
    };
  }

  private preprocessor(node: Node): Flow {
    const skip = new Set<number>();
    for (const field of ['condition', 'name', 'alternative']) {
      const f = node.childForFieldName(field);
      if (f) skip.add(f.startIndex);
    }
    const alternative = node.childForFieldName('alternative');
    const own = this.seq(node.namedChildren.filter((c) => !skip.has(c.startIndex)));
    if (node.type === 'preproc_else') return own;
    const arms = [own];
    if (alternative) arms.push(this.preprocessor(alternative));
    return { kind: 'choice', arms, exhaustive: !!alternative && endsInElse(alternative) };
  }

  /** A declaration: its initialisers as straight-line code, then each declared local (with its initial value, '' for none). */
  private declaration(node: Node): Flow {
    const items: Flow[] = [this.code(node)];
    for (const d of node.namedChildren) {
      const isInit = d.type === 'init_declarator';
      const name = declaredName(isInit ? d.childForFieldName('declarator') : d);
      if (!name) continue;
      const value = isInit ? d.childForFieldName('value') : null;
      items.push({
        kind: 'init',
        variable: name,
        value: value ? this.text.slice(value.startIndex, value.endIndex).replace(/\s+/g, ' ').trim() : '',
        start: d.startIndex,
        end: d.endIndex,
      });
    }
    return items.length === 1 ? items[0] : { kind: 'seq', items };
  }

  private code(node: Node): Flow {
    const start = node.startIndex;
    const end = node.endIndex;
    const piece = this.text.slice(start, end);
    if (!/&&|\|\||\?/.test(piece)) return { kind: 'code', start, end };
    // Only pay for the descendant walk where a short-circuit or a `?:` is written.
    const optional: [number, number][] = [];
    for (const n of node.descendantsOfType(['conditional_expression', 'binary_expression'])) {
      if (!n) continue;
      if (n.type === 'conditional_expression') {
        for (const field of ['consequence', 'alternative']) {
          const arm = n.childForFieldName(field);
          if (arm) optional.push([arm.startIndex, arm.endIndex]);
        }
      } else {
        const op = n.childForFieldName('operator')?.type;
        const right = n.childForFieldName('right');
        if ((op === '&&' || op === '||') && right) optional.push([right.startIndex, right.endIndex]);
      }
    }
    return optional.length ? { kind: 'code', start, end, optional } : { kind: 'code', start, end };
  }
}

function endsInElse(node: Node): boolean {
  if (node.type === 'preproc_else') return true;
  const next = node.childForFieldName('alternative');
  return !!next && endsInElse(next);
}

/** The name a declarator declares (`p` of `*p`, `a` of `a[4]`); undefined for a function declarator. */
function declaredName(node: Node | null): string | undefined {
  for (let n = node; n; n = n.childForFieldName('declarator')) {
    if (n.type === 'identifier') return ownString(n.text);
    if (n.type !== 'pointer_declarator' && n.type !== 'array_declarator' && n.type !== 'parenthesized_declarator')
      return undefined;
  }
  return undefined;
}

/** The declarations of locals in a body (at any depth), in text order. */
function initsOf(flow: FunctionFlow): Extract<Flow, { kind: 'init' }>[] {
  const out: Extract<Flow, { kind: 'init' }>[] = [];
  const visit = (node: Flow): void => {
    switch (node.kind) {
      case 'init':
        out.push(node);
        return;
      case 'seq':
        node.items.forEach(visit);
        return;
      case 'if':
        visit(node.then);
        if (node.else) visit(node.else);
        return;
      case 'choice':
        node.arms.forEach(visit);
        return;
      case 'switch':
        node.cases.forEach(visit);
        return;
      case 'loop':
        if (node.init) visit(node.init);
        visit(node.body);
        return;
      case 'label':
        visit(node.statement);
        return;
      default:
        return;
    }
  };
  visit(flow.root);
  return out;
}

/** The locals a body declares (a new set each time: callers add to it). */
export function declaredLocals(flow: FunctionFlow): Set<string> {
  let names = declaredOf.get(flow);
  if (!names) {
    names = initsOf(flow).map((i) => i.variable);
    declaredOf.set(flow, names);
  }
  return new Set(names);
}

/** The names `declaredLocals` reads of each flow, in text order (a flow does not change once built). */
const declaredOf = new WeakMap<FunctionFlow, readonly string[]>();

/**
 * Every call, assignment and local declaration of `fn`, in evaluation order, regardless of paths
 * (for summaries that ask what a function may do at all).
 */
export function functionSites(fn: FunctionModel): readonly FlowSite[] {
  let sites = sitesOf.get(fn);
  if (!sites) {
    sites = readSites(fn);
    sitesOf.set(fn, sites);
  }
  return sites;
}

/** The sites of each function (models are not changed once built; every rule's walk reads the same list). */
const sitesOf = new WeakMap<FunctionModel, readonly FlowSite[]>();

function readSites(fn: FunctionModel): FlowSite[] {
  const sites: FlowSite[] = [
    ...fn.calls.map((call) => ({
      kind: 'call' as const,
      call,
      start: call.span.startOffset,
      end: call.span.endOffset,
    })),
    ...fn.assignments.map((assignment) => ({
      kind: 'assignment' as const,
      assignment,
      start: assignment.span.startOffset,
      end: assignment.span.endOffset,
    })),
  ];
  if (fn.flow)
    for (const i of initsOf(fn.flow))
      sites.push({ kind: 'init', variable: i.variable, value: i.value, start: i.start, end: i.end });
  return sites.sort(evaluationOrder);
}

function isStatement(n: Node): boolean {
  return n.type !== 'comment';
}

/** Whether a loop condition is a constant (`TRUE`, `1`, `FALSE`, `0`), read from its text. */
function constantTruth(condition: Node): boolean | undefined {
  const t = condition.text.replace(/^\(|\)$/g, '').trim();
  if (/^(TRUE|true|1)$/.test(t)) return true;
  if (/^(FALSE|false|0)$/.test(t)) return false;
  return undefined;
}

/** The test of an `if` condition, when it is one the walk can decide from a local's value. */
function testOf(node: Node): FlowTest | undefined {
  switch (node.type) {
    case 'parenthesized_expression':
    case 'condition_clause': {
      const inner = node.namedChildren.filter((c) => c.type !== 'comment');
      return inner.length === 1 ? testOf(inner[0]) : undefined;
    }
    case 'identifier':
      return { variable: ownString(node.text), op: 'truthy', negated: false };
    case 'unary_expression': {
      if (node.childForFieldName('operator')?.type !== '!') return undefined;
      const arg = node.childForFieldName('argument');
      const inner = arg ? testOf(arg) : undefined;
      return inner ? { ...inner, negated: !inner.negated } : undefined;
    }
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.type;
      if (op !== '==' && op !== '!=') return undefined;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return undefined;
      const called = calledResult(left, right) ?? calledResult(right, left);
      if (called) return { ...called, negated: called.negated !== (op === '!=') };
      const [variable, value] = left.type === 'identifier' && CONSTANT.test(right.text) ? [left, right] : [right, left];
      if (variable.type !== 'identifier' || !CONSTANT.test(value.text)) return undefined;
      return { variable: ownString(variable.text), op: 'eq', value: ownString(value.text), negated: op === '!=' };
    }
    case 'call_expression': {
      if (node.childForFieldName('function')?.text !== 'NT_SUCCESS')
        return { variable: '', call: node.startIndex, op: 'truthy', negated: false };
      const args = node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      if (args.length !== 1) return undefined;
      // `NT_SUCCESS(status = WdfDeviceCreate(…))` tests the local the call's result was just stored in.
      const tested =
        args[0].type === 'assignment_expression' && args[0].childForFieldName('operator')?.type === '='
          ? args[0].childForFieldName('left')
          : args[0];
      if (tested?.type !== 'identifier') return undefined;
      return { variable: ownString(tested.text), op: 'success', negated: false };
    }
    default:
      return undefined;
  }
}

/** `f(…) == FALSE` (or TRUE, 0, 1) as a test of the call's result being non-zero; the caller applies `!=`. */
function calledResult(call: Node, constant: Node): FlowTest | undefined {
  if (call.type !== 'call_expression') return undefined;
  const value = constant.text;
  if (!/^(TRUE|FALSE|true|false|0|1)$/.test(value)) return undefined;
  const zero = /^(FALSE|false|0)$/.test(value);
  return { variable: '', call: call.startIndex, op: 'truthy', negated: zero };
}

// --- The walk.

/** Status codes NT_SUCCESS accepts (success and informational); other STATUS_ names are failures. */
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
/** Up to this many paths, a merge compares keys in a list rather than a map. */
const FEW_PATHS = 16;
/** Loop bodies are walked until nothing new reaches the top, at most this many times. */
const MAX_LOOP_ROUNDS = 4;

/**
 * Walk every path of `fn` with `analysis`. Undefined when the function has no flow (a prototype,
 * a body the flow cannot describe, a definition recovered from a parse error).
 */
export function walkPaths<S>(fn: FunctionModel, analysis: PathAnalysis<S>): PathExit<S>[] | undefined {
  const flow = fn.flow;
  if (!flow) return undefined;
  const walker = new PathWalker(analysis, walkInputs(fn, flow));
  const end = walker.walk(flow.root, [{ state: analysis.start }]);
  walker.exit(flow.end, end);
  const returnsAt = new Map(fn.returns.map((r) => [r.span.startOffset, r]));
  return [...walker.exits]
    .sort((a, b) => a[0] - b[0])
    .map(([offset, states]) => ({ ret: returnsAt.get(offset), offset, states: [...states.values()] }));
}

/** One walk of one function: the paths at each point of its flow, the states at each exit, the gotos not yet at their label. */
class PathWalker<S> {
  /** The states leaving the function, by the offset of the return (or of the body's end). */
  readonly exits = new Map<number, Map<string, S>>();
  /** Paths that jumped to a label not reached yet. */
  private readonly pending = new Map<string, Path<S>[]>();
  /**
   * Lists `merge` made: distinct by key and at most MAX_PATHS long, so merging one alone gives the
   * same paths in the same order (it is kept as it is).
   */
  private readonly distinct = new Set<Path<S>[]>();
  /** The paths the node last walked left by `break`, and by `continue` (see `walk`). */
  private breaks: Path<S>[] = noPaths();
  private continues: Path<S>[] = noPaths();

  constructor(
    private readonly analysis: PathAnalysis<S>,
    /** The function's sites, the locals its tests read, and what each code node visits. */
    private readonly inputs: WalkInputs,
  ) {}

  /**
   * The paths that leave `node` normally; those that leave it by `break` and by `continue` are left
   * in `breaks` and `continues` (read by the caller before its next walk: fields rather than an
   * outcome object per node and walk, which were most of the walk's garbage).
   */
  walk(node: Flow, paths: Path<S>[]): Path<S>[] {
    switch (node.kind) {
      case 'code':
        return this.none(this.runCode(node, paths));
      case 'init':
        // The flow node is the site itself (same fields): one object for every path and walk.
        return this.none(this.visitAll(paths, node, initEffect(this.inputs, node), false));
      case 'seq':
        return this.walkSeq(node, paths);
      case 'if':
        return this.walkIf(node, paths);
      case 'choice': {
        const normals: Path<S>[][] = [];
        const breaks: Path<S>[][] = [];
        const continues: Path<S>[][] = [];
        for (const arm of node.arms) {
          normals.push(this.walk(arm, paths));
          breaks.push(this.breaks);
          continues.push(this.continues);
        }
        if (!node.exhaustive) normals.push(paths);
        const normal = this.merge(...normals);
        this.breaks = this.merge(...breaks);
        this.continues = this.merge(...continues);
        return normal;
      }
      case 'switch':
        return this.walkSwitch(node, paths);
      case 'loop':
        return this.walkLoop(node, paths);
      case 'return': {
        const out = node.value ? this.walk(node.value, paths) : paths;
        this.exit(node.start, out);
        return this.none(noPaths());
      }
      case 'break':
        this.none(noPaths());
        this.breaks = paths;
        return noPaths();
      case 'continue':
        this.none(noPaths());
        this.continues = paths;
        return noPaths();
      case 'goto':
        this.pending.set(node.label, this.merge(this.pending.get(node.label) ?? [], paths));
        return this.none(noPaths());
      case 'label': {
        const arriving = this.merge(paths, this.pending.get(node.label) ?? []);
        this.pending.delete(node.label);
        return this.walk(node.statement, arriving);
      }
    }
  }

  /** `normal`, with no path leaving by break or continue. */
  private none(normal: Path<S>[]): Path<S>[] {
    this.breaks = noPaths();
    this.continues = noPaths();
    return normal;
  }

  exit(offset: number, paths: Path<S>[]): void {
    if (!paths.length) return;
    let states = this.exits.get(offset);
    if (!states) this.exits.set(offset, (states = new Map<string, S>()));
    for (const p of paths) states.set(this.analysis.key(p.state), p.state);
  }

  private walkSeq(node: Extract<Flow, { kind: 'seq' }>, paths: Path<S>[]): Path<S>[] {
    let current = paths;
    // Merging leaves out empty lists: only the non-empty ones are kept.
    let breaks: Path<S>[][] | undefined;
    let continues: Path<S>[][] | undefined;
    for (const item of node.items) {
      current = this.walk(item, current);
      if (this.breaks.length) (breaks ??= []).push(this.breaks);
      if (this.continues.length) (continues ??= []).push(this.continues);
    }
    this.breaks = breaks ? this.merge(...breaks) : noPaths();
    this.continues = continues ? this.merge(...continues) : noPaths();
    return current;
  }

  private walkIf(node: Extract<Flow, { kind: 'if' }>, paths: Path<S>[]): Path<S>[] {
    const afterCondition = this.walk(node.condition, paths);
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
    const aBreaks = this.breaks;
    const aContinues = this.continues;
    const b = node.else ? this.walk(node.else, toElse) : this.none(toElse);
    const normal = this.merge(a, b);
    this.breaks = this.merge(aBreaks, this.breaks);
    this.continues = this.merge(aContinues, this.continues);
    return normal;
  }

  private walkSwitch(node: Extract<Flow, { kind: 'switch' }>, paths: Path<S>[]): Path<S>[] {
    const entry = this.walk(node.subject, paths);
    let fallthrough: Path<S>[] = [];
    const breaks: Path<S>[][] = [];
    const continues: Path<S>[][] = [];
    for (const c of node.cases) {
      fallthrough = this.walk(c, this.merge(entry, fallthrough));
      breaks.push(this.breaks);
      continues.push(this.continues);
    }
    const normal = this.merge(fallthrough, ...breaks, node.hasDefault ? [] : entry);
    this.breaks = noPaths();
    this.continues = this.merge(...continues);
    return normal;
  }

  /** Loop bodies are walked again until nothing new reaches the top (at most MAX_LOOP_ROUNDS times). */
  private walkLoop(node: Extract<Flow, { kind: 'loop' }>, paths: Path<S>[]): Path<S>[] {
    let entry = node.init ? this.walk(node.init, paths) : paths;
    let leaving: Path<S>[] = [];
    let breaks: Path<S>[] = [];
    for (let round = 0; round < MAX_LOOP_ROUNDS; round++) {
      let intoBody = entry;
      if (node.testFirst) {
        const tested = node.condition ? this.walk(node.condition, entry) : entry;
        if (!node.infinite) leaving = this.merge(leaving, tested);
        intoBody = tested;
      }
      const out = this.walk(node.body, intoBody);
      breaks = this.merge(breaks, this.breaks);
      let back = this.merge(out, this.continues);
      if (node.update) back = this.walk(node.update, back);
      if (!node.testFirst) {
        const tested = node.condition ? this.walk(node.condition, back) : back;
        if (!node.infinite) leaving = this.merge(leaving, tested);
        back = node.once ? [] : tested;
      }
      const next = this.merge(entry, back);
      if (next.length === entry.length && next.every((p, i) => this.keyOf(p) === this.keyOf(entry[i]))) break;
      entry = next;
    }
    return this.none(this.merge(leaving, breaks));
  }

  private runCode(node: Extract<Flow, { kind: 'code' }>, paths: Path<S>[]): Path<S>[] {
    const code = codeSites(this.inputs, node);
    let current = paths;
    for (let i = 0; i < code.sites.length; i++)
      current = this.visitAll(current, code.sites[i], code.effects?.[i], code.optional?.[i] ?? false);
    return current;
  }

  /**
   * Every path through one site (`optional`: a site that may not run, so the paths that skip it stay),
   * merged. When the site changes no path, the paths are kept as they are (merging them again would
   * give the same ones); otherwise a new list is made only from the first path that changed.
   */
  private visitAll(current: Path<S>[], site: FlowSite, effect: ValueEffect | undefined, optional: boolean): Path<S>[] {
    let after: Path<S>[] | undefined;
    for (let j = 0; j < current.length; j++) {
      const p = current[j];
      const q = this.visit(p, site, effect);
      if (after) after.push(q);
      else if (q !== p) {
        after = current.slice(0, j);
        after.push(q);
      }
    }
    // Nothing changed: `after` would be `current` again, and merging it with itself the same as alone.
    if (!after) return current.length <= 1 || this.distinct.has(current) ? current : this.merge(current);
    return optional ? this.merge(current, after) : this.merge(after);
  }

  private visit(p: Path<S>, site: FlowSite, effect: ValueEffect | undefined): Path<S> {
    const state = this.analysis.step(p.state, site);
    // A site that changes nothing keeps the path itself, and with it the key merges have computed.
    const next: Path<S> = state === p.state ? p : { state, values: p.values };
    return effect ? withValues(next, effect) : next;
  }

  /** A path's merge key, computed once per path (merges ask for it again and again). */
  private keyOf(p: Path<S>): string {
    let key = p.key;
    if (key === undefined) {
      key = this.analysis.key(p.state);
      if (p.values?.size) {
        let sep = '|';
        for (const [k, v] of p.values) {
          key += `${sep}${k}=${v}`;
          sep = ',';
        }
      }
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
    if (nonEmpty === 1 && (last.length === 1 || this.distinct.has(last))) return last;
    let total = 0;
    for (const set of sets) total += set.length;
    let out: Path<S>[];
    if (total <= FEW_PATHS) {
      // A few paths: their keys compared in a list (no map to make and throw away).
      out = [];
      const keys: string[] = [];
      for (const set of sets)
        for (const p of set) {
          const key = this.keyOf(p);
          if (!keys.includes(key)) {
            keys.push(key);
            out.push(p);
          }
        }
    } else {
      const seen = new Map<string, Path<S>>();
      for (const set of sets)
        for (const p of set) {
          const key = this.keyOf(p);
          if (!seen.has(key)) seen.set(key, p);
        }
      out = [...seen.values()];
    }
    if (out.length > MAX_PATHS) {
      const plain = new Map<string, Path<S>>();
      for (const p of out) plain.set(this.analysis.key(p.state), { state: p.state });
      out = [...plain.values()];
    }
    if (out.length <= MAX_PATHS) this.distinct.add(out);
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

/**
 * What a site does to the tracked values of locals, in order: a local set to a constant, or
 * forgotten (`undefined`: assigned something else, or its address handed to a call).
 */
type ValueEffect = readonly (readonly [variable: string, value: string | undefined])[];

/** The sites of one code node, in evaluation order, with what each does to tracked values and whether it may not run. */
interface CodeSites {
  sites: readonly FlowSite[];
  /** Parallel to `sites`; absent when no site touches a tracked local. */
  effects?: readonly (ValueEffect | undefined)[];
  /** Parallel to `sites`; absent when the node has no optional range. */
  optional?: readonly boolean[];
}

/** What every walk of a function needs: its sites without declarations, the locals its tests read, and per node what it visits. */
interface WalkInputs {
  sites: readonly FlowSite[];
  tracked: ReadonlySet<string>;
  /** Each code node's sites, read on its first walk (a node's sites never change: the model does not). */
  code: Map<Flow, CodeSites>;
  /** Each declaration node's effect on tracked values (null: none). */
  inits: Map<Flow, ValueEffect | null>;
}

const walkInputsOf = new WeakMap<FunctionFlow, WalkInputs>();
const NO_SITES: CodeSites = Object.freeze({ sites: Object.freeze([]) });

function walkInputs(fn: FunctionModel, flow: FunctionFlow): WalkInputs {
  let inputs = walkInputsOf.get(flow);
  if (!inputs) {
    // Declarations are flow nodes of their own: the walk visits them where they stand.
    const all = functionSites(fn);
    const sites = all.some((s) => s.kind === 'init') ? all.filter((s) => s.kind !== 'init') : all;
    const tracked = new Set<string>();
    collectTested(flow.root, tracked);
    inputs = { sites, tracked, code: new Map(), inits: new Map() };
    walkInputsOf.set(flow, inputs);
  }
  return inputs;
}

/** The sites a code node visits (see CodeSites), read once per node. */
function codeSites(inputs: WalkInputs, node: Extract<Flow, { kind: 'code' }>): CodeSites {
  let code = inputs.code.get(node);
  if (!code) {
    const sites = sitesWithin(inputs.sites, node.start, node.end);
    if (!sites.length) {
      // A node without calls or assignments (a condition on a local, `x++`): one shared answer.
      inputs.code.set(node, NO_SITES);
      return NO_SITES;
    }
    code = { sites };
    const ranges = node.optional;
    if (ranges) code.optional = sites.map((site) => ranges.some(([a, b]) => a <= site.start && site.end <= b));
    if (inputs.tracked.size) {
      const effects = sites.map((site) => siteEffect(inputs.tracked, site));
      if (effects.some((e) => e !== undefined)) code.effects = effects;
    }
    inputs.code.set(node, code);
  }
  return code;
}

/** A declaration node's effect on tracked values, read once per node. */
function initEffect(inputs: WalkInputs, node: Extract<Flow, { kind: 'init' }>): ValueEffect | undefined {
  if (!inputs.tracked.size) return undefined;
  let effect = inputs.inits.get(node);
  if (effect === undefined) {
    effect = siteEffect(inputs.tracked, node) ?? null;
    inputs.inits.set(node, effect);
  }
  return effect ?? undefined;
}

/** What one site does to the tracked locals; undefined when it touches none. */
function siteEffect(tracked: ReadonlySet<string>, site: FlowSite): ValueEffect | undefined {
  const constant = (value: string | undefined) => (value !== undefined && CONSTANT.test(value) ? value : undefined);
  if (site.kind === 'assignment') {
    const target = site.assignment.target;
    return /^[A-Za-z_]\w*$/.test(target) && tracked.has(target)
      ? [[target, constant(site.assignment.value)]]
      : undefined;
  }
  if (site.kind === 'init') return tracked.has(site.variable) ? [[site.variable, constant(site.value)]] : undefined;
  const forgotten = addressedLocals(site.call).filter((name) => tracked.has(name));
  return forgotten.length ? forgotten.map((name) => [name, undefined] as const) : undefined;
}

/** The path with `effect` applied to its values (the path itself when that changes none of them). */
function withValues<S>(p: Path<S>, effect: ValueEffect): Path<S> {
  let values = p.values;
  let copied: Map<string, string> | undefined;
  for (const [variable, value] of effect) {
    if (value === undefined ? !values?.has(variable) : values?.get(variable) === value) continue;
    if (!copied) values = copied = new Map(values);
    if (value === undefined) copied.delete(variable);
    else copied.set(variable, value);
  }
  return copied ? { state: p.state, values: copied } : p;
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

/** Calls and assignments run in the order they end; of two ending together the inner (later-starting) one runs first. */
function evaluationOrder(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return a.end - b.end || b.start - a.start;
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
