/**
 * Where a rule's own page lives. The pages are docs/rules/<ID>.md in the repository and are shipped
 * in the .vsix; diagnostics and SARIF link to the published copy so the link works everywhere.
 */
export const RULE_DOCS_BASE = 'https://github.com/kmdf-assist/kmdf-assist/blob/main/docs/rules/';

/** The public URL of a rule's page, e.g. …/docs/rules/KMDF2001.md. */
export function ruleHelpUri(ruleId: string): string {
  return `${RULE_DOCS_BASE}${ruleId}.md`;
}

/** Repository-relative path of a rule's page (what `RuleMeta.helpPage` holds). */
export function rulePagePath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`;
}
