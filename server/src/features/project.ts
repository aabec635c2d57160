/**
 * The driver as the features see it: the analysis layer's WorkspaceModel (open documents over the
 * workspace's scanned files) with role types resolved to index entries. Nothing here parses C.
 */
import type { DocumentModel, FunctionModel, RegistrationModel } from '../analysis/model';
import { findFunctionAt, type FunctionRole as WorkspaceRole, type LocatedFunction, type WorkspaceModel } from '../analysis';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { IndexEntry } from '../knowledge/types';

export interface FunctionRole {
  entry: IndexEntry;
  /** Where the role was learnt: `EVT_X Name;`, `_Function_class_`, or a registration. */
  source: WorkspaceRole;
}

export type { LocatedFunction };

/** Cross-file answers over the workspace model, with role types looked up in the index. */
export class ProjectView {
  constructor(
    readonly workspace: WorkspaceModel,
    private readonly index: () => KnowledgeIndex,
  ) {}

  all(): DocumentModel[] {
    return this.workspace.models();
  }

  /** The role type of a function that the index knows: declaration first, then `_Function_class_`, then registrations. */
  roleOf(functionName: string): FunctionRole | undefined {
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
    return this.workspace.models().some((m) => m.variables.some((v) => v.name === name && !v.inFunction));
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
