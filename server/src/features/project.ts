/**
 * The driver as the features see it: the open documents (kept current on every change) over the
 * workspace's scanned files, and the questions features ask across files — which role type a function
 * has (declared in one file, registered in another), where a function is defined, which prefix the
 * driver's callbacks use. Analysis itself is done by ../analysis; nothing here parses C.
 */
import type { DocumentModel, FunctionModel, RegistrationModel, RoleDeclModel } from '../analysis/model';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { IndexEntry } from '../knowledge/types';
import { guessPrefix, roleNameOf } from '../stubs/naming';

/** Where a function's role type was learnt. */
export type RoleSource =
  | { kind: 'declaration'; uri: string; decl: RoleDeclModel }
  | { kind: 'function-class'; uri: string; fn: FunctionModel }
  | { kind: 'registration'; uri: string; registration: RegistrationModel };

export interface FunctionRole {
  entry: IndexEntry;
  source: RoleSource;
}

/** A function of the driver, with the document it is in. */
export interface LocatedFunction {
  uri: string;
  fn: FunctionModel;
}

/** Answers cross-file questions over a set of document models. */
export class ProjectView {
  constructor(
    private readonly models: () => Iterable<DocumentModel>,
    private readonly index: () => KnowledgeIndex,
  ) {}

  all(): DocumentModel[] {
    return [...this.models()];
  }

  /** The role type of a function: its `EVT_X Name;` declaration, `_Function_class_`, else how it is registered. */
  roleOf(functionName: string): FunctionRole | undefined {
    const index = this.index();
    let fromRegistration: FunctionRole | undefined;
    let fromClass: FunctionRole | undefined;
    for (const model of this.models()) {
      for (const decl of model.roleDecls) {
        if (!decl.names.some((n) => n.name === functionName)) continue;
        const entry = index.get(decl.roleType);
        if (entry?.kind === 'callback') return { entry, source: { kind: 'declaration', uri: model.uri, decl } };
      }
      if (!fromClass) {
        const fn = model.functions.find((f) => f.name === functionName && f.functionClass);
        const entry = fn?.functionClass ? index.get(fn.functionClass) : undefined;
        if (fn && entry?.kind === 'callback') fromClass = { entry, source: { kind: 'function-class', uri: model.uri, fn } };
      }
      if (!fromRegistration) {
        for (const registration of model.registrations) {
          if (registration.functionName !== functionName) continue;
          const entry = this.roleOfRegistration(registration);
          if (entry) {
            fromRegistration = { entry, source: { kind: 'registration', uri: model.uri, registration } };
            break;
          }
        }
      }
    }
    return fromClass ?? fromRegistration;
  }

  /** The role type a registration expects (`config.EvtIoStop = X` → EVT_WDF_IO_QUEUE_IO_STOP). */
  roleOfRegistration(registration: RegistrationModel): IndexEntry | undefined {
    const index = this.index();
    if (registration.kind === 'field' && registration.field) return index.callbackForField(registration.structType, registration.field);
    if (registration.kind === 'argument' && registration.callee !== undefined && registration.argIndex !== undefined) {
      return index.callbackForArgument(registration.callee, registration.argIndex);
    }
    return undefined;
  }

  /** Every definition and prototype of a function name. */
  functionsNamed(name: string): LocatedFunction[] {
    const out: LocatedFunction[] = [];
    for (const model of this.models()) for (const fn of model.functions) if (fn.name === name) out.push({ uri: model.uri, fn });
    return out;
  }

  /** Whether any document defines (with a body) a function of this name. */
  isDefined(name: string): boolean {
    return this.functionsNamed(name).some((f) => f.fn.isDefinition);
  }

  /** Whether a name is used by a function, a role declaration or a variable anywhere. */
  isTaken(name: string): boolean {
    for (const model of this.models()) {
      if (model.functions.some((f) => f.name === name)) return true;
      if (model.roleDecls.some((d) => d.names.some((n) => n.name === name))) return true;
      if (model.variables.some((v) => v.name === name)) return true;
    }
    return false;
  }

  /** Names of the driver's functions that have this role type, sorted. */
  functionsWithRole(roleType: string): string[] {
    const names = new Set<string>();
    for (const model of this.models()) {
      for (const decl of model.roleDecls) if (decl.roleType === roleType) for (const n of decl.names) names.add(n.name);
      for (const fn of model.functions) if (fn.functionClass === roleType) names.add(fn.name);
      for (const r of model.registrations) if (this.roleOfRegistration(r)?.name === roleType) names.add(r.functionName);
    }
    return [...names].sort();
  }

  /** The prefix the driver puts before role names (`Echo` in EchoEvtIoStop), "" when none. */
  prefix(): string {
    const pairs: { functionName: string; roleName?: string }[] = [];
    for (const model of this.models()) {
      for (const decl of model.roleDecls) {
        const entry = this.index().get(decl.roleType);
        if (entry) for (const n of decl.names) pairs.push({ functionName: n.name, roleName: roleNameOf(entry) });
      }
    }
    return guessPrefix(pairs);
  }
}

/** The function whose span contains an offset. */
export function functionAt(model: DocumentModel, offset: number): FunctionModel | undefined {
  return model.functions.find((f) => f.span.startOffset <= offset && offset <= f.span.endOffset);
}
