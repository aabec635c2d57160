/**
 * IRQL levels: normalising the spellings found in docs and SAL, ordering them, and printing them.
 */
import type { ConditionalIrql, Irql } from './types';
import { lookupTable } from '../util/lookupTable';

/** Known levels in rising order. DIRQL stands for any device IRQL (above DISPATCH, below HIGH). */
export const IRQL_LEVELS = ['PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL', 'DIRQL', 'HIGH_LEVEL'] as const;
export type IrqlLevel = (typeof IRQL_LEVELS)[number];

/**
 * Named levels. The numeric ones (PASSIVE 0, APC 1, DISPATCH 2) are the same on every architecture; the
 * rest sit at numbers that differ between x86 and x64, so they stand for a place in the model instead:
 * - DIRQL is any level above DISPATCH_LEVEL and below HIGH_LEVEL. So DEVICE_LEVEL, and the system levels
 *   that lie strictly between the two on both x86 and x64 (SYNCH, CMCI, CLOCK, CLOCK1, CLOCK2, IPI, POWER,
 *   DRS), are DIRQL too. SYNCH_LEVEL is counted there because it is above DISPATCH_LEVEL on every
 *   multiprocessor kernel; a function limited to it is not callable at HIGH_LEVEL, and one limited to
 *   DISPATCH_LEVEL is not callable at it.
 * - PROFILE_LEVEL equals HIGH_LEVEL on x64 (15) and is read as HIGH_LEVEL.
 */
const NAMED: Readonly<Record<string, IrqlLevel>> = lookupTable({
  PASSIVE_LEVEL: 'PASSIVE_LEVEL',
  PASSIVE: 'PASSIVE_LEVEL',
  LOW_LEVEL: 'PASSIVE_LEVEL',
  APC_LEVEL: 'APC_LEVEL',
  APC: 'APC_LEVEL',
  DISPATCH_LEVEL: 'DISPATCH_LEVEL',
  DISPATCH: 'DISPATCH_LEVEL',
  DIRQL: 'DIRQL',
  DEVICE_LEVEL: 'DIRQL',
  SYNCH_LEVEL: 'DIRQL',
  CMCI_LEVEL: 'DIRQL',
  CLOCK_LEVEL: 'DIRQL',
  CLOCK1_LEVEL: 'DIRQL',
  CLOCK2_LEVEL: 'DIRQL',
  IPI_LEVEL: 'DIRQL',
  POWER_LEVEL: 'DIRQL',
  DRS_LEVEL: 'DIRQL',
  PROFILE_LEVEL: 'HIGH_LEVEL',
  HIGH_LEVEL: 'HIGH_LEVEL',
  HIGH: 'HIGH_LEVEL',
});

/**
 * Highest number that is below HIGH_LEVEL on both x86 (31) and x64 (15). Numbers from 3 up to it are
 * DIRQL; larger ones name a different level on each architecture and are not read.
 */
const LAST_COMMON_DIRQL = 14;

/**
 * A value while reading an expression: `offset` from a base that is either a number (`base` 0: PASSIVE 0,
 * APC 1, DISPATCH 2) or a level whose number depends on the architecture (DIRQL, HIGH_LEVEL).
 */
interface LevelValue {
  base: 0 | 'DIRQL' | 'HIGH_LEVEL';
  offset: number;
}

const NUMBER_OF: Partial<Record<IrqlLevel, number>> = { PASSIVE_LEVEL: 0, APC_LEVEL: 1, DISPATCH_LEVEL: 2 };

/**
 * Normalise one level as written in docs or SAL: a name ("DISPATCH_LEVEL", "Dispatch"), a number ("2"),
 * or a sum such as "DISPATCH_LEVEL + 1", "(APC_LEVEL+1)" or "HIGH_LEVEL - 1". Undefined when the text is
 * not a level this model can place (an unknown name, a macro, a number beyond 14, "DIRQL + 1"): an
 * unreadable level is unknown, never the lowest.
 */
export function normalizeLevel(text: string | undefined): IrqlLevel | undefined {
  if (!text) return undefined;
  // The rules ask for the same few texts at every call of every check: read each once.
  const known = normalizedLevels.get(text);
  if (known !== undefined) return known || undefined;
  const value = readExpression(text);
  const level = value ? levelOf(value) : undefined;
  if (normalizedLevels.size >= NORMALIZED_LEVELS_KEPT) normalizedLevels.clear();
  normalizedLevels.set(text, level ?? '');
  return level;
}

/** Texts read by normalizeLevel ('' for no level); a bound, since annotations in the workspace may write anything. */
const normalizedLevels = new Map<string, IrqlLevel | ''>();
const NORMALIZED_LEVELS_KEPT = 4096;

function levelOf(v: LevelValue): IrqlLevel | undefined {
  if (v.base === 0) {
    if (!Number.isInteger(v.offset) || v.offset < 0 || v.offset > LAST_COMMON_DIRQL) return undefined;
    return v.offset <= 2 ? IRQL_LEVELS[v.offset] : 'DIRQL';
  }
  if (v.offset === 0) return v.base;
  // Below HIGH_LEVEL but still above DISPATCH_LEVEL on x64: HIGH_LEVEL - 1 … HIGH_LEVEL - 12.
  if (v.base === 'HIGH_LEVEL' && v.offset < 0 && -v.offset <= LAST_COMMON_DIRQL - 2) return 'DIRQL';
  return undefined;
}

/** Reads `term (('+' | '-') term)*` with parentheses and unary signs; undefined for anything else. */
function readExpression(text: string): LevelValue | undefined {
  const tokens = text.toUpperCase().match(/0X[0-9A-F]+|\d+|[A-Z_][A-Z0-9_]*|[-+()]|\S/g) ?? [];
  let pos = 0;
  const sum = (): LevelValue | undefined => {
    let left = term();
    while (left && (tokens[pos] === '+' || tokens[pos] === '-')) {
      const sign = tokens[pos++] === '+' ? 1 : -1;
      const right = term();
      left = right ? add(left, right, sign) : undefined;
    }
    return left;
  };
  const term = (): LevelValue | undefined => {
    const t = tokens[pos++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const inner = sum();
      return tokens[pos++] === ')' ? inner : undefined;
    }
    if (t === '+' || t === '-') {
      const operand = term();
      return operand && (t === '+' ? operand : add({ base: 0, offset: 0 }, operand, -1));
    }
    if (/^(?:0X[0-9A-F]+|\d+)$/.test(t)) return { base: 0, offset: Number(t) };
    const named = NAMED[t];
    if (!named) return undefined;
    const n = NUMBER_OF[named];
    return n !== undefined ? { base: 0, offset: n } : { base: named as 'DIRQL' | 'HIGH_LEVEL', offset: 0 };
  };
  const value = sum();
  return value && pos === tokens.length ? value : undefined;
}

/** `a + sign * b`; undefined when both sides are architecture-dependent or the level would be subtracted. */
function add(a: LevelValue, b: LevelValue, sign: 1 | -1): LevelValue | undefined {
  if (b.base !== 0) {
    if (a.base !== 0 || sign < 0) return undefined;
    return { base: b.base, offset: b.offset + a.offset };
  }
  return { base: a.base, offset: a.offset + sign * b.offset };
}

export function levelRank(level: string | undefined): number {
  const n = normalizeLevel(level);
  return n ? IRQL_LEVELS.indexOf(n) : -1;
}

/** The highest IRQL a function with these facts may run at (exact wins over max). */
export function maxLevel(irql: Irql | undefined): IrqlLevel | undefined {
  if (!irql) return undefined;
  return normalizeLevel(irql.exact) ?? normalizeLevel(irql.max);
}

/**
 * IRQL facts from SAL annotations (names with optional args). Readable levels are normalised
 * (`DISPATCH_LEVEL + 1` → DIRQL); one that is not is kept as written, so `normalizeLevel` and `maxLevel`
 * report it as unknown while `kmdf show` still prints what the header says.
 */
export function irqlFromAnnotations(annotations: { name: string; args?: string }[]): Irql | undefined {
  const irql: Irql = {};
  let any = false;
  for (const a of annotations) {
    const level = a.args ? (normalizeLevel(a.args) ?? a.args.trim()) : undefined;
    switch (a.name) {
      case '_IRQL_requires_max_':
      case '__drv_maxIRQL':
        irql.max = level;
        any = true;
        break;
      case '_IRQL_requires_min_':
      case '__drv_minIRQL':
        irql.min = level;
        any = true;
        break;
      case '_IRQL_requires_':
      case '__drv_requiresIRQL':
        irql.exact = level;
        any = true;
        break;
      case '_IRQL_requires_same_':
      case '__drv_sameIRQL':
        irql.same = true;
        any = true;
        break;
    }
  }
  return any ? irql : undefined;
}

/** Short human form: "≤ DISPATCH_LEVEL", "= PASSIVE_LEVEL", "APC_LEVEL – DISPATCH_LEVEL". */
export function formatIrql(irql: Irql | undefined, short = false): string | undefined {
  if (!irql) return undefined;
  const name = (l: string) => (short ? l.replace(/_LEVEL$/, '') : l);
  if (irql.exact) return `= ${name(irql.exact)}`;
  if (irql.min && irql.max)
    return irql.min === irql.max ? `= ${name(irql.max)}` : `${name(irql.min)} – ${name(irql.max)}`;
  if (irql.max) return irql.max === 'PASSIVE_LEVEL' ? `= ${name(irql.max)}` : `≤ ${name(irql.max)}`;
  if (irql.min) return `≥ ${name(irql.min)}`;
  // What is left is free text: "<=DISPATCH_LEVEL" reads as a bound; "_requires_same_" / "Requires same"
  // (the callback keeps the caller's level) and other SAL wording name no level, so show none.
  const bound = /^\s*(<=|>=|=)?\s*([A-Z_]+_LEVEL|DIRQL)\s*$/.exec(irql.text ?? '');
  if (bound) return `${bound[1] === '>=' ? '≥' : bound[1] === '<=' ? '≤' : '='} ${name(bound[2])}`;
  return undefined;
}

/**
 * The `_When_(condition, _IRQL_requires_max_(LEVEL))` branches of a header declaration's annotations
 * (as written, e.g. "_When_(Wait == __true, _IRQL_requires_max_(PASSIVE_LEVEL))").
 */
export function conditionalIrql(annotations: readonly string[] | undefined): ConditionalIrql[] {
  const out: ConditionalIrql[] = [];
  for (const a of annotations ?? []) {
    const m = /^_When_\((.*),\s*_IRQL_requires_(max|min)?_?\(\s*(.+?)\s*\)\s*\)$/s.exec(a.trim());
    if (!m) continue;
    // As for unconditional annotations, a level that cannot be read is kept as written (and stays unknown).
    const level = normalizeLevel(m[3]) ?? m[3].replace(/\s+/g, ' ');
    const key = m[2] === 'max' ? 'max' : m[2] === 'min' ? 'min' : 'exact';
    out.push({ condition: m[1].trim(), [key]: level });
  }
  return out;
}

/** The loosest (highest) maximum over conditional branches; undefined if a branch has no maximum. */
export function loosestMax(branches: readonly ConditionalIrql[]): IrqlLevel | undefined {
  let best: IrqlLevel | undefined;
  for (const b of branches) {
    const level = normalizeLevel(b.exact ?? b.max);
    if (!level) return undefined;
    if (!best || levelRank(level) > levelRank(best)) best = level;
  }
  return best;
}
