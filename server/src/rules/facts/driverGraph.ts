/**
 * What the rules ask of the driver as a whole (its call graph and registrations): where a function is defined, what it
 * reaches through the helpers it calls (bounded), which callbacks reach it, which functions play a
 * role, and which registrations share a config variable. Everything here walks the analysis model;
 * nothing reads C text.
 */
import { realRegistrations } from '../../analysis/modelLookups';
import type {
  CallModel,
  DocumentModel,
  FunctionModel,
  RegistrationModel,
  ReturnModel,
  Span,
} from '../../analysis/model';
import type { LocatedFunction } from '../../analysis/workspace';
import { bareArgument, MAX_HELPER_DEPTH, type DriverLookup } from './driverLookup';
import type { RuleContext } from '../types';

export { bareArgument, MAX_HELPER_DEPTH, type DriverLookup } from './driverLookup';

/** A call reached from a root function, with the helpers between them. */
export interface ReachedCall {
  uri: string;
  /** The function the call is written in. */
  fn: FunctionModel;
  call: CallModel;
  /** Root first, then each helper down to `fn` (just [root] for a call in the root itself). */
  chain: string[];
}

/** Documents of the workspace, the checked document first (it may be newer than the scanned copy). */
export function allDocuments(ctx: RuleContext): DocumentModel[] {
  const others = workspaceDocuments(ctx).filter((d) => d.uri !== ctx.document.uri);
  return [ctx.document, ...others];
}

/** The workspace's document models. */
function workspaceDocuments(ctx: RuleContext): DocumentModel[] {
  return ctx.workspace?.models() ?? [];
}

/**
 * The key of caches shared by every rule checking one document in one run (the engine's scope), else
 * the context itself. What is cached under it may depend on the workspace and the document only.
 */
export function cacheScope(ctx: RuleContext): object {
  return ctx.scope ?? ctx;
}

const definitionCache = new WeakMap<object, Map<string, LocatedFunction>>();

/** Function definitions by name (the checked document wins over another copy of the same name). */
export function definitions(ctx: RuleContext): Map<string, LocatedFunction> {
  let map = definitionCache.get(cacheScope(ctx));
  if (map) return map;
  map = new Map();
  for (const doc of allDocuments(ctx)) {
    for (const fn of doc.functions) {
      if (fn.isDefinition && !map.has(fn.name)) map.set(fn.name, { uri: doc.uri, fn });
    }
  }
  definitionCache.set(cacheScope(ctx), map);
  return map;
}

const ownDefinitionCache = new WeakMap<DocumentModel, Map<string, LocatedFunction>>();

/** The first definition of each name in one document. */
function ownDefinitions(document: DocumentModel): Map<string, LocatedFunction> {
  let map = ownDefinitionCache.get(document);
  if (map) return map;
  map = new Map();
  for (const fn of document.functions)
    if (fn.isDefinition && !map.has(fn.name)) map.set(fn.name, { uri: document.uri, fn });
  ownDefinitionCache.set(document, map);
  return map;
}

/**
 * `definitions(ctx).get(name)` without building the whole table: the checked document's own
 * definition, else the first in the workspace's order outside the checked document's URI.
 */
export function definitionOf(ctx: RuleContext, name: string): LocatedFunction | undefined {
  const own = ownDefinitions(ctx.document).get(name);
  if (own || !ctx.workspace) return own;
  const uri = ctx.document.uri;
  const found = ctx.workspace.definitions(name).find((d) => d.uri !== uri);
  return found && { uri: found.uri, fn: found.fn };
}

const lookups = new WeakMap<object, DriverLookup>();

/** The rule context's lookup (one per cache scope). */
export function lookupOf(ctx: RuleContext): DriverLookup {
  const key = cacheScope(ctx);
  let lookup = lookups.get(key);
  if (!lookup) {
    lookup = {
      key,
      // The run's IRQL facts are the key of its workspace lookup's walks (see DriverLookup.run).
      ...(ctx.irqlFacts ? { run: ctx.irqlFacts } : {}),
      functionNamed: (name) => definitionOf(ctx, name)?.fn ?? ctx.document.functions.find((f) => f.name === name),
      checked: ctx.document,
      ...(ctx.workspace ? { workspace: ctx.workspace } : {}),
      textOf: (fn) => (ctx.document.functions.includes(fn) ? ctx.text : undefined),
    };
    lookups.set(key, lookup);
  }
  return lookup;
}

/**
 * Every call reached from `root`: its own calls, then the calls of the driver's functions it calls,
 * breadth first, up to MAX_HELPER_DEPTH levels, each function visited once.
 */
export function reachedCalls(ctx: RuleContext, root: string, maxDepth = MAX_HELPER_DEPTH): ReachedCall[] {
  const out: ReachedCall[] = [];
  const start = definitionOf(ctx, root);
  if (!start) return out;
  const seen = new Set<string>([root]);
  let frontier: { located: LocatedFunction; chain: string[] }[] = [{ located: start, chain: [root] }];
  for (let depth = 0; depth <= maxDepth && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { located, chain } of frontier) {
      for (const call of located.fn.calls) {
        out.push({ uri: located.uri, fn: located.fn, call, chain });
        const callee = definitionOf(ctx, call.callee);
        if (callee && !seen.has(call.callee)) {
          seen.add(call.callee);
          next.push({ located: callee, chain: [...chain, call.callee] });
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** Calls reached from `root` whose callee is one of `names`. */
export function reachedCallsTo(ctx: RuleContext, root: string, names: ReadonlySet<string>): ReachedCall[] {
  return reachedCalls(ctx, root).filter((r) => names.has(r.call.callee));
}

/** Whether `root` (or a helper it reaches) calls one of `names`. */
export function reaches(ctx: RuleContext, root: string, names: ReadonlySet<string>): boolean {
  return reachedCalls(ctx, root).some((r) => names.has(r.call.callee));
}

const ownCallsCache = new WeakMap<DocumentModel, Map<string, { fn: FunctionModel; call: CallModel }[]>>();

/** One document's calls by callee, in the order of its functions and their calls. */
function ownCalls(document: DocumentModel): Map<string, { fn: FunctionModel; call: CallModel }[]> {
  let map = ownCallsCache.get(document);
  if (map) return map;
  map = new Map();
  for (const fn of document.functions)
    for (const call of fn.calls) {
      const sites = map.get(call.callee);
      if (sites) sites.push({ fn, call });
      else map.set(call.callee, [{ fn, call }]);
    }
  ownCallsCache.set(document, map);
  return map;
}

/** Calls of a function by name anywhere in the workspace: the function they are written in and the call. */
export function callersOf(ctx: RuleContext, name: string): { uri: string; fn: FunctionModel; call: CallModel }[] {
  // The checked document's own calls first (it may be newer than the workspace's copy).
  const out = (ownCalls(ctx.document).get(name) ?? []).map(({ fn, call }) => ({ uri: ctx.document.uri, fn, call }));
  for (const site of ctx.workspace.callers(name)) {
    if (site.uri === ctx.document.uri) continue;
    const caller = definitionOf(ctx, site.caller);
    if (caller) out.push({ uri: site.uri, fn: caller.fn, call: site.call });
  }
  return out;
}

/**
 * The entry points a function is reached from: walking callers upwards (bounded), each function that
 * has a role type or no caller at all is a root. `unknown` is set when a chain ends in a function with
 * no caller and no role, or is cut by the depth bound (a function-pointer call we cannot see, say).
 */
export function rootsOf(
  ctx: RuleContext,
  name: string,
  maxDepth = MAX_HELPER_DEPTH,
): { roots: { name: string; role: string; chain: string[] }[]; unknown: boolean } {
  const roots: { name: string; role: string; chain: string[] }[] = [];
  let unknown = false;
  const seen = new Set<string>([name]);
  let frontier: { name: string; chain: string[] }[] = [{ name, chain: [name] }];
  for (let depth = 0; frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const item of frontier) {
      const role = ctx.roleOf(item.name);
      if (role) {
        roots.push({ name: item.name, role, chain: item.chain });
        continue;
      }
      if (depth >= maxDepth) {
        unknown = true;
        continue;
      }
      const callers = callersOf(ctx, item.name);
      if (!callers.length) unknown = true;
      for (const c of callers) {
        if (seen.has(c.fn.name)) continue;
        seen.add(c.fn.name);
        next.push({ name: c.fn.name, chain: [c.fn.name, ...item.chain] });
      }
    }
    frontier = next;
  }
  return { roots, unknown };
}

/** Definitions in the workspace whose role type is `roleType` (declared, `_Function_class_` or registered). */
export function functionsWithRole(ctx: RuleContext, roleType: string): LocatedFunction[] {
  return [...definitions(ctx).values()].filter((l) => ctx.roleOf(l.fn.name) === roleType);
}

/** Definitions in the checked document whose role type is `roleType`. */
export function documentFunctionsWithRole(ctx: RuleContext, roleType: string): FunctionModel[] {
  return ctx.document.functions.filter((f) => f.isDefinition && ctx.roleOf(f.name) === roleType);
}

/** A registration with its document. */
export interface LocatedRegistration {
  uri: string;
  registration: RegistrationModel;
}

const registrationCache = new WeakMap<object, LocatedRegistration[]>();

/** Every registration in the workspace (the checked document's first). */
export function allRegistrations(ctx: RuleContext): LocatedRegistration[] {
  let all = registrationCache.get(cacheScope(ctx));
  if (!all) {
    all = allDocuments(ctx).flatMap((doc) =>
      realRegistrations(doc).map((registration) => ({ uri: doc.uri, registration })),
    );
    registrationCache.set(cacheScope(ctx), all);
  }
  return [...all];
}

const registrationsByName = new WeakMap<object, Map<string, LocatedRegistration[]>>();

/** Registrations naming this function. */
export function registrationsOf(ctx: RuleContext, functionName: string): LocatedRegistration[] {
  let byName = registrationsByName.get(cacheScope(ctx));
  if (!byName) {
    byName = new Map();
    for (const r of allRegistrations(ctx)) {
      const list = byName.get(r.registration.functionName);
      if (list) list.push(r);
      else byName.set(r.registration.functionName, [r]);
    }
    registrationsByName.set(cacheScope(ctx), byName);
  }
  return [...(byName.get(functionName) ?? [])];
}

/** Field registrations made on the same config variable in the same function (the same queue or device config). */
export function siblingRegistrations(ctx: RuleContext, of: LocatedRegistration): LocatedRegistration[] {
  const r = of.registration;
  if (r.kind !== 'field' || !r.object) return [];
  return allRegistrations(ctx).filter(
    (o) =>
      o.uri === of.uri &&
      o.registration.kind === 'field' &&
      o.registration.object === r.object &&
      o.registration.inFunction === r.inFunction,
  );
}

/** Related-location entries for the registrations of a function (capped: a long list helps nobody). */
export function registrationRelated(
  ctx: RuleContext,
  functionName: string,
  limit = 3,
): { uri: string; span: Span; message: string }[] {
  return registrationsOf(ctx, functionName)
    .slice(0, limit)
    .map((r) => ({
      uri: r.uri,
      span: r.registration.span,
      message: r.registration.field
        ? `${functionName} is registered as ${r.registration.field} here`
        : `${functionName} is registered here (${r.registration.callee ?? 'argument'})`,
    }));
}

/** Role name of a role type from the index ("EvtIoStop"), else the role type itself. */
export function roleDisplayName(ctx: RuleContext, roleType: string): string {
  return ctx.index.get(roleType)?.roleName ?? roleType;
}

/** The index of the first parameter with this type (e.g. the WDFREQUEST of EvtIoStop). */
export function paramOfType(fn: FunctionModel, type: string): string | undefined {
  return fn.params.find((p) => p.type === type)?.name;
}

/** Whether `a` lies wholly before `b` in the same document. */
export function before(a: Span, b: Span): boolean {
  return a.endOffset <= b.startOffset;
}

/** The calls of `fn` in document order (the model keeps them so; sorting makes it certain). */
export function callsInOrder(fn: FunctionModel): CallModel[] {
  return [...fn.calls].sort((a, b) => a.span.startOffset - b.span.startOffset);
}

/** Returns of `fn` in document order. */
export function returnsInOrder(fn: FunctionModel): ReturnModel[] {
  return [...fn.returns].sort((a, b) => a.span.startOffset - b.span.startOffset);
}

/** Logging and tracing calls: passing a request to them does nothing to it. */
export function isTraceCall(callee: string): boolean {
  return /^(TraceEvents|DoTraceMessage|DoTraceLevelMessage|KdPrint|KdPrintEx|DbgPrint|DbgPrintEx|TraceLoggingWrite|WPP_\w+|\w*Trace\w*Print\w*)$/.test(
    callee,
  );
}

/**
 * A call to a function we know nothing about: not defined in the workspace, not in the index, not a
 * tracing macro. What such a function does to its arguments is unknown, so rules that need to know
 * stay silent when a request or init pointer goes into one.
 */
export function isOpaqueCall(ctx: RuleContext, callee: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(callee)) return true; // `obj->fn(…)`, `(*pfn)(…)`
  if (definitionOf(ctx, callee)) return false;
  if (ctx.index.get(callee)) return false;
  if (isTraceCall(callee)) return false;
  // Kernel routines that never complete or own a WDF request.
  if (
    /^(Rtl|Ke|Ex|Mm|Ob|Io|Zw|Nt|Po|Ps|Se|Interlocked|NT_SUCCESS|UNREFERENCED_PARAMETER|ASSERT|NT_ASSERT|PAGED_CODE)/.test(
      callee,
    )
  )
    return false;
  // WDF methods and macros missing from the index still do not hide driver code.
  if (/^(Wdf|WDF_)/.test(callee)) return false;
  return true;
}

/** The argument list names this variable (bare, after `&`/casts). */
export function passes(call: CallModel, variable: string): boolean {
  return call.args.some((a) => bareArgument(a.text) === variable);
}

/** Compare dotted versions ("1.9" < "1.11"); undefined when either does not parse. */
export function compareVersions(a: string | undefined, b: string | undefined): number | undefined {
  const parse = (v: string | undefined) =>
    v && /^\d+(\.\d+)*$/.test(v.trim()) ? v.trim().split('.').map(Number) : undefined;
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** A related location for a reached call: where it is and through which helpers. */
export function reachedRelated(r: ReachedCall, what: string): { uri: string; span: Span; message: string } {
  const via = r.chain.length > 1 ? ` (via ${r.chain.slice(1).join(' → ')})` : '';
  return { uri: r.uri, span: r.call.span, message: `${what} in ${r.fn.name}${via}` };
}

/** "A → B → C" for messages. */
export function chainText(chain: string[]): string {
  return chain.join(' → ');
}

/** Whether a registration puts a function in the config field of this role type. */
export function isField(ctx: RuleContext, reg: RegistrationModel, roleType: string, field: string): boolean {
  if (reg.kind !== 'field' || !reg.field || !reg.object) return false;
  const entry = ctx.index.callbackForField(reg.structType, reg.field);
  return entry ? entry.name === roleType : reg.field === field;
}

/** Upper-case macros that never leave the function they are written in. */
const FUNCTION_LOCAL_MACROS =
  /^(NT_SUCCESS|NT_ERROR|NT_INFORMATION|NT_WARNING|UNREFERENCED_PARAMETER|ASSERT|ASSERTMSG|NT_ASSERT|NT_ASSERTMSG|NT_VERIFY|PAGED_CODE|FIELD_OFFSET|CONTAINING_RECORD|ARRAYSIZE|RTL_NUMBER_OF|RTL_CONSTANT_STRING|DECLARE_CONST_UNICODE_STRING|DECLARE_UNICODE_STRING_SIZE|WDF_\w+|DMF_\w+_INIT\w*)$/;

/**
 * A call that may be a macro which leaves the function (`LOG_AND_RETURN(status)` expanding to a
 * `return`): an upper-case name that is neither defined in the workspace, known to the index, a
 * tracing macro, nor one of the plain ones. A path through it is not followed further.
 */
export function mayLeaveFunction(ctx: RuleContext, callee: string): boolean {
  if (!/^[A-Z][A-Z0-9_]*$/.test(callee) || FUNCTION_LOCAL_MACROS.test(callee)) return false;
  return !ctx.workspace.isDefined(callee) && !ctx.index.get(callee) && !isTraceCall(callee);
}

/** The closing brace of a function body, as a one-character span (where a path that falls off the end leaves). */
export function closingBrace(fn: FunctionModel): Span {
  const body = fn.body!;
  return {
    start: { line: body.end.line, character: Math.max(0, body.end.character - 1) },
    end: body.end,
    startOffset: body.endOffset - 1,
    endOffset: body.endOffset,
  };
}

/** The definitions of a function in the current document. */
export function definitionsHere(ctx: RuleContext): FunctionModel[] {
  return ctx.document.functions.filter((f) => f.isDefinition);
}

/** Whether a name is a plain C identifier (not `ctx->Fn`, not a cast). */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_]\w*$/.test(name);
}
