/**
 * Blanking beyond SAL (sal.ts): constructs of real driver sources that the C grammar reads as
 * ERROR nodes and that carry nothing the model needs. Everything is replaced by spaces of the
 * same length (newlines kept), so offsets, lines and columns stay those of the original text.
 *
 * - `#ifdef __cplusplus` / `extern "C" {` / `#endif` … `}` pairs: the brace opened in one
 *   conditional block and closed in another swallows the rest of the header into one node.
 * - File-scope macro invocations with no `;` after them (`WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(X, Y)`):
 *   otherwise they glue onto the next declaration.
 */
import { blankAnnotations, type BlankedSource } from './sal';
import type { GrammarId } from './treeSitter';

/** SAL blanking, then the driver-specific blanking above. */
export function blankSource(source: string, language: GrammarId): BlankedSource {
  const sal = blankAnnotations(source);
  const chars = sal.text.split('');
  blankCplusplusGuards(sal.text, chars, language);
  blankFileScopeMacroLines(chars.join(''), chars);
  return { text: chars.join(''), annotations: sal.annotations };
}

function blankRange(chars: string[], start: number, end: number): void {
  for (let i = start; i < end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
}

interface Line {
  start: number;
  end: number;
  text: string;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      out.push({ start, end: i, text: text.slice(start, i) });
      start = i + 1;
    }
  }
  return out;
}

const CPLUSPLUS_OPEN = /^\s*#\s*(ifdef\s+__cplusplus\b|if\s+defined\s*\(?\s*__cplusplus\b)/;
const CONDITIONAL_OPEN = /^\s*#\s*if/;
const CONDITIONAL_ELSE = /^\s*#\s*(else|elif)\b/;
const CONDITIONAL_END = /^\s*#\s*endif\b/;

/**
 * In C, blank the inside of `#ifdef __cplusplus` blocks (the compiler never sees them either).
 * In C++, blank only `extern "C" {` and lone `}` lines inside them: the braces pair across blocks.
 */
function blankCplusplusGuards(text: string, chars: string[], language: GrammarId): void {
  const lines = linesOf(text);
  // Stack of open conditionals: whether each one is a live `__cplusplus` branch.
  const stack: boolean[] = [];
  for (const line of lines) {
    const t = line.text;
    if (CPLUSPLUS_OPEN.test(t)) {
      stack.push(true);
      continue;
    }
    if (CONDITIONAL_OPEN.test(t)) {
      stack.push(false);
      continue;
    }
    if (CONDITIONAL_ELSE.test(t)) {
      if (stack.length) stack[stack.length - 1] = false;
      continue;
    }
    if (CONDITIONAL_END.test(t)) {
      stack.pop();
      continue;
    }
    if (!stack.includes(true)) continue;
    if (language === 'c') blankRange(chars, line.start, line.end);
    else if (/^\s*(extern\s+"C"\s*\{|\})\s*(\/\/.*)?$/.test(t)) blankRange(chars, line.start, line.end);
  }
}

/**
 * Blank `NAME(args)` at brace depth 0 when NAME is upper case and nothing but a line break or a
 * comment follows the closing parenthesis (a macro that expands to declarations).
 */
function blankFileScopeMacroLines(text: string, chars: string[]): void {
  let depth = 0;
  let lineStart = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      lineStart = true;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipLiteral(text, i);
      lineStart = false;
      continue;
    }
    if (ch === '\n') {
      lineStart = true;
      continue;
    }
    if (lineStart && ch === '#') {
      while (i < n && text[i] !== '\n') {
        if (text[i] === '\\' && text[i + 1] === '\n') i++;
        i++;
      }
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    if (lineStart && depth === 0 && /[A-Z_]/.test(ch)) {
      const m = /^[A-Z_][A-Z0-9_]*(?=\s*\()/.exec(text.slice(i, i + 128));
      if (m) {
        const open = text.indexOf('(', i + m[0].length);
        const close = matchParen(text, open);
        if (close > 0 && restOfLineIsEmpty(text, close + 1)) {
          blankRange(chars, i, close + 1);
          i = close;
          lineStart = false;
          continue;
        }
      }
    }
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') lineStart = false;
  }
}

/** Nothing but spaces or a comment until the end of the line, and the next code does not start with `;`, `{` or `,`. */
function restOfLineIsEmpty(text: string, from: number): boolean {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  if (text.startsWith('//', i)) {
    while (i < text.length && text[i] !== '\n') i++;
  }
  if (i < text.length && text[i] !== '\n') return false;
  // The declaration may continue on the next line (`FOO(x)\n{`): look at the next code character.
  let j = i;
  for (;;) {
    while (j < text.length && /\s/.test(text[j])) j++;
    if (text.startsWith('//', j)) {
      while (j < text.length && text[j] !== '\n') j++;
      continue;
    }
    if (text.startsWith('/*', j)) {
      const close = text.indexOf('*/', j + 2);
      j = close < 0 ? text.length : close + 2;
      continue;
    }
    break;
  }
  return j >= text.length || !/[;{,=)]/.test(text[j]);
}

function skipLiteral(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') {
    if (text[i] === '\\') i++;
    i++;
  }
  return i;
}

function matchParen(text: string, open: number): number {
  if (open < 0) return -1;
  let depth = 0;
  const limit = Math.min(text.length, open + 8192);
  for (let i = open; i < limit; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipLiteral(text, i);
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
