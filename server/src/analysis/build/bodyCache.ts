/**
 * What the model build reads inside each function body, kept from one build of a document to the
 * next (issue 10 §2, latency): after an edit, a definition whose text did not change is not read
 * from the tree again. Its body is left out of the query captures, and its calls, returns,
 * assignments, `PAGED_CODE()` facts, branch outline, statement tree, local WDF structures,
 * registrations and `kmdf-ignore` comments are the previous build's, moved to where the body is
 * now. So is its head (name, return type, parameters: functionHeads.ts `reusedHead`), but for its
 * annotations, which are looked up afresh between the same offsets (the leading ones lie before the
 * definition, where an edit may have changed them), and its paged section, read afresh every time.
 * Moved facts share with the previous model what does not move (positions, when the lines do not;
 * nodes without offsets): a model is never changed once built.
 *
 * A body's facts are a function of the definition's own text (head and body: the parameters are in
 * scope inside it), its subtree, and of three things outside it, which make the document's context:
 * the names of the functions the file knows (a name passed to a call is a callback when it is one),
 * the file-scope variables (a local structure type, a variable is no callback) and the macros the
 * document sees (the head, annotations aside, depends on its own text and subtree alone). A build
 * whose context differs from the previous one's reuses nothing. The rest is checked per definition
 * before it is reused: the same text and blanked text, a function definition in the new tree
 * exactly there without parse errors, under the same kind of parent,
 * starting at the same column (positions move by whole lines only), its name defined once in the
 * file (registrations are matched to their function by name), no definition nested in it, no
 * typedef in it (typedefs are read from the captures), and no declaration in it whose type is a
 * role type for the current index (those join the file's names).
 */
import type { Node } from 'web-tree-sitter';
import type {
  AssignmentModel,
  BranchArm,
  CallModel,
  CommentSuppression,
  RegistrationModel,
  ReturnModel,
  Position,
  Span,
  VariableModel,
} from '../model';
import type { MacroDefinitions } from '../macros';
import type { Flow, FlowTest, FunctionFlow } from '../flow';
import type { FunctionModel } from '../model';
import type { LineIndex } from '../../syntax/positions';

/** What the build read inside one body (document offsets of the build that read it). */
export interface BodyFacts {
  calls: CallModel[];
  returns: ReturnModel[];
  assignments: AssignmentModel[];
  pagedCode: Span[];
  /** Whether `firstConditional` was set (it is left unset where PAGED_CODE() is not called). */
  hasFirstConditional: boolean;
  firstConditional?: Span | null;
  pagedCodeFirst: boolean;
  hasGoto?: boolean;
  flow?: FunctionFlow;
  variables: VariableModel[];
  registrations: RegistrationModel[];
  /** `kmdf-ignore` comments inside the body, with their start offsets. */
  suppressions: { offset: number; suppression: CommentSuppression }[];
  /** Type names of the declarations inside the body that could name a role type. */
  declaredTypes: string[];
}

/** The offsets a head's annotations are read between: up to the parameter list, and per parameter ([-1, -1]: none). */
export interface HeadRanges {
  paramsStart: number;
  /** [from, to) per parameter of the model, flattened. */
  paramRanges: number[];
}

/** A kept head: the model that read it (its head fields only are used) and where its annotations were looked for. */
export interface KeptHead extends HeadRanges {
  model: FunctionModel;
}

/** One kept body, at the offsets and positions of the build that kept it. */
export interface Entry {
  /** The definition's text and blanked text, from its start to the end of its body. */
  text: string;
  blanked: string;
  fnStart: number;
  bodyStart: number;
  bodyEnd: number;
  line: number;
  column: number;
  parentType: string;
  facts: BodyFacts;
  head: KeptHead;
}

/** A body of the previous build found unchanged in the new tree, moved by `delta` offsets and `lines` lines. */
export interface ReusedBody {
  entry: Entry;
  fnStart: number;
  bodyStart: number;
  bodyEnd: number;
  delta: number;
  lines: number;
}

/** The edit between the previous build's blanked text and this one's (offsets; see document.ts). */
export interface BuildEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

export class BodyCache {
  private entries: Entry[] = [];
  private context?: string;
  /** Bodies the last build took from the one before, and bodies it read from the tree. */
  reused = 0;
  read = 0;

  /**
   * The bodies of the previous build that the edit did not touch and that the new tree and text
   * hold unchanged, by the start offset of their definition now (none without an edit: a first build).
   */
  candidates(
    edit: BuildEdit | undefined,
    text: string,
    blanked: string,
    lines: LineIndex,
    root: Node,
  ): Map<number, ReusedBody> {
    const out = new Map<number, ReusedBody>();
    if (!edit) return out;
    const delta = edit.newEnd - edit.oldEnd;
    for (const entry of this.entries) {
      let shift: number;
      if (entry.bodyEnd < edit.start) shift = 0;
      else if (entry.fnStart > edit.oldEnd) shift = delta;
      else continue;
      const fnStart = entry.fnStart + shift;
      const bodyStart = entry.bodyStart + shift;
      const bodyEnd = entry.bodyEnd + shift;
      if (text.slice(fnStart, bodyEnd) !== entry.text || blanked.slice(fnStart, bodyEnd) !== entry.blanked) continue;
      const at = lines.positionAt(fnStart);
      if (at.character !== entry.column) continue;
      const body = root.descendantForIndex(bodyStart, bodyEnd - 1);
      if (!body || body.type !== 'compound_statement' || body.startIndex !== bodyStart || body.endIndex !== bodyEnd)
        continue;
      const fn = body.parent;
      if (!fn || fn.type !== 'function_definition' || fn.startIndex !== fnStart || fn.endIndex !== bodyEnd) continue;
      if (fn.hasError || (fn.parent?.type ?? '') !== entry.parentType) continue;
      out.set(fnStart, { entry, fnStart, bodyStart, bodyEnd, delta: shift, lines: at.line - entry.line });
    }
    return out;
  }

  /** Whether bodies kept under `context` may be reused in a build of this context. */
  sameContext(context: string): boolean {
    return this.context === context;
  }

  /** Keep the bodies of a finished build (its own objects: a model is not changed once built) for the next. */
  keep(context: string, entries: Entry[]) {
    this.context = context;
    this.entries = entries;
  }
}

/**
 * The document's context as a comparable string: the names the file knows, its file-scope variables
 * and the macros it sees (without where a `#define` stands: only what it says).
 */
export function contextKey(
  knownFunctions: ReadonlySet<string>,
  fileScope: ReadonlyMap<string, { type: string; isPointer: boolean }>,
  macros: MacroDefinitions | undefined,
): string {
  let key = [...knownFunctions].sort().join(',') + '\u0000';
  for (const [name, v] of fileScope) key += `${name}:${v.type}:${v.isPointer ? 1 : 0};`;
  key += '\u0000';
  for (const m of macros?.values() ?? []) key += `${m.name}(${m.params?.join(',') ?? '-'})${m.body}\u0001`;
  return key;
}

/**
 * A span moved by `delta` offsets and `lines` lines. Its positions are shared when it stays on its
 * lines (an edit within one line): a model is never changed once built, so models may share them.
 */
export function moveSpan(s: Span, delta: number, lines: number): Span {
  return {
    start: lines ? movePosition(s.start, lines) : s.start,
    end: lines ? movePosition(s.end, lines) : s.end,
    startOffset: s.startOffset + delta,
    endOffset: s.endOffset + delta,
  };
}

function movePosition(p: Position, lines: number): Position {
  return { line: p.line + lines, character: p.character };
}

/**
 * A copy of kept facts with every offset moved by `delta` and every position by `lines` lines (the
 * column stays: the body starts at the same column). Objects keep exactly their keys.
 */
export function movedFacts(facts: BodyFacts, delta: number, lines: number): BodyFacts {
  // Each object is cloned as it is and its moved fields overwritten: a clone keeps the object's
  // shape (V8 copies it at once), where a spread with overrides builds the object key by key.
  const span = (s: Span): Span => moveSpan(s, delta, lines);
  const arms = (list: BranchArm[]) =>
    list.map((a) => {
      const out = { ...a };
      out.statement = a.statement + delta;
      return out;
    });
  const arg = (a: CallModel['args'][number]) => {
    const out = { ...a };
    out.span = span(a.span);
    return out;
  };
  const call = (c: CallModel): CallModel => {
    const out = { ...c };
    out.span = span(c.span);
    out.calleeSpan = span(c.calleeSpan);
    out.args = c.args.map(arg);
    if (c.branches) out.branches = arms(c.branches);
    return out;
  };
  const ret = (r: ReturnModel): ReturnModel => {
    const out = { ...r };
    out.span = span(r.span);
    if (r.branches) out.branches = arms(r.branches);
    return out;
  };
  const assignment = (a: AssignmentModel): AssignmentModel => {
    const out = { ...a };
    out.span = span(a.span);
    out.valueSpan = span(a.valueSpan);
    return out;
  };
  const variable = (v: VariableModel): VariableModel => {
    const out = { ...v };
    out.span = span(v.span);
    return out;
  };
  const registration = (r: RegistrationModel): RegistrationModel => {
    const out = { ...r };
    out.span = span(r.span);
    out.valueSpan = span(r.valueSpan);
    if (r.fieldSpan) out.fieldSpan = span(r.fieldSpan);
    if (r.handedOverAt) out.handedOverAt = span(r.handedOverAt);
    return out;
  };
  const out = { ...facts };
  out.calls = facts.calls.map(call);
  out.returns = facts.returns.map(ret);
  out.assignments = facts.assignments.map(assignment);
  out.pagedCode = facts.pagedCode.map(span);
  out.variables = facts.variables.map(variable);
  out.registrations = facts.registrations.map(registration);
  out.suppressions = facts.suppressions.map((s) => ({
    offset: s.offset + delta,
    suppression: lines ? { ...s.suppression, line: s.suppression.line + lines } : s.suppression,
  }));
  if (facts.firstConditional) out.firstConditional = span(facts.firstConditional);
  if (facts.flow)
    out.flow = {
      root: movedFlow(facts.flow.root, delta),
      end: facts.flow.end + delta,
      discarded: facts.flow.discarded.map((o) => o + delta),
    };
  return out;
}

/**
 * A statement tree with every offset moved (flow.ts: `start`, `end`, `call`, `optional`). Each node
 * is written out with the keys paths.ts gives it (object literals of one shape per kind: spreading
 * was slower than the generic walk); nodes and tests without offsets are shared (a model is never changed).
 */
function movedFlow(f: Flow, d: number): Flow {
  switch (f.kind) {
    case 'code':
      return f.optional
        ? { kind: 'code', start: f.start + d, end: f.end + d, optional: f.optional.map(([a, b]) => [a + d, b + d]) }
        : { kind: 'code', start: f.start + d, end: f.end + d };
    case 'seq':
      return { kind: 'seq', items: movedFlows(f.items, d) };
    case 'if':
      return {
        kind: 'if',
        condition: movedFlow(f.condition, d),
        test: f.test && movedTest(f.test, d),
        then: movedFlow(f.then, d),
        else: f.else && movedFlow(f.else, d),
      };
    case 'choice':
      return { kind: 'choice', arms: movedFlows(f.arms, d), exhaustive: f.exhaustive };
    case 'switch':
      return {
        kind: 'switch',
        subject: movedFlow(f.subject, d),
        cases: movedFlows(f.cases, d),
        hasDefault: f.hasDefault,
      };
    case 'loop':
      return {
        kind: 'loop',
        init: f.init && movedFlow(f.init, d),
        condition: f.condition && movedFlow(f.condition, d),
        body: movedFlow(f.body, d),
        update: f.update && movedFlow(f.update, d),
        testFirst: f.testFirst,
        infinite: f.infinite,
        once: f.once,
      };
    case 'return':
      return { kind: 'return', start: f.start + d, end: f.end + d, value: f.value && movedFlow(f.value, d) };
    case 'label':
      return { kind: 'label', label: f.label, statement: movedFlow(f.statement, d) };
    case 'init':
      return { kind: 'init', variable: f.variable, value: f.value, start: f.start + d, end: f.end + d };
    case 'break':
    case 'continue':
    case 'goto':
      return f;
  }
}

function movedFlows(list: Flow[], d: number): Flow[] {
  const out = new Array<Flow>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = movedFlow(list[i], d);
  return out;
}

function movedTest(t: FlowTest, delta: number): FlowTest {
  return t.call === undefined ? t : { ...t, call: t.call + delta };
}
