/**
 * The IRQL a method requires for one call, when the header makes it depend on an argument
 * (`_When_(Wait == __true, _IRQL_requires_max_(PASSIVE_LEVEL))`). The branch conditions are evaluated
 * against the argument texts of the call; anything that cannot be decided for sure (a variable, an
 * expression, an unknown constant, a condition form we do not parse) leaves the loosest level in force,
 * so an undecided call is never flagged on the stricter branch.
 */
import type { CallModel } from '../../analysis/model';
import { loosestMax, normalizeLevel, type IrqlLevel } from '../../knowledge/irql';
import type { ConditionalIrql, IndexEntry, Irql } from '../../knowledge/types';
import { lookupTable } from '../../util/lookupTable';

/**
 * Values of enumeration constants and flags used in `_When_` conditions, where the reference pages (or,
 * for the pool flags and processor modes, wdm.h) give them
 * (the 2018 prototype blocks and the `-field Name:0` headings agree). Constants missing here are not
 * evaluated.
 */
const ENUM_VALUES: Readonly<Record<string, number>> = lookupTable({
  // WDF_IO_TARGET_SENT_IO_ACTION (WdfIoTargetStop)
  WdfIoTargetSentIoUndefined: 0,
  WdfIoTargetCancelSentIo: 1,
  WdfIoTargetWaitForSentIoToComplete: 2,
  WdfIoTargetLeaveSentIoPending: 3,
  // WDF_IO_TARGET_PURGE_IO_ACTION (WdfIoTargetPurge)
  WdfIoTargetPurgeIoUndefined: 0,
  WdfIoTargetPurgeIoAndWait: 1,
  WdfIoTargetPurgeIo: 2,
  // POOL_TYPE (WdfMemoryCreate, WdfLookasideListCreate): the wdm.h values of the three common pools.
  NonPagedPool: 0,
  PagedPool: 1,
  NonPagedPoolNx: 512,
  PagedPoolCacheAligned: 5,
  // POOL_FLAGS (ExAllocatePool2/3), wdm.h.
  POOL_FLAG_NON_PAGED: 0x40,
  POOL_FLAG_NON_PAGED_EXECUTE: 0x80,
  POOL_FLAG_PAGED: 0x100,
  // MODE / KPROCESSOR_MODE (MmProbeAndLockPages, MmMapLockedPagesSpecifyCache), wdm.h.
  KernelMode: 0,
  UserMode: 1,
});

/**
 * `_When_` IRQL branches that the header facts lost but the framework's public headers carry
 * (microsoft/Windows-Driver-Frameworks, wdfsync.h): WdfWaitLockAcquire may be called at DISPATCH_LEVEL
 * only with a zero timeout; without one (NULL) it waits, and needs PASSIVE_LEVEL.
 */
const HEADER_WHEN: Readonly<Record<string, ConditionalIrql[]>> = lookupTable({
  WdfWaitLockAcquire: [
    { condition: 'Timeout == NULL', max: 'PASSIVE_LEVEL' },
    { condition: 'Timeout != NULL && *Timeout == 0', max: 'DISPATCH_LEVEL' },
    { condition: 'Timeout != NULL && *Timeout != 0', max: 'PASSIVE_LEVEL' },
  ],
});

/** Literal spellings of truth values in arguments and in SAL conditions. */
const TRUTH: Readonly<Record<string, number>> = lookupTable({
  TRUE: 1,
  FALSE: 0,
  true: 1,
  false: 0,
  __true: 1,
  __false: 0,
});

/** A null pointer as written in conditions and arguments. */
const NULL_POINTER: Readonly<Record<string, number>> = lookupTable({ NULL: 0, nullptr: 0 });

/** The level one call of a method must run at or below, and the branch that decided it (if one did). */
export interface CallIrql {
  max: IrqlLevel;
  /** The deciding branch, as "Wait = TRUE" (parameter and argument as written), when the argument decided it. */
  decidedBy?: string;
}

/**
 * The maximum IRQL for this call of `entry`: the branch its arguments select when they decide one,
 * else the loosest level (`irql.max`). Undefined when the method has no maximum at all.
 */
export function callMaxIrql(
  entry: IndexEntry,
  irql: Irql | undefined,
  call: CallModel,
  loosest: IrqlLevel | undefined,
): CallIrql | undefined {
  const known = irql?.when?.length ? undefined : HEADER_WHEN[entry.name];
  const branches = irql?.when?.length ? irql.when : known;
  if (!branches?.length) return loosest ? { max: loosest } : undefined;
  // The framework header's branches replace a single level the reference page gave for all of them.
  if (known) loosest = loosestMax(known);
  const chosen = decideBranch(branches, (param) => argumentValue(entry, call, param));
  const level = chosen && normalizeLevel(chosen.branch.exact ?? chosen.branch.max);
  if (chosen && level)
    return { max: level, decidedBy: chosen.params.map((p) => `${p} = ${argumentText(entry, call, p)}`).join(', ') };
  return loosest ? { max: loosest } : undefined;
}

/**
 * The single branch whose condition is true for the given argument values (and every other branch
 * false), with the parameters it reads. Undefined when any branch cannot be decided, or none or
 * several hold.
 */
export function decideBranch(
  branches: readonly ConditionalIrql[],
  valueOf: (param: string) => number | undefined,
): { branch: ConditionalIrql; params: string[] } | undefined {
  let found: { branch: ConditionalIrql; params: string[] } | undefined;
  for (const branch of branches) {
    const parsed = parseCondition(branch.condition);
    if (!parsed) return undefined;
    const result = evaluate(parsed, valueOf);
    if (result === undefined) return undefined;
    if (!result) continue;
    if (found) return undefined;
    found = { branch, params: [...new Set(parsed.flat().map((a) => a.param))] };
  }
  return found;
}

/** One comparison `Param == value` / `Param != value`. */
interface Comparison {
  param: string;
  op: '==' | '!=';
  value: number;
  /** The value is a truth literal (`__true`, `FALSE`…): compare truth, not the integer (a BOOLEAN may hold any non-zero). */
  truth: boolean;
}

/** A condition in disjunctive form: OR of ANDs of comparisons. Undefined for anything else (parentheses, calls, `<`). */
export function parseCondition(condition: string): Comparison[][] | undefined {
  const out: Comparison[][] = [];
  for (const disjunct of condition.split('||')) {
    const conj: Comparison[] = [];
    for (const atom of disjunct.split('&&')) {
      const m = /^\s*(\*\s*)?([A-Za-z_]\w*)\s*(==|!=)\s*([A-Za-z_]\w*|\d+|0[xX][0-9a-fA-F]+)\s*$/.exec(atom);
      if (!m) return undefined;
      const value = literalValue(m[4]);
      if (value === undefined) return undefined;
      // `*Timeout == 0`: what the argument points to is never known at the call; it stays undecided.
      const param = m[1] ? `*${m[2]}` : m[2];
      conj.push({ param, op: m[3] as '==' | '!=', value, truth: m[4] in TRUTH });
    }
    out.push(conj);
  }
  return out;
}

/** Three-valued: true, false, or undefined when a parameter's value is unknown and matters. */
function evaluate(condition: Comparison[][], valueOf: (param: string) => number | undefined): boolean | undefined {
  let unknown = false;
  for (const conj of condition) {
    let all: boolean | undefined = true;
    for (const c of conj) {
      const v = valueOf(c.param);
      if (v === undefined) {
        all = all === false ? false : undefined;
        continue;
      }
      const equal = c.truth ? (v !== 0) === (c.value !== 0) : v === c.value;
      const holds = c.op === '==' ? equal : !equal;
      if (!holds) all = false;
    }
    if (all === true) return true;
    if (all === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

/** A literal in a condition or an argument: a truth value, an integer, or a known enum constant. */
function literalValue(text: string): number | undefined {
  if (text in TRUTH) return TRUTH[text];
  if (text in NULL_POINTER) return NULL_POINTER[text];
  if (/^\d+$/.test(text)) return Number(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  return Object.prototype.hasOwnProperty.call(ENUM_VALUES, text) ? ENUM_VALUES[text] : undefined;
}

function argumentText(entry: IndexEntry, call: CallModel, param: string): string | undefined {
  const i = entry.params.findIndex((p) => p.name === param);
  return i >= 0 ? call.args[i]?.text : undefined;
}

/**
 * The integer value of the argument passed for `param`, when it is a literal: `TRUE`, `0`, `1UL`,
 * `WdfIoTargetCancelSentIo`, possibly parenthesised or cast (`(BOOLEAN)TRUE`). Undefined otherwise.
 */
export function argumentValue(entry: IndexEntry, call: CallModel, param: string): number | undefined {
  // Only when the call passes exactly the documented parameters: a count mismatch means a macro or a wrapper.
  if (!entry.params.length || call.args.length !== entry.params.length) return undefined;
  const text = argumentText(entry, call, param);
  if (text === undefined) return undefined;
  let t = text.trim();
  for (;;) {
    const cast = /^\(\s*[A-Za-z_]\w*\s*\)\s*(.+)$/s.exec(t);
    const paren = /^\((.*)\)$/s.exec(t);
    if (paren && balanced(paren[1])) t = paren[1].trim();
    else if (cast) t = cast[1].trim();
    else break;
  }
  const integer = /^(\d+|0[xX][0-9a-fA-F]+)[uUlL]*$/.exec(t);
  if (integer) return literalValue(integer[1]);
  if (!/^[A-Za-z_]\w*$/.test(t)) return undefined;
  return literalValue(t);
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
