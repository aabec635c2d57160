/**
 * The workspace symbol table: the models of every open or scanned file, and the cross-file
 * questions asked of them — where a function is defined, which role type it has (declared in one
 * file, registered in another), which functions have a role, who calls whom, and which prefix the
 * driver puts before its callback names.
 *
 * Role types of registrations are resolved through a lookup supplied by the knowledge index
 * (`queueConfig.EvtIoStop = X` → EVT_WDF_IO_QUEUE_IO_STOP); without one, only declarations and
 * `_Function_class_` give roles.
 */
import { reachesFramework } from './modelLookups';
import type { CallModel, DocumentModel, FunctionModel, RegistrationModel, RoleDeclModel, Span } from './model';

/** Resolves registrations to role types (provided by the knowledge index). */
export interface RegistrationLookup {
  /** Role type of a config field: (`WDF_IO_QUEUE_CONFIG`, `EvtIoStop`) → `EVT_WDF_IO_QUEUE_IO_STOP`. */
  callbackForField(structType: string | undefined, field: string): string | undefined;
  /** Role type of a callback argument: (`WDF_DRIVER_CONFIG_INIT`, 1) → `EVT_WDF_DRIVER_DEVICE_ADD`. */
  callbackForArgument(callee: string, argIndex: number): string | undefined;
}

/** A function (definition or prototype) with the document it is in. */
export interface LocatedFunction {
  uri: string;
  fn: FunctionModel;
}

/** Where a function's role type comes from. */
export type RoleSource =
  | { roleType: string; via: 'declaration'; uri: string; decl: RoleDeclModel; nameSpan: Span }
  | { roleType: string; via: 'function-class'; uri: string; fn: FunctionModel }
  | { roleType: string; via: 'registration'; uri: string; registration: RegistrationModel };

/** A call site of a function. */
export interface CallSite {
  uri: string;
  /** The function making the call. */
  caller: string;
  /** Its definition (the model the call is in). */
  callerFunction: FunctionModel;
  call: CallModel;
}

interface Tables {
  functions: ReadonlyMap<string, LocatedFunction[]>;
  roleDecls: ReadonlyMap<string, { uri: string; decl: RoleDeclModel; nameSpan: Span }[]>;
  registrations: ReadonlyMap<string, { uri: string; registration: RegistrationModel }[]>;
  callers: ReadonlyMap<string, CallSite[]>;
  /** `functionsNamed` answers (definitions first), filled as asked. */
  definitionsFirst: Map<string, LocatedFunction[]>;
}

/** All models of the workspace, with name tables rebuilt lazily after each change. */
export class WorkspaceModel {
  private readonly byUri = new Map<string, DocumentModel>();
  private tables: Tables | undefined;
  /** Counts the changes of the models (a table built in steps across one is thrown away). */
  private changes = 0;
  /** Facts derived from every model (see `derived`), dropped with the tables on each change. */
  private derivedFacts = new Map<string, unknown>();
  /** `rolesOf` answers, dropped with the derived facts. */
  private roles = new Map<string, RoleSource[]>();

  constructor(private lookup: Partial<RegistrationLookup> = {}) {}

  /** Replace the lookup (when the knowledge index is rebuilt). */
  setLookup(lookup: Partial<RegistrationLookup>): void {
    this.lookup = lookup;
    // Roles and facts derived from them follow the lookup; the name tables do not.
    this.dropDerived();
  }

  /** Add or replace a document's model. */
  update(model: DocumentModel): void {
    this.byUri.set(model.uri, model);
    this.invalidate();
  }

  remove(uri: string): void {
    if (this.byUri.delete(uri)) this.invalidate();
  }

  private invalidate(): void {
    this.tables = undefined;
    this.changes++;
    this.dropDerived();
  }

  private dropDerived(): void {
    if (this.derivedFacts.size) this.derivedFacts = new Map();
    if (this.roles.size) this.roles = new Map();
  }

  /**
   * A fact computed from the whole workspace, kept until the next change (rules ask the same
   * workspace-wide question once per callback; `compute` must read nothing but this workspace's models).
   */
  derived<T>(key: string, compute: () => T): T {
    if (this.derivedFacts.has(key)) return this.derivedFacts.get(key) as T;
    const value = compute();
    this.derivedFacts.set(key, value);
    return value;
  }

  get(uri: string): DocumentModel | undefined {
    return this.byUri.get(uri);
  }

  models(): DocumentModel[] {
    return [...this.byUri.values()];
  }

  uris(): string[] {
    return [...this.byUri.keys()];
  }

  get size(): number {
    return this.byUri.size;
  }

  /** Every definition and prototype of a name, definitions first. */
  functionsNamed(name: string): LocatedFunction[] {
    const tables = this.build();
    let sorted = tables.definitionsFirst.get(name);
    if (!sorted) {
      const all = tables.functions.get(name) ?? [];
      sorted = [...all.filter((f) => f.fn.isDefinition), ...all.filter((f) => !f.fn.isDefinition)];
      tables.definitionsFirst.set(name, sorted);
    }
    return [...sorted];
  }

  /** Definitions (with a body) of a name; more than one means a duplicate or `#ifdef` variants. */
  definitions(name: string): LocatedFunction[] {
    return (this.build().functions.get(name) ?? []).filter((f) => f.fn.isDefinition);
  }

  /** Prototypes of a name. */
  prototypes(name: string): LocatedFunction[] {
    return (this.build().functions.get(name) ?? []).filter((f) => !f.fn.isDefinition);
  }

  /** Role-type declarations naming a function (`EVT_X Name;`). */
  roleDeclarations(name: string): readonly { uri: string; decl: RoleDeclModel; nameSpan: Span }[] {
    return this.build().roleDecls.get(name) ?? [];
  }

  /** Registrations of a function across files. */
  registrations(name: string): readonly { uri: string; registration: RegistrationModel }[] {
    return this.build().registrations.get(name) ?? [];
  }

  /** Role type of a registration, through the lookup. */
  roleOfRegistration(registration: RegistrationModel): string | undefined {
    if (registration.kind === 'field' && registration.field)
      return this.lookup.callbackForField?.(registration.structType, registration.field);
    if (registration.kind === 'argument' && registration.callee !== undefined && registration.argIndex !== undefined) {
      return this.lookup.callbackForArgument?.(registration.callee, registration.argIndex);
    }
    return undefined;
  }

  /**
   * Every role a function has: declarations first, then `_Function_class_`, then registrations
   * (one per distinct role type; a function registered for two events has two).
   */
  rolesOf(name: string): RoleSource[] {
    // Rules ask for the same names over and over; the answer holds until the models or the lookup change.
    let roles = this.roles.get(name);
    if (!roles) {
      roles = this.readRoles(name);
      this.roles.set(name, roles);
    }
    return [...roles];
  }

  private readRoles(name: string): RoleSource[] {
    const out: RoleSource[] = [];
    const seen = new Set<string>();
    const add = (role: RoleSource) => {
      const key = `${role.via}:${role.roleType}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(role);
    };
    for (const d of this.roleDeclarations(name))
      add({ roleType: d.decl.roleType, via: 'declaration', uri: d.uri, decl: d.decl, nameSpan: d.nameSpan });
    for (const f of this.functionsNamed(name))
      if (f.fn.functionClass) add({ roleType: f.fn.functionClass, via: 'function-class', uri: f.uri, fn: f.fn });
    for (const r of this.registrations(name)) {
      const roleType = this.roleOfRegistration(r.registration);
      if (roleType) add({ roleType, via: 'registration', uri: r.uri, registration: r.registration });
    }
    return out;
  }

  /** The role a function has: its declaration, else `_Function_class_`, else its first resolvable registration. */
  roleOf(name: string): RoleSource | undefined {
    return this.rolesOf(name)[0];
  }

  /** Names of the functions with a role type (by any source), sorted. */
  functionsWithRole(roleType: string): string[] {
    const names = new Set<string>();
    const t = this.build();
    for (const [name, decls] of t.roleDecls) if (decls.some((d) => d.decl.roleType === roleType)) names.add(name);
    for (const [name, fns] of t.functions) if (fns.some((f) => f.fn.functionClass === roleType)) names.add(name);
    for (const [name, regs] of t.registrations)
      if (regs.some((r) => this.roleOfRegistration(r.registration) === roleType)) names.add(name);
    return [...names].sort();
  }

  /** Names of the functions a function calls (by callee name, in its definitions), without duplicates, in call order. */
  callees(name: string): string[] {
    const out = new Set<string>();
    for (const f of this.definitions(name)) for (const c of f.fn.calls) out.add(c.callee);
    return [...out];
  }

  /** The call sites of a function across the workspace. */
  callers(name: string): readonly CallSite[] {
    return this.build().callers.get(name) ?? [];
  }

  /** Whether a name is defined (with a body) anywhere. */
  isDefined(name: string): boolean {
    return this.definitions(name).length > 0;
  }

  /**
   * The prefix the driver puts before `Evt…` in its callback names (`Echo` from `EchoEvtIoRead`),
   * the most common one among functions with a role; "" when they have none or none has a role.
   */
  callbackPrefix(): string {
    const counts = new Map<string, number>();
    const names = new Set<string>();
    const t = this.build();
    for (const name of t.roleDecls.keys()) names.add(name);
    for (const name of t.registrations.keys()) names.add(name);
    for (const [name, fns] of t.functions) if (fns.some((f) => f.fn.functionClass)) names.add(name);
    for (const name of names) {
      const prefix = callbackPrefixOf(name);
      if (prefix === undefined) continue;
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
    let best = '';
    let bestCount = 0;
    for (const [prefix, count] of counts) {
      if (count > bestCount || (count === bestCount && prefix < best)) {
        best = prefix;
        bestCount = count;
      }
    }
    return best;
  }

  /**
   * A workspace of this one's models with each of `changed` in place of the model of its URI (a URI
   * not here yet comes last). Its name tables are this one's with only those documents' entries
   * replaced, in the order a fresh build gives: an edit of one file of a large project does not
   * rebuild the tables of every file. This workspace stays as it is, so a check still running on it
   * keeps the view it started with.
   */
  withReplaced(changed: readonly DocumentModel[]): WorkspaceModel {
    const next = new WorkspaceModel(this.lookup);
    for (const [uri, model] of this.byUri) next.byUri.set(uri, model);
    for (const model of changed) next.byUri.set(model.uri, model);
    if (this.tables) next.tables = replaceEntries(this.tables, next.byUri, changed, this.byUri);
    return next;
  }

  /**
   * The name tables built a document at a time, yielding after each (on a large project they take
   * several milliseconds), for a caller that must give way meanwhile; the same tables `build` makes.
   * What is built is dropped when a model changes in between or a lookup built them meanwhile.
   */
  *buildInSteps(): Generator<void, void> {
    if (this.tables) return;
    const changes = this.changes;
    const tables = emptyTables();
    for (const model of [...this.byUri.values()]) {
      addEntries(tables, model);
      yield;
      if (this.changes !== changes || this.tables) return;
    }
    this.tables = tables;
  }

  private build(): Tables {
    if (this.tables) return this.tables;
    const tables = emptyTables();
    for (const model of this.byUri.values()) addEntries(tables, model);
    this.tables = tables;
    return tables;
  }
}

type TableName = 'functions' | 'roleDecls' | 'registrations' | 'callers';
type TableEntry = { uri: string };
type EntryOf<T extends TableName> = Tables[T] extends ReadonlyMap<string, (infer E extends TableEntry)[]> ? E : never;

function emptyTables(): Tables {
  return {
    functions: new Map(),
    roleDecls: new Map(),
    registrations: new Map(),
    callers: new Map(),
    definitionsFirst: new Map(),
  };
}

/** What one document puts in each name table, in the order of its text: names and entries side by side. */
interface DocumentEntries {
  functions: { keys: string[]; entries: LocatedFunction[] };
  roleDecls: { keys: string[]; entries: EntryOf<'roleDecls'>[] };
  registrations: { keys: string[]; entries: EntryOf<'registrations'>[] };
  callers: { keys: string[]; entries: CallSite[] };
}

/**
 * Each model's entries, made once: a model is in the tables of every workspace that holds it (`kmdf
 * lint` builds one per project, and a DMF header is in thirty of them), and entries are never changed.
 */
const entriesByModel = new WeakMap<DocumentModel, DocumentEntries>();

function documentEntries(model: DocumentModel): DocumentEntries {
  let made = entriesByModel.get(model);
  if (made) return made;
  const uri = model.uri;
  made = {
    functions: { keys: [], entries: [] },
    roleDecls: { keys: [], entries: [] },
    registrations: { keys: [], entries: [] },
    callers: { keys: [], entries: [] },
  };
  const { functions, roleDecls, registrations, callers } = made;
  for (const fn of model.functions) {
    functions.keys.push(fn.name);
    functions.entries.push({ uri, fn });
    if (fn.isDefinition)
      for (const call of fn.calls) {
        callers.keys.push(call.callee);
        callers.entries.push({ uri, caller: fn.name, callerFunction: fn, call });
      }
  }
  for (const decl of model.roleDecls)
    for (const n of decl.names) {
      roleDecls.keys.push(n.name);
      roleDecls.entries.push({ uri, decl, nameSpan: n.span });
    }
  for (const registration of model.registrations)
    if (reachesFramework(registration)) {
      registrations.keys.push(registration.functionName);
      registrations.entries.push({ uri, registration });
    }
  entriesByModel.set(model, made);
  return made;
}

const TABLE_NAMES = ['functions', 'roleDecls', 'registrations', 'callers'] as const;

/** What one document puts in the name tables, table by table, in the order of its text. */
function entriesOf(model: DocumentModel, add: (table: TableName, key: string, entry: TableEntry) => void): void {
  const made = documentEntries(model);
  for (const table of TABLE_NAMES) {
    const { keys, entries } = made[table];
    for (let i = 0; i < keys.length; i++) add(table, keys[i], entries[i]);
  }
}

function addEntries(tables: Tables, model: DocumentModel): void {
  const made = documentEntries(model);
  for (const table of TABLE_NAMES) {
    // Tables being filled are plain maps (emptyTables).
    const map = tables[table] as unknown as Map<string, TableEntry[]>;
    const { keys, entries } = made[table] as { keys: string[]; entries: TableEntry[] };
    for (let i = 0; i < keys.length; i++) {
      const list = map.get(keys[i]);
      if (list) list.push(entries[i]);
      else map.set(keys[i], [entries[i]]);
    }
  }
}

/**
 * `tables` (of the workspace `before`) with the entries of the documents of `changed` replaced: the
 * lists of the names those documents had or have are rebuilt, in workspace order (`order`), the others
 * shared: each table is the one before with those lists laid over it (LayeredTable), not a copy of
 * it. No table or list of `tables` is changed.
 */
function replaceEntries(
  tables: Tables,
  order: ReadonlyMap<string, DocumentModel>,
  changed: readonly DocumentModel[],
  before: ReadonlyMap<string, DocumentModel>,
): Tables {
  const uris = new Set(changed.map((m) => m.uri));
  const added = new Map<TableName, Map<string, TableEntry[]>>();
  const touched = new Map<TableName, Set<string>>();
  const touch = (table: TableName, key: string) => {
    let keys = touched.get(table);
    if (!keys) touched.set(table, (keys = new Set()));
    keys.add(key);
  };
  for (const uri of uris) {
    const old = before.get(uri);
    if (old) entriesOf(old, (table, key) => touch(table, key));
  }
  for (const model of changed)
    entriesOf(model, (table, key, entry) => {
      touch(table, key);
      let byKey = added.get(table);
      if (!byKey) added.set(table, (byKey = new Map<string, TableEntry[]>()));
      const list = byKey.get(key);
      if (list) list.push(entry);
      else byKey.set(key, [entry]);
    });
  const position = new Map<string, number>();
  for (const uri of order.keys()) position.set(uri, position.size);
  const next = emptyTables();
  const maps = next as unknown as Record<TableName, ReadonlyMap<string, TableEntry[]>>;
  for (const table of TABLE_NAMES) {
    const before = tables[table] as ReadonlyMap<string, TableEntry[]>;
    const layered = before instanceof LayeredTable ? before : undefined;
    const replaced = new Map<string, TableEntry[] | undefined>(layered?.replaced);
    for (const key of touched.get(table) ?? []) {
      const kept = (before.get(key) ?? []).filter((e) => !uris.has(e.uri));
      const list = [...kept, ...(added.get(table)?.get(key) ?? [])];
      // Stable: one document's entries keep the order of its text.
      list.sort((a, b) => position.get(a.uri)! - position.get(b.uri)!);
      replaced.set(key, list.length ? list : undefined);
    }
    const base = layered?.base ?? before;
    const layers = new LayeredTable(base, replaced);
    // Copied whole once the replaced names are many (a file edited again and again replaces the same ones).
    maps[table] = replaced.size > base.size / 4 ? new Map(layers) : layers;
  }
  return next;
}

/**
 * A name table after an edit: the lists of the names the edited documents have or had (`replaced`;
 * undefined: no entry left) over the table before, which is shared, not copied (on a large project
 * an edit of one file touches a few hundred of its tens of thousands of names). Never changed once made.
 * Its iteration gives the names of `base` first: no caller depends on the order of the names.
 */
export class LayeredTable<E> implements ReadonlyMap<string, E[]> {
  readonly size: number;

  constructor(
    readonly base: ReadonlyMap<string, E[]>,
    readonly replaced: ReadonlyMap<string, E[] | undefined>,
  ) {
    let size = base.size;
    for (const [key, list] of replaced) {
      const inBase = base.has(key);
      if (inBase && !list) size--;
      else if (!inBase && list) size++;
    }
    this.size = size;
  }

  get(key: string): E[] | undefined {
    return this.replaced.has(key) ? this.replaced.get(key) : this.base.get(key);
  }

  has(key: string): boolean {
    return this.replaced.has(key) ? this.replaced.get(key) !== undefined : this.base.has(key);
  }

  *entries(): MapIterator<[string, E[]]> {
    for (const [key, list] of this.base) {
      const now = this.replaced.has(key) ? this.replaced.get(key) : list;
      if (now) yield [key, now];
    }
    for (const [key, list] of this.replaced) if (list && !this.base.has(key)) yield [key, list];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<E[]> {
    for (const [, list] of this.entries()) yield list;
  }

  [Symbol.iterator](): MapIterator<[string, E[]]> {
    return this.entries();
  }

  forEach(callback: (value: E[], key: string, map: ReadonlyMap<string, E[]>) => void): void {
    for (const [key, list] of this.entries()) callback(list, key, this);
  }
}

/** `EchoEvtIoRead` → "Echo", `EvtIoRead` → "", `DriverEntry` → undefined (no `Evt` part). */
export function callbackPrefixOf(name: string): string | undefined {
  const m = /^(.*?)_?Evt(?=[A-Z])/.exec(name);
  return m ? m[1] : undefined;
}
