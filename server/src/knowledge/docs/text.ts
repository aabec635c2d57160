/**
 * Text handling shared by the docs parsers: docs-repository Markdown mixed with inline HTML becomes
 * plain Markdown, links become absolute public-reference URLs, and any of it can be flattened to plain
 * text for the contract-fact matchers.
 */
import type { NodeHtmlMarkdown } from 'node-html-markdown';
import { PUBLIC_REFERENCE_BASE } from '../types';
import { lookupTable } from '../../util/lookupTable';

const PUBLIC_SITE = 'https://learn.microsoft.com';

let converter: NodeHtmlMarkdown | undefined;

/**
 * The HTML converter, loaded when a page is first converted: only reading a docs folder needs it (the
 * server starts from the embedded catalog), and loading node-html-markdown with its HTML parser took
 * about 17 ms of every server start.
 */
function htmlConverter(): NodeHtmlMarkdown {
  if (!converter) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start-up
    const { NodeHtmlMarkdown: Converter } = require('node-html-markdown') as typeof import('node-html-markdown');
    // Escaping is off: the input is already Markdown with HTML islands, so `**x**` and `EVT_X_Y` in the
    // surrounding text must survive the round trip untouched.
    converter = new Converter({
      globalEscape: [/(?!)/g, ''],
      lineStartEscape: [/(?!)/g, ''],
      codeBlockStyle: 'fenced',
      maxConsecutiveNewlines: 2,
    });
  }
  return converter;
}

// Every pattern here runs on page text of any size, so each must be linear: a tag's attributes stop
// at the next `<` (`[^<>]*`, not `[^>]*`, which rescans to the end of the text from every `<` of a page
// that never closes one), and open…close pairs are found by `replaceElements`, not by a lazy `[\s\S]*?`.

/** Block-level tags whose content may span blank lines; a segment is not closed while one is open. */
const BLOCK_TAG = /<(\/?)(table|ul|ol|dl|div|pre|blockquote)\b[^<>]*>/gi;
const HAS_TAG = /<\/?[a-z][a-z0-9]*\b[^<>]*>/i;
const ANY_TAG = /<\/?[a-zA-Z][^<>]*>/g;
const FENCE = /^([ \t]*)(`{3,}|~{3,})/;

/**
 * The "[Applies to KMDF only]" banner as the docs repository writes it (the `<p>` is often never closed).
 * No leading `\s*` (it made every blank of a page a start that rescans the whole run) and a bounded
 * framework list (a page of "[Applies to " without "]" is not a banner).
 */
export const BANNER = /(?:<p\s+class="?CCE_Message"?\s*>\s*)?\[Applies to ([^\][\n]{1,200})\]\s*(?:<\/p>)?/i;

/**
 * Convert docs text (Markdown with inline HTML: `<i>`, `<b>`, `<a href>`, lists, tables, the old code
 * tables) to Markdown. Code blocks are kept as fenced blocks. Links are made absolute: root-relative
 * and docs.microsoft.com links go to the public site, repository-relative `.md` links to the public
 * reference (`pageDir` is the header folder of the page, used for links like `nf-wdfio-x.md`).
 */
export function htmlToMarkdown(html: string, pageDir?: string): string {
  const text = replaceCodeTables(html.replace(/\r\n?/g, '\n').replace(BANNERS, ''));
  const out: string[] = [];
  for (const part of splitFences(text)) {
    if (part.code) {
      out.push(part.text);
      continue;
    }
    for (const segment of segments(part.text)) {
      out.push(HAS_TAG.test(segment) ? convertHtml(segment).trim() : segment.trim());
    }
  }
  return absolutizeLinks(
    trimLineEnds(out.filter((s) => s.length > 0).join('\n\n'))
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    pageDir,
  );
}

const BANNERS = new RegExp(BANNER.source, 'gi');

/**
 * Limits for handing a segment to node-html-markdown, whose parser is quadratic in the tags of one
 * segment (and far worse in tags left open: 2,000 unclosed `<div>`s take seconds). The reference pages
 * stay well inside them (at most 160 tags, 7 KB and 2 unclosed elements in one segment); a segment
 * beyond them loses its markup instead: tags dropped, text kept.
 */
const MAX_CONVERTED_TAGS = 400;
const MAX_CONVERTED_LENGTH = 32 * 1024;
const MAX_UNCLOSED_ELEMENTS = 16;
/** Elements that need no closing tag (void, or closed by the next sibling). */
const SELF_CLOSING = new Set(
  'area base br col embed hr img input link meta source track wbr p li dt dd tr td th thead tbody tfoot option'.split(
    ' ',
  ),
);

function convertHtml(segment: string): string {
  if (segment.length <= MAX_CONVERTED_LENGTH) {
    let tags = 0;
    let unclosed = 0;
    const open = new Map<string, number>();
    for (const m of segment.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*>/g)) {
      if (++tags > MAX_CONVERTED_TAGS) break;
      const name = m[2].toLowerCase();
      if (SELF_CLOSING.has(name)) continue;
      const count = open.get(name) ?? 0;
      if (m[1]) {
        if (count > 0) unclosed--;
        open.set(name, Math.max(0, count - 1));
      } else {
        unclosed++;
        open.set(name, count + 1);
      }
    }
    if (tags <= MAX_CONVERTED_TAGS && unclosed <= MAX_UNCLOSED_ELEMENTS) {
      try {
        return htmlConverter().translate(segment);
      } catch {
        // The library throws on some markup (an attribute named like an Object member, `<a toString>`):
        // the segment then loses its markup like an oversized one.
      }
    }
  }
  return decodeEntities(segment.replace(ANY_TAG, ' ')).replace(/[ \t]{2,}/g, ' ');
}

/** Each line without its trailing spaces and tabs (`/[ \t]+$/gm` is quadratic on a long run of blanks). */
export function trimLineEnds(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let end = line.length;
      while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
      return end === line.length ? line : line.slice(0, end);
    })
    .join('\n');
}

/**
 * Replace every `open … close` element in one left-to-right pass, as `/open[\s\S]*?close/g` would.
 * A close that is missing after one opener is missing after every later one too, so it is remembered
 * instead of searched for again from each opener (the regex form is quadratic on unclosed tags).
 * `open` must be global; `close` is the literal closing text for that opener (matched ignoring case).
 */
export function replaceElements(
  text: string,
  open: RegExp,
  close: (opened: RegExpExecArray) => string,
  replace: (inner: string, whole: string, opened: RegExpExecArray) => string,
): string {
  const out: string[] = [];
  const missing = new Set<string>();
  let copied = 0;
  open.lastIndex = 0;
  for (let m = open.exec(text); m; m = open.exec(text)) {
    const closing = close(m).toLowerCase();
    if (missing.has(closing)) continue;
    const finder = new RegExp(closing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    finder.lastIndex = m.index + m[0].length;
    const end = finder.exec(text);
    if (!end) {
      missing.add(closing);
      continue;
    }
    const whole = text.slice(m.index, end.index + end[0].length);
    out.push(text.slice(copied, m.index), replace(text.slice(m.index + m[0].length, end.index), whole, m));
    copied = end.index + end[0].length;
    open.lastIndex = copied;
  }
  out.push(text.slice(copied));
  return out.join('');
}

/** The old pages wrap example code in `<div class="code">…<table>…<pre>` ; turn each into a fenced block. */
function replaceCodeTables(text: string): string {
  return replaceElements(
    text,
    /<div\s+class="?code"?[^<>]*>/gi,
    () => '</div>',
    (inner, whole) => {
      const pres: string[] = [];
      replaceElements(
        inner,
        /<pre[^<>]*>/gi,
        () => '</pre>',
        (code) => {
          pres.push(decodeEntities(code.replace(/<[^<>]+>/g, '')));
          return '';
        },
      );
      if (!pres.length) return whole;
      return '\n\n' + pres.map((code) => '```\n' + code.replace(/\n+$/, '') + '\n```').join('\n\n') + '\n\n';
    },
  );
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
      code.push(lines[j].trimEnd());
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

/**
 * Rewrite every Markdown link target `](url)` to an absolute URL. A target stops at `]`, `[` and `<`
 * (never part of a URL), so a page of repeated `](` is one short try per `](`, not a rescan to the end.
 */
export function absolutizeLinks(markdown: string, pageDir?: string): string {
  return markdown.replace(
    /\]\(\s*<?([^()\s<>[\]]+(?:\([^()\s<>[\]]*\)[^()\s<>[\]]*)*)>?(\s+"[^"\n]*")?\s*\)/g,
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

const ENTITIES: Readonly<Record<string, string>> = lookupTable({
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
});

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
  t = t.replace(/```[\s\S]*?(```|$)/g, '\n');
  t = replaceElements(
    t,
    /<pre/gi,
    () => '</pre>',
    () => '\n',
  );
  t = t.replace(/<li\b[^<>]*>/gi, '\n- ').replace(/<\/(p|div|li|ul|ol|dl|dt|dd|tr|table|h\d)>|<br\s*\/?>/gi, '\n');
  t = t.replace(ANY_TAG, '');
  t = decodeEntities(t);
  // Link text and target stop at the next bracket, so each `[` is tried once.
  t = t.replace(/!?\[([^[\]]*)\]\([^)[\]]*\)/g, '$1');
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
  t = replaceElements(
    t,
    /<(script|style|head|nav|footer)\b/gi,
    (m) => `</${m[1]}>`,
    () => '',
  );
  t = replaceElements(
    t,
    /<!--/g,
    () => '-->',
    () => '',
  ).replace(/<![^<>]*>/g, '');
  t = replaceElements(
    t,
    /<pre\b[^<>]*>/gi,
    () => '</pre>',
    (code) => '\n\n' + code.replace(/<[^<>]+>/g, '') + '\n\n',
  );
  t = t.replace(/<(td|th)\b[^<>]*>/gi, ' ').replace(/<li\b[^<>]*>/gi, '\n• ');
  t = t.replace(
    /<\/(p|div|li|ul|ol|dl|dt|dd|tr|table|h\d|section|header|article)>|<(br|hr)\s*\/?>|<h\d\b[^<>]*>/gi,
    '\n\n',
  );
  t = t.replace(ANY_TAG, '');
  t = decodeEntities(t);
  return t
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trimEnd())
    .join('\n')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
}
