/**
 * Text handling shared by the docs parsers: docs-repository Markdown mixed with inline HTML becomes
 * plain Markdown, links become absolute public-reference URLs, and any of it can be flattened to plain
 * text for the contract-fact matchers.
 */
import { NodeHtmlMarkdown } from 'node-html-markdown';
import { PUBLIC_REFERENCE_BASE } from '../types';

const PUBLIC_SITE = 'https://learn.microsoft.com';

// Escaping is off: the input is already Markdown with HTML islands, so `**x**` and `EVT_X_Y` in the
// surrounding text must survive the round trip untouched.
const converter = new NodeHtmlMarkdown({
  globalEscape: [/(?!)/g, ''],
  lineStartEscape: [/(?!)/g, ''],
  codeBlockStyle: 'fenced',
  maxConsecutiveNewlines: 2,
});

/** Block-level tags whose content may span blank lines; a segment is not closed while one is open. */
const BLOCK_TAG = /<(\/?)(table|ul|ol|dl|div|pre|blockquote)\b[^>]*>/gi;
const HAS_TAG = /<\/?[a-z][a-z0-9]*\b[^>]*>/i;
const FENCE = /^(\s*)(`{3,}|~{3,})/;

/** The "[Applies to KMDF only]" banner as the docs repository writes it (the `<p>` is often never closed). */
export const BANNER = /(?:<p\s+class="?CCE_Message"?\s*>)?\s*\[Applies to ([^\]]+)\]\s*(?:<\/p>)?/i;

/**
 * Convert docs text (Markdown with inline HTML: `<i>`, `<b>`, `<a href>`, lists, tables, the old code
 * tables) to Markdown. Code blocks are kept as fenced blocks. Links are made absolute: root-relative
 * and docs.microsoft.com links go to the public site, repository-relative `.md` links to the public
 * reference (`pageDir` is the header folder of the page, used for links like `nf-wdfio-x.md`).
 */
export function htmlToMarkdown(html: string, pageDir?: string): string {
  const text = replaceCodeTables(html.replace(/\r\n?/g, '\n').replace(new RegExp(BANNER.source, 'gi'), ''));
  const out: string[] = [];
  for (const part of splitFences(text)) {
    if (part.code) {
      out.push(part.text);
      continue;
    }
    for (const segment of segments(part.text)) {
      out.push(HAS_TAG.test(segment) ? converter.translate(segment).trim() : segment.trim());
    }
  }
  return absolutizeLinks(
    out
      .filter((s) => s.length > 0)
      .join('\n\n')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    pageDir,
  );
}

/** The old pages wrap example code in `<div class="code">…<table>…<pre>` ; turn each into a fenced block. */
function replaceCodeTables(text: string): string {
  return text.replace(/<div\s+class="?code"?[^>]*>([\s\S]*?)<\/div>/gi, (whole, inner: string) => {
    const pres = [...inner.matchAll(/<pre[^>]*>([\s\S]*?)<\/pre>/gi)].map((m) =>
      decodeEntities(m[1].replace(/<[^>]+>/g, '')),
    );
    if (!pres.length) return whole;
    return '\n\n' + pres.map((code) => '```\n' + code.replace(/\n+$/, '') + '\n```').join('\n\n') + '\n\n';
  });
}

interface Part {
  text: string;
  code: boolean;
}

/** Split text into fenced code blocks (kept verbatim) and the prose between them. */
function splitFences(text: string): Part[] {
  const parts: Part[] = [];
  const lines = text.split('\n');
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) {
      prose.push(lines[i]);
      continue;
    }
    if (prose.length) parts.push({ text: prose.join('\n'), code: false });
    prose = [];
    const fence = open[2];
    const code = [lines[i].trim()];
    let j = i + 1;
    for (; j < lines.length; j++) {
      code.push(lines[j].replace(/\s+$/, ''));
      if (lines[j].trim().startsWith(fence[0].repeat(fence.length)) && lines[j].trim().replace(/[`~]/g, '') === '')
        break;
    }
    // An unclosed fence (a page cut short) still ends as a closed block.
    if (j >= lines.length) code.push(fence);
    // Four-backtick fences of the 2018 pages become ordinary ``` fences.
    if (fence.length > 3 && fence[0] === '`') {
      code[0] = code[0].replace(/^`{4,}/, '```');
      code[code.length - 1] = '```';
    }
    parts.push({ text: code.join('\n'), code: true });
    i = j;
  }
  if (prose.length) parts.push({ text: prose.join('\n'), code: false });
  return parts;
}

/** Blank-line separated blocks, keeping an HTML block element together across blank lines. */
function segments(text: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let depth = 0;
  for (const block of text.split(/\n[ \t]*\n/)) {
    current.push(block);
    for (const m of block.matchAll(BLOCK_TAG)) depth += m[1] ? -1 : 1;
    if (depth <= 0) {
      out.push(current.join('\n\n'));
      current = [];
      depth = 0;
    }
  }
  if (current.length) out.push(current.join('\n\n'));
  return out;
}

/** Rewrite every Markdown link target `](url)` to an absolute URL. */
export function absolutizeLinks(markdown: string, pageDir?: string): string {
  return markdown.replace(
    /\]\(\s*<?([^)\s>]+)>?(\s+"[^"]*")?\s*\)/g,
    (_m, url: string, title: string | undefined) => `](${absoluteUrl(url, pageDir)}${title ?? ''})`,
  );
}

/**
 * One link target made absolute: "/windows-hardware/…" and docs.microsoft.com go to the public site,
 * "..\wdfio\nf-wdfio-x.md" and "nf-wdfio-x.md" to the public reference; other absolute URLs, anchors
 * and mail links are left alone.
 */
export function absoluteUrl(url: string, pageDir?: string): string {
  // node-html-markdown writes "_" in link targets as %5F (against emphasis); the docs never need it encoded.
  const href = url.trim().replace(/%5f/gi, '_');
  if (!href || href.startsWith('#') || /^mailto:/i.test(href)) return href;
  const docs = /^https?:\/\/(?:docs|learn)\.microsoft\.com(?:\/[a-z]{2}-[a-z]{2})?(\/.*)?$/i.exec(href);
  if (docs) return PUBLIC_SITE + (docs[1] ?? '/');
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return href;
  if (href.startsWith('/')) return PUBLIC_SITE + href.replace(/^\/[a-z]{2}-[a-z]{2}(?=\/)/i, '');
  const rel = href.replace(/\\/g, '/');
  const m = /^([^#?]*?)(?:\.md)?([#?].*)?$/.exec(rel)!;
  const target = m[1];
  const suffix = m[2] ?? '';
  // A bare "nf-wdfio-x" names its own folder; otherwise resolve against the page's folder.
  const stemDir = /(?:^|\/)n[cfse]-([a-z0-9]+)-[^/]*$/i.exec(target)?.[1];
  const dir = pageDir ?? stemDir;
  const base = PUBLIC_REFERENCE_BASE + (dir ? `${dir}/` : '');
  try {
    return new URL(target.toLowerCase() + suffix, base).href;
  } catch {
    return href;
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  mdash: '—',
  ndash: '–',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  hellip: '…',
  reg: '®',
  trade: '™',
  copy: '©',
};

/** Decode the HTML entities that occur in the docs (named ones above, decimal and hex). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * Plain text of docs text (HTML, Markdown or already plain) for the fact matchers: code blocks dropped,
 * list items on their own lines as "- item", links reduced to their text, emphasis markers removed.
 */
export function toPlainText(text: string): string {
  let t = text.replace(/\r\n?/g, '\n');
  t = t.replace(/```[\s\S]*?(```|$)/g, '\n').replace(/<pre[\s\S]*?<\/pre>/gi, '\n');
  t = t.replace(/<li\b[^>]*>/gi, '\n- ').replace(/<\/(p|div|li|ul|ol|dl|dt|dd|tr|table|h\d)>|<br\s*\/?>/gi, '\n');
  t = t.replace(/<\/?[a-zA-Z][^>]*>/g, '');
  t = decodeEntities(t);
  t = t.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
  t = t.replace(/\*\*|\*(?=\S)|(?<=\S)\*/g, '');
  t = t.replace(/(^|[\s(])_([^_\n]+?)_(?=[\s).,;:!?]|$)/g, '$1$2');
  t = t.replace(/`([^`\n]*)`/g, '$1');
  t = t.replace(/[ \t\u00a0]+/g, ' ');
  return t
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Rendered HTML page → text with one line per block element, for the rendered-page parser. */
export function htmlPageToText(html: string): string {
  let t = html.replace(/\r\n?/g, '\n');
  t = t.replace(/<(script|style|head|nav|footer)\b[\s\S]*?<\/\1>/gi, '').replace(/<!--[\s\S]*?-->|<![^>]*>/g, '');
  t = t.replace(
    /<pre\b[^>]*>([\s\S]*?)<\/pre>/gi,
    (_m, code: string) => '\n\n' + code.replace(/<[^>]+>/g, '') + '\n\n',
  );
  t = t.replace(/<(td|th)\b[^>]*>/gi, ' ').replace(/<li\b[^>]*>/gi, '\n• ');
  t = t.replace(
    /<\/(p|div|li|ul|ol|dl|dt|dd|tr|table|h\d|section|header|article)>|<(br|hr)\s*\/?>|<h\d\b[^>]*>/gi,
    '\n\n',
  );
  t = t.replace(/<\/?[a-zA-Z][^>]*>/g, '');
  t = decodeEntities(t);
  return t
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
}
