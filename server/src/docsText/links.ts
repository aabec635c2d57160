/**
 * Links in docs prose: the docs repository writes site-relative (`/windows-hardware/drivers/…`) and
 * page-relative (`nf-wdfio-wdfioqueuecreate.md`, `../wdfrequest/…`) links, which mean nothing in an
 * editor hover. They are made absolute against the public reference site.
 */
import { PUBLIC_REFERENCE_BASE } from '../knowledge/types';

const SITE = 'https://learn.microsoft.com';

/** The public reference URL of a docs-repository page path ("wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md"). */
export function referenceUrlForDocsPath(docsPath: string): string {
  return PUBLIC_REFERENCE_BASE + docsPath.replace(/\\/g, '/').replace(/\.md$/i, '');
}

/** One link target made absolute; `pageDir` is the docs-repository folder of the page ("wdfio"). */
export function absoluteHref(href: string, pageDir?: string): string {
  const target = href.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return target;
  if (target.startsWith('//')) return `https:${target}`;
  if (target.startsWith('/')) return SITE + target.replace(/^\/(en-us\/)?/i, '/');
  // Page-relative: resolve against the page's folder inside the DDI reference.
  const parts = (pageDir ? pageDir.split('/') : []).filter(Boolean);
  for (const segment of target.split('/')) {
    if (segment === '.' || segment === '') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return PUBLIC_REFERENCE_BASE + parts.join('/').replace(/\.md(?=$|#)/i, '');
}

/** Markdown with every inline link and image target made absolute. */
export function absolutizeLinks(markdown: string, pageDir?: string): string {
  return markdown.replace(
    // Text and target stop at the next bracket, so each `[` and each `](` is tried once (linear).
    /(!?\[[^[\]]*\]\()([^)\s[\]]+)((?:\s+"[^"\n]*")?\))/g,
    (_m, open: string, href: string, close: string) => `${open}${absoluteHref(href, pageDir)}${close}`,
  );
}

/**
 * Markdown cut to about `limit` characters at a paragraph (else sentence) boundary, with
 * "…more on the reference page" linking to `moreUrl`. Unchanged when short enough.
 */
export function trimMarkdown(markdown: string, limit: number, moreUrl?: string): string {
  const text = markdown.trim();
  if (text.length <= limit) return text;
  let cut = text.lastIndexOf('\n\n', limit);
  if (cut < limit / 3) {
    const sentence = text.slice(0, limit).search(/[.!?](?=\s)[^.!?]*$/);
    cut = sentence > limit / 3 ? sentence + 1 : limit;
  }
  let head = text.slice(0, cut).trimEnd();
  // Never leave an unclosed code fence (``` or ~~~, of any length) behind: cut before it.
  const open = openFenceAt(head);
  if (open >= 0) head = head.slice(0, open).trimEnd();
  const more = moreUrl ? `[…more on the reference page](${moreUrl})` : '…';
  return `${head}\n\n${more}`;
}

/** Offset of the line opening a code fence that is still open at the end of `markdown`, or -1. */
export function openFenceAt(markdown: string): number {
  let fence: { char: string; length: number; at: number } | undefined;
  let at = 0;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      const t = line.trim();
      if (t.length >= fence.length && [...t].every((c) => c === fence!.char)) fence = undefined;
    } else if (m && !(m[1][0] === '`' && m[2].includes('`'))) fence = { char: m[1][0], length: m[1].length, at };
    at += line.length + 1;
  }
  return fence ? fence.at : -1;
}
