/**
 * What the path walks of the lock and raise rules (heldLocks.ts, irqlRaises.ts) read of the
 * driver beyond the function they walk, and the small helpers they share with the contract rules. It
 * imports no rule types, so the run's IRQL facts can use the walks as the rules do.
 */
import type { DocumentModel, FunctionModel } from '../../analysis/model';
import type { WorkspaceModel } from '../../analysis/workspace';

/**
 * How many helper levels the rules follow below a callback (deeper chains are rare and cost time). The
 * lock and IRQL effects of helpers have no bound: they are kept by name and read each function once
 * (recursionSummaries.ts).
 */
export const MAX_HELPER_DEPTH = 6;

/**
 * What a path walk needs of the driver beyond the function it walks (the lock and raise walks): the
 * driver's other functions, for their SAL and bodies, and the key its caches live under. A rule's
 * lookup (`lookupOf`) prefers the checked document's copy of a function; the IRQL facts of a run
 * (`workspaceLookup`) read the workspace only.
 */
export interface DriverLookup {
  /** The key of the walk caches: one per run (and, for a rule's lookup, per checked document). */
  key: object;
  /**
   * The run the lookup belongs to (the same object for the run's IRQL facts and every rule's lookup):
   * the key of the walks that read nothing of the driver, which every lookup of the run shares.
   */
  run?: object;
  /** The definition of a driver function, else its first prototype. */
  functionNamed(name: string): FunctionModel | undefined;
  /** The document being checked (its copy of a function wins), for a rule's lookup. */
  checked?: DocumentModel;
  /** The workspace, whose tables over every document are kept once per workspace (not per checked document). */
  workspace?: WorkspaceModel;
  /** The text a function of the walked document is written in, when the lookup has it. */
  textOf(fn: FunctionModel): string | undefined;
}

/** A lookup over a workspace alone (`key`: the object whose lifetime the caches share, one run). */
export function workspaceLookup(
  key: object,
  workspace: WorkspaceModel,
  texts?: (uri: string) => string | undefined,
): DriverLookup {
  const uriOf = new WeakMap<FunctionModel, string>();
  return {
    key,
    run: key,
    functionNamed: (name) => workspace.functionsNamed(name)[0]?.fn,
    workspace,
    textOf(fn) {
      if (!texts) return undefined;
      let uri = uriOf.get(fn);
      if (uri === undefined) {
        uri = workspace.definitions(fn.name).find((d) => d.fn === fn)?.uri ?? '';
        uriOf.set(fn, uri);
      }
      return uri ? texts(uri) : undefined;
    },
  };
}

/** Argument text with a leading `&`, casts and parentheses removed: `&DeviceInit` → DeviceInit, `(WDFREQUEST)r` → r. */
export function bareArgument(text: string | undefined): string {
  if (text === undefined) return '';
  const t = text.trim();
  // Most arguments are plain (`Request`, `ctx->Lock`): nothing below applies to a text that starts with neither.
  if (t[0] !== '(' && t[0] !== '&') return t;
  return unwrapArgument(t);
}

/** A trimmed argument with its casts, parentheses and leading `&` taken off, one at a time until none is left. */
export function unwrapArgument(t: string): string {
  for (;;) {
    const before = t;
    t = t.replace(/^\((?:[A-Za-z_]\w*\s*\**\s*)\)\s*/, '').trim();
    if (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
    t = t.replace(/^&\s*/, '');
    if (t === before) return t;
  }
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

const ownTables = new WeakMap<object, Map<string, Map<string, unknown>>>();

/**
 * What `read` says of the first declaration or definition of `name` it says anything of, across every
 * document (for SAL written on a prototype only): the checked document's first, then the others in
 * workspace order. The others' table is built once per workspace under `table`, the checked document's
 * once per lookup, so checking many documents does not re-read every document each time.
 */
export function declaredFact<T>(
  lookup: DriverLookup,
  table: string,
  name: string,
  read: (f: FunctionModel) => T | undefined,
): T | undefined {
  const checked = lookup.checked;
  if (checked) {
    let byTable = ownTables.get(lookup.key);
    if (!byTable) ownTables.set(lookup.key, (byTable = new Map<string, Map<string, unknown>>()));
    let own = byTable.get(table) as Map<string, { uri: string; value: T }[]> | undefined;
    if (!own) byTable.set(table, (own = factsIn([checked], read)));
    const mine = own.get(name);
    if (mine) return mine[0].value;
  }
  const compute = () => factsIn(lookup.workspace?.models() ?? [], read, table);
  const all = lookup.workspace ? lookup.workspace.derived(`declaredFact:${table}`, compute) : compute();
  return all.get(name)?.find((e) => e.uri !== checked?.uri)?.value;
}

/**
 * What `read` gives of each document's functions, by table, kept for as long as the model lives: a
 * `read` depends on the function alone, and an edit replaces one document's model, so the others'
 * facts are not read again when the workspace's table is rebuilt.
 */
const modelFacts = new WeakMap<DocumentModel, Map<string, [name: string, value: unknown][]>>();

function factsOfModel<T>(doc: DocumentModel, table: string, read: (f: FunctionModel) => T | undefined) {
  let byTable = modelFacts.get(doc);
  if (!byTable) modelFacts.set(doc, (byTable = new Map<string, [name: string, value: unknown][]>()));
  let facts = byTable.get(table) as [string, T][] | undefined;
  if (!facts) {
    facts = [];
    for (const f of doc.functions) {
      const value = read(f);
      if (value !== undefined) facts.push([f.name, value]);
    }
    byTable.set(table, facts);
  }
  return facts;
}

function factsIn<T>(
  docs: readonly DocumentModel[],
  read: (f: FunctionModel) => T | undefined,
  table?: string,
): Map<string, { uri: string; value: T }[]> {
  const byName = new Map<string, { uri: string; value: T }[]>();
  for (const doc of docs) {
    const facts: Iterable<[string, T]> = table === undefined ? readFacts(doc, read) : factsOfModel(doc, table, read);
    for (const [name, value] of facts) {
      const list = byName.get(name);
      if (list) list.push({ uri: doc.uri, value });
      else byName.set(name, [{ uri: doc.uri, value }]);
    }
  }
  return byName;
}

function* readFacts<T>(doc: DocumentModel, read: (f: FunctionModel) => T | undefined): Iterable<[string, T]> {
  for (const f of doc.functions) {
    const value = read(f);
    if (value !== undefined) yield [f.name, value];
  }
}
