/**
 * Driver projects inside the server's one workspace model. Two drivers in one VS Code workspace must
 * not share a call graph, so rules and IRQL facts read a per-project WorkspaceModel built from the
 * already analysed DocumentModels of that project's files (nothing is re-analysed). The split is the
 * CLI's (`projectRootOf`): nearest folder holding a .vcxproj / `sources` / `.kmdf.json`, up to the
 * workspace folder; else the file's own folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentModel } from '../analysis/model';
import type { WorkspaceModel } from '../analysis';
import { projectRootOf } from '../project/driverRun';

/** A per-project workspace with the models it was built from (to know when it is stale). */
interface CachedProject {
  models: DocumentModel[];
  workspace: WorkspaceModel;
}

/** Splits the one workspace model into per-project models, rebuilt only when a project's files change. */
export class ProjectScopes {
  private readonly cache = new Map<string, CachedProject>();

  constructor(
    private readonly workspace: WorkspaceModel,
    private readonly folders: () => readonly string[],
    private readonly createWorkspace: () => WorkspaceModel,
  ) {}

  /**
   * A root finder with its own directory listings (one per rules run or request, so a project file
   * added on disk is seen next time). Non-file URIs each form their own project.
   */
  rootFinder(): (uri: string) => string {
    const listings = new Map<string, readonly string[]>();
    const listDir = (dir: string): readonly string[] => {
      let names = listings.get(dir);
      if (!names) {
        try {
          names = fs.readdirSync(dir);
        } catch {
          names = [];
        }
        listings.set(dir, names);
      }
      return names;
    };
    const folders = this.folders();
    return (uri) => {
      if (!uri.startsWith('file:')) return uri;
      const file = fileURLToPath(uri);
      return projectRootOf(file, containingFolder(file, folders) ?? path.dirname(file), listDir).root;
    };
  }

  /** The workspace model of the project of `uri` (its files only). */
  workspaceFor(uri: string, rootOf = this.rootFinder()): WorkspaceModel {
    const root = rootOf(uri);
    const models = this.workspace.models().filter((m) => rootOf(m.uri) === root);
    if (!this.workspace.get(uri)) return this.build(root, models); // not analysed yet: no cache entry to trust
    const cached = this.cache.get(root);
    if (cached && cached.models.length === models.length && cached.models.every((m, i) => m === models[i]))
      return cached.workspace;
    return this.build(root, models);
  }

  private build(root: string, models: DocumentModel[]): WorkspaceModel {
    const workspace = this.createWorkspace();
    for (const model of models) workspace.update(model);
    this.cache.set(root, { models, workspace });
    return workspace;
  }
}

/** The deepest workspace folder that contains the file, undefined when none does. */
function containingFolder(file: string, folders: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const folder of folders) {
    const rel = path.relative(folder, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    if (!best || folder.length > best.length) best = folder;
  }
  return best;
}
