/**
 * KMDF2008: an IRQL annotation whose value is not an IRQL: a misspelt level name, a number above
 * HIGH_LEVEL, or a minimum above the maximum on the same function.
 */
import { closest, distance } from 'fastest-levenshtein';
import { levelRank, normalizeLevel } from '../../knowledge/irql';
import type { Rule } from '../types';
import { lines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';

const LEVEL_ANNOTATIONS = new Set([
  '_IRQL_requires_max_',
  '_IRQL_requires_min_',
  '_IRQL_requires_',
  '_IRQL_raises_',
  '_IRQL_always_function_max_',
  '_IRQL_always_function_min_',
  '__drv_maxIRQL',
  '__drv_minIRQL',
  '__drv_requiresIRQL',
  '__drv_raisesIRQL',
  '__drv_maxFunctionIRQL',
  '__drv_minFunctionIRQL',
]);
/** Names the WDK headers define for IRQLs (wdm.h), plus DIRQL used in annotations of device-level routines. */
const KNOWN = [
  'PASSIVE_LEVEL',
  'LOW_LEVEL',
  'APC_LEVEL',
  'DISPATCH_LEVEL',
  'CMCI_LEVEL',
  'PROFILE_LEVEL',
  'CLOCK1_LEVEL',
  'CLOCK2_LEVEL',
  'CLOCK_LEVEL',
  'IPI_LEVEL',
  'DRS_LEVEL',
  'POWER_LEVEL',
  'HIGH_LEVEL',
  'SYNCH_LEVEL',
  'DIRQL',
];

export const illegalIrqlValue: Rule = {
  meta: meta({
    id: 'KMDF2008',
    name: 'illegal-irql-value',
    title: 'IRQL annotation with a value that is not an IRQL',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'IRQL annotations for drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/irql-annotations-for-drivers',
      },
    ],
    mirrors: { codeAnalysis: [28151] },
    certainty:
      "Certain: the level is neither an IRQL name the WDK defines nor a number from 0 to 31, or a function's minimum is above its maximum. Expressions and the driver's own macros are not judged.",
  }),
  check(ctx) {
    for (const a of ctx.document.annotations) {
      if (!LEVEL_ANNOTATIONS.has(a.name) || a.args === undefined) continue;
      const value = a.args.trim();
      if (isLegal(value)) continue;
      const argStart = a.start + a.text.indexOf('(') + 1 + (a.args.length - a.args.trimStart().length);
      const li = lines(ctx);
      const span = li.span(argStart, argStart + value.length);
      const suggestion = /^[A-Za-z_]\w*$/.test(value) ? closest(value.toUpperCase(), KNOWN) : undefined;
      const close = suggestion && distance(value.toUpperCase(), suggestion) <= 3 ? suggestion : undefined;
      ctx.report({
        message: `${a.name}(${value}): ${value} is not an IRQL${close ? `; did you mean ${close}?` : ' (use PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, HIGH_LEVEL or 0–31).'}`,
        span,
        ...(close
          ? {
              fixes: [
                {
                  title: `Replace with ${close}`,
                  preferred: true,
                  edits: [{ uri: ctx.document.uri, span, newText: close }],
                },
              ],
            }
          : {}),
      });
    }
    // A minimum above the maximum on one function.
    for (const fn of ctx.document.functions) {
      const min = fn.annotations.find((a) => a.name === '_IRQL_requires_min_' || a.name === '__drv_minIRQL');
      const max = fn.annotations.find((a) => a.name === '_IRQL_requires_max_' || a.name === '__drv_maxIRQL');
      if (!min || !max || !normalizeLevel(min.args) || !normalizeLevel(max.args)) continue;
      if (levelRank(min.args) <= levelRank(max.args)) continue;
      ctx.report({
        message: `${fn.name}: the minimum IRQL ${min.args!.trim()} is above the maximum ${max.args!.trim()}; no IRQL satisfies both.`,
        span: lines(ctx).span(min.start, min.end),
        function: fn.name,
      });
    }
  },
};

function isLegal(value: string): boolean {
  if (KNOWN.includes(value)) return true;
  if (/^\d+$/.test(value)) return Number(value) <= 31;
  // Expressions (`DISPATCH_LEVEL - 1`), casts, or macros of the driver's own: not ours to judge.
  if (/[^\w]/.test(value)) return true;
  return /^[A-Z0-9_]+$/.test(value) && !/LEVEL$/.test(value);
}
