/**
 * Phase 3, calls: every call in a body joins its function (with the calls phase 2 recovered from
 * misparsed declarations), `PAGED_CODE()` calls are noted, a variable whose address is passed
 * (`Get(queue, &request)`) is given a new value there, and callbacks passed to registration calls
 * become argument registrations.
 */
import type { Node } from 'web-tree-sitter';
import type { CallModel } from '../model';
import { normalizeSpace } from '../queries';
import { readArgumentRegistrations } from './registrations';
import type { BuildState, FunctionDraft } from './state';

export function readCalls(state: BuildState): void {
  const nodes = state.captured.calls;
  const around = new EnclosingCalls(state, nodes);
  for (let i = 0; i < nodes.length; i++) {
    const callNode = nodes[i];
    const owner = state.ownerOf(callNode.startIndex);
    const calleeNode = callNode.childForFieldName('function');
    const argsNode = callNode.childForFieldName('arguments');
    around.callees[i] = calleeNode;
    if (!calleeNode || !argsNode) continue;
    const callee = normalizeSpace(state.textOf(calleeNode)).replace(/\s*(->|\.)\s*/g, '$1');
    const argNodes = argsNode.namedChildren.filter((c) => c.type !== 'comment');
    const call: CallModel = {
      callee,
      span: state.lines.span(callNode.startIndex, around.ends[i]),
      calleeSpan: state.spanOf(calleeNode),
      args: argNodes.map((a) => ({ text: normalizeSpace(state.textOf(a)), span: state.spanOf(a) })),
    };
    const macro = owner ? around.unknownMacro(i, owner.bodyRange?.[0] ?? 0) : undefined;
    if (macro) call.inMacroArguments = macro;
    if (owner) {
      owner.model.calls.push(call);
      readOutArguments(state, owner, callee, argNodes);
      state.siteNodes.set(call, callNode);
      if (state.isPagedCodeCall(callee)) owner.model.pagedCode.push(call.span);
    }
    if (state.isRegistrationCallee(callee)) readArgumentRegistrations(state, callNode, callee, argNodes, owner);
  }

  for (const pending of state.pendingCalls) {
    if (!pending.calleeNode) continue;
    const call: CallModel = {
      callee: state.textOf(pending.calleeNode),
      span: state.spanOf(pending.node),
      calleeSpan: state.spanOf(pending.calleeNode),
      args: pending.argNodes.map((a) => ({ text: normalizeSpace(state.textOf(a)), span: state.spanOf(a) })),
    };
    pending.owner.model.calls.push(call);
    state.siteNodes.set(call, pending.node);
  }
  for (const f of state.definitions)
    if (!f.reused)
      f.model.calls.sort((a, b) => a.span.startOffset - b.span.startOffset || a.span.endOffset - b.span.endOffset);
}

/** `Get(queue, &request)`: the call may store a new value in `request` (an out-parameter). */
function readOutArguments(state: BuildState, owner: FunctionDraft, callee: string, argNodes: Node[]): void {
  for (const arg of argNodes) {
    if (arg.type !== 'pointer_expression' || arg.child(0)?.type !== '&') continue;
    const operand = arg.childForFieldName('argument');
    if (operand?.type !== 'identifier') continue;
    const span = state.spanOf(arg);
    owner.model.assignments.push({
      target: state.textOf(operand),
      value: callee,
      span,
      valueSpan: span,
      outArgumentOf: callee,
    });
  }
}

/**
 * Upper-case names called like functions that are macros known to evaluate their arguments
 * (ntdef.h, winerror.h): a call inside them is certain. `WDF_…` names are inline functions.
 */
/** Assertion macros: the kit's (`ASSERT`, `NT_ASSERT`, `ASSERTMSG`, `NT_ASSERTMSG`), the CRT's, and drivers' own `XxxAssert`. */
const ASSERTION = /^(?:NT_)?ASSERT(?:MSG|MSGW)?$|^_?ASSERTE?$|^assert$|^[A-Z]\w*[a-z]Assert(?:Message|Msg)?$/;

const ARGUMENT_KEEPING_MACROS = new Set([
  'NT_SUCCESS',
  'NT_ERROR',
  'NT_WARNING',
  'NT_INFORMATION',
  'SUCCEEDED',
  'FAILED',
  'HRESULT_FROM_NT',
  'HRESULT_FROM_WIN32',
  'UNREFERENCED_PARAMETER',
  'RTL_NUMBER_OF',
  'ARRAYSIZE',
]);

/**
 * Which captured calls lie inside which (from their offsets: of two calls, one encloses the other
 * exactly when its range holds the other's), so a call's enclosing macros are found without
 * climbing the tree (every ancestor read is a walk down from the root inside the parser).
 */
class EnclosingCalls {
  /** End offset of each call. */
  readonly ends: number[];
  /** The innermost call around each call (its index), or -1. */
  private readonly parents: Int32Array;
  /** The callee node of each call, set as the calls are read (read again for one asked about before its turn). */
  readonly callees: (Node | null)[];
  /** Whether each call is a macro we cannot expand (its name), once asked. */
  private readonly macros: (string | null | undefined)[];

  constructor(
    private readonly state: BuildState,
    private readonly nodes: Node[],
  ) {
    const n = nodes.length;
    this.ends = nodes.map((c) => c.endIndex);
    this.parents = innermostEnclosing(
      nodes.map((c) => c.startIndex),
      this.ends,
    );
    this.callees = new Array<Node | null>(n).fill(null);
    this.macros = new Array<string | null | undefined>(n);
  }

  /** The innermost call around call `i`, starting at or after `bodyStart`, that is a macro we cannot expand. */
  unknownMacro(i: number, bodyStart: number): string | undefined {
    for (let p = this.parents[i]; p >= 0 && this.nodes[p].startIndex >= bodyStart; p = this.parents[p]) {
      let name = this.macros[p];
      if (name === undefined) {
        const callee = this.callees[p] ?? this.nodes[p].childForFieldName('function');
        this.macros[p] = name = unknownMacroCall(this.state, callee) ?? null;
      }
      if (name) return name;
    }
    return undefined;
  }
}

/**
 * For ranges that nest or lie apart (the nodes of one tree, none empty): the index of the innermost
 * range holding each one, or -1.
 */
export function innermostEnclosing(starts: readonly number[], ends: readonly number[]): Int32Array {
  const parents = new Int32Array(starts.length).fill(-1);
  // Outer before inner: by start, then the longer first (`f(a)(b)` starts where its callee `f(a)` does).
  const order = [...starts.keys()].sort((a, b) => starts[a] - starts[b] || ends[b] - ends[a]);
  const open: number[] = [];
  for (const i of order) {
    // The open ranges start at or before this one: those ending before its end lie behind it.
    while (open.length && ends[open[open.length - 1]] < ends[i]) open.pop();
    if (open.length) parents[i] = open[open.length - 1];
    open.push(i);
  }
  return parents;
}

/** The name of a call (given its callee) that is an upper-case macro the file does not define or declare. */
function unknownMacroCall(state: BuildState, callee: Node | null): string | undefined {
  if (callee?.type !== 'identifier') return undefined;
  const name = state.textOf(callee);
  // An assertion is compiled in debug builds only, whoever defines it (DMF's DmfAssert wraps ASSERTMSG).
  if (ASSERTION.test(name) && !state.knownFunctions.has(name)) return name;
  if (!/^[A-Z][A-Z0-9_]*$/.test(name) || /^WDF_/.test(name) || ARGUMENT_KEEPING_MACROS.has(name)) return undefined;
  // A macro of the driver's with a body: the grammar already read what it keeps.
  if (state.input.macros?.has(name) || state.knownFunctions.has(name)) return undefined;
  return name;
}
