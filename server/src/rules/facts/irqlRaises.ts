/**
 * Where a function raises the IRQL and lowers it back: `KeRaiseIrql`, `KeRaiseIrqlToDpcLevel`, … paired
 * with `KeLowerIrql` along the paths of its body (analysis/paths.ts), helpers of the driver that only
 * raise (or say `_IRQL_raises_`/`_IRQL_saves_`) or only lower (or say `_IRQL_restores_`) counting as
 * doing so for their caller. One walk per function serves KMDF2009 (a path out still raised) and the
 * IRQL facts (the level of the calls made while raised).
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { walkPaths, type PathExit } from '../../analysis/paths';
import { normalizeLevel, type IrqlLevel } from '../../knowledge/irql';
import { bareArgument, declaredFact, type DriverLookup } from './driverLookup';
import { oneWaySummaries, ownDoings, type RecursionSummaries, type SummaryNode } from './recursionSummaries';
import { LOCK_ANNOTATION } from './heldLocks';

/**
 * The raising routines (wdm.h): where each leaves the IRQL it replaced (`out`: the 0-based argument
 * that receives it, `KeRaiseIrql(New, &Old)`; otherwise the routine returns it) and the level it
 * raises to (`to`: fixed, or `arg`: the 0-based argument naming it).
 */
const RAISES = new Map<string, { out?: number; to: IrqlLevel | { arg: number } }>([
  ['KeRaiseIrql', { out: 1, to: { arg: 0 } }],
  ['KfRaiseIrql', { to: { arg: 0 } }],
  ['KeRaiseIrqlToDpcLevel', { to: 'DISPATCH_LEVEL' }],
  ['KeRaiseIrqlToSynchLevel', { to: 'DIRQL' }],
]);
const LOWERS = new Set(['KeLowerIrql', 'KfLowerIrql']);

/** SAL that says a function changes the IRQL for its caller (or restores one its caller saved). */
const IRQL_CHANGE_ANNOTATION =
  /^(_IRQL_(raises|saves|restores|saves_global|restores_global)_|__drv_(raisesIRQL|savesIRQL|restoresIRQL|savesIRQLGlobal|restoresIRQLGlobal))$/;

/** A raise a path has not undone yet. */
export interface Raise {
  call: CallModel;
  /** The variable holding the IRQL it replaced ('' when not known). */
  saved: string;
  /** The level it raised to, when the code names it. */
  level?: IrqlLevel;
  /** Raised through a helper of the driver. */
  viaHelper?: string;
}
export type RaiseState = readonly Raise[];

/** What the walk found in one function. */
export interface RaiseWalk {
  exits: PathExit<RaiseState>[];
  /** The raised states that reach each call. */
  before: Map<CallModel, RaiseState[]>;
  /** Start offsets of the calls some path reaches with nothing raised. */
  unraised: Set<number>;
  /** Whether the function lowers the IRQL anywhere (itself or through a helper). */
  lowers: boolean;
}

const walks = new WeakMap<object, Map<FunctionModel, RaiseWalk | undefined>>();

/** The raise walk of `fn` (once per run). Undefined when it raises nothing or has no flow. */
export function raiseWalk(lookup: DriverLookup, fn: FunctionModel): RaiseWalk | undefined {
  let cache = walks.get(lookup.key);
  if (!cache) walks.set(lookup.key, (cache = new Map<FunctionModel, RaiseWalk | undefined>()));
  if (cache.has(fn)) return cache.get(fn);
  let result: RaiseWalk | undefined;
  if (fn.body && fn.calls.some((c) => irqlEffect(lookup, c.callee) === 'raise')) {
    const before = new Map<CallModel, RaiseState[]>();
    const unraised = new Set<number>();
    // Each state's key, for this walk only (every state it keys is one of its own).
    const keys = new Map<RaiseState, string>();
    const key = (s: RaiseState): string => {
      let k = keys.get(s);
      if (k === undefined) keys.set(s, (k = s.map((r) => `${r.saved}@${r.call.span.startOffset}`).join(';')));
      return k;
    };
    const text = lookup.textOf(fn);
    const exits = walkPaths<RaiseState>(fn, {
      start: [],
      key,
      step(state, site) {
        if (site.kind !== 'call') return state;
        if (!state.length) unraised.add(site.call.span.startOffset);
        else {
          const seen = before.get(site.call);
          if (!seen) before.set(site.call, [state]);
          else {
            const k = key(state);
            if (!seen.some((s) => key(s) === k)) seen.push(state);
          }
        }
        return stepIrql(lookup, text, state, site.call);
      },
    });
    if (exits)
      result = {
        exits,
        before,
        unraised,
        lowers: fn.calls.some((c) => irqlEffect(lookup, c.callee) === 'lower'),
      };
  }
  cache.set(fn, result);
  return result;
}

/** The state after one call: a raise is pushed; a lower pops the raise that saved its value, else the latest. */
function stepIrql(lookup: DriverLookup, text: string | undefined, state: RaiseState, call: CallModel): RaiseState {
  const effect = irqlEffect(lookup, call.callee);
  if (effect === 'raise') {
    const method = RAISES.get(call.callee);
    const viaHelper = method ? undefined : call.callee;
    const saved = method
      ? method.out !== undefined
        ? outVariable(call.args[method.out]?.text)
        : text !== undefined
          ? assignedVariable(text, call)
          : ''
      : outVariable(call.args.find((a) => /^&\s*\w+$/.test(a.text))?.text);
    const level = method
      ? typeof method.to === 'string'
        ? method.to
        : normalizeLevel(call.args[method.to.arg]?.text)
      : helperRaiseLevel(lookup, call.callee);
    return [...state, { call, saved, viaHelper, ...(level ? { level } : {}) }];
  }
  if (effect !== 'lower' || !state.length) return state;
  const value = LOWERS.has(call.callee) ? bareArgument(call.args[0]?.text) : '';
  let index = state.length - 1;
  for (let i = state.length - 1; i >= 0; i--)
    if (state[i].saved !== '' && state[i].saved === value) {
      index = i;
      break;
    }
  return [...state.slice(0, index), ...state.slice(index + 1)];
}

/** `oldIrql` for `&oldIrql` (a plain variable only: `&ctx->Irql` is written back as `ctx->Irql`). */
function outVariable(text: string | undefined): string {
  const m = /^&\s*([A-Za-z_][\w.>-]*)$/.exec(text?.trim() ?? '');
  return m ? m[1] : '';
}

/** The variable a returning raise is stored in: `old = KeRaiseIrqlToDpcLevel();`, `KIRQL old = …`. */
function assignedVariable(text: string, call: CallModel): string {
  const lineStart = text.lastIndexOf('\n', call.span.startOffset - 1) + 1;
  const m = /([A-Za-z_][\w.>-]*)\s*=\s*(\(\s*KIRQL\s*\)\s*)?$/.exec(text.slice(lineStart, call.span.startOffset));
  return m ? m[1] : '';
}

/**
 * The level a raising helper leaves: its `_IRQL_raises_(LEVEL)`, else the one level every raise in its
 * body names.
 */
function helperRaiseLevel(lookup: DriverLookup, name: string): IrqlLevel | undefined {
  const said = saidIrqlChange(lookup, name);
  if (said?.level) return said.level;
  const fn = lookup.functionNamed(name);
  if (!fn?.isDefinition) return undefined;
  const levels = new Set<IrqlLevel | undefined>();
  for (const call of fn.calls) {
    const method = RAISES.get(call.callee);
    if (method) levels.add(typeof method.to === 'string' ? method.to : normalizeLevel(call.args[method.to.arg]?.text));
  }
  return levels.size === 1 ? [...levels][0] : undefined;
}

type Effect = 'raise' | 'lower' | undefined;

const effects = new WeakMap<object, RecursionSummaries<Effect, number>>();

/**
 * What calling `name` does to the IRQL: the kernel routines' own effect, or that of a driver helper
 * that only raises (or says `_IRQL_raises_`/`_IRQL_saves_`) or only lowers (or says `_IRQL_restores_`),
 * followed through the helpers it calls; a recursion counts as one function (recursionSummaries.ts:
 * the answer is the same whichever helper a run asks about first).
 */
export function irqlEffect(lookup: DriverLookup, name: string): Effect {
  if (RAISES.has(name)) return 'raise';
  if (LOWERS.has(name)) return 'lower';
  let memo = effects.get(lookup.key);
  if (!memo) {
    memo = oneWaySummaries('raise', 'lower', (name) => {
      if (RAISES.has(name)) return { summary: 'raise' };
      if (LOWERS.has(name)) return { summary: 'lower' };
      const fn = lookup.functionNamed(name);
      // A lock helper (`_Acquires_lock_`/`_Releases_lock_`) raises and restores with its lock: the lock walk follows it.
      if (!fn || saysLock(lookup, name)) return { summary: undefined };
      const said = saidIrqlChange(lookup, name);
      if (said) return { summary: /restores/i.test(said.name) ? 'lower' : 'raise' };
      if (!fn.isDefinition) return { summary: undefined };
      return ownDoings(fn, kernelIrqlEffect, irqlCalls);
    });
    effects.set(lookup.key, memo);
  }
  return memo.get(name);
}

const irqlCalls = new WeakMap<FunctionModel, SummaryNode<never, number>>();

/** A kernel routine's part in a helper's IRQL effect: 1 raises, 2 lowers, 0 neither (a name to follow). */
function kernelIrqlEffect(callee: string): 0 | 1 | 2 {
  return RAISES.has(callee) ? 1 : LOWERS.has(callee) ? 2 : 0;
}

/**
 * The IRQL-changing SAL on any declaration or definition of `name` (on the function or one of its
 * parameters: `_IRQL_saves_` sits on the `PKIRQL` out-parameter), since a definition with
 * `_Use_decl_annotations_` carries none of its prototype's; with the level an `_IRQL_raises_` names.
 */
export function saidIrqlChange(lookup: DriverLookup, name: string): { name: string; level?: IrqlLevel } | undefined {
  return declaredFact(lookup, 'irqlChange', name, (f) => {
    const found = [...f.annotations, ...f.params.flatMap((p) => p.annotations)].find((a) =>
      IRQL_CHANGE_ANNOTATION.test(a.name),
    );
    if (!found) return undefined;
    const raises = f.annotations.find((a) => a.name === '_IRQL_raises_' || a.name === '__drv_raisesIRQL');
    const level = raises ? normalizeLevel(raises.args) : undefined;
    return { name: found.name, ...(level ? { level } : {}) };
  });
}

/** Whether any declaration of `name` says it takes or drops a lock for its caller. */
function saysLock(lookup: DriverLookup, name: string): boolean {
  return (
    declaredFact(
      lookup,
      'lockSal',
      name,
      (f) => f.annotations.some((a) => LOCK_ANNOTATION.test(a.name)) || undefined,
    ) ?? false
  );
}

/** "KeRaiseIrql(DISPATCH_LEVEL, &oldIrql)" for messages. */
export function describeRaise(raise: Raise): string {
  return `${raise.call.callee}(${raise.call.args.map((a) => a.text).join(', ')})`;
}
