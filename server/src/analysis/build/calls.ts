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
  for (const callNode of state.captured.calls) {
    const owner = state.ownerOf(callNode.startIndex);
    const calleeNode = callNode.childForFieldName('function');
    const argsNode = callNode.childForFieldName('arguments');
    if (!calleeNode || !argsNode) continue;
    const callee = normalizeSpace(state.textOf(calleeNode)).replace(/\s*(->|\.)\s*/g, '$1');
    const argNodes = argsNode.namedChildren.filter((c) => c.type !== 'comment');
    const call: CallModel = {
      callee,
      span: state.spanOf(callNode),
      calleeSpan: state.spanOf(calleeNode),
      args: argNodes.map((a) => ({ text: normalizeSpace(state.textOf(a)), span: state.spanOf(a) })),
    };
    const macro = owner ? enclosingUnknownMacro(state, callNode, owner) : undefined;
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

/** The innermost call enclosing `callNode` (in the same body) that is a macro we cannot expand. */
function enclosingUnknownMacro(state: BuildState, callNode: Node, owner: FunctionDraft): string | undefined {
  const bodyStart = owner.bodyRange?.[0] ?? 0;
  // Calls of one body share their ancestors: each ancestor's answer (node id → macro, or null) is read once.
  let memo = macroAnswers.get(owner);
  if (!memo) macroAnswers.set(owner, (memo = new Map<number, string | null>()));
  const climbed: number[] = [];
  let answer: string | null = null;
  for (let p = callNode.parent; p && p.startIndex >= bodyStart; p = p.parent) {
    const known = memo.get(p.id);
    if (known !== undefined) {
      answer = known;
      break;
    }
    climbed.push(p.id);
    const name = unknownMacroCall(state, p);
    if (name) {
      answer = name;
      break;
    }
  }
  for (const id of climbed) memo.set(id, answer);
  return answer ?? undefined;
}

const macroAnswers = new WeakMap<FunctionDraft, Map<number, string | null>>();

/** The name of a call whose callee is an upper-case macro the file does not define or declare. */
function unknownMacroCall(state: BuildState, p: Node): string | undefined {
  if (p.type !== 'call_expression') return undefined;
  const callee = p.childForFieldName('function');
  if (callee?.type !== 'identifier') return undefined;
  const name = state.textOf(callee);
  // An assertion is compiled in debug builds only, whoever defines it (DMF's DmfAssert wraps ASSERTMSG).
  if (ASSERTION.test(name) && !state.knownFunctions.has(name)) return name;
  if (!/^[A-Z][A-Z0-9_]*$/.test(name) || /^WDF_/.test(name) || ARGUMENT_KEEPING_MACROS.has(name)) return undefined;
  // A macro of the driver's with a body: the grammar already read what it keeps.
  if (state.input.macros?.has(name) || state.knownFunctions.has(name)) return undefined;
  return name;
}
