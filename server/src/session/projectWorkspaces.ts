/**
 * One WorkspaceModel per driver project, over the already analysed DocumentModels of the files its
 * compiler and linker see (project/projectModel.ts): two drivers in one tree never share a call graph,
 * and a driver's call graph reaches into the static libraries it links. Nothing is re-analysed; a
 * project's workspace is rebuilt only when one of its files' models changes.
 */
import { pathToFileURL } from 'node:url';
import type { DocumentModel } from '../analysis/model';
import type { WorkspaceModel } from '../analysis/workspace';
import type { DriverProject, ProjectModel } from '../project/projectModel';

interface CachedWorkspace {
  models: DocumentModel[];
  workspace: WorkspaceModel;
}

export class ProjectWorkspaces {
  private readonly cache = new Map<string, CachedWorkspace>();
  private readonly uris = new Map<string, string>();

  constructor(private readonly createWorkspace: () => WorkspaceModel) {}

  /** The URI of a file path (cached: the conversion shows in profiles of big trees). */
  uriOf(file: string): string {
    let uri = this.uris.get(file);
    if (!uri) this.uris.set(file, (uri = pathToFileURL(file).href));
    return uri;
  }

  /** The workspace of a project: the models of its files and of the libraries it links. */
  workspaceFor(
    model: ProjectModel,
    project: DriverProject,
    modelOf: (uri: string) => DocumentModel | undefined,
  ): WorkspaceModel {
    const models: DocumentModel[] = [];
    for (const file of model.contextFiles(project)) {
      const m = modelOf(this.uriOf(file));
      if (m) models.push(m);
    }
    const cached = this.cache.get(project.id);
    const changed = cached && changedModels(cached.models, models);
    if (changed && !changed.length) return cached.workspace;
    let workspace: WorkspaceModel;
    if (changed) {
      // The same files with some of them analysed again (an edit): the rest of the tables is kept.
      workspace = cached.workspace.withReplaced(changed);
    } else {
      workspace = this.createWorkspace();
      for (const m of models) workspace.update(m);
    }
    this.cache.set(project.id, { models, workspace });
    return workspace;
  }

  /** A workspace of the given models only (a document that is not a file, or not in any project yet). */
  workspaceOf(models: DocumentModel[]): WorkspaceModel {
    const workspace = this.createWorkspace();
    for (const m of models) workspace.update(m);
    return workspace;
  }

  /** Forget one project's workspace (`kmdf lint` is done with it: its tables need not stay). */
  forget(projectId: string): void {
    this.cache.delete(projectId);
  }

  /** Forget projects that no longer exist (after the project model was rebuilt). */
  retain(model: ProjectModel): void {
    const ids = new Set(model.projects().map((p) => p.id));
    for (const id of this.cache.keys()) if (!ids.has(id)) this.cache.delete(id);
  }
}

/**
 * The models of `now` that differ from `before`'s, when both are models of the same files in the same
 * order and few differ (an edit, a file read again); undefined when the workspace is better built anew.
 */
function changedModels(before: readonly DocumentModel[], now: readonly DocumentModel[]): DocumentModel[] | undefined {
  if (before.length !== now.length) return undefined;
  const changed: DocumentModel[] = [];
  for (let i = 0; i < now.length; i++) {
    if (before[i] === now[i]) continue;
    if (before[i].uri !== now[i].uri) return undefined;
    changed.push(now[i]);
  }
  return changed.length * 4 <= now.length || changed.length <= 1 ? changed : undefined;
}
