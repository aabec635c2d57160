/**
 * The documentation parsers of the knowledge index. Three formats, one parser each:
 * docs-repository Markdown (current form), the same with a 2018 `## -prototype`/`## -syntax` block,
 * and the rendered text of a reference web page. Each yields a `DocPage`.
 */
export { parseDocText, readDocFile, readDocsFolder, MAX_DOC_FILE_BYTES, DOC_EXTENSIONS } from './folder';
export { parseMarkdownPage, readFrontMatter, splitSections, type ParseResult } from './markdownPage';
export { parseRenderedPage } from './renderedPage';
export { mineFlags } from './flags';
export { htmlToMarkdown, toPlainText, absoluteUrl } from './text';
export {
  docsUrlFromRepoPath,
  docsUrlFor,
  parseIrqlText,
  irqlFromProse,
  normalizeVersion,
  normalizeWindows,
} from './requirements';
export { parsePrototype } from './prototype';

import type { DocPage } from '../types';
import { parseDocText as parseAny } from './folder';

/** `parseDocText` for callers that want the page or nothing (the docs-text provider's `PageParser`). */
export function parseDocPage(text: string, location: string): DocPage | undefined {
  const result = parseAny(text, location);
  return 'page' in result ? result.page : undefined;
}
