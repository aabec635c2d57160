/**
 * The driver as the features see it: the analysis layer's WorkspaceModel (open documents over the
 * workspace's scanned files) with role types resolved to index entries. Nothing here parses C.
 */
import type { DocumentModel, FunctionModel, RegistrationModel } from '../analysis/model';
import { findFunctionAt, type RoleSource, type LocatedFunction, type WorkspaceModel } from '../analysis';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { IndexEntry } from '../knowledge/types';
import type { Target, TargetSettings } from '../project/target';
import type { ServerProjects } from './serverProjects';

export interface ResolvedRole {
  entry: IndexEntry;
  /** Where the role was learnt: `EVT_X Name;`, `_Function_class_`, or a registration. */
  source: RoleSource;
}

/**
 * Cross-file answers over the workspace model, with role types looked up in the index. This view spans
 * every file of every workspace folder (fine for names and symbols); role and IRQL answers about one
 * document should come from `forDocument(uri)`, which sees that document's driver project only.
 */
export class ProjectView {
  /** `projects`: the driver projects of the workspace (the view of one document reads its project only). */
  constructor(
    readonly workspace: WorkspaceModel,
    private readonly index: () => KnowledgeIndex,
    private readonly projects: ServerProjects,
  ) {}

  /** The view of the driver project that `uri` belongs to: its files, the headers it includes, the libraries it links. */
  forDocument(uri: string): ProjectView {
    const workspace = this.projects.workspaceFor(uri);
    return workspace === this.workspace ? this : new ProjectView(workspace, this.index, this.projects);
  }

  /** The target a document is checked with (its project's, its `.kmdf.json`, over `settings`); undefined when it is not a file. */
  targetFor(uri: string, settings?: TargetSettings): Target | undefined {
    return this.projects.targetFor(uri, settings);
  }

  /** The `.kmdf.json` that applies to a document, or where one would be created (see ServerProjects.configFileFor). */
  configFileFor(uri: string): { file: string; exists: boolean } | undefined {
    return this.projects.configFileFor(uri);
  }

  all(): DocumentModel[] {
    return this.workspace.models();
  }

  /** The role type of a function that the index knows: declaration first, then `_Function_class_`, then registrations. */
  roleOf(functionName: string): ResolvedRole | undefined {
    const index = this.index();
    for (const source of this.workspace.rolesOf(functionName)) {
      const entry = index.get(source.roleType);
      if (entry?.kind === 'callback') return { entry, source };
    }
    return undefined;
  }

  /** The role type a registration expects (`config.EvtIoStop = X` → EVT_WDF_IO_QUEUE_IO_STOP). */
  roleOfRegistration(registration: RegistrationModel): IndexEntry | undefined {
    const name = this.workspace.roleOfRegistration(registration);
    return name ? this.index().get(name) : undefined;
  }

  functionsNamed(name: string): LocatedFunction[] {
    return this.workspace.functionsNamed(name);
  }

  isDefined(name: string): boolean {
    return this.workspace.isDefined(name);
  }

  /** Whether a name is used by a function, a role declaration or a file-scope variable anywhere. */
  isTaken(name: string): boolean {
    if (this.workspace.functionsNamed(name).length || this.workspace.roleDeclarations(name).length) return true;
    // The file-scope names are gathered once per workspace change: completion asks for hundreds of names.
    const fileScope = this.workspace.derived('fileScopeVariableNames', () => {
      const names = new Set<string>();
      for (const m of this.workspace.models()) for (const v of m.variables) if (!v.inFunction) names.add(v.name);
      return names;
    });
    return fileScope.has(name);
  }

  functionsWithRole(roleType: string): string[] {
    return this.workspace.functionsWithRole(roleType);
  }

  /** The prefix the driver puts before role names (`Echo` in EchoEvtIoStop), "" when none. */
  prefix(): string {
    return this.workspace.callbackPrefix();
  }
}

/** The function (definition or prototype) whose span contains an offset. */
export function functionAt(model: DocumentModel, offset: number): FunctionModel | undefined {
  return findFunctionAt(model, offset);
}
