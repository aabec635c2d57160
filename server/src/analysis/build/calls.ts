/**
 * Phase 3, calls: every call in a body joins its function (with the calls phase 2 recovered from
 * misparsed declarations), `PAGED_CODE()` calls are noted, and callbacks passed to registration
 * calls become argument registrations.
 */
import type { CallModel } from '../model';
import { normalizeSpace } from '../queries';
import { readArgumentRegistrations } from './registrations';
import type { BuildState } from './state';

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
    if (owner) {
      owner.model.calls.push(call);
      state.siteNodes.set(call, callNode);
      if (callee === 'PAGED_CODE' || callee === 'PAGED_CODE_LOCKED') owner.model.pagedCode.push(call.span);
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
    f.model.calls.sort((a, b) => a.span.startOffset - b.span.startOffset || a.span.endOffset - b.span.endOffset);
}
