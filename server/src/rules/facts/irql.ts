/**
 * IRQL facts shared by the rules, computed once per run over the workspace:
 *
 * - each callback's level comes from its role type (header SAL, else the docs), lowered to PASSIVE_LEVEL
 *   when the object it is registered on runs at WdfExecutionLevelPassive (queue, device or driver
 *   attributes) or is an interrupt with PassiveHandling;
 * - helpers inherit the highest level of any callback that reaches them through the workspace call
 *   graph, unless they carry their own IRQL annotation;
 * - calls made while a lock is held or after a KeRaiseIrql are at the level it raises to, whatever the
 *   caller's level: DISPATCH_LEVEL under a spin lock, DIRQL under an interrupt lock, APC_LEVEL under a
 *   fast mutex, along the paths of the body (facts/raisedLevels.ts); a helper called there is reached
 *   at that level, even from a function no callback reaches.
 */
import {
  creationBy,
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
import { workspaceLookup, type DriverLookup } from './driverLookup';
import { lockWalk, type HeldLock } from './heldLocks';
import { raisedAt, type RaisedAt, type RaisedLevel, type Raiser } from './raisedLevels';
import { raiseWalk } from './irqlRaises';

/** The IRQL a function can run at, and why (for messages naming the chain). */
export interface ReachedIrql {
  irql: Irql;
  /** "certain": = DISPATCH_LEVEL (DPC, timer, completion routine); "possible": ≤ DISPATCH_LEVEL (request handlers). */
  certainty: 'certain' | 'possible';
  /** The callback the level comes from, and the helpers between it and this function. */
  root: string;
  chain: string[];
  /** When the level comes from a lock held (or an IRQL raised) in the code, rather than from the callback: where. */
  raisedBy?: RaisedBy;
}

/** A lock held or an IRQL raised by the driver's code that sets the level of a call. */
export interface RaisedBy extends Raiser {
  /** The function that holds the lock, and its document. */
  fn: string;
  uri: string;
  /** Every path to the call holds it (else only some do). */
  everyPath: boolean;
  /** The helper called while it is held, when the level reaches a function through it. */
  callee?: string;
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

/** IRQL facts of an index entry: its `irql` plus what its SAL annotations say (some header facts keep only one of them). */
export function entryIrql(entry: IndexEntry | undefined): Irql | undefined {
  if (!entry) return undefined;
  // Asked for every call of every rule: read once per entry, again only when the index merge gave it new facts.
  const cached = entryIrqls.get(entry);
  if (cached && cached.irql === entry.irql && cached.annotations === entry.annotations) return cached.value;
  const value = readEntryIrql(entry);
  entryIrqls.set(entry, { irql: entry.irql, annotations: entry.annotations, value });
  return value;
}

/** `entryIrql`'s answers, with the facts they were read from (shared objects: callers do not change them). */
const entryIrqls = new WeakMap<
  IndexEntry,
  { irql: Irql | undefined; annotations: IndexEntry['annotations']; value: Irql | undefined }
>();

function readEntryIrql(entry: IndexEntry): Irql | undefined {
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
  raisedBy?: RaisedBy;
}

/** The IRQL facts of one run. */
export class IrqlFacts {
  private readonly callbackLevels = new Map<string, CallbackLevel | null>();
  /** What the propagation found, by function (the current propagation's own map). */
  private reaches = new Map<string, Reach[]>();
  /**
   * The functions the propagation covers when a run checks only some documents: theirs and every
   * function that calls one of them, directly or not (see `focusOn`); undefined: all.
   */
  private focus?: ReadonlySet<string>;
  private readonly ownLevels = new Map<string, { level: IrqlLevel; certainty: 'certain' | 'possible' } | null>();
  /** The propagation of callback levels, once started (see `prepare`). */
  private propagation?: Generator<void, void>;
  private propagating = false;
  private readonly lookup: DriverLookup;

  /**
   * `texts` gives a document's text, for the KeGetCurrentIrql() guards of its functions; without it
   * only what the model holds is read (`_IRQL_limited_to_`, locks, annotations).
   */
  constructor(
    private readonly workspace: WorkspaceModel,
    private readonly index: KnowledgeIndex,
    private readonly texts?: (uri: string) => string | undefined,
  ) {
    this.lookup = workspaceLookup(this, workspace, texts);
  }

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
  levelAtCall(fn: FunctionModel, call: CallModel, above?: IrqlLevel): SiteIrql | undefined {
    return this.levelAt(fn, siteOf(call), above);
  }

  /**
   * The IRQL range at a site of `fn`'s body: the function's own level, capped by what the code states
   * before or around the site (`_IRQL_limited_to_`, a KeGetCurrentIrql() guard), then raised where a
   * lock is held or the IRQL raised on the paths to it (a site that is a call; PAGED_CODE() is one).
   * With `above`, a level above it that is certain wins over a higher one that is only possible, so a
   * rule asking "can this run above X" gets the surest answer.
   */
  levelAt(fn: FunctionModel, site: BodySite, above?: IrqlLevel): SiteIrql | undefined {
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
    const call = callAt(fn, site.offset);
    const raised = call ? this.raisedAtCall(fn, call) : {};
    const candidates: SiteIrql[] = base ? [base] : [];
    for (const r of [raised.certain, raised.possible]) {
      if (!r) continue;
      candidates.push({
        irql: { max: r.level },
        certainty: r.certain ? 'certain' : 'possible',
        root: fn.name,
        chain: [],
        raisedBy: { ...r.by, fn: fn.name, uri: this.uriOf(fn) ?? '', everyPath: r.certain },
      });
    }
    return pickLevel(candidates, above);
  }

  /** The levels the locks held and the raises made in `fn` put a call at (see facts/raisedLevels.ts). */
  raisedAtCall(fn: FunctionModel, call: CallModel): RaisedAt {
    return raisedAt(this.lookup, fn, call, (lock, f) => this.lockLevel(lock, f));
  }

  /**
   * For a held object lock (WdfObjectAcquireLock): whether it is a spin lock, certainly or only
   * possibly, with why; undefined for any other lock and for an object that runs at PASSIVE_LEVEL.
   */
  objectSpinLock(lock: HeldLock, fn: FunctionModel): { certain: boolean; note?: string } | undefined {
    if (lock.raises !== 'object') return undefined;
    const level = this.objectLockLevel(lock, fn);
    return level && { certain: level.certain, note: level.note };
  }

  /**
   * The level a held lock puts its holder at: the lock method's, except an object lock (a spin lock
   * only when the object does not run at WdfExecutionLevelPassive) and an interrupt lock in a driver
   * that has passive-level interrupts (whose lock is a wait lock).
   */
  private lockLevel(
    lock: HeldLock,
    fn: FunctionModel,
  ): { level: IrqlLevel; certain: boolean; note?: string } | undefined {
    const raises = lock.raises;
    if (!raises) return undefined;
    if (raises === 'object') return this.objectLockLevel(lock, fn);
    if (raises === 'DIRQL' && this.hasPassiveInterrupts())
      return {
        level: 'DIRQL',
        certain: false,
        note: 'unless the interrupt is a passive-level one, which the driver creates by setting PassiveHandling',
      };
    return { level: raises, certain: true };
  }

  /** WdfObjectAcquireLock: DISPATCH_LEVEL when the object's lock is a spin lock, as far as the project shows. */
  private objectLockLevel(
    lock: HeldLock,
    fn: FunctionModel,
  ): { level: IrqlLevel; certain: boolean; note?: string } | undefined {
    if (lock.viaHelper)
      return {
        level: 'DISPATCH_LEVEL',
        certain: false,
        note: 'if the object does not run at WdfExecutionLevelPassive',
      };
    if (!this.asksForPassive())
      return {
        level: 'DISPATCH_LEVEL',
        certain: true,
        note: 'a spin lock, since no object of the driver is created with WdfExecutionLevelPassive',
      };
    const level = this.objectExecutionLevel(lock.key, fn);
    if (level === 'passive') return undefined;
    if (level === 'dispatch')
      return {
        level: 'DISPATCH_LEVEL',
        certain: true,
        note: 'a spin lock, since the object does not run at WdfExecutionLevelPassive',
      };
    return {
      level: 'DISPATCH_LEVEL',
      certain: false,
      note: 'a spin lock unless the object runs at WdfExecutionLevelPassive, as some objects of the driver do',
    };
  }

  /**
   * The ExecutionLevel of the object a WdfObjectAcquireLock names, where the code shows it: the queue
   * a request-handling callback gets as its WDFQUEUE parameter, or an object created in the function.
   */
  private objectExecutionLevel(object: string, fn: FunctionModel): 'passive' | 'dispatch' | undefined {
    const variable = variableOf(object);
    if (!variable) return undefined;
    const param = fn.params.find((p) => p.name === variable);
    if (param && /\bWDFQUEUE\b/.test(param.type)) {
      const levels = this.workspace
        .registrations(fn.name)
        .map(({ registration }) => this.executionLevelOf(registration))
        .filter((r) => r?.creation?.creator.callee === 'WdfIoQueueCreate');
      if (levels.length && levels.length === this.workspace.registrations(fn.name).length)
        return levels.every((l) => l!.level === 'passive')
          ? 'passive'
          : levels.every((l) => l!.level === 'dispatch')
            ? 'dispatch'
            : undefined;
      return undefined;
    }
    const creator = fn.calls.find(
      (c) =>
        c.args.length > 0 &&
        /^\s*&/.test(c.args[c.args.length - 1].text) &&
        variableOf(c.args[c.args.length - 1].text) === variable,
    );
    const creation = creator ? creationBy(fn, creator) : undefined;
    return creation ? effectiveExecutionLevel(this.workspace, creation).level : undefined;
  }

  /** Whether any object of the driver is given WdfExecutionLevelPassive (in an assignment or a call's arguments). */
  private asksForPassive(): boolean {
    return this.workspace.derived('irqlFacts.asksForPassive', () =>
      this.workspace
        .models()
        .some((m) =>
          m.functions.some(
            (f) =>
              f.assignments.some((a) => /\bWdfExecutionLevelPassive\b/.test(a.value)) ||
              f.calls.some((c) => c.args.some((a) => /\bWdfExecutionLevelPassive\b/.test(a.text))),
          ),
        ),
    );
  }

  /** Whether the driver may create a passive-level interrupt (PassiveHandling set to anything but FALSE). */
  private hasPassiveInterrupts(): boolean {
    return this.workspace.derived('irqlFacts.passiveInterrupts', () =>
      this.workspace
        .models()
        .some((m) =>
          m.functions.some((f) =>
            f.assignments.some((a) => a.field === 'PassiveHandling' && !/^\s*(FALSE|0|false)\s*$/.test(a.value)),
          ),
        ),
    );
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
    // A question outside the focus: the whole propagation, from the start.
    if (this.focus && !this.focus.has(name) && !this.propagating) {
      this.focus = undefined;
      this.propagation = undefined;
    }
    this.compute();
    return this.reaches.get(name) ?? [];
  }

  /**
   * Before the propagation starts: only the functions of these documents will be asked about (the
   * documents a run checks), so it needs to follow only the calls that lead to them. What a function
   * is reached at comes only from its callers: the propagation kept to the functions from which one
   * of these can be called finds, for each of them, the reaches of the whole one, in the same order
   * (the other functions' steps never add to theirs). A question about any other function widens it.
   */
  focusOn(uris: readonly string[]): void {
    if (this.propagation) return;
    const focus = new Set<string>();
    const queue: string[] = [];
    const reach = (name: string) => {
      if (focus.has(name)) return;
      focus.add(name);
      queue.push(name);
    };
    for (const uri of uris) for (const fn of this.workspace.get(uri)?.functions ?? []) reach(fn.name);
    // The callers table holds every call in a definition: the edges the propagation follows.
    while (queue.length) for (const site of this.workspace.callers(queue.pop()!)) reach(site.caller);
    this.focus = focus;
  }

  /**
   * The workspace-wide propagation of callback levels in small pieces (it yields after each one), for
   * a caller that must give way meanwhile (on a large project it takes tens of milliseconds). The
   * first question about a reach finishes whatever is left; either way the result is the same.
   */
  prepare(): Generator<void, void> {
    return (this.propagation ??= this.inPieces(this.propagate()));
  }

  private compute(): void {
    // Asked from inside the propagation (a lookup it makes): what is known so far, as it always was.
    if (this.propagating) return;
    const steps = this.prepare();
    while (!steps.next().done);
  }

  /** `pieces`, flagged while each piece runs. */
  private *inPieces(pieces: Generator<void, void>): Generator<void, void> {
    for (;;) {
      this.propagating = true;
      let piece: IteratorResult<void, void>;
      try {
        piece = pieces.next();
      } finally {
        this.propagating = false;
      }
      if (piece.done) return;
      yield;
    }
  }

  /** Breadth-first from every callback over defined helpers, stopping at functions with their own annotation. */
  private *propagate(): Generator<void, void> {
    const reaches = new Map<string, Reach[]>();
    this.reaches = reaches;
    const focus = this.focus;
    const covered = (name: string) => !focus || focus.has(name);
    const roots: Reach[] = [];
    const callbacks = new Set<string>();
    for (const model of this.workspace.models()) {
      for (const decl of model.roleDecls) for (const n of decl.names) callbacks.add(n.name);
      for (const r of realRegistrations(model)) callbacks.add(r.functionName);
      for (const fn of model.functions) if (fn.functionClass) callbacks.add(fn.name);
    }
    yield;
    for (const name of [...callbacks].sort()) {
      if (!covered(name)) continue;
      const level = this.callbackLevel(name);
      if (level && level.irql.max)
        roots.push({ level: level.irql.max as IrqlLevel, certainty: level.certainty, root: name, chain: [] });
      yield;
    }
    const add = (fn: string, reach: Reach): boolean => {
      const list = reaches.get(fn) ?? [];
      // Keep one reach per (level, certainty): the first found is the shortest chain.
      if (list.some((r) => r.level === reach.level && r.certainty === reach.certainty)) return false;
      list.push(reach);
      list.sort(compareReach);
      reaches.set(fn, list);
      return true;
    };
    const queue: { fn: string; reach: Reach }[] = [];
    for (const root of roots) if (add(root.root, root)) queue.push({ fn: root.root, reach: root });
    const walk = function* (this: IrqlFacts): Generator<void, void> {
      while (queue.length) {
        yield;
        const { fn, reach } = queue.shift()!;
        for (const def of this.workspace.definitions(fn)) {
          for (const call of def.fn.calls) {
            const callee = call.callee;
            if (!/^[A-Za-z_]\w*$/.test(callee) || callee === fn || !covered(callee)) continue;
            if (!this.workspace.isDefined(callee) || this.ownLevel(callee)) continue;
            // A helper that is itself a callback keeps its own level as well; reaching it still counts.
            let next: Reach = {
              level: reach.level,
              certainty: reach.certainty,
              root: reach.root,
              chain: [...reach.chain, callee],
              ...(reach.raisedBy ? { raisedBy: reach.raisedBy } : {}),
            };
            // `_IRQL_limited_to_` before the call, or a KeGetCurrentIrql() guard around it, lowers what reaches the callee.
            const document = this.workspace.get(def.uri);
            const stated = document ? statedIrqlAt(document, def.fn, siteOf(call), this.texts?.(def.uri)) : undefined;
            if (stated && levelRank(stated.max) < levelRank(next.level))
              next = {
                level: stated.max,
                certainty: stated.max === 'PASSIVE_LEVEL' ? 'certain' : 'possible',
                root: next.root,
                chain: next.chain,
              };
            if (next.chain.length > 12) continue;
            for (const reached of this.raisedReaches(def.uri, def.fn, call, next))
              if (add(callee, reached)) queue.push({ fn: callee, reach: reached });
          }
        }
      }
    }.bind(this);
    yield* walk();
    // A helper called under a lock (or after a raise) is at that level whoever called its caller: also
    // from functions no callback reaches (helpers with their own annotation, unregistered code).
    for (const model of this.workspace.models())
      for (const fn of model.functions) {
        // A function outside the focus calls none inside it.
        if (!fn.isDefinition || !covered(fn.name)) continue;
        yield;
        if (!this.raisesSomewhere(fn)) continue;
        for (const call of fn.calls) {
          const callee = call.callee;
          if (!/^[A-Za-z_]\w*$/.test(callee) || callee === fn.name || !covered(callee)) continue;
          if (!this.workspace.isDefined(callee) || this.ownLevel(callee)) continue;
          const raised = this.raisedAtCall(fn, call);
          for (const r of [raised.certain, raised.possible]) {
            if (!r) continue;
            const seed: Reach = {
              level: r.level,
              certainty: r.certain ? 'certain' : 'possible',
              root: fn.name,
              chain: [callee],
              raisedBy: { ...r.by, fn: fn.name, uri: model.uri, everyPath: r.certain, callee },
            };
            if (add(callee, seed)) queue.push({ fn: callee, reach: seed });
          }
        }
      }
    yield* walk();
  }

  /**
   * What reaches a callee through one call: `next` (the caller's reach carried over), unless a lock held
   * or a raise there puts the call higher: then that level (certain when every path holds it), and the
   * carried-over reach as well when the higher level is only possible.
   */
  private raisedReaches(uri: string, fn: FunctionModel, call: CallModel, next: Reach): Reach[] {
    if (!this.raisesSomewhere(fn)) return [next];
    const raised = this.raisedAtCall(fn, call);
    const by = (r: RaisedLevel): RaisedBy => ({ ...r.by, fn: fn.name, uri, everyPath: r.certain, callee: call.callee });
    const { certain, possible } = raised;
    const out: Reach[] = [];
    if (certain && levelRank(certain.level) > levelRank(next.level))
      out.push({ ...next, level: certain.level, certainty: 'certain', raisedBy: by(certain) });
    else if (certain && certain.level === next.level && next.certainty === 'possible')
      out.push({ ...next, certainty: 'certain', raisedBy: by(certain) });
    const floor = out[0] ?? next;
    if (possible && levelRank(possible.level) > levelRank(floor.level))
      out.push({ ...next, level: possible.level, certainty: 'possible', raisedBy: by(possible) });
    if (!out.length || out[0].certainty === 'possible') out.push(next);
    return out;
  }

  /** Whether `fn` takes a lock or raises the IRQL anywhere (else no call of it is raised). */
  private raisesSomewhere(fn: FunctionModel): boolean {
    return lockWalk(this.lookup, fn) !== undefined || raiseWalk(this.lookup, fn) !== undefined;
  }
}

/**
 * The level a rule should hold a site to, among the function's own and those a lock or raise puts it
 * at: the highest, a certain one winning a tie; with `above`, a certain level above it first.
 */
function pickLevel(candidates: SiteIrql[], above: IrqlLevel | undefined): SiteIrql | undefined {
  const rank = (c: SiteIrql) => levelRank(c.irql.max ?? 'PASSIVE_LEVEL');
  const best = (list: SiteIrql[]) =>
    list.reduce<SiteIrql | undefined>((a, b) => {
      if (!a) return b;
      if (rank(b) !== rank(a)) return rank(b) > rank(a) ? b : a;
      return a.certainty !== 'certain' && b.certainty === 'certain' ? b : a;
    }, undefined);
  if (above !== undefined) {
    const sure = best(candidates.filter((c) => c.certainty === 'certain' && rank(c) > levelRank(above)));
    if (sure) return sure;
  }
  return best(candidates);
}

/** Each function's calls by start offset, the first at each (models do not change once built). */
const callsByOffset = new WeakMap<FunctionModel, Map<number, CallModel>>();

/** The first call of `fn` starting at `offset` (`fn.calls.find`, without a scan per site). */
export function callAt(fn: FunctionModel, offset: number): CallModel | undefined {
  let byOffset = callsByOffset.get(fn);
  if (!byOffset) {
    byOffset = new Map();
    for (const c of fn.calls) if (!byOffset.has(c.span.startOffset)) byOffset.set(c.span.startOffset, c);
    callsByOffset.set(fn, byOffset);
  }
  return byOffset.get(offset);
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
  return {
    irql: { max: r.level },
    certainty: r.certainty,
    root: r.root,
    chain: r.chain,
    ...(r.raisedBy ? { raisedBy: r.raisedBy } : {}),
  };
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

/**
 * "while the spin lock taken at line 36 (WdfSpinLockAcquire(ctx->Lock)) is held", "after
 * KeRaiseIrql(DISPATCH_LEVEL, &old) at line 40 raised the IRQL", for a finding in `fromUri`.
 */
export function raisedClause(r: RaisedBy, fromUri?: string): string {
  const line = r.call.span.start.line + 1;
  const file = r.uri.slice(r.uri.lastIndexOf('/') + 1);
  const where = fromUri !== undefined && r.uri && r.uri !== fromUri ? `line ${line} of ${file}` : `line ${line}`;
  const some = r.everyPath ? '' : ' on some paths';
  if (r.kind === 'raise') return `after ${r.callText} at ${where} raised the IRQL${some}`;
  return `while the ${r.noun} taken at ${where} (${r.callText}${r.note ? `; ${r.note}` : ''}) is held${some}`;
}

/**
 * "reached from EchoEvtIoRead (≤ DISPATCH_LEVEL) via EchoProcessRead" for a helper; "" for the callback
 * itself. When a lock held (or a raise) in a caller sets the level: "EchoEvtIoRead calls EchoProcessRead
 * while the spin lock taken at line 36 (…) is held".
 */
export function describeChain(r: ReachedIrql, fnName: string, fromUri?: string): string {
  const by = r.raisedBy;
  if (by && by.fn !== fnName && by.callee) {
    const i = r.chain.lastIndexOf(by.callee);
    const rest = i >= 0 ? r.chain.slice(i + 1) : [];
    return `${by.fn} calls ${by.callee} ${raisedClause(by, fromUri)}${rest.length ? `, then ${[by.callee, ...rest].join(' → ')}` : ''}`;
  }
  if (by) return '';
  if (r.root === fnName && !r.chain.length) return '';
  const via = r.chain;
  return `reached from ${r.root} (${describeLevel(r)})${via.length ? ` via ${via.join(' → ')}` : ''}`;
}
