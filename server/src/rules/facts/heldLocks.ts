/**
 * Which locks a function holds along its paths. The lock methods of WDF and the kernel are paired
 * by family (`WdfSpinLockAcquire` with `WdfSpinLockRelease`, `KeAcquireInStackQueuedSpinLock` with
 * `KeReleaseInStackQueuedSpinLock`, …) and by the lock expression they name; helpers of the driver
 * that only take or only drop a lock (or say so with `_Acquires_lock_` / `_Releases_lock_`) count
 * as doing that for their caller. One walk per function (analysis/paths.ts) serves every lock rule.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { walkPaths, type PathExit } from '../../analysis/paths';
import { normalizeLevel, type IrqlLevel } from '../../knowledge/irql';
import { bareArgument, declaredFact, type DriverLookup } from './driverLookup';
import { oneWaySummaries, ownDoings, type RecursionSummaries, type SummaryNode } from './recursionSummaries';

/** One lock method: which family it belongs to, whether it takes or drops, and which argument names the lock. */
interface LockMethod {
  family: string;
  acquire: boolean;
  /** 0-based index of the argument that identifies the lock (the handle, for the in-stack queued locks). */
  key: number;
  /** A spin lock (raises IRQL to DISPATCH_LEVEL or above while held). */
  spin: boolean;
  /**
   * The IRQL the caller runs at while it holds the lock (wdm.h, wdfsync.h): DISPATCH_LEVEL for spin
   * locks, DIRQL for interrupt locks, APC_LEVEL for a fast mutex; `object` for WdfObjectAcquireLock,
   * whose lock is a spin lock unless the object runs at WdfExecutionLevelPassive. Undefined: the IRQL
   * does not change (wait locks, guarded mutexes, push locks, resources).
   */
  raises?: IrqlLevel | 'object';
  /** For an acquire: the method that releases it. */
  release?: string;
  /** Taken only when this holds (a wait without a timeout): otherwise the call may fail to acquire. */
  certainWhen?: (call: CallModel, fn: FunctionModel) => boolean;
}

/**
 * A wait lock taken without a timeout always succeeds; when the driver still tests the result, the
 * walk cannot tell its failure branch never runs, so such a call is not followed.
 */
const NO_TIMEOUT = (index: number) => (call: CallModel, fn: FunctionModel) => {
  const arg = call.args[index]?.text;
  return (arg === undefined || /^(NULL|0|nullptr)$/.test(arg)) && resultDropped(fn, call);
};

/** Whether a call stands as a statement of its own (its result unused). */
export function resultDropped(fn: FunctionModel, call: CallModel): boolean {
  return fn.flow?.discarded.includes(call.span.startOffset) ?? false;
}
const WAITS = (index: number) => (call: CallModel) => /^(TRUE|1|true)$/.test(call.args[index]?.text ?? '');

function pair(
  family: string,
  acquire: string,
  release: string,
  spin: boolean,
  keys: [number, number] = [0, 0],
  raises: LockMethod['raises'] = spin ? 'DISPATCH_LEVEL' : undefined,
) {
  return [
    [acquire, { family, acquire: true, key: keys[0], spin, release, ...(raises ? { raises } : {}) }],
    [release, { family, acquire: false, key: keys[1], spin }],
  ] as [string, LockMethod][];
}

/** Acquires whose lock state is their return value (the old IRQL): no mechanical release to write. */
const RETURNS_IRQL = new Set([
  'KeAcquireSpinLockRaiseToDpc',
  'KeAcquireSpinLockForDpc',
  'KeAcquireInterruptSpinLock',
  'ExAcquireSpinLockExclusive',
  'ExAcquireSpinLockShared',
]);

/** The release call that pairs a lock method's acquire (`KeReleaseSpinLock(&l, irql)` for `KeAcquireSpinLock(&l, &irql)`). */
export function releaseStatement(lock: HeldLock): string | undefined {
  const method = LOCK_METHODS.get(lock.call.callee);
  if (!method?.release || lock.viaHelper || RETURNS_IRQL.has(lock.call.callee)) return undefined;
  const args = lock.call.args.map((a) => a.text);
  if (method.key === 1) return `${method.release}(${args[1]});`;
  if (method.release === 'KeReleaseSpinLock') {
    const irql = /^&\s*(\w+)$/.exec(args[1] ?? '')?.[1];
    return irql ? `KeReleaseSpinLock(${args[0]}, ${irql});` : undefined;
  }
  return `${method.release}(${args[0]});`;
}

/** The lock methods, by name (facts from the WDF and kernel headers). */
export const LOCK_METHODS = new Map<string, LockMethod>([
  ...pair('WdfSpinLock', 'WdfSpinLockAcquire', 'WdfSpinLockRelease', true),
  ...pair('WdfWaitLock', 'WdfWaitLockAcquire', 'WdfWaitLockRelease', false),
  ...pair('WdfInterruptLock', 'WdfInterruptAcquireLock', 'WdfInterruptReleaseLock', true, [0, 0], 'DIRQL'),
  ...pair('WdfObjectLock', 'WdfObjectAcquireLock', 'WdfObjectReleaseLock', false, [0, 0], 'object'),
  ...pair('KeSpinLock', 'KeAcquireSpinLock', 'KeReleaseSpinLock', true),
  [
    'KeAcquireSpinLockRaiseToDpc',
    { family: 'KeSpinLock', acquire: true, key: 0, spin: true, raises: 'DISPATCH_LEVEL' },
  ],
  ...pair('KeSpinLockAtDpc', 'KeAcquireSpinLockAtDpcLevel', 'KeReleaseSpinLockFromDpcLevel', true),
  ...pair('KeSpinLockForDpc', 'KeAcquireSpinLockForDpc', 'KeReleaseSpinLockForDpc', true),
  ...pair('KeQueuedSpinLock', 'KeAcquireInStackQueuedSpinLock', 'KeReleaseInStackQueuedSpinLock', true, [1, 0]),
  ...pair(
    'KeQueuedSpinLockAtDpc',
    'KeAcquireInStackQueuedSpinLockAtDpcLevel',
    'KeReleaseInStackQueuedSpinLockFromDpcLevel',
    true,
    [1, 0],
  ),
  ...pair(
    'KeQueuedSpinLockForDpc',
    'KeAcquireInStackQueuedSpinLockForDpc',
    'KeReleaseInStackQueuedSpinLockForDpc',
    true,
    [1, 0],
  ),
  ...pair('KeInterruptSpinLock', 'KeAcquireInterruptSpinLock', 'KeReleaseInterruptSpinLock', true, [0, 0], 'DIRQL'),
  ...pair('ExSpinLockExclusive', 'ExAcquireSpinLockExclusive', 'ExReleaseSpinLockExclusive', true),
  ...pair('ExSpinLockShared', 'ExAcquireSpinLockShared', 'ExReleaseSpinLockShared', true),
  ...pair(
    'ExSpinLockExclusiveAtDpc',
    'ExAcquireSpinLockExclusiveAtDpcLevel',
    'ExReleaseSpinLockExclusiveFromDpcLevel',
    true,
  ),
  ...pair('ExSpinLockSharedAtDpc', 'ExAcquireSpinLockSharedAtDpcLevel', 'ExReleaseSpinLockSharedFromDpcLevel', true),
  ...pair('FastMutex', 'ExAcquireFastMutex', 'ExReleaseFastMutex', false, [0, 0], 'APC_LEVEL'),
  ...pair('FastMutexUnsafe', 'ExAcquireFastMutexUnsafe', 'ExReleaseFastMutexUnsafe', false),
  ...pair('GuardedMutex', 'KeAcquireGuardedMutex', 'KeReleaseGuardedMutex', false),
  ...pair('GuardedMutexUnsafe', 'KeAcquireGuardedMutexUnsafe', 'KeReleaseGuardedMutexUnsafe', false),
  ...pair('PushLockExclusive', 'ExAcquirePushLockExclusive', 'ExReleasePushLockExclusive', false),
  ...pair('PushLockShared', 'ExAcquirePushLockShared', 'ExReleasePushLockShared', false),
  ['ExAcquireResourceExclusiveLite', { family: 'Resource', acquire: true, key: 0, spin: false, certainWhen: WAITS(1) }],
  ['ExAcquireResourceSharedLite', { family: 'Resource', acquire: true, key: 0, spin: false, certainWhen: WAITS(1) }],
  ['ExReleaseResourceLite', { family: 'Resource', acquire: false, key: 0, spin: false }],
]);
LOCK_METHODS.set('WdfWaitLockAcquire', { ...LOCK_METHODS.get('WdfWaitLockAcquire')!, certainWhen: NO_TIMEOUT(1) });

/** A lock a path holds: where it was taken and how. */
export interface HeldLock {
  family: string;
  /** The lock expression (`devCtx->Lock`, the queued-lock handle). */
  key: string;
  spin: boolean;
  /** The IRQL while it is held (see LockMethod.raises; for a helper, what the helper's own lock raises to). */
  raises?: IrqlLevel | 'object';
  /** The call that took it (a lock method, or a helper that takes it for the caller). */
  call: CallModel;
  /** Taken through a helper of the driver. */
  viaHelper?: string;
}

/** The locks one path holds, in the order taken. */
export type LockState = readonly HeldLock[];

/** What the walk found in one function. */
export interface LockWalk {
  exits: PathExit<LockState>[];
  /** The states holding a lock that reach each call (for rules about what is called under a lock). */
  before: Map<CallModel, LockState[]>;
  /** Start offsets of the calls some path reaches holding no lock. */
  unlocked: Set<number>;
}

const walks = new WeakMap<object, Map<FunctionModel, LockWalk | undefined>>();
/** The walks of functions that call no function of the driver, by run (see `callsNoDriverFunction`). */
const runWalks = new WeakMap<object, Map<FunctionModel, LockWalk | undefined>>();

/**
 * The lock walk of `fn` (computed once per rule run, for a rule's context or the run's IRQL facts).
 * Undefined when the function has no flow or takes no lock.
 *
 * A function that calls no function the lookup knows (only lock methods and routines of the kernel
 * and the framework) walks the same under every lookup: its steps read the lock methods alone. Its
 * walk is made once per run, for the IRQL facts and every rule's lookup together.
 */
export function lockWalk(lookup: DriverLookup, fn: FunctionModel): LockWalk | undefined {
  let cache = walks.get(lookup.key);
  if (!cache) walks.set(lookup.key, (cache = new Map<FunctionModel, LockWalk | undefined>()));
  if (cache.has(fn)) return cache.get(fn);
  let shared: Map<FunctionModel, LockWalk | undefined> | undefined;
  if (lookup.run && callsNoDriverFunction(lookup, fn)) {
    shared = runWalks.get(lookup.run);
    if (!shared) runWalks.set(lookup.run, (shared = new Map<FunctionModel, LockWalk | undefined>()));
    if (shared.has(fn)) {
      const walk = shared.get(fn);
      cache.set(fn, walk);
      return walk;
    }
  }
  const result = walkLocks(lookup, fn);
  shared?.set(fn, result);
  cache.set(fn, result);
  return result;
}

const driverNames = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether every call of `fn` that is not a lock method names no function of the lookup's driver
 * (then no helper's summary, SAL or body enters its walk: `helperLockEffect` knows nothing of it).
 */
function callsNoDriverFunction(lookup: DriverLookup, fn: FunctionModel): boolean {
  let known = driverNames.get(lookup.key);
  if (!known) driverNames.set(lookup.key, (known = new Map<string, boolean>()));
  for (const call of fn.calls) {
    const name = call.callee;
    if (LOCK_METHODS.has(name)) continue;
    let isDriver = known.get(name);
    if (isDriver === undefined) known.set(name, (isDriver = lookup.functionNamed(name) !== undefined));
    if (isDriver) return false;
  }
  return true;
}

/** The lock walk itself (see `lockWalk`). */
function walkLocks(lookup: DriverLookup, fn: FunctionModel): LockWalk | undefined {
  let result: LockWalk | undefined;
  if (fn.calls.some((c) => lockEffect(lookup, fn, c) === 'acquire')) {
    const before = new Map<CallModel, LockState[]>();
    const unlocked = new Set<number>();
    // The states' keys, for this walk only (every state it keys is one of its own).
    const keys = new Map<LockState, string>();
    const keyOf = (state: LockState): string => {
      let key = keys.get(state);
      if (key === undefined) keys.set(state, (key = lockStateKey(state)));
      return key;
    };
    const exits = walkPaths<LockState>(fn, {
      start: [],
      key: keyOf,
      step(state, site) {
        if (site.kind !== 'call') return state;
        const call = site.call;
        if (!state.length) unlocked.add(call.span.startOffset);
        else {
          const seen = before.get(call);
          if (!seen) before.set(call, [state]);
          else {
            const key = keyOf(state);
            if (!seen.some((s) => keyOf(s) === key)) seen.push(state);
          }
        }
        return stepLock(lookup, fn, state, call);
      },
    });
    result = exits ? { exits, before, unlocked } : undefined;
  }
  return result;
}

/** What tells two lock states apart: each held lock's family, expression and the call that took it. */
function lockStateKey(state: LockState): string {
  let key = '';
  for (let i = 0; i < state.length; i++) {
    const l = state[i];
    key += `${i ? ';' : ''}${l.family}:${l.key}@${l.call.span.startOffset}`;
  }
  return key;
}

/** The state after one call. */
function stepLock(lookup: DriverLookup, fn: FunctionModel, state: LockState, call: CallModel): LockState {
  const method = LOCK_METHODS.get(call.callee);
  if (method) {
    const key = bareArgument(call.args[method.key]?.text);
    if (method.acquire) {
      if (method.certainWhen && !method.certainWhen(call, fn)) return state;
      return [
        ...state,
        { family: method.family, key, spin: method.spin, call, ...(method.raises ? { raises: method.raises } : {}) },
      ];
    }
    return release(state, (l) => l.family === method.family && !l.viaHelper, key);
  }
  const effect = helperLockEffect(lookup, call.callee);
  if (effect === 'acquire') {
    const raises = helperRaises(lookup, call.callee);
    return [
      ...state,
      {
        family: 'helper',
        key: bareArgument(call.args[0]?.text),
        spin: false,
        call,
        viaHelper: call.callee,
        ...(raises ? { raises } : {}),
      },
    ];
  }
  if (effect === 'release') return release(state, () => true, bareArgument(call.args[0]?.text));
  return state;
}

/**
 * Drop the held lock this release names: the one of its family with the same expression, else the
 * latest of its family (the same lock reached through another pointer: give the benefit of the doubt).
 */
function release(state: LockState, ofFamily: (l: HeldLock) => boolean, key: string): LockState {
  let index = -1;
  for (let i = state.length - 1; i >= 0; i--)
    if (ofFamily(state[i]) && state[i].key === key) index = index < 0 ? i : index;
  if (index < 0) for (let i = state.length - 1; i >= 0 && index < 0; i--) if (ofFamily(state[i])) index = i;
  return index < 0 ? state : [...state.slice(0, index), ...state.slice(index + 1)];
}

/** What a call does to locks: a lock method's own role, or the role of a helper that only takes or only drops one. */
export function lockEffect(
  lookup: DriverLookup,
  fn: FunctionModel,
  call: CallModel,
): 'acquire' | 'release' | undefined {
  const method = LOCK_METHODS.get(call.callee);
  if (method) {
    if (method.acquire && method.certainWhen && !method.certainWhen(call, fn)) return undefined;
    return method.acquire ? 'acquire' : 'release';
  }
  return helperLockEffect(lookup, call.callee);
}

/** SAL on a function that says it leaves a lock held or released for its caller. */
export const LOCK_ANNOTATION = /^_(Acquires|Releases)_(exclusive_|shared_|nonreentrant_)?lock_$/;

type Effect = 'acquire' | 'release' | undefined;

const helperEffects = new WeakMap<object, RecursionSummaries<Effect, number>>();

/**
 * A driver function that takes a lock for its caller (it acquires and never releases), or drops one
 * the caller took (it releases and never acquires), from its SAL or its calls, followed through the
 * helpers it calls; a recursion counts as one function (recursionSummaries.ts: the answer is the
 * same whichever helper a run asks about first).
 */
function helperLockEffect(lookup: DriverLookup, name: string): Effect {
  let memo = helperEffects.get(lookup.key);
  if (!memo) {
    memo = oneWaySummaries('acquire', 'release', (name) => {
      const fn = lookup.functionNamed(name);
      if (!fn) return { summary: undefined };
      const said = fn.annotations.find((a) => LOCK_ANNOTATION.test(a.name))?.name;
      if (said) return { summary: said.startsWith('_Acquires') ? 'acquire' : 'release' };
      if (!fn.isDefinition) return { summary: undefined };
      return ownDoings(fn, lockMethodEffect, lockCalls);
    });
    helperEffects.set(lookup.key, memo);
  }
  return memo.get(name);
}

const lockCalls = new WeakMap<FunctionModel, SummaryNode<never, number>>();

/** A lock method's part in a helper's effect: 1 takes, 2 drops, 0 not a lock method. */
function lockMethodEffect(callee: string): 0 | 1 | 2 {
  const method = LOCK_METHODS.get(callee);
  return !method ? 0 : method.acquire ? 1 : 2;
}

/**
 * What a helper that takes a lock for its caller leaves the IRQL at: the level the lock methods it
 * calls raise to, when they all agree (a helper around WdfSpinLockAcquire leaves DISPATCH_LEVEL).
 * Without a body, the level its SAL names (`_Acquires_lock_(…) _IRQL_raises_(DISPATCH_LEVEL)`).
 */
function helperRaises(lookup: DriverLookup, name: string): HeldLock['raises'] {
  const fn = lookup.functionNamed(name);
  const levels = new Set<HeldLock['raises']>();
  if (fn?.isDefinition)
    for (const call of fn.calls) {
      const method = LOCK_METHODS.get(call.callee);
      if (method?.acquire) levels.add(method.raises);
    }
  if (levels.size) return levels.size === 1 ? [...levels][0] : undefined;
  // No body to read: what its SAL says it raises to (`_Acquires_lock_(…) _IRQL_raises_(DISPATCH_LEVEL)`).
  return declaredFact(lookup, 'irqlRaisesTo', name, (f) =>
    normalizeLevel(f.annotations.find((a) => a.name === '_IRQL_raises_')?.args),
  );
}

/** "the spin lock taken by WdfSpinLockAcquire(devCtx->Lock)" for messages. */
export function describeLock(lock: HeldLock): string {
  if (lock.viaHelper) return `the lock ${lock.viaHelper}(${lock.key}) takes`;
  const kind = lock.spin ? 'spin lock' : 'lock';
  return `the ${kind} taken by ${lock.call.callee}(${lock.call.args.map((a) => a.text).join(', ')})`;
}
