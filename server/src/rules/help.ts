/**
 * Where a rule's own page lives: docs/rules/<ID>.md, in the repository and in the .vsix beside the
 * bundles (dist/server.js and dist/cli.js sit one folder below docs/). Diagnostics link to the page on
 * disk (a `file:` URI, so the link works offline and in any editor) and SARIF carries the page's text
 * itself; nothing points at a web address the project does not have.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Repository-relative path of a rule's page (what `RuleMeta.helpPage` holds). */
export function rulePagePath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`;
}

/** Rule ids are `KMDF` and four digits: nothing else becomes a file name. */
const RULE_ID = /^KMDF\d{4}$/;

let pagesDir: string | null | undefined;

/** The docs/rules folder beside the running code: `<root>/dist/*.js` (bundles) or `<root>/server/src/rules` (sources). */
export function rulePagesDir(): string | undefined {
  if (pagesDir === undefined) {
    const candidates = [
      path.resolve(__dirname, '..', 'docs', 'rules'),
      path.resolve(__dirname, '../../..', 'docs', 'rules'),
    ];
    pagesDir = candidates.find((dir) => fs.existsSync(path.join(dir, 'README.md'))) ?? null;
  }
  return pagesDir ?? undefined;
}

/** The page of a rule on disk, if it is there. */
function rulePageFile(ruleId: string): string | undefined {
  const dir = rulePagesDir();
  if (!dir || !RULE_ID.test(ruleId)) return undefined;
  const file = path.join(dir, `${ruleId}.md`);
  return fs.existsSync(file) ? file : undefined;
}

/** The `file:` URI of a rule's installed page, for a diagnostic's codeDescription; undefined when it is not installed. */
export function ruleHelpUri(ruleId: string): string | undefined {
  const file = rulePageFile(ruleId);
  return file && pathToFileURL(file).href;
}

const pageTexts = new Map<string, string | undefined>();

/** The Markdown of a rule's page (for SARIF `help.markdown`), undefined when it is not installed. */
export function rulePageMarkdown(ruleId: string): string | undefined {
  if (!pageTexts.has(ruleId)) {
    const file = rulePageFile(ruleId);
    pageTexts.set(ruleId, file ? fs.readFileSync(file, 'utf8') : undefined);
  }
  return pageTexts.get(ruleId);
}
