/**
 * Which methods the catalog lists under a Static Driver Verifier rule: the reference pages'
 * DDI-compliance lists are the source of truth for the role-based DDI rules (KMDF303x).
 */
import type { RuleContext } from '../types';

/** The DDI-compliance rules of each method, lower-cased, per index (asked for every call of every function). */
const sdvRulesCache = new WeakMap<object, Map<string, ReadonlySet<string>>>();

/** Whether the index lists `rule` among the DDI-compliance rules of `method` (names compared without case). */
export function carriesSdvRule(ctx: RuleContext, method: string, rule: string): boolean {
  let byMethod = sdvRulesCache.get(ctx.index);
  if (!byMethod) {
    byMethod = new Map<string, ReadonlySet<string>>();
    sdvRulesCache.set(ctx.index, byMethod);
  }
  let rules = byMethod.get(method);
  if (!rules) {
    rules = new Set(
      (ctx.index.get(method)?.ddiCompliance ?? []).map((r) =>
        r
          .replace(/\(.*\)$/, '')
          .trim()
          .toLowerCase(),
      ),
    );
    byMethod.set(method, rules);
  }
  if (!rules.size) return false;
  let lower = lowerCased.get(rule);
  if (lower === undefined) lowerCased.set(rule, (lower = rule.toLowerCase()));
  return rules.has(lower);
}

/** The rules' own names, lower-cased once (they are a few constants). */
const lowerCased = new Map<string, string>();
