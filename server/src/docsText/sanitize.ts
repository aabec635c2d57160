/**
 * Making untrusted text safe to show. Documentation pages (a docs folder anyone can fill, an online
 * mirror, a planted cache file) and names from source files end up in hover Markdown, which LSP clients
 * render with whatever trust they like: our VS Code client trusts one command (opening the settings, for our own
 * "set kmdf.docs.path" link) and no HTML, other clients may
 * not. So the server sends Markdown in which the only live constructs are the ones we allow:
 *
 * - links only to `https://learn.microsoft.com` (relative targets resolved against the reference);
 *   any other link, image, autolink or bare URL is plain text;
 * - no raw HTML: every `<` outside code is `&lt;` (so a decoded `&lt;script&gt;` stays text);
 * - no link definitions, reference links or footnotes: a bracket we did not emit is escaped;
 * - code fences balanced (``` and ~~~), and code kept verbatim;
 * - no terminal or C1 control characters.
 *
 * Why a hand-written pass and not markdown-it or mdast: the input and the output are both Markdown.
 * markdown-it renders HTML and has no Markdown serializer; an mdast round trip (from-markdown,
 * to-markdown) re-serialises every hover (list markers, escapes of each `_` and `*`), changing all of
 * our own layout. Here escaping is the only operation on text, an escaped character always renders
 * as itself, and each line is scanned once with its brackets and backtick runs matched from a table,
 * so the pass is linear in the input.
 */
import { PUBLIC_REFERENCE_BASE } from '../knowledge/types';
import { lookupTable } from '../util/lookupTable';

/** The one host hover links may point to. */
export const REFERENCE_HOST = new URL(PUBLIC_REFERENCE_BASE).hostname;
/** A link target longer than this is not a reference link (and bounds the work per `](`). */
const MAX_TARGET_LENGTH = 2048;

/**
 * The text without terminal control characters: C0 (ESC, BEL, BS, CR, …) except line feed and tab,
 * DEL, and C1 (U+0080–U+009F, which include CSI and OSC). A CR LF pair or a lone CR becomes a line feed.
 */
export function stripControlCharacters(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Backslash-escape the characters of a name that Markdown would read as markup. */
export function escapeMarkdownText(text: string): string {
  return stripControlCharacters(text).replace(/[\\`*[\]<>!|~&#]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_/g, '\\$&');
}

/** A link target as a client would follow it, when it stays on the reference site; else undefined. */
export function allowedLinkTarget(target: string): string | undefined {
  const decoded = decodeTarget(target).trim();
  if (!decoded || decoded.startsWith('#')) return undefined;
  let url: URL;
  try {
    url = new URL(decoded, PUBLIC_REFERENCE_BASE);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname !== REFERENCE_HOST || url.username || url.password || url.port)
    return undefined;
  // Emitted as we built it: parentheses, brackets and `&` encoded so the client reads the same URL back.
  return url.href
    .replace(/[()[\]<>"'`\s]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
    .replace(/&/g, '&amp;');
}

/** Backslash escapes and character references decoded, as a Markdown renderer reads a link target. */
function decodeTarget(target: string): string {
  return target
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, body: string) => {
      if (body[0] !== '#') return NAMED[body.toLowerCase()] ?? whole;
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '\uFFFD';
    });
}

/** The named references that can spell a scheme, a host or a path separator. */
const NAMED: Readonly<Record<string, string>> = lookupTable({
  amp: '&',
  colon: ':',
  sol: '/',
  bsol: '\\',
  period: '.',
  commat: '@',
  num: '#',
  quest: '?',
  tab: '\t',
  newline: '\n',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  lpar: '(',
  rpar: ')',
});

interface Fence {
  char: '`' | '~';
  length: number;
  /** Columns of indentation of the opening line; a line indented less ends the block for us. */
  indent: number;
}

/** An opening fence: at most three spaces, three or more backticks (no backtick after) or tildes. */
function openingFence(line: string): Fence | undefined {
  const m = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
  if (!m) return undefined;
  const char = m[2][0] as '`' | '~';
  if (char === '`' && m[3].includes('`')) return undefined;
  return { char, length: m[2].length, indent: m[1].length };
}

function closesFence(line: string, fence: Fence): boolean {
  const t = line.trim();
  return t.length >= fence.length && [...t].every((c) => c === fence.char);
}

/**
 * The hover Markdown made safe for any client (see the file comment). Our own layout (bold, lists,
 * code spans and fences, links to the reference site) passes unchanged.
 */
export function sanitizeHoverMarkdown(markdown: string): string {
  const lines = stripControlCharacters(markdown).split('\n');
  const out: string[] = [];
  let fence: Fence | undefined;
  for (const line of lines) {
    if (fence) {
      if (closesFence(line, fence)) {
        out.push(line);
        fence = undefined;
        continue;
      }
      // Inside a list item a less indented line ends the item and its code block: from here on the
      // text is prose to us, so nothing a client might render is left unescaped.
      if (fence.indent > 0 && line.trim() && indentOf(line) < fence.indent) fence = undefined;
      else {
        out.push(line);
        continue;
      }
    }
    const open = openingFence(line);
    if (open) {
      fence = open;
      // The info string names a language; nothing else belongs there.
      out.push(
        line.slice(0, open.indent + open.length) + line.slice(open.indent + open.length).replace(/[^\w+.#-]/g, ''),
      );
      continue;
    }
    out.push(sanitizeInline(line, true));
  }
  if (fence) out.push(' '.repeat(fence.indent) + fence.char.repeat(fence.length));
  return out.join('\n');
}

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && line[n] === ' ') n++;
  return line[n] === '\t' ? Number.MAX_SAFE_INTEGER : n;
}

/**
 * One line of prose. Tokens first (escapes, backtick runs, brackets), then code spans (a run closed
 * by the next run of the same length), then brackets matched with a stack: each character is looked
 * at a bounded number of times.
 */
function sanitizeInline(line: string, linksAllowed: boolean): string {
  const n = line.length;
  /** Index of the closing backtick run for an opening one, or of the matching `]` for a `[`. */
  const partner = new Int32Array(n).fill(-1);
  const runLength = new Int32Array(n);
  const inCode = new Uint8Array(n);
  // Backtick runs (an escaped backtick is not a run), paired by length, left to right.
  const runs: { at: number; length: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] !== '`') continue;
    let j = i;
    while (j < n && line[j] === '`') j++;
    runs.push({ at: i, length: j - i });
    runLength[i] = j - i;
    i = j - 1;
  }
  // A run opens a code span closed by the next run of the same length (CommonMark); the next run of
  // each length is found from a right-to-left table. An unmatched run is escaped when emitted, so a
  // client never pairs runs differently from us.
  const nextSame = new Int32Array(runs.length).fill(-1);
  const seen = new Map<number, number>();
  for (let k = runs.length - 1; k >= 0; k--) {
    nextSame[k] = seen.get(runs[k].length) ?? -1;
    seen.set(runs[k].length, k);
  }
  for (let k = 0; k < runs.length; k++) {
    const close = nextSame[k];
    if (close < 0) continue;
    partner[runs[k].at] = runs[close].at;
    inCode.fill(1, runs[k].at, runs[close].at + runs[close].length);
    k = close;
  }
  // Brackets outside code, matched with a stack.
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    if (inCode[i]) continue;
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '[') stack.push(i);
    else if (c === ']' && stack.length) partner[stack.pop()!] = i;
  }
  return emit(line, 0, n, partner, runLength, inCode, linksAllowed);
}

function emit(
  line: string,
  from: number,
  to: number,
  partner: Int32Array,
  runLength: Int32Array,
  inCode: Uint8Array,
  linksAllowed: boolean,
): string {
  const out: string[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push(neutraliseBareLinks(plain));
    plain = '';
  };
  for (let i = from; i < to; i++) {
    const c = line[i];
    if (inCode[i] && runLength[i] && partner[i] >= 0) {
      // A code span: verbatim, it renders as code.
      const end = partner[i] + runLength[i];
      flush();
      out.push(line.slice(i, end));
      i = end - 1;
      continue;
    }
    if (c === '\\' && i + 1 < to) {
      plain += c + line[i + 1];
      i++;
      continue;
    }
    if (c === '`') {
      // An unmatched run is literal; escaping keeps it so whatever follows.
      plain += '\\`';
      continue;
    }
    const image = c === '!' && line[i + 1] === '[' && i + 1 < to;
    const open = image ? i + 1 : c === '[' ? i : -1;
    if (open >= 0 && partner[open] >= 0 && partner[open] < to) {
      const close = partner[open];
      const target = line[close + 1] === '(' ? linkTarget(line, close + 2, to) : undefined;
      if (target) {
        const text = emit(line, open + 1, close, partner, runLength, inCode, false);
        const href = linksAllowed ? allowedLinkTarget(target.href) : undefined;
        flush();
        if (href && !image) out.push(`[${text}](${href})`);
        else if (href && image) out.push(`![${text}](${href})`);
        // Anything else keeps its text and loses the link.
        else out.push(text);
        i = target.end - 1;
        continue;
      }
    }
    if (c === '<') plain += '&lt;';
    else if (c === '[' || c === ']') plain += '\\' + c;
    else if (c === '!' && line[i + 1] === '[') plain += '\\!';
    else plain += c;
  }
  flush();
  return out.join('');
}

/** `(target "title")` after `]`: the target and where the link ends, within `MAX_TARGET_LENGTH`. */
function linkTarget(line: string, start: number, to: number): { href: string; end: number } | undefined {
  let i = start;
  while (i < to && (line[i] === ' ' || line[i] === '\t')) i++;
  let href: string;
  const limit = Math.min(to, i + MAX_TARGET_LENGTH);
  if (line[i] === '<') {
    let close = i + 1;
    while (close < limit && line[close] !== '>' && line[close] !== '<') close++;
    if (close >= limit || line[close] !== '>') return undefined;
    href = line.slice(i + 1, close);
    i = close + 1;
  } else {
    let depth = 0;
    const begin = i;
    for (; i < limit; i++) {
      const c = line[i];
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ' ' || c === '\t') break;
    }
    if (i >= limit) return undefined;
    href = line.slice(begin, i);
  }
  while (i < to && (line[i] === ' ' || line[i] === '\t')) i++;
  // An optional title, dropped.
  const quote = line[i];
  if (quote === '"' || quote === "'") {
    let close = i + 1;
    const titleLimit = Math.min(to, i + MAX_TARGET_LENGTH);
    while (close < titleLimit && line[close] !== quote) close++;
    if (close >= titleLimit) return undefined;
    i = close + 1;
    while (i < to && (line[i] === ' ' || line[i] === '\t')) i++;
  }
  if (line[i] !== ')') return undefined;
  return { href, end: i + 1 };
}

/**
 * Bare URLs and e-mail addresses that GFM clients turn into links: kept as text, with the `:` of a
 * scheme, the `.` after `www` and the `@` escaped so no autolinker sees them. Links to the reference
 * site stay as they are.
 */
function neutraliseBareLinks(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]{0,31}):(?=\/\/)|\b(www)\.|@/gi,
    (whole, scheme: string | undefined, www: string | undefined, at: number) => {
      if (scheme) {
        const rest = /^[^\s<>()[\]]*/.exec(text.slice(at, at + MAX_TARGET_LENGTH))![0];
        return /^https$/i.test(scheme) && allowedLinkTarget(rest) ? whole : `${scheme}\\:`;
      }
      if (www) return `${www}\\.`;
      return '\\@';
    },
  );
}
