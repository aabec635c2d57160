/** What each rule file declares about itself: its metadata (help page from the id), and its severity pick. */
import { rulePagePath } from './help';
import type { RuleMeta, Severity } from './types';

/** Rule metadata with the help page filled in from the id. */
export function meta(m: Omit<RuleMeta, 'helpPage'>): RuleMeta {
  return { ...m, helpPage: rulePagePath(m.id) };
}

/** "≤ DISPATCH_LEVEL" style severity pick: warning when certain, info when only possible. */
export function severityFor(
  certainty: 'certain' | 'possible',
  certain: Severity = 'warning',
  possible: Severity = 'info',
): Severity {
  return certainty === 'certain' ? certain : possible;
}
