/**
 * Phase 5, returns and the branch outline: each return joins its function, and every call and
 * return learns which control-statement arms enclose it (and whether the body uses goto); each
 * definition gets the statement tree the path rules walk (analysis/paths.ts).
 */
import { outlineBody, textHasGoto } from '../branches';
import { outlineFlow } from '../paths';
import type { CallModel, ReturnModel } from '../model';
import { normalizeSpace } from '../queries';
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
    if (!f.bodyRange) continue;
    const body = f.bodyNode ?? state.cleanRecoveredBody(f.bodyRange);
    if (!body) {
      // A recovered body the grammar did not read as one clean block: no outline rather than a wrong one.
      f.model.hasGoto = textHasGoto(state.text.slice(f.bodyRange[0], f.bodyRange[1]));
      continue;
    }
    const sites: (CallModel | ReturnModel)[] = [...f.model.calls, ...f.model.returns];
    const outline = outlineBody(
      body,
      sites.map((s) => state.siteNodes.get(s)!),
    );
    f.model.hasGoto = outline.hasGoto;
    if (outline.arms) sites.forEach((s, i) => (s.branches = outline.arms![i]));
    f.model.flow = outlineFlow(body, state.text);
  }
}
