/**
 * The C lexical walk shared by the text pre-passes (sal.ts, prepass.ts): visit the code of a
 * source text, passing over comments, string and char literals and preprocessor lines, without
 * building a token list. One forward pass; a visitor may jump ahead past text it consumed.
 */

/** One piece of code outside comments, literals and preprocessor lines. */
export interface CodeToken {
  /**
   * `identifier`: a whole name (`[A-Za-z_][A-Za-z0-9_]*` not preceded by a name character).
   * `char`: any other character that is not a blank (space, tab, CR, LF), one at a time,
   * including digits and the rest of a name the visitor resumed in the middle of.
   */
  kind: 'identifier' | 'char';
  /** The name, or the single character. */
  text: string;
  start: number;
  /** Exclusive end. */
  end: number;
  /** Whether only blanks and block comments precede the token on its line. */
  lineStart: boolean;
}

/**
 * Called for each token in source order; the token object is reused for the next one, so copy
 * what must outlive the call. Return an index past `token.start` to resume the walk
 * there (it does not look at what it jumps over, line breaks included), or nothing to go on
 * right after the token.
 */
export type CodeVisitor = (token: CodeToken) => number | void;

// Character codes compared with charCodeAt(): plain numbers, not an enum type.
const Ch = {
  Tab: 9,
  LineFeed: 10,
  CarriageReturn: 13,
  Space: 32,
} as const;

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 48 && code <= 57);
}

/**
 * Walk the code of `text`, calling `visit` for every identifier and every other non-blank
 * character outside `//` and `/* *\/` comments, `"…"` and `'…'` literals, and preprocessor lines
 * (a `#` first on its line after blanks or block comments, with backslash-newline continuations).
 */
export function scanCode(text: string, visit: CodeVisitor): void {
  const n = text.length;
  const token: CodeToken = { kind: 'char', text: '', start: 0, end: 0, lineStart: true };
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      // The line break after the comment is read next and starts a new line.
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      // A block comment leaves `lineStart` as it was: `/* x */ #if` is still a directive.
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = literalEnd(text, i);
      lineStart = false;
      continue;
    }
    const code = text.charCodeAt(i);
    if (code === Ch.LineFeed) {
      lineStart = true;
      i++;
      continue;
    }
    if (lineStart && ch === '#') {
      while (i < n && text[i] !== '\n') {
        if (text[i] === '\\' && text[i + 1] === '\n') i++;
        i++;
      }
      continue;
    }
    if (code === Ch.Space || code === Ch.Tab || code === Ch.CarriageReturn) {
      i++;
      continue;
    }
    const atLineStart = lineStart;
    lineStart = false;
    let end = i + 1;
    let kind: CodeToken['kind'] = 'char';
    if (isNameStart(code) && (i === 0 || !isNameChar(text.charCodeAt(i - 1)))) {
      kind = 'identifier';
      while (end < n && isNameChar(text.charCodeAt(end))) end++;
    }
    // One token object for the whole walk: a visitor reads it during the call and keeps nothing.
    token.kind = kind;
    token.text = kind === 'char' ? ch : text.slice(i, end);
    token.start = i;
    token.end = end;
    token.lineStart = atLineStart;
    const resumeAt = visit(token);
    // Never step back or stay: the walk is one forward pass.
    i = typeof resumeAt === 'number' && resumeAt > i ? resumeAt : end;
  }
}

/**
 * Index just past the string or char literal whose opening quote is at `quoteIndex`. An
 * unterminated literal stops at the end of its line (the line break counts as its last
 * character) or of the text; a backslash escapes the next character, line break included.
 */
export function literalEnd(text: string, quoteIndex: number): number {
  const quote = text[quoteIndex];
  let i = quoteIndex + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') {
    if (text[i] === '\\') i++;
    i++;
  }
  return i + 1;
}

/**
 * Index of the `)` matching the `(` at `open`, skipping literals, or -1 when there is none within
 * `maxSpan` characters (past that it is a stray parenthesis, not a macro's argument list).
 */
export function matchParen(text: string, open: number, maxSpan: number): number {
  if (open < 0) return -1;
  let depth = 0;
  const limit = Math.min(text.length, open + maxSpan);
  for (let i = open; i < limit; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = literalEnd(text, i) - 1;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** A stretch of text to blank (spaces, line breaks kept) or to replace by a same-length `text`. */
export interface TextPatch {
  start: number;
  end: number;
  text?: string;
}

/**
 * `text` with the patches applied, each range blanked to spaces except for its line breaks (or
 * replaced by its same-length text). Patches may come in any order and overlap; offsets never
 * move. One pass of slices, which matters on every keystroke of a large file.
 */
export function applyPatches(text: string, patches: TextPatch[]): string {
  if (patches.length === 0) return text;
  const sorted = [...patches].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let at = 0;
  for (const patch of sorted) {
    const start = Math.max(patch.start, at);
    if (patch.end <= start) continue;
    parts.push(text.slice(at, start));
    parts.push(
      patch.text !== undefined && start === patch.start
        ? patch.text
        : text.slice(start, patch.end).replace(/[^\r\n]/g, ' '),
    );
    at = patch.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
