/**
 * IRQL facts shared by the rules, computed once per run over the workspace:
 *
 * - each callback's level comes from its role type (header SAL, else the docs), lowered to PASSIVE_LEVEL
 *   when the object it is registered on runs at WdfExecutionLevelPassive (queue, device or driver
 *   attributes) or is an interrupt with PassiveHandling;
 * - helpers inherit the highest level of any callback that reaches them through the workspace call
 *   graph, unless they carry their own IRQL annotation; calls made while a spin lock is held are at
 *   DISPATCH_LEVEL (or DIRQL for an interrupt lock) whatever the caller's level.
 */
import {
  creationOf,
  effectiveExecutionLevel,
  statedIrqlAt,
  variableOf,
  type BodySite,
  type ObjectCreation,
  type ResolvedExecutionLevel,
  type StatedIrql,
} from '../../analysis/executionLevel';
import { realRegistrations } from '../../analysis/modelLookups';
import type { CallModel, FunctionModel, RegistrationModel } from '../../analysis/model';
import type { WorkspaceModel } from '../../analysis/workspace';
import { irqlFromAnnotations, levelRank, maxLevel, normalizeLevel, type IrqlLevel } from '../../knowledge/irql';
import type { KnowledgeIndex } from '../../knowledge/knowledgeIndex';
import type { IndexEntry, Irql } from '../../knowledge/types';
import { lookupTable } from '../../util/lookupTable';

/** The IRQL a function can run at, and why (for messages naming the chain). */
export interface ReachedIrql {
  irql: Irql;
  /** "certain": = DISPATCH_LEVEL (DPC, timer, completion routine); "possible": ≤ DISPATCH_LEVEL (request handlers). */
  certainty: 'certain' | 'possible';
  /** The callback the level comes from, and the helpers between it and this function. */
  root: string;
  chain: string[];
}

/**
 * Role types that run from a DPC, a timer or an I/O completion: DISPATCH_LEVEL is their normal level,
 * not merely an upper bound. (Their pages say "≤ DISPATCH_LEVEL" or "see Remarks", so this cannot be mined.)
 */
const DISPATCH_IS_NORMAL = new Set([
  'EVT_WDF_DPC',
  'EVT_WDF_INTERRUPT_DPC',
  'EVT_WDF_TIMER',
  'EVT_WDF_REQUEST_COMPLETION_ROUTINE',
  'EVT_WDF_USB_READER_COMPLETION_ROUTINE',
  'EVT_WDF_PROGRAM_DMA',
  'EVT_WDF_REQUEST_CANCEL',
]);

/** Role types whose level does not depend on the object's ExecutionLevel (interrupt, DMA and USB paths). */
const NOT_EXECUTION_LEVEL_HEADERS = new Set([
  'wdfinterrupt.h',
  'wdfdpc.h',
  'wdfdmaenabler.h',
  'wdfdmatransaction.h',
  'wdfusb.h',
]);

/**
 * Object cleanup/destroy callbacks run at PASSIVE_LEVEL when the object is one of these (the
 * EvtCleanupCallback page's remarks): the attributes are handed to one of these create methods.
 */
const PASSIVE_CLEANUP_CREATORS = new Set([
  'WdfDeviceCreate',
  'WdfDriverCreate',
  'WdfDpcCreate',
  'WdfInterruptCreate',
  'WdfIoTargetCreate',
  'WdfIoQueueCreate',
  'WdfStringCreate',
  'WdfTimerCreate',
  'WdfWorkItemCreate',
]);
const OBJECT_CALLBACKS = new Set(['EVT_WDF_OBJECT_CONTEXT_CLEANUP', 'EVT_WDF_OBJECT_CONTEXT_DESTROY']);

/** Calls that raise the IRQL until their matching release, and the level they raise to. */
const LOCK_ACQUIRE: Readonly<Record<string, { level: IrqlLevel; release: string[] }>> = lookupTable({
  WdfSpinLockAcquire: { level: 'DISPATCH_LEVEL', release: ['WdfSpinLockRelease'] },
  KeAcquireSpinLock: { level: 'DISPATCH_LEVEL', release: ['KeReleaseSpinLock'] },
  KeAcquireSpinLockAtDpcLevel: { level: 'DISPATCH_LEVEL', release: ['KeReleaseSpinLockFromDpcLevel'] },
  KeAcquireInStackQueuedSpinLock: { level: 'DISPATCH_LEVEL', release: ['KeReleaseInStackQueuedSpinLock'] },
  ExAcquireSpinLockExclusive: { level: 'DISPATCH_LEVEL', release: ['ExReleaseSpinLockExclusive'] },
  ExAcquireSpinLockShared: { level: 'DISPATCH_LEVEL', release: ['ExReleaseSpinLockShared'] },
  WdfInterruptAcquireLock: { level: 'DIRQL', release: ['WdfInterruptReleaseLock'] },
});

/** IRQL facts of an index entry: its `irql` plus what its SAL annotations say (some header facts keep only one of them). */
export function entryIrql(entry: IndexEntry | undefined): Irql | undefined {
  if (!entry) return undefined;
  const fromSal = irqlFromAnnotations((entry.annotations ?? []).map(parseAnnotationText));
  if (!entry.irql && !fromSal) return undefined;
  return { ...(fromSal ?? {}), ...stripUndefined(entry.irql ?? {}) };
}

function stripUndefined(irql: Irql): Irql {
  return Object.fromEntries(Object.entries(irql).filter(([, v]) => v !== undefined));
}

/** "_IRQL_requires_max_(DISPATCH_LEVEL)" → { name, args }. */
export function parseAnnotationText(text: string): { name: string; args?: string } {
  const m = /^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!m) return { name: text.trim() };
  return m[2] !== undefined ? { name: m[1], args: m[2] } : { name: m[1] };
}

/** The highest level and its certainty of a role type (before ExecutionLevel). */
export function roleLevel(entry: IndexEntry): { level: IrqlLevel; certainty: 'certain' | 'possible' } | undefined {
  const irql = entryIrql(entry);
  const level = maxLevel(irql);
  if (!level) return undefined;
  const exact = normalizeLevel(irql?.exact) !== undefined;
  const certain = exact || level === 'PASSIVE_LEVEL' || DISPATCH_IS_NORMAL.has(entry.name);
  return { level, certainty: certain ? 'certain' : 'possible' };
}

/** Whether an ExecutionLevel of WdfExecutionLevelPassive on the object brings this role type to PASSIVE_LEVEL. */
export function lowersWithExecutionLevel(entry: IndexEntry): boolean {
  if (entry.flags.some((f) => f.id === 'execution-level-dependent')) return true;
  if (entry.header && NOT_EXECUTION_LEVEL_HEADERS.has(entry.header.toLowerCase())) return false;
  const irql = entryIrql(entry);
  return !normalizeLevel(irql?.exact) && maxLevel(irql) === 'DISPATCH_LEVEL';
}

export { variableOf };

/** The IRQL at a site of a body: the function's level, capped by a stated bound or raised by a held lock. */
export type SiteIrql = ReachedIrql & {
  /** The lock-acquiring call whose lock is held there. */
  lock?: string;
  /** The bound the code states there, when it lowered the function's level. */
  stated?: StatedIrql;
};

/** How a callback comes to run at a level: for messages and related locations. */
export interface CallbackLevel extends ReachedIrql {
  /** Why the level was lowered to PASSIVE_LEVEL, if it was ("queue attributes ExecutionLevel = WdfExecutionLevelPassive"). */
  lowered?: string;
}

/** A reach of a function from a callback: through `chain` (helpers after the root, ending at the function). */
interface Reach {
  level: IrqlLevel;
  certainty: 'certain' | 'possible';
  root: string;
  chain: string[];
}

/** The IRQL facts of one run. */
export class IrqlFacts {
  private readonly callbackLevels = new Map<string, CallbackLevel | null>();
  private readonly reaches = new Map<string, Reach[]>();
  private readonly ownLevels = new Map<string, { level: IrqlLevel; certainty: 'certain' | 'possible' } | null>();
  private computed = false;

  /**
   * `texts` gives a document's text, for the KeGetCurrentIrql() guards of its functions; without it
   * only what the model holds is read (`_IRQL_limited_to_`, locks, annotations).
   */
  constructor(
    private readonly workspace: WorkspaceModel,
    private readonly index: KnowledgeIndex,
    private readonly texts?: (uri: string) => string | undefined,
  ) {}

  /** A document's text, when the run has it. */
  textOf(uri: string): string | undefined {
    return this.texts?.(uri);
  }

  /** The role entry of a function (declaration, `_Function_class_`, else registration). */
  roleEntry(name: string): IndexEntry | undefined {
    for (const role of this.workspace.rolesOf(name)) {
      const entry = this.index.get(role.roleType);
      if (entry?.kind === 'callback') return entry;
    }
    return undefined;
  }

  /** A function's own IRQL annotation (any definition or prototype), as a level and certainty. */
  ownLevel(name: string): { level: IrqlLevel; certainty: 'certain' | 'possible' } | undefined {
    const cached = this.ownLevels.get(name);
    if (cached !== undefined) return cached ?? undefined;
    let found: { level: IrqlLevel; certainty: 'certain' | 'possible' } | undefined;
    for (const f of this.workspace.functionsNamed(name)) {
      const level = maxLevel(f.fn.irql);
      if (level) {
        found = {
          level,
          certainty: normalizeLevel(f.fn.irql?.exact) || level === 'PASSIVE_LEVEL' ? 'certain' : 'possible',
        };
        break;
      }
    }
    this.ownLevels.set(name, found ?? null);
    return found;
  }

  /** The level a callback runs at, from its role type and the ExecutionLevel/PassiveHandling of where it is registered. */
  callbackLevel(name: string): CallbackLevel | undefined {
    const cached = this.callbackLevels.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const entry = this.roleEntry(name);
    const base = entry ? roleLevel(entry) : undefined;
    let result: CallbackLevel | undefined;
    if (entry && base) {
      result = { irql: { max: base.level }, certainty: base.certainty, root: name, chain: [] };
      if (base.level !== 'PASSIVE_LEVEL') {
        const lowered = this.passiveReason(name, entry);
        if (lowered) result = { irql: { max: 'PASSIVE_LEVEL' }, certainty: 'certain', root: name, chain: [], lowered };
      }
    }
    this.callbackLevels.set(name, result ?? null);
    return result;
  }

  /** Why a callback runs at PASSIVE_LEVEL despite its role type, or undefined. */
  private passiveReason(name: string, entry: IndexEntry): string | undefined {
    const registrations = this.workspace.registrations(name);
    if (!registrations.length) return undefined;
    const reasons: string[] = [];
    for (const { registration } of registrations) {
      const reason = this.registrationPassiveReason(registration, entry);
      // Registered once at a passive level and once not: the highest level wins.
      if (!reason) return undefined;
      reasons.push(reason);
    }
    return reasons[0];
  }

  private registrationPassiveReason(registration: RegistrationModel, entry: IndexEntry): string | undefined {
    const fn = registration.inFunction ? this.workspace.definitions(registration.inFunction)[0]?.fn : undefined;
    if (!fn) return undefined;
    const config = registrationConfig(fn, registration);
    if (config && /INTERRUPT/.test(entry.name) && entry.header?.toLowerCase() === 'wdfinterrupt.h') {
      const passive = fn.assignments.some(
        (a) => a.object === config && a.field === 'PassiveHandling' && /\bTRUE\b/.test(a.value),
      );
      return passive ? `its interrupt is created with PassiveHandling = TRUE in ${fn.name}` : undefined;
    }
    if (config && OBJECT_CALLBACKS.has(entry.name)) {
      const creator = fn.calls.find(
        (c) => PASSIVE_CLEANUP_CREATORS.has(c.callee) && c.args.some((a) => variableOf(a.text) === config),
      );
      if (creator)
        return `it is the ${entry.roleName ?? 'cleanup'} callback of an object made by ${creator.callee}, which the framework calls at PASSIVE_LEVEL`;
    }
    if (!lowersWithExecutionLevel(entry)) return undefined;
    const resolved = this.executionLevelOf(registration);
    return resolved?.level === 'passive' ? resolved.reason : undefined;
  }

  /**
   * The ExecutionLevel in force for the object a callback is registered on: the config followed to the
   * create call that consumes it, its attributes, else its parent's, the devices' or the driver's.
   * Undefined when the registration's function is not known.
   */
  executionLevelOf(
    registration: RegistrationModel,
  ): (ResolvedExecutionLevel & { creation?: ObjectCreation }) | undefined {
    const fn = registration.inFunction ? this.workspace.definitions(registration.inFunction)[0]?.fn : undefined;
    if (!fn) return undefined;
    const config = registrationConfig(fn, registration);
    const creation = config ? creationOf(fn, config, registration.span.startOffset) : undefined;
    if (creation) return { ...effectiveExecutionLevel(this.workspace, creation), creation };
    // The create call is elsewhere (a helper, another function): only what holds for every object can be said.
    const none: ObjectCreation = {
      fn,
      creator: { callee: '', span: registration.span, calleeSpan: registration.span, args: [] },
      level: 'inherit',
    };
    return effectiveExecutionLevel(this.workspace, none);
  }

  /**
   * The level a function can run at: its own annotation, else its callback level, else the highest
   * level of any callback that reaches it (with the chain). Undefined when nothing is known.
   */
  irqlOf(name: string): ReachedIrql | undefined {
    const own = this.ownLevel(name);
    if (own) return { irql: { max: own.level }, certainty: own.certainty, root: name, chain: [] };
    const reaches = this.reachesOf(name);
    return reaches[0] ? toReached(reaches[0]) : undefined;
  }

  /** Every distinct level a function is reached at (highest first), one reach per level. */
  levelsReaching(name: string): ReachedIrql[] {
    const seen = new Set<string>();
    const out: ReachedIrql[] = [];
    for (const r of this.reachesOf(name)) {
      if (seen.has(r.level)) continue;
      seen.add(r.level);
      out.push(toReached(r));
    }
    return out;
  }

  /**
   * The level in effect at a call inside `fn` (see `levelAt`).
   */
  levelAtCall(fn: FunctionModel, call: CallModel): SiteIrql | undefined {
    return this.levelAt(fn, siteOf(call));
  }

  /**
   * The IRQL range at a site of `fn`'s body: the function's own level, capped by what the code states
   * before or around the site (`_IRQL_limited_to_`, a KeGetCurrentIrql() guard), then raised while a
   * spin lock is held (acquired earlier in the body and not yet released).
   */
  levelAt(fn: FunctionModel, site: BodySite): SiteIrql | undefined {
    let base: SiteIrql | undefined = this.irqlOf(fn.name);
    const stated = base ? this.statedAt(fn, site) : undefined;
    if (base && stated && levelRank(stated.max) < levelRank(base.irql.max)) {
      base = {
        irql: { max: stated.max },
        certainty: stated.max === 'PASSIVE_LEVEL' ? 'certain' : 'possible',
        root: fn.name,
        chain: [],
        stated,
      };
    }
    const held = heldLockLevel(fn, site.offset);
    if (!held) return base;
    const baseRank = base ? levelRank(base.irql.max) : -1;
    if (
      base &&
      (baseRank > levelRank(held.level) || (baseRank === levelRank(held.level) && base.certainty === 'certain'))
    )
      return base;
    return { irql: { max: held.level }, certainty: 'certain', root: fn.name, chain: [], lock: held.acquire };
  }

  /** What the code of `fn` states about the IRQL at a site (see analysis/executionLevel.ts). */
  statedAt(fn: FunctionModel, site: BodySite): StatedIrql | undefined {
    const uri = this.uriOf(fn);
    const document = uri ? this.workspace.get(uri) : undefined;
    return document ? statedIrqlAt(document, fn, site, this.texts?.(uri!)) : undefined;
  }

  private uriOf(fn: FunctionModel): string | undefined {
    return this.workspace.definitions(fn.name).find((d) => d.fn === fn)?.uri;
  }

  private reachesOf(name: string): Reach[] {
    this.compute();
    return this.reaches.get(name) ?? [];
  }

  /** Breadth-first from every callback over defined helpers, stopping at functions with their own annotation. */
  private compute(): void {
    if (this.computed) return;
    this.computed = true;
    const roots: Reach[] = [];
    const callbacks = new Set<string>();
    for (const model of this.workspace.models()) {
      for (const decl of model.roleDecls) for (const n of decl.names) callbacks.add(n.name);
      for (const r of realRegistrations(model)) callbacks.add(r.functionName);
      for (const fn of model.functions) if (fn.functionClass) callbacks.add(fn.name);
    }
    for (const name of [...callbacks].sort()) {
      const level = this.callbackLevel(name);
      if (level && level.irql.max)
        roots.push({ level: level.irql.max as IrqlLevel, certainty: level.certainty, root: name, chain: [] });
    }
    const add = (fn: string, reach: Reach): boolean => {
      const list = this.reaches.get(fn) ?? [];
      // Keep one reach per (level, certainty): the first found is the shortest chain.
      if (list.some((r) => r.level === reach.level && r.certainty === reach.certainty)) return false;
      list.push(reach);
      list.sort(compareReach);
      this.reaches.set(fn, list);
      return true;
    };
    const queue: { fn: string; reach: Reach }[] = [];
    for (const root of roots) if (add(root.root, root)) queue.push({ fn: root.root, reach: root });
    while (queue.length) {
      const { fn, reach } = queue.shift()!;
      for (const def of this.workspace.definitions(fn)) {
        for (const call of def.fn.calls) {
          const callee = call.callee;
          if (!/^[A-Za-z_]\w*$/.test(callee) || callee === fn) continue;
          if (!this.workspace.isDefined(callee) || this.ownLevel(callee)) continue;
          // A helper that is itself a callback keeps its own level as well; reaching it still counts.
          const held = heldLockLevel(def.fn, call);
          let next: Reach = {
            level: reach.level,
            certainty: reach.certainty,
            root: reach.root,
            chain: [...reach.chain, callee],
          };
          // `_IRQL_limited_to_` before the call, or a KeGetCurrentIrql() guard around it, lowers what reaches the callee.
          const document = this.workspace.get(def.uri);
          const stated = document ? statedIrqlAt(document, def.fn, siteOf(call), this.texts?.(def.uri)) : undefined;
          if (stated && levelRank(stated.max) < levelRank(next.level))
            next = { ...next, level: stated.max, certainty: stated.max === 'PASSIVE_LEVEL' ? 'certain' : 'possible' };
          if (held && levelRank(held.level) > levelRank(reach.level))
            next = { ...next, level: held.level, certainty: 'certain' };
          else if (held && reach.certainty === 'possible' && held.level === reach.level)
            next = { ...next, certainty: 'certain' };
          if (next.chain.length > 12) continue;
          if (add(callee, next)) queue.push({ fn: callee, reach: next });
        }
      }
    }
  }
}

function siteOf(call: CallModel): BodySite {
  return { offset: call.span.startOffset, ...(call.branches ? { branches: call.branches } : {}) };
}

function compareReach(a: Reach, b: Reach): number {
  return (
    levelRank(b.level) - levelRank(a.level) ||
    (a.certainty === b.certainty ? 0 : a.certainty === 'certain' ? -1 : 1) ||
    a.chain.length - b.chain.length
  );
}

function toReached(r: Reach): ReachedIrql {
  return { irql: { max: r.level }, certainty: r.certainty, root: r.root, chain: r.chain };
}

/** The config variable a registration fills in: the object of `cfg.EvtX = F`, or the first argument of `WDF_X_CONFIG_INIT(&cfg, F)`. */
function registrationConfig(fn: FunctionModel, registration: RegistrationModel): string | undefined {
  if (registration.kind === 'field') return registration.object;
  if (registration.callee && /^WDF_\w+_INIT/.test(registration.callee))
    return variableOf(fnCallArg(fn, registration) ?? '');
  return undefined;
}

function fnCallArg(fn: FunctionModel, registration: RegistrationModel): string | undefined {
  const call = fn.calls.find(
    (c) =>
      c.callee === registration.callee &&
      c.span.startOffset <= registration.span.startOffset &&
      registration.span.endOffset <= c.span.endOffset,
  );
  return (call ?? fn.calls.find((c) => c.callee === registration.callee))?.args[0]?.text;
}

/** The lock held at a call (acquired before it in the body and not released before it), if any. */
export function heldLockLevel(
  fn: FunctionModel,
  at: CallModel | number,
): { level: IrqlLevel; acquire: string } | undefined {
  const offset = typeof at === 'number' ? at : at.span.startOffset;
  const held: { level: IrqlLevel; acquire: string; lock: string }[] = [];
  for (const call of fn.calls) {
    if (call.span.startOffset >= offset) break;
    const acquire = LOCK_ACQUIRE[call.callee];
    if (acquire) {
      held.push({ level: acquire.level, acquire: call.callee, lock: call.args[0]?.text ?? '' });
      continue;
    }
    const i = held.findIndex(
      (h) => LOCK_ACQUIRE[h.acquire].release.includes(call.callee) && (call.args[0]?.text ?? '') === h.lock,
    );
    if (i >= 0) held.splice(i, 1);
  }
  if (!held.length) return undefined;
  return held.reduce((a, b) => (levelRank(b.level) > levelRank(a.level) ? b : a));
}

/** "≤ DISPATCH_LEVEL" / "= DISPATCH_LEVEL" for a reached level. */
export function describeLevel(r: ReachedIrql): string {
  const level = r.irql.max ?? r.irql.exact ?? '?';
  return `${r.certainty === 'certain' ? '=' : '≤'} ${level}`;
}

/** "DISPATCH_LEVEL" when certain, "up to DISPATCH_LEVEL" when only an upper bound, for sentences. */
export function levelPhrase(r: ReachedIrql): string {
  const level = r.irql.max ?? r.irql.exact ?? '?';
  return r.certainty === 'certain' ? level : `up to ${level}`;
}

/** "reached from EchoEvtIoRead (≤ DISPATCH_LEVEL) via EchoProcessRead" for a helper; "" for the callback itself. */
export function describeChain(r: ReachedIrql, fnName: string): string {
  if (r.root === fnName && !r.chain.length) return '';
  const via = r.chain;
  return `reached from ${r.root} (${describeLevel(r)})${via.length ? ` via ${via.join(' → ')}` : ''}`;
}
