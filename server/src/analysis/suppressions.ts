/**
 * Suppressions written in a source file: our own `// kmdf-ignore` comments, and the pragmas drivers
 * already carry for Code Analysis — `#pragma warning(suppress: 28121)`, `#pragma warning(disable: …)`
 * up to `default`/`pop`, `#pragma prefast(suppress: 28121, "why")`. The model keeps the warning
 * numbers; the engine silences the rules that mirror them (RuleMeta.mirrors.codeAnalysis).
 * Pure text work: nothing here needs the tree beyond the comment nodes it is handed.
 */
import type { Node } from 'web-tree-sitter';
import type { CommentSuppression, WarningSuppression } from './model';
import type { LineIndex } from '../syntax/positions';
import { lookupTable } from '../util/lookupTable';

// ---------------------------------------------------------------------------------------------
// kmdf-ignore comments

const RULE_TOKEN = /^([A-Z]{2,}\d+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)$/;

/**
 * `// kmdf-ignore KMDF1001, KMDF1002 -- reason` (next/this line) and `// kmdf-ignore-file KMDF1001`.
 * Rule ids are read up to the first word that is not one; no id means every rule.
 */
export function commentSuppressions(
  comments: Node[],
  textOf: (n: Node) => string,
  lines: LineIndex,
): CommentSuppression[] {
  const out: CommentSuppression[] = [];
  for (const c of comments) {
    const body = textOf(c)
      .replace(/^\/\/|^\/\*|\*\/$/g, '')
      .trim();
    const m = /^kmdf-ignore(-file)?(?![\w-])(.*)$/s.exec(body);
    if (!m) continue;
    const rules: string[] = [];
    for (const token of m[2].split(/[\s,]+/).filter(Boolean)) {
      if (!RULE_TOKEN.test(token)) break;
      rules.push(token);
    }
    out.push({ line: lines.positionAt(c.startIndex).line, rules, file: !!m[1] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Code Analysis pragmas

/**
 * The `__WARNING_…` names PREfast pragmas may use instead of a number, for the warnings our rules
 * mirror (names as the Code Analysis pages and the WDK's CodeQL suppression library spell them).
 * A name missing here is ignored, as is any name of a warning no rule mirrors.
 */
export const WARNING_NAMES: Readonly<Record<string, number>> = lookupTable({
  __WARNING_IRQ_TOO_HIGH: 28121,
  __WARNING_PROTOTYPE_MISMATCH: 28127,
  __WARNING_NO_PAGED_CODE: 28170,
  __WARNING_MULTIPLE_PAGED_CODE: 28171,
  __WARNING_NO_PAGING_SEGMENT: 28172,
  __WARNING_FUNCTION_TYPE_REDECLARATION: 28208,
});

/** A `suppress` applies to the statement that starts on the next code line, followed this many lines at most. */
const MAX_STATEMENT_LINES = 30;

type PragmaKind = WarningSuppression['pragma'];

/** One kind of pragma's state: the warnings disabled now (with the line their range starts on) and the push stack. */
interface DisableState {
  disabled: Map<number, number>;
  stack: Map<number, number>[];
}

/**
 * The line ranges `#pragma warning(…)` and `#pragma prefast(…)` silence, in the order they start.
 * `suppress` covers the statement that starts on the next line holding code (blank lines, comments
 * and further warning pragmas are skipped, so stacked suppressions add up); `disable` covers the
 * lines after it up to a `default` (or a level, `error` or `once` specifier) for that warning, the
 * `pop` that restores an earlier state, or the end of the file. `warning` and `prefast` pragmas keep
 * separate push stacks, as the compiler does.
 */
export function pragmaSuppressions(text: string, lines: LineIndex): WarningSuppression[] {
  if (!/#[ \t]*pragma[ \t]+(warning|prefast)\b/.test(text)) return [];
  const code = codeLines(text, lines);
  const lastLine = code.length - 1;
  const out: WarningSuppression[] = [];
  const states: Record<PragmaKind, DisableState> = {
    warning: { disabled: new Map(), stack: [] },
    prefast: { disabled: new Map(), stack: [] },
  };
  const close = (pragma: PragmaKind, warning: number, from: number, to: number, line: number) => {
    if (to >= from) out.push({ pragma, kind: 'disable', warnings: [warning], line, fromLine: from, toLine: to });
  };
  const disableLine = new Map<string, number>();
  /** `suppress` lists waiting for the next code line. */
  let pending: { pragma: PragmaKind; warnings: number[]; line: number }[] = [];

  for (let i = 0; i < code.length; i++) {
    const { text: lineText, continued } = joinContinued(code, i);
    const pragma = parsePragma(lineText);
    if (pragma) {
      const state = states[pragma.kind];
      for (const spec of pragma.specifiers) {
        if (spec.name === 'suppress') {
          if (spec.warnings.length) pending.push({ pragma: pragma.kind, warnings: spec.warnings, line: i });
        } else if (spec.name === 'disable') {
          for (const w of spec.warnings) {
            if (state.disabled.has(w)) continue;
            state.disabled.set(w, i + continued + 1);
            disableLine.set(`${pragma.kind}:${w}`, i);
          }
        } else if (spec.name === 'push') {
          state.stack.push(new Map(state.disabled));
        } else if (spec.name === 'pop') {
          const restored = state.stack.pop();
          if (!restored) continue;
          for (const [w, from] of state.disabled) {
            if (!restored.has(w)) close(pragma.kind, w, from, i - 1, disableLine.get(`${pragma.kind}:${w}`) ?? i);
          }
          const next = new Map<number, number>();
          for (const w of restored.keys()) next.set(w, state.disabled.get(w) ?? i + continued + 1);
          state.disabled = next;
        } else if (REENABLING.test(spec.name)) {
          for (const w of spec.warnings) {
            const from = state.disabled.get(w);
            if (from === undefined) continue;
            close(pragma.kind, w, from, i - 1, disableLine.get(`${pragma.kind}:${w}`) ?? i);
            state.disabled.delete(w);
          }
        }
      }
      i += continued;
      continue;
    }
    if (!pending.length || !code[i].trim()) {
      i += continued;
      continue;
    }
    const end = statementEnd(code, i);
    for (const p of pending)
      out.push({ pragma: p.pragma, kind: 'suppress', warnings: p.warnings, line: p.line, fromLine: i, toLine: end });
    pending = [];
    i += continued;
  }
  for (const kind of ['warning', 'prefast'] as const) {
    for (const [w, from] of states[kind].disabled)
      close(kind, w, from, lastLine, disableLine.get(`${kind}:${w}`) ?? from);
  }
  return out.sort((a, b) => a.fromLine - b.fromLine || a.line - b.line);
}

/** Specifiers after which a disabled warning is reported again: `default`, a level 1–4, `error`, `once`. */
const REENABLING = /^(default|[1-4]|error|once)$/;

interface ParsedPragma {
  kind: PragmaKind;
  specifiers: { name: string; warnings: number[] }[];
}

/**
 * `#pragma warning(disable: 4507 28121; once: 4385)`, `#pragma warning(push, 3)`,
 * `#pragma prefast(suppress: __WARNING_NO_PAGED_CODE 28171, "justification")`. String literals
 * (justifications) are dropped; a token that is neither a number nor a known `__WARNING_` name is ignored.
 */
export function parsePragma(line: string): ParsedPragma | undefined {
  if (!line.includes('#')) return undefined;
  const m = /^\s*#\s*pragma\s+(warning|prefast)\s*\((.*)\)\s*;?\s*$/s.exec(line);
  if (!m) return undefined;
  const body = m[2].replace(/L?"(?:[^"\\\n]|\\.)*"/g, ' ');
  const specifiers: ParsedPragma['specifiers'] = [];
  for (const part of body.split(';')) {
    const spec = /^\s*([A-Za-z_]\w*|\d)\s*(?::([\s\S]*)|,[\s\S]*)?$/.exec(part);
    if (!spec) continue;
    const name = spec[1].toLowerCase();
    // `push, 3` keeps only the push; the level is a compiler matter.
    const list = name === 'push' || name === 'pop' ? '' : (spec[2] ?? '');
    const warnings: number[] = [];
    for (const token of list.split(/[\s,]+/).filter(Boolean)) {
      const n = /^C?(\d+)$/i.exec(token)?.[1];
      const value = n !== undefined ? Number(n) : WARNING_NAMES[token];
      if (value !== undefined && !warnings.includes(value)) warnings.push(value);
    }
    specifiers.push({ name, warnings });
  }
  return { kind: m[1] as PragmaKind, specifiers };
}

/** A line with its `\`-continued successors joined, and how many lines were joined. */
function joinContinued(code: string[], i: number): { text: string; continued: number } {
  let text = code[i];
  let continued = 0;
  // Most lines hold no backslash at all (asked for every line of the file).
  if (!text.includes('\\')) return { text, continued };
  while (/\\\s*$/.test(text) && i + continued + 1 < code.length) {
    continued++;
    text = text.replace(/\\\s*$/, ' ') + code[i + continued];
  }
  return { text, continued };
}

/**
 * The last line of the statement or declaration starting on line `start`: up to its `;` outside
 * parentheses, or the `{` or `}` that opens or closes a block (a function header, `if (…) {`), or the
 * end of a preprocessor line.
 */
function statementEnd(code: string[], start: number): number {
  if (/^\s*#/.test(code[start])) return start;
  let depth = 0;
  for (let l = start; l < code.length && l < start + MAX_STATEMENT_LINES; l++) {
    for (const ch of code[l]) {
      if (ch === '(' || ch === '[') depth++;
      else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
      else if (depth === 0 && (ch === ';' || ch === '{' || ch === '}')) return l;
    }
  }
  return start;
}

/**
 * Each line of the text with its comments blanked out (string and character literals kept), so
 * that a `#pragma` inside a comment is not read and a comment-only line counts as blank.
 */
export function codeLines(text: string, lines: LineIndex): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (let l = 0; l < lines.lineCount; l++) {
    const start = lines.lineStart(l);
    const end = l + 1 < lines.lineCount ? lines.lineStart(l + 1) : text.length;
    // Without its line break (`\n`, `\r\n` or a lone `\r`).
    let to = end;
    if (to > start && text.charCodeAt(to - 1) === 0x0a) to--;
    if (to > start && text.charCodeAt(to - 1) === 0x0d) to--;
    const raw = text.slice(start, to);
    // Outside a block comment, a line without a slash opens no comment: it is its own code (most lines).
    if (!inBlock && !raw.includes('/')) {
      out.push(raw);
      continue;
    }
    const scanned = blankLineComments(raw, inBlock);
    inBlock = scanned.inBlock;
    out.push(scanned.line);
  }
  return out;
}

/**
 * One line with its comments blanked (string and character literals kept, their quotes closing at
 * the line's end); `inBlock`: whether a block comment is open at its start, and after it. A block
 * comment becomes as many spaces as it has characters, a line comment ends the line. The code
 * between comments is copied a run at a time: this runs on every line with a slash, on each build.
 */
export function blankLineComments(raw: string, inBlock: boolean): { line: string; inBlock: boolean } {
  let line = '';
  /** Start of the code not copied yet. */
  let from = 0;
  let quote = 0;
  let i = 0;
  while (i < raw.length) {
    if (inBlock) {
      const close = raw.indexOf('*/', i);
      const to = close < 0 ? raw.length : close + 2;
      line += ' '.repeat(to - i);
      i = from = to;
      inBlock = close < 0;
      continue;
    }
    const ch = raw.charCodeAt(i);
    if (quote) {
      if (ch === BACKSLASH) i++;
      else if (ch === quote) quote = 0;
    } else if (ch === SLASH && raw.charCodeAt(i + 1) === SLASH) {
      return { line: line + raw.slice(from, i), inBlock };
    } else if (ch === SLASH && raw.charCodeAt(i + 1) === STAR) {
      line += raw.slice(from, i) + '  ';
      inBlock = true;
      i = from = i + 2;
      continue;
    } else if (ch === DOUBLE_QUOTE || ch === SINGLE_QUOTE) quote = ch;
    i++;
  }
  return { line: from < raw.length ? line + raw.slice(from) : line, inBlock };
}

const SLASH = 0x2f;
const STAR = 0x2a;
const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
