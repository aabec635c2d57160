/**
 * What the driver's own code says about the IRQL it runs at, read from the model (and, for guards,
 * the document text):
 *
 * - `_IRQL_limited_to_(PASSIVE_LEVEL);` as a statement in a body: from there on the function runs
 *   at or below that level (Code Analysis reads it so; the KMDF samples write it in request handlers
 *   of drivers at the top of their stack);
 * - `if (KeGetCurrentIrql() == PASSIVE_LEVEL) { … }` (also `<=`, `<`, and the `else` of `>`/`>=`/`!=`),
 *   and an early `if (KeGetCurrentIrql() > PASSIVE_LEVEL) { … return; }`: calls inside the guarded
 *   arm, or after the early return, run at most at the guarded level;
 * - the ExecutionLevel of the framework object a callback is registered on: the config variable is
 *   followed to the create call that consumes it (`WdfIoQueueCreate(device, &config, &attributes, …)`),
 *   the attributes to their `ExecutionLevel` assignment, and an inheriting object to its parent (the
 *   device the queue is created on, the `ParentObject` of a timer or work item, the driver), as the
 *   WDF_EXECUTION_LEVEL reference describes: InheritFromParent is the default, the KMDF driver object
 *   defaults to WdfExecutionLevelDispatch.
 *
 * No LSP types; rules turn these facts into findings and fixes.
 */
import type { IrqlLevel } from '../knowledge/irql';
import { IRQL_LEVELS, normalizeLevel } from '../knowledge/irql';
import { matchParen } from '../syntax/lexicalWalk';
import type { AssignmentModel, BranchArm, CallModel, DocumentModel, FunctionModel } from './model';
import type { WorkspaceModel } from './workspace';
import { lookupTable } from '../util/lookupTable';

/** An upper bound on the IRQL that the code itself states at a point of a function, and why. */
export interface StatedIrql {
  max: IrqlLevel;
  /** "_IRQL_limited_to_(PASSIVE_LEVEL)", "the guard KeGetCurrentIrql() <= PASSIVE_LEVEL". */
  reason: string;
  /** Where the statement or guard is (an offset into the document). */
  offset: number;
}

/** A point of a function body: an offset and the control-flow arms around it (as on CallModel). */
export interface BodySite {
  offset: number;
  branches?: readonly BranchArm[];
}

/**
 * The lowest bound the code states at a site of `fn`: a `_IRQL_limited_to_` statement before it in the
 * body, or a KeGetCurrentIrql() guard around it (guards need `text`, the document text). Undefined
 * when the code says nothing.
 */
export function statedIrqlAt(
  document: DocumentModel,
  fn: FunctionModel,
  site: BodySite,
  text: string | undefined,
): StatedIrql | undefined {
  const bounds: StatedIrql[] = [];
  const limit = bodyLimitAt(document, fn, site.offset);
  if (limit) bounds.push(limit);
  if (text !== undefined) {
    const guard = guardAt(text, fn, site);
    if (guard) bounds.push(guard);
  }
  return bounds.sort((a, b) => rank(a.max) - rank(b.max))[0];
}

/** The `_IRQL_limited_to_` annotations of each document (most have none). */
const limitsOf = new WeakMap<DocumentModel, DocumentModel['annotations']>();

/** The last `_IRQL_limited_to_(LEVEL)` statement of the body before `offset`, if any. */
export function bodyLimitAt(document: DocumentModel, fn: FunctionModel, offset: number): StatedIrql | undefined {
  if (!fn.body) return undefined;
  let limits = limitsOf.get(document);
  if (!limits) {
    limits = document.annotations.filter((a) => a.name === '_IRQL_limited_to_');
    limitsOf.set(document, limits);
  }
  let found: StatedIrql | undefined;
  for (const a of limits) {
    if (a.start < fn.body.startOffset || a.start >= offset || a.start >= fn.body.endOffset) continue;
    const level = normalizeLevel(a.args);
    if (level) found = { max: level, reason: `${a.name}(${a.args?.trim() ?? ''})`, offset: a.start };
  }
  return found;
}

/** Comparison of `KeGetCurrentIrql()` with a level, as read from an `if` condition. */
interface IrqlComparison {
  op: '==' | '!=' | '<' | '<=' | '>' | '>=';
  level: IrqlLevel;
}

const FLIPPED: Record<IrqlComparison['op'], IrqlComparison['op']> = {
  '==': '==',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/** The highest level for which `comparison` holds (`then` arm) or fails (`else` arm); undefined when unbounded. */
function boundOf(c: IrqlComparison, holds: boolean): IrqlLevel | undefined {
  const r = rank(c.level);
  const below = r > 0 ? IRQL_LEVELS[r - 1] : undefined;
  if (holds) {
    if (c.op === '==' || c.op === '<=') return c.level;
    if (c.op === '<') return below;
    return undefined;
  }
  if (c.op === '>') return c.level;
  if (c.op === '>=') return below;
  if (c.op === '!=') return c.level;
  return undefined;
}

/** An `if` whose condition compares KeGetCurrentIrql(), with the extents of its arms (offsets). */
interface IrqlGuard {
  statement: number;
  comparisons: IrqlComparison[];
  then: { start: number; end: number };
  else?: { start: number; end: number };
}

const guardsOf = new WeakMap<FunctionModel, IrqlGuard[]>();

/**
 * A KeGetCurrentIrql() guard around a site: the innermost enclosing `if` arm whose condition bounds the
 * level, or an earlier `if` at an enclosing level of the body whose guarded arm always returns. The
 * arms are read from the text (the branch outline is missing where a `break` follows a call), the
 * early returns from the outline.
 */
function guardAt(text: string, fn: FunctionModel, site: BodySite): StatedIrql | undefined {
  if (!fn.body || !fn.calls.some((c) => c.callee === 'KeGetCurrentIrql')) return undefined;
  let guards = guardsOf.get(fn);
  if (!guards) {
    guards = readGuards(text, fn);
    guardsOf.set(fn, guards);
  }
  const bounds: StatedIrql[] = [];
  for (const g of guards) {
    const inThen = g.then.start <= site.offset && site.offset < g.then.end;
    const inElse = !!g.else && g.else.start <= site.offset && site.offset < g.else.end;
    if (!inThen && !inElse) continue;
    // `a && b` holds only when both do; the else arm of a conjunction tells nothing.
    if (inElse && g.comparisons.length > 1) continue;
    for (const c of g.comparisons) {
      const max = boundOf(c, inThen);
      if (max) bounds.push({ max, reason: guardText(c, inThen), offset: g.statement });
    }
  }
  // Early exits: `if (KeGetCurrentIrql() > PASSIVE_LEVEL) { …; return …; }` before the site.
  for (const ret of fn.returns) {
    if (!site.branches || !ret.branches?.length || ret.span.startOffset >= site.offset) continue;
    const last = ret.branches[ret.branches.length - 1];
    if (last.kind !== 'if' || last.arm > 1) continue;
    if (!startsWith(site.branches, ret.branches.slice(0, -1))) continue;
    // The site must lie after the whole `if`, not inside one of its arms.
    if (site.branches.some((b) => b.statement === last.statement)) continue;
    const g = guards.find((x) => x.statement === last.statement);
    if (!g || g.comparisons.length !== 1) continue;
    // Reaching the site means the returning arm was not taken.
    const max = boundOf(g.comparisons[0], last.arm === 1);
    if (max) bounds.push({ max, reason: guardText(g.comparisons[0], last.arm === 1), offset: g.statement });
  }
  return bounds.sort((a, b) => rank(a.max) - rank(b.max))[0];
}

/** The `if` statements of the body whose condition holds a KeGetCurrentIrql() call. */
function readGuards(text: string, fn: FunctionModel): IrqlGuard[] {
  const body = fn.body!;
  const out: IrqlGuard[] = [];
  for (const call of fn.calls) {
    if (call.callee !== 'KeGetCurrentIrql') continue;
    const from = Math.max(body.startOffset, call.span.startOffset - 300);
    const before = text.slice(from, call.span.startOffset);
    const heads = [...before.matchAll(/\bif\s*\(/g)];
    const head = heads[heads.length - 1];
    if (!head) continue;
    const statement = from + head.index;
    if (out.some((g) => g.statement === statement)) continue;
    const open = statement + head[0].length - 1;
    const close = matchParen(text, open, Math.min(2000, body.endOffset - open));
    if (close < call.span.endOffset) continue;
    const comparisons = readCondition(text.slice(open + 1, close));
    if (!comparisons) continue;
    const then = statementExtent(text, close + 1, body.endOffset);
    if (!then) continue;
    const guard: IrqlGuard = { statement, comparisons, then };
    const elseHead = /^\s*else\b/.exec(text.slice(then.end, then.end + 200));
    if (elseHead) {
      const alternative = statementExtent(text, then.end + elseHead[0].length, body.endOffset);
      if (alternative) guard.else = alternative;
    }
    out.push(guard);
  }
  return out;
}

/** The extent of the statement starting at or after `from`: a `{ … }` block, else up to its `;`. */
function statementExtent(text: string, from: number, limit: number): { start: number; end: number } | undefined {
  const lead = /^\s*/.exec(text.slice(from, from + 400))![0].length;
  const start = from + lead;
  if (text[start] === '{') {
    let depth = 0;
    for (let i = start; i < limit; i++) {
      const c = text[i];
      if (c === '"' || c === "'") {
        // Skip the literal (escapes included); a literal never spans lines.
        let j = i + 1;
        while (j < limit && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        i = j;
        continue;
      }
      if (c === '/' && text[i + 1] === '/') {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? limit : nl;
        continue;
      }
      if (c === '/' && text[i + 1] === '*') {
        const endComment = text.indexOf('*/', i + 2);
        i = endComment < 0 ? limit : endComment + 1;
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return { start, end: i + 1 };
    }
    return undefined;
  }
  const semicolon = text.indexOf(';', start);
  return semicolon >= 0 && semicolon < limit ? { start, end: semicolon + 1 } : undefined;
}

function guardText(c: IrqlComparison, holds: boolean): string {
  return `the guard KeGetCurrentIrql() ${holds ? c.op : NEGATED[c.op]} ${c.level}`;
}

const NEGATED: Record<IrqlComparison['op'], string> = {
  '==': '!=',
  '!=': '==',
  '<': '>=',
  '<=': '>',
  '>': '<=',
  '>=': '<',
};

function startsWith(branches: readonly BranchArm[], prefix: readonly BranchArm[]): boolean {
  return prefix.every((p, i) => branches[i]?.statement === p.statement && branches[i]?.arm === p.arm);
}

/**
 * The comparisons of KeGetCurrentIrql() in an `if` condition, when the condition is one comparison or
 * a conjunction (`&&`) that contains them; undefined for anything else (`||`, `!`, a condition that
 * does not compare the current IRQL).
 */
function readCondition(condition: string): IrqlComparison[] | undefined {
  if (/\|\||!(?!=)/.test(condition)) return undefined;
  const out: IrqlComparison[] = [];
  for (const part of condition.split('&&')) {
    const c = readComparison(part);
    if (c) out.push(c);
  }
  return out.length ? out : undefined;
}

const CURRENT = String.raw`KeGetCurrentIrql\s*\(\s*\)`;
const LEVEL = String.raw`[A-Za-z_]\w*|\d+`;
const OP = String.raw`==|!=|<=|>=|<|>`;

function readComparison(part: string): IrqlComparison | undefined {
  const t = part
    .trim()
    .replace(/^\((.*)\)$/s, '$1')
    .trim();
  let m = new RegExp(`^${CURRENT}\\s*(${OP})\\s*\\(?\\s*(${LEVEL})\\s*\\)?$`).exec(t);
  if (m) {
    const level = normalizeLevel(m[2]);
    return level ? { op: m[1] as IrqlComparison['op'], level } : undefined;
  }
  m = new RegExp(`^\\(?\\s*(${LEVEL})\\s*\\)?\\s*(${OP})\\s*${CURRENT}$`).exec(t);
  if (m) {
    const level = normalizeLevel(m[1]);
    return level ? { op: FLIPPED[m[2] as IrqlComparison['op']], level } : undefined;
  }
  return undefined;
}

function rank(level: IrqlLevel): number {
  return IRQL_LEVELS.indexOf(level);
}

// ---------------------------------------------------------------------------------------------
// ExecutionLevel of framework objects

/** An object's ExecutionLevel as far as the code shows it. */
export type ExecutionLevelValue = 'passive' | 'dispatch' | 'inherit';

/** The create call that consumes a config structure, and the attributes it hands over. */
export interface ObjectCreation {
  /** The function that holds the create call. */
  fn: FunctionModel;
  creator: CallModel;
  /** The attributes variable passed (`attributes` for `&attributes`); undefined for WDF_NO_OBJECT_ATTRIBUTES or an expression. */
  attributes?: string;
  /** The `WDF_OBJECT_ATTRIBUTES_INIT…(&attributes…)` call in the same function, if there is one. */
  attributesInit?: CallModel;
  /** The last `attributes.ExecutionLevel = …` before the create call. */
  executionLevel?: AssignmentModel;
  /** What that assignment sets; 'inherit' when nothing sets it (the WDF_OBJECT_ATTRIBUTES_INIT default). */
  level: ExecutionLevelValue;
}

/** Create methods whose callbacks take their level from the object's attributes, and the index of the attributes argument. */
const ATTRIBUTES_ARGUMENT: Readonly<Record<string, number>> = lookupTable({
  WdfIoQueueCreate: 2,
  WdfDeviceCreate: 1,
  WdfDriverCreate: 2,
  WdfTimerCreate: 1,
  WdfWorkItemCreate: 1,
  WdfObjectCreate: 0,
  WdfDeviceInitSetFileObjectConfig: 2,
});

/** `&queueConfig`, `(PVOID)&cfg`, `pCfg` → the variable name. */
export function variableOf(argument: string): string | undefined {
  const m = /^[\s(]*(?:\([^()]*\)\s*)?&?\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*$/.exec(argument);
  return m?.[1];
}

function levelOfValue(value: string): ExecutionLevelValue | undefined {
  if (/\bWdfExecutionLevelPassive\b/.test(value)) return 'passive';
  if (/\bWdfExecutionLevelDispatch\b/.test(value)) return 'dispatch';
  if (/\bWdfExecutionLevelInheritFromParent\b/.test(value)) return 'inherit';
  return undefined;
}

/**
 * The create call in `fn` that consumes the config variable `config` (the first call after the
 * registration that takes it, other than the `WDF_…_INIT` helpers), with its attributes.
 * Undefined when no create call that takes attributes consumes it in this function.
 */
export function creationOf(fn: FunctionModel, config: string, after = 0): ObjectCreation | undefined {
  const creator = fn.calls.find(
    (c) =>
      c.span.startOffset >= after &&
      ATTRIBUTES_ARGUMENT[c.callee] !== undefined &&
      c.args.some((a) => variableOf(a.text) === config),
  );
  return creator ? creationBy(fn, creator) : undefined;
}

/** The attributes a create call hands over, and the ExecutionLevel they set. */
export function creationBy(fn: FunctionModel, creator: CallModel): ObjectCreation | undefined {
  const index = ATTRIBUTES_ARGUMENT[creator.callee];
  if (index === undefined) return undefined;
  const arg = creator.args[index]?.text ?? '';
  const attributes = /^WDF_NO_OBJECT_ATTRIBUTES$|^NULL$/.test(arg.trim()) ? undefined : variableOf(arg);
  if (!attributes) return { fn, creator, level: 'inherit' };
  const before = (at: number) => at < creator.span.startOffset;
  const attributesInit = [...fn.calls]
    .reverse()
    .find(
      (c) =>
        before(c.span.startOffset) &&
        /^WDF_OBJECT_ATTRIBUTES_INIT/.test(c.callee) &&
        variableOf(c.args[0]?.text ?? '') === attributes,
    );
  const executionLevel = [...fn.assignments]
    .reverse()
    .find((a) => before(a.span.startOffset) && a.object === attributes && a.field === 'ExecutionLevel');
  const level = (executionLevel && levelOfValue(executionLevel.value)) ?? 'inherit';
  return {
    fn,
    creator,
    attributes,
    ...(attributesInit ? { attributesInit } : {}),
    ...(executionLevel ? { executionLevel } : {}),
    level: executionLevel && !levelOfValue(executionLevel.value) ? 'dispatch' : level,
  };
}

/** Why an object's callbacks run at PASSIVE_LEVEL, or why they do not; for messages. */
export interface ResolvedExecutionLevel {
  level: 'passive' | 'dispatch';
  /** "WdfIoQueueCreate gets attributes with ExecutionLevel = WdfExecutionLevelPassive in EchoQueueInitialize". */
  reason: string;
}

/**
 * The effective level of an object made by `creation`: its own ExecutionLevel, else its parent's
 * (the device a queue is created on, the ParentObject of a timer or work item, created in the same
 * function), else every device of the driver, else the driver object's (KMDF default: dispatch).
 */
export function effectiveExecutionLevel(workspace: WorkspaceModel, creation: ObjectCreation): ResolvedExecutionLevel {
  const own = creation.level;
  const where = `${creation.creator.callee} gets attributes with ExecutionLevel = WdfExecutionLevel${own === 'passive' ? 'Passive' : 'Dispatch'} in ${creation.fn.name}`;
  if (own !== 'inherit') return { level: own, reason: where };
  const parent = parentCreation(creation);
  if (parent) {
    const resolved = effectiveExecutionLevel(workspace, parent);
    if (resolved.level === 'passive' || parent.level !== 'inherit') return resolved;
  }
  if (creation.creator.callee !== 'WdfDriverCreate' && creation.creator.callee !== 'WdfDeviceCreate') {
    const devices = allCreations(workspace, 'WdfDeviceCreate');
    if (devices.length && devices.every((d) => d.level === 'passive'))
      return {
        level: 'passive',
        reason: `the device is created with ExecutionLevel = WdfExecutionLevelPassive in ${devices[0].fn.name}`,
      };
  }
  if (creation.creator.callee !== 'WdfDriverCreate') {
    const drivers = allCreations(workspace, 'WdfDriverCreate');
    if (drivers.length && drivers.every((d) => d.level === 'passive'))
      return {
        level: 'passive',
        reason: `the driver is created with ExecutionLevel = WdfExecutionLevelPassive in ${drivers[0].fn.name}`,
      };
  }
  return { level: 'dispatch', reason: 'no object on its way to the driver asks for WdfExecutionLevelPassive' };
}

/** The creation of the parent object in the same function: the device of a queue, the ParentObject of others. */
function parentCreation(creation: ObjectCreation): ObjectCreation | undefined {
  const { fn, creator } = creation;
  let parent: string | undefined;
  if (creator.callee === 'WdfIoQueueCreate') parent = variableOf(creator.args[0]?.text ?? '');
  else if (creation.attributes)
    parent = variableOf(
      [...fn.assignments]
        .reverse()
        .find(
          (a) =>
            a.span.startOffset < creator.span.startOffset &&
            a.object === creation.attributes &&
            a.field === 'ParentObject',
        )?.value ?? '',
    );
  if (!parent) return undefined;
  // The call that wrote the parent handle (`WdfDeviceCreate(&init, &attributes, &device)`, `…, &queue)`).
  const made = fn.calls.find(
    (c) =>
      c.span.startOffset < creator.span.startOffset &&
      ATTRIBUTES_ARGUMENT[c.callee] !== undefined &&
      c.args.length > 0 &&
      /^\s*&/.test(c.args[c.args.length - 1].text) &&
      variableOf(c.args[c.args.length - 1].text) === parent,
  );
  return made ? creationBy(fn, made) : undefined;
}

function allCreations(workspace: WorkspaceModel, callee: string): ObjectCreation[] {
  return workspace.derived(`executionLevel.allCreations:${callee}`, () => readCreations(workspace, callee));
}

function readCreations(workspace: WorkspaceModel, callee: string): ObjectCreation[] {
  // The call graph lists the calls of each definition in model, function and call order.
  const out: ObjectCreation[] = [];
  for (const site of workspace.callers(callee)) {
    const c = creationBy(site.callerFunction, site.call);
    if (c) out.push(c);
  }
  return out;
}
