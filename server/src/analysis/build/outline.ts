/**
 * Phase 5, returns and the branch outline: each return joins its function, and every call and
 * return learns which control-statement arms enclose it (and whether the body uses goto); each
 * definition gets the statement tree the path rules walk (analysis/paths.ts).
 */
import { outlineBody, textHasGoto } from '../branches';
import { outlineFlow } from '../paths';
import type { CallModel, ReturnModel } from '../model';
import { normalizeSpace } from '../queries';
import { bodyKey } from './outlineCache';
import type { BuildState } from './state';

export function readReturns(state: BuildState): void {
  for (const node of state.captured.returns) {
    const owner = state.ownerOf(node.startIndex);
    if (!owner) continue;
    const value = node.namedChildren.find((c) => c.type !== 'comment');
    const ret: ReturnModel = {
      value: value ? normalizeSpace(state.textOf(value)) : undefined,
      span: state.spanOf(node),
    };
    owner.model.returns.push(ret);
    state.siteNodes.set(ret, node);
  }
}

export function outlineBranches(state: BuildState): void {
  for (const f of state.definitions) {
    if (!f.bodyRange || f.reused) continue;
    const body = f.bodyNode ?? state.cleanRecoveredBody(f.bodyRange);
    if (!body) {
      // A recovered body the grammar did not read as one clean block: no outline rather than a wrong one.
      f.model.hasGoto = textHasGoto(state.text.slice(f.bodyRange[0], f.bodyRange[1]));
      continue;
    }
    const sites: (CallModel | ReturnModel)[] = [...f.model.calls, ...f.model.returns];
    // A body the previous build read with the same text and sites is not read again (outlineCache.ts).
    const cache = f.bodyNode ? state.input.outlines : undefined;
    const [start, end] = f.bodyRange;
    const key =
      cache &&
      bodyKey(
        state.input.blankedText?.slice(start, end) ?? '',
        state.text.slice(start, end),
        start,
        sites.map((s) => [s.span.startOffset, s.span.endOffset]),
      );
    let facts = key ? cache.take(key, start) : undefined;
    if (!facts) {
      // The body's jumps and labels come from the document's one query walk, not a walk of the body of its own.
      const outline = outlineBody(
        body,
        sites.map((s) => state.siteNodes.get(s)!),
        state.capturedBetween('outlineStatements', start, end),
      );
      facts = { hasGoto: outline.hasGoto, arms: outline.arms, flow: outlineFlow(body, state.text) };
      if (key) cache.store(key, start, facts);
    }
    f.model.hasGoto = facts.hasGoto;
    const arms = facts.arms;
    if (arms) sites.forEach((s, i) => (s.branches = arms[i]));
    f.model.flow = facts.flow;
  }
}
