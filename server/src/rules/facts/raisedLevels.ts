/**
 * The IRQL a function's own code raises a call to: the level of a lock held there (a spin lock,
 * DISPATCH_LEVEL; an interrupt lock, DIRQL; a fast mutex, APC_LEVEL) or of a KeRaiseIrql not yet
 * lowered, whatever level the function itself was entered at. Read from the lock walk
 * (heldLocks.ts) and the raise walk (irqlRaises.ts) along the paths to the call: a level every
 * path has is certain, one only some paths have is possible.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { levelRank, type IrqlLevel } from '../../knowledge/irql';
import type { DriverLookup } from './driverLookup';
import { lockWalk, type HeldLock, type LockState } from './heldLocks';
import { describeRaise, raiseWalk, type RaiseState } from './irqlRaises';

/** The raise or lock that puts a call at a level. */
export interface Raiser {
  kind: 'lock' | 'raise';
  /** The acquiring or raising call (in the walked function). */
  call: CallModel;
  /** "spin lock", "interrupt lock", "fast mutex", "object lock", "lock" (through a helper). */
  noun: string;
  /** "WdfSpinLockAcquire(ctx->Lock)". */
  callText: string;
  /** Why the level is only possible although the lock is held (an object lock that may be a wait lock). */
  note?: string;
}

/** A level at a call and what raised it there. */
export interface RaisedLevel {
  level: IrqlLevel;
  /** Every path to the call holds it, and the level of what is held is known. */
  certain: boolean;
  by: Raiser;
}

/** What the caller resolves about a lock's level (the object and interrupt locks depend on the driver). */
export type LockLevelOf = (
  lock: HeldLock,
  fn: FunctionModel,
) => { level: IrqlLevel; certain: boolean; note?: string } | undefined;

/** The certain level at a call (every path) and, when higher, a level only possible there. */
export interface RaisedAt {
  certain?: RaisedLevel;
  possible?: RaisedLevel;
}

/** The raised levels at `call` in `fn`; empty when nothing the function holds or raised changes its level. */
export function raisedAt(lookup: DriverLookup, fn: FunctionModel, call: CallModel, lockLevel: LockLevelOf): RaisedAt {
  const paths: PathLevels[] = [];
  const locks = lockWalk(lookup, fn);
  if (locks)
    paths.push(
      levelsOfStates(locks.before.get(call), locks.unlocked.has(call.span.startOffset), (s) =>
        lockLevels(s, fn, lockLevel),
      ),
    );
  const raises = raiseWalk(lookup, fn);
  if (raises)
    paths.push(levelsOfStates(raises.before.get(call), raises.unraised.has(call.span.startOffset), raiseLevels));
  let certain: RaisedLevel | undefined;
  let possible: RaisedLevel | undefined;
  for (const p of paths) {
    if (p.certain && (!certain || levelRank(p.certain.level) > levelRank(certain.level))) certain = p.certain;
    if (p.possible && (!possible || levelRank(p.possible.level) > levelRank(possible.level))) possible = p.possible;
  }
  if (possible && certain && levelRank(possible.level) <= levelRank(certain.level)) possible = undefined;
  return { ...(certain ? { certain } : {}), ...(possible ? { possible } : {}) };
}

/** The levels one state holds: the lowest it is certainly at, and the highest it may be at. */
interface StateLevels {
  strong?: RaisedLevel;
  weak?: RaisedLevel;
}
interface PathLevels {
  certain?: RaisedLevel;
  possible?: RaisedLevel;
}

function levelsOfStates<S>(states: S[] | undefined, freePath: boolean, levels: (state: S) => StateLevels): PathLevels {
  if (!states?.length) return {};
  let certain: RaisedLevel | undefined;
  let everyPath = !freePath;
  let possible: RaisedLevel | undefined;
  for (const state of states) {
    const { strong, weak } = levels(state);
    if (!strong) everyPath = false;
    else if (everyPath && (!certain || levelRank(strong.level) < levelRank(certain.level))) certain = strong;
    const high = weak ?? strong;
    if (high && (!possible || levelRank(high.level) > levelRank(possible.level))) possible = high;
  }
  const sure = everyPath ? certain : undefined;
  return {
    ...(sure ? { certain: { ...sure, certain: true } } : {}),
    ...(possible ? { possible: { ...possible, certain: false } } : {}),
  };
}

function lockLevels(state: LockState, fn: FunctionModel, lockLevel: LockLevelOf): StateLevels {
  let strong: RaisedLevel | undefined;
  let weak: RaisedLevel | undefined;
  for (const lock of state) {
    const resolved = lockLevel(lock, fn);
    if (!resolved) continue;
    const raised: RaisedLevel = {
      level: resolved.level,
      certain: resolved.certain,
      by: {
        kind: 'lock',
        call: lock.call,
        noun: nounOf(lock),
        callText: `${lock.call.callee}(${lock.call.args.map((a) => a.text).join(', ')})`,
        ...(resolved.note ? { note: resolved.note } : {}),
      },
    };
    if (resolved.certain && (!strong || levelRank(raised.level) > levelRank(strong.level))) strong = raised;
    if (!weak || levelRank(raised.level) > levelRank(weak.level)) weak = raised;
  }
  return { ...(strong ? { strong } : {}), ...(weak ? { weak } : {}) };
}

function raiseLevels(state: RaiseState): StateLevels {
  let strong: RaisedLevel | undefined;
  for (const raise of state) {
    if (!raise.level) continue;
    if (!strong || levelRank(raise.level) > levelRank(strong.level))
      strong = {
        level: raise.level,
        certain: true,
        by: { kind: 'raise', call: raise.call, noun: 'raise', callText: describeRaise(raise) },
      };
  }
  return strong ? { strong, weak: strong } : {};
}

function nounOf(lock: HeldLock): string {
  if (lock.viaHelper) return 'lock';
  if (lock.raises === 'DIRQL') return 'interrupt lock';
  if (lock.raises === 'APC_LEVEL') return 'fast mutex';
  if (lock.raises === 'object') return 'object lock';
  return lock.spin ? 'spin lock' : 'lock';
}
