/**
 * IRQL levels: normalising the spellings found in docs and SAL, ordering them, and printing them.
 */
import type { ConditionalIrql, Irql } from './types';

/** Known levels in rising order. DIRQL stands for any device IRQL (above DISPATCH, below HIGH). */
export const IRQL_LEVELS = ['PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL', 'DIRQL', 'HIGH_LEVEL'] as const;
export type IrqlLevel = (typeof IRQL_LEVELS)[number];

const ALIASES: Record<string, IrqlLevel> = {
  PASSIVE_LEVEL: 'PASSIVE_LEVEL',
  PASSIVE: 'PASSIVE_LEVEL',
  LOW_LEVEL: 'PASSIVE_LEVEL',
  '0': 'PASSIVE_LEVEL',
  APC_LEVEL: 'APC_LEVEL',
  APC: 'APC_LEVEL',
  '1': 'APC_LEVEL',
  DISPATCH_LEVEL: 'DISPATCH_LEVEL',
  DISPATCH: 'DISPATCH_LEVEL',
  '2': 'DISPATCH_LEVEL',
  DIRQL: 'DIRQL',
  DEVICE_LEVEL: 'DIRQL',
  PROFILE_LEVEL: 'HIGH_LEVEL',
  CLOCK_LEVEL: 'HIGH_LEVEL',
  IPI_LEVEL: 'HIGH_LEVEL',
  POWER_LEVEL: 'HIGH_LEVEL',
  HIGH_LEVEL: 'HIGH_LEVEL',
  HIGH: 'HIGH_LEVEL',
};

/** Normalise one level spelling ("DISPATCH_LEVEL", "2", "Dispatch"); undefined if it is not a level. */
export function normalizeLevel(text: string | undefined): IrqlLevel | undefined {
  if (!text) return undefined;
  const key = text.trim().replace(/^\(|\)$/g, '').toUpperCase();
  return ALIASES[key];
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

/** IRQL facts from SAL annotations (names with optional args). */
export function irqlFromAnnotations(annotations: { name: string; args?: string }[]): Irql | undefined {
  const irql: Irql = {};
  let any = false;
  for (const a of annotations) {
    const level = a.args ? normalizeLevel(a.args) ?? a.args.trim() : undefined;
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
  if (irql.min && irql.max) return irql.min === irql.max ? `= ${name(irql.max)}` : `${name(irql.min)} – ${name(irql.max)}`;
  if (irql.max) return irql.max === 'PASSIVE_LEVEL' ? `= ${name(irql.max)}` : `≤ ${name(irql.max)}`;
  if (irql.min) return `≥ ${name(irql.min)}`;
  return irql.text;
}

/**
 * The `_When_(condition, _IRQL_requires_max_(LEVEL))` branches of a header declaration's annotations
 * (as written, e.g. "_When_(Wait == __true, _IRQL_requires_max_(PASSIVE_LEVEL))").
 */
export function conditionalIrql(annotations: readonly string[] | undefined): ConditionalIrql[] {
  const out: ConditionalIrql[] = [];
  for (const a of annotations ?? []) {
    const m = /^_When_\((.*),\s*_IRQL_requires_(max|min)?_?\(\s*([A-Z_0-9]+)\s*\)\s*\)$/.exec(a.trim());
    if (!m) continue;
    const level = normalizeLevel(m[3]) ?? m[3];
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
