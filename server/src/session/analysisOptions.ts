/** Model-building options and workspaces that know the index, the same for the server and `kmdf lint`. */
import { defaultIsRoleType, type AnalysisOptions } from '../analysis/build';
import { WorkspaceModel } from '../analysis/workspace';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';

/** Model-building options that know the index's role types (beyond the EVT_ naming convention). */
export function analysisOptions(index: () => KnowledgeIndex): AnalysisOptions {
  return {
    isRoleType: (name) => defaultIsRoleType(name) || index().get(name)?.kind === 'callback',
  };
}

/** A workspace model whose registrations resolve through the index. */
export function createWorkspace(index: () => KnowledgeIndex): WorkspaceModel {
  return new WorkspaceModel({
    callbackForField: (struct, field) => index().callbackForField(struct, field)?.name,
    callbackForArgument: (callee, argIndex) => index().callbackForArgument(callee, argIndex)?.name,
  });
}
