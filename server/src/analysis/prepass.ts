/**
 * Blanking beyond SAL (sal.ts): constructs of real driver sources that the C grammar reads as
 * ERROR nodes and that carry nothing the model needs. Everything is replaced by spaces of the
 * same length (newlines kept), so offsets, lines and columns stay those of the original text.
 *
 * - `#ifdef __cplusplus` / `extern "C" {` / `#endif` … `}` pairs: the brace opened in one
 *   conditional block and closed in another swallows the rest of the header into one node.
 * - `#if A … if (x) { #else … if (y) { #endif`: branches that open or close braces differently
 *   cannot all be parsed as one tree; only the first branch is kept (the others are blanked).
 * - File-scope macro invocations with no `;` after them (`WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(X, Y)`)
 *   or between a return type and a function name: otherwise they glue onto the next declaration,
 *   or turn a function into a K&R definition that swallows what follows.
 * - `DECLSPEC_ALIGN(16)` and other `DECLSPEC_…` decorations.
 *
 * An open document is blanked again on every keystroke. A plain change inside a block (a name typed
 * or deleted in a function body) is spliced into the last blanking instead, with every offset past
 * it moved (reblankSource): the passes record what they read beyond the token stream, and a change
 * that touches none of it, nor any name a pass looks for, leaves every decision as it was.
 */
import { applyPatches, literalEnd, matchParen, scanCode, type TextPatch } from '../syntax/lexicalWalk';
import {
  includeGuardOf,
  scanConditionals,
  undecidedBranchesAt,
  type MacroTable,
  type UndecidedBranch,
} from './conditionals';
import { blankMacroUses, macroTable, type MacroDefinition, type MacroDefinitions } from './macros';
import { blankAnnotations, isBlankedName, type Annotation, type BlankedSource as SalBlanked } from '../syntax/sal';
import { commonPrefix, commonSuffix } from '../util/commonAffix';
import { ownString } from '../util/ownString';

export interface BlankedSource extends SalBlanked {
  /** Branches of conditional groups that the known defines do not decide (see conditionals.ts). */
  undecided: UndecidedBranch[];
  /** The macros the document's code sees: its own `#define`s (outside undecided branches) over the given ones. */
  macros: MacroDefinitions;
}
import type { GrammarId } from '../syntax/treeSitter';

/**
 * SAL blanking, then branches the preprocessor certainly drops (given the defines known before the
 * file), then uses of the macros that stand for annotations or nothing (macros.ts), then the
 * driver-specific blanking above. `macros` are definitions from outside the file (its headers).
 */
export function blankSource(
  source: string,
  language: GrammarId,
  defines?: MacroTable,
  macros?: MacroDefinitions,
): BlankedSource {
  return blankSourceState(source, language, defines, macros).result;
}

/**
 * A blanking and what a later edit of the text needs to redo it incrementally (reblankSource): the
 * text and the settings it was blanked with, and every stretch a pass blanked or read beyond the
 * plain token stream.
 */
export interface BlankingState {
  readonly source: string;
  readonly language: GrammarId;
  readonly defines: MacroTable | undefined;
  readonly given: MacroDefinitions | undefined;
  readonly result: BlankedSource;
  /**
   * Flat [start, end) pairs, in no order, overlapping: each stretch a pass blanked (annotations,
   * dead branches, macro uses, lines), with whatever its decision read after it (the `(` looked for,
   * an argument list searched for its `)`, what follows a file-scope macro call), and the lines of
   * live `__cplusplus` blocks.
   */
  readonly reads: readonly number[];
  /**
   * Flat [open, close] pairs, in text order: the `{` of each block at file scope and its `}` (the
   * text's length when unclosed), as blankFileScopeMacroLines counts depth. Code between them is at
   * depth 1 or more, where that pass looks for no macro calls.
   */
  readonly blocks: readonly number[];
  /**
   * Set when this state was spliced from the previous one: the change of the source, which is also
   * where the blanked texts differ (the text before `start` and from `oldEnd` on is the same).
   */
  readonly change?: { start: number; oldEnd: number; newEnd: number };
}

/** blankSource, keeping what reblankSource needs. */
export function blankSourceState(
  source: string,
  language: GrammarId,
  defines?: MacroTable,
  macros?: MacroDefinitions,
): BlankingState {
  const reads: number[] = [];
  const blocks: number[] = [];
  const sal = blankAnnotations(source, reads);
  const conditionals = scanConditionals(sal.text, defines);
  for (const dead of conditionals.dead) reads.push(dead.start, dead.end);
  // Each pass reads the text the previous one left.
  let text = applyPatches(sal.text, conditionals.dead);
  const table = macroTable(
    text,
    macros,
    (def) => undecidedBranchesAt(conditionals.undecided, def.offset ?? 0).length === 0,
  );
  const uses = blankMacroUses(text, source, table, reads);
  text = applyPatches(text, uses.patches);
  text = applyPatches(text, blankCplusplusGuards(text, language, reads));
  const unbalanced = blankUnbalancedElseBranches(text);
  for (const line of unbalanced) reads.push(line.start, line.end);
  text = applyPatches(text, unbalanced);
  text = applyPatches(text, blankFileScopeMacroLines(text, reads, blocks));
  const annotations = uses.annotations.length
    ? [...sal.annotations, ...uses.annotations].sort((a, b) => a.start - b.start)
    : sal.annotations;
  return {
    source,
    language,
    defines,
    given: macros,
    result: { text, annotations, undecided: conditionals.undecided, macros: table },
    reads,
    blocks,
  };
}

/**
 * The blanking of `source`, from the blanking `previous` of an earlier version of the same document:
 * spliced when the change is provably local (reblankLocal), else blanked afresh. Either way the
 * result equals `blankSource(source, language, defines, macros)`.
 */
export function reblankSource(
  previous: BlankingState | undefined,
  source: string,
  language: GrammarId,
  defines?: MacroTable,
  macros?: MacroDefinitions,
): BlankingState {
  if (previous && previous.language === language && previous.defines === defines && previous.given === macros) {
    const spliced = reblankLocal(previous, source);
    if (spliced) return spliced;
  }
  return blankSourceState(source, language, defines, macros);
}

/**
 * Characters an edit may remove or insert and still be spliced: name characters, blanks and the
 * operators no pass reads. Not: comment, literal and directive delimiters (`/ " ' # \`), line
 * breaks, and the parentheses and braces whose depths passes count. (`*` makes a comment delimiter
 * only beside a `/`, which the characters around a change may not be.)
 */
const PLAIN_EDIT_CHAR = /^[A-Za-z0-9_ \t;,.+\-*=<>!~&|^%?:[\]]*$/;

/**
 * The splice of `previous` for `source`, or undefined when the change is not provably local. It is
 * local when the changed characters are plain (PLAIN_EDIT_CHAR), the characters around them open
 * or continue nothing (`/`, `*`, `\`), their line and the one above are no directive (no `#`, no
 * continuation), no stretch a pass blanked or read touches the names the change is part of, and
 * none of those names, before or after the change, is one a pass looks for. Then every pass reads
 * the same tokens as before except those names, decides the same everywhere, and the blanked text
 * is the old one with the change spliced in, every offset past it moved.
 */
function reblankLocal(previous: BlankingState, source: string): BlankingState | undefined {
  const old = previous.source;
  if (old === source) {
    // Nothing changed: the same blanking (and no change to report).
    const { change: _change, ...same } = previous;
    return same;
  }
  const start = commonPrefix(old, source);
  const suffix = commonSuffix(old, source, Math.min(old.length, source.length) - start);
  const oldEnd = old.length - suffix;
  const newEnd = source.length - suffix;
  const removed = old.slice(start, oldEnd);
  const inserted = source.slice(start, newEnd);
  if (!PLAIN_EDIT_CHAR.test(removed) || !PLAIN_EDIT_CHAR.test(inserted)) return undefined;
  if (opensOrEscapes(old.charCodeAt(start - 1)) || opensOrEscapes(old.charCodeAt(oldEnd))) return undefined;
  if (!isPlainLine(old, start, oldEnd) || !isPlainLine(source, start, newEnd)) return undefined;
  // The names the change is part of: the same on both sides of it, in the old text and the new.
  let from = start;
  while (from > 0 && isNameCode(old.charCodeAt(from - 1))) from--;
  let to = oldEnd;
  while (to < old.length && isNameCode(old.charCodeAt(to))) to++;
  const { reads, blocks } = previous;
  if (!insideBlock(blocks, from, to)) return undefined;
  for (let i = 0; i < reads.length; i += 2) if (reads[i] <= to && reads[i + 1] >= from) return undefined;
  const before = previous.result;
  const delta = newEnd - oldEnd;
  const text = before.text.slice(0, start) + inserted + before.text.slice(oldEnd);
  if (hasSpecialName(old, from, to, before.macros) || hasSpecialName(source, from, to + delta, before.macros))
    return undefined;

  // Offsets: stretches a pass read lie wholly before `from` or after `to`; annotations and dead
  // branches are among them. Branches and definitions start and end at lines with a directive,
  // which the change is not on: a branch starting at its line starts before the change.
  const moved = (offset: number) => (offset > start ? offset + delta : offset);
  const annotations = movedAnnotations(before.annotations, start, delta);
  const undecided: UndecidedBranch[] = [];
  for (const b of before.undecided) {
    if ((b.start > start && b.start < oldEnd) || (b.end >= start && b.end < oldEnd)) return undefined;
    undecided.push(
      b.start > start || b.end >= oldEnd
        ? { ...b, start: moved(b.start), end: b.end >= oldEnd ? b.end + delta : b.end }
        : b,
    );
  }
  const macros = new Map<string, MacroDefinition>();
  for (const [name, def] of before.macros) {
    const own = previous.given?.get(name) !== def && def.offset !== undefined;
    if (own && def.offset! > start && def.offset! <= oldEnd) return undefined;
    macros.set(name, own && def.offset! > start ? { ...def, offset: def.offset! + delta } : def);
  }
  const movedBlocks = blocks.map((offset) => (offset >= oldEnd ? offset + delta : offset));
  const shifted = new Array<number>(reads.length);
  for (let i = 0; i < reads.length; i += 2) {
    const after = reads[i] > start;
    shifted[i] = after ? reads[i] + delta : reads[i];
    shifted[i + 1] = after ? reads[i + 1] + delta : reads[i + 1];
  }
  return {
    ...previous,
    source,
    result: { text, annotations, undecided, macros },
    reads: shifted,
    blocks: movedBlocks,
    change: { start, oldEnd, newEnd },
  };
}

/**
 * The annotations (in start order) with those starting past `start` moved by `delta`: copies, so
 * that the earlier blanking's stay as they were. Written out field by field (a spread copy costs a
 * third of a splice in a file with thousands); every annotation has these fields (sal.ts, macros.ts).
 */
function movedAnnotations(all: readonly Annotation[], start: number, delta: number): Annotation[] {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (all[mid].start <= start) lo = mid + 1;
    else hi = mid;
  }
  const out = all.slice(0, lo);
  for (let i = lo; i < all.length; i++) {
    const a = all[i];
    out.push({ name: a.name, args: a.args, text: a.text, start: a.start + delta, end: a.end + delta });
  }
  return out;
}

function isNameCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || (code >= 48 && code <= 57);
}

/** `/`, `*` and `\\`: beside a change they may pair with what it removes or inserts (`/` + `*`, `\\` + a quote). */
function opensOrEscapes(code: number): boolean {
  return code === 47 || code === 42 || code === 92;
}

/**
 * Whether the line holding text[from, to) is no directive and continues none: no `#` on it, and
 * neither it nor the line above ends in a backslash (a directive or literal continued).
 */
function isPlainLine(text: string, from: number, to: number): boolean {
  const lineStart = from === 0 ? 0 : text.lastIndexOf('\n', from - 1) + 1;
  let lineEnd = text.indexOf('\n', to);
  if (lineEnd < 0) lineEnd = text.length;
  for (let i = lineStart; i < lineEnd; i++) if (text.charCodeAt(i) === 35) return false;
  const continued = (end: number, floor: number) =>
    (end - 1 >= floor && text[end - 1] === '\\') ||
    (end - 2 >= floor && text[end - 1] === '\r' && text[end - 2] === '\\');
  return !continued(lineEnd, lineStart) && !(lineStart > 0 && continued(lineStart - 1, 0));
}

/**
 * Whether a name in text[from, to) is one a pass looks for in a block: an annotation or `CONST`
 * (sal.ts), a macro of the table, or a `DECLSPEC_…` decoration (blankFileScopeMacroLines).
 */
function hasSpecialName(text: string, from: number, to: number, table: MacroDefinitions): boolean {
  let i = from;
  while (i < to) {
    if (!isNameCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < to && isNameCode(text.charCodeAt(end))) end++;
    const name = text.slice(i, end);
    if (isBlankedName(name) || table.has(name)) return true;
    const head = /^[A-Z_][A-Z0-9_]*/.exec(name.slice(0, 128));
    if (head && DECORATION.test(head[0])) return true;
    i = end;
  }
  return false;
}

/** Whether text[from, to) lies inside one of the blocks (BlankingState.blocks), after its `{` and before its `}`. */
function insideBlock(blocks: readonly number[], from: number, to: number): boolean {
  // The last block opening before `from`.
  let lo = 0;
  let hi = blocks.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (blocks[2 * mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && to <= blocks[2 * (lo - 1) + 1];
}

interface Line {
  start: number;
  end: number;
  text: string;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    out.push({ start, end, text: text.slice(start, end) });
    if (nl < 0) return out;
    start = nl + 1;
  }
}

const CPLUSPLUS_OPEN = /^\s*#\s*(ifdef\s+__cplusplus\b|if\s+defined\s*\(?\s*__cplusplus\b)/;
const CONDITIONAL_OPEN = /^\s*#\s*if/;
const CONDITIONAL_ELSE = /^\s*#\s*(else|elif)\b/;
const CONDITIONAL_END = /^\s*#\s*endif\b/;
/** Matches the text wherever CONDITIONAL_ELSE matches one of its lines (and maybe across lines too). */
const ANY_CONDITIONAL_ELSE = /^\s*#\s*(else|elif)\b/m;

/**
 * In C, blank the inside of `#ifdef __cplusplus` blocks (the compiler never sees them either).
 * In C++, blank only `extern "C" {` and lone `}` lines inside them: the braces pair across blocks.
 */
function blankCplusplusGuards(text: string, language: GrammarId, read?: number[]): TextPatch[] {
  // Without the name no block opens: no lines to cut (most sources).
  if (!text.includes('__cplusplus')) return [];
  const patches: TextPatch[] = [];
  const lines = linesOf(text);
  // Stack of open conditionals: whether each one is a live `__cplusplus` branch (and how many are).
  const stack: boolean[] = [];
  let live = 0;
  for (const line of lines) {
    const t = line.text;
    if (t.indexOf('#') >= 0) {
      if (CPLUSPLUS_OPEN.test(t)) {
        stack.push(true);
        live++;
        continue;
      }
      if (CONDITIONAL_OPEN.test(t)) {
        stack.push(false);
        continue;
      }
      if (CONDITIONAL_ELSE.test(t)) {
        if (stack.length && stack[stack.length - 1]) live--;
        if (stack.length) stack[stack.length - 1] = false;
        continue;
      }
      if (CONDITIONAL_END.test(t)) {
        if (stack.pop()) live--;
        continue;
      }
    }
    if (!live) continue;
    // Every line of a live block is read (in C++, whether it is `extern "C" {` or `}`).
    read?.push(line.start, line.end);
    if (language === 'c') patches.push({ start: line.start, end: line.end });
    else if (/^\s*(extern\s+"C"\s*\{|\})\s*(\/\/.*)?$/.test(t)) patches.push({ start: line.start, end: line.end });
  }
  return patches;
}

/**
 * For each `#if/#ifdef … #elif/#else … #endif` group whose branches change the brace or
 * parenthesis depth (by different amounts, or any amount), blank every branch but the first.
 * Inner groups are settled first, so an outer group sees their effect.
 */
function blankUnbalancedElseBranches(text: string): TextPatch[] {
  // Only a group with an #else or #elif has branches to blank: without one, skip the line and depth tables.
  if (!ANY_CONDITIONAL_ELSE.test(text)) return [];
  const patches: TextPatch[] = [];
  const lines = linesOf(text);
  const deltas = codeDeltas(lines);
  interface Group {
    /** Line indexes of the #if, each #elif/#else, and the #endif. */
    directives: number[];
  }
  const stack: Group[] = [];
  lines.forEach((line, index) => {
    const t = line.text;
    if (t.indexOf('#') < 0) return;
    if (CONDITIONAL_OPEN.test(t)) {
      stack.push({ directives: [index] });
    } else if (CONDITIONAL_ELSE.test(t)) {
      stack[stack.length - 1]?.directives.push(index);
    } else if (CONDITIONAL_END.test(t)) {
      const group = stack.pop();
      if (!group) return;
      group.directives.push(index);
      if (group.directives.length < 3) {
        // `#if … #endif` with no other branch: nothing to choose between.
        return;
      }
      const branchDelta = (k: number) => {
        let braces = 0;
        let parens = 0;
        for (let l = group.directives[k] + 1; l < group.directives[k + 1]; l++) {
          braces += deltas[l].braces;
          parens += deltas[l].parens;
        }
        return { braces, parens };
      };
      const branches = group.directives.length - 1;
      const all = Array.from({ length: branches }, (_, k) => branchDelta(k));
      if (all.every((d) => d.braces === 0 && d.parens === 0)) return;
      // Keep the first branch and blank the others and the directives: the grammar cannot close a
      // brace opened inside a conditional outside it, so the kept branch must read as plain code.
      for (let l = group.directives[1]; l <= index; l++) {
        patches.push({ start: lines[l].start, end: lines[l].end });
        deltas[l] = { braces: 0, parens: 0 };
      }
      patches.push({ start: lines[group.directives[0]].start, end: lines[group.directives[0]].end });
    }
  });
  return patches;
}

const CODE_DELTA_CHARS = /[{}()/]/;

/** Brace and parenthesis depth change of each line, ignoring comments, literals and directives. */
function codeDeltas(lines: Line[]): { braces: number; parens: number }[] {
  let inBlockComment = false;
  return lines.map((line) => {
    let braces = 0;
    let parens = 0;
    const t = line.text;
    // A line with no brace, parenthesis or slash changes neither the depths nor the comment state.
    if (!CODE_DELTA_CHARS.test(t)) return { braces, parens };
    if (!inBlockComment && /^\s*#/.test(t)) return { braces, parens };
    for (let i = 0; i < t.length; i++) {
      if (inBlockComment) {
        if (t[i] === '*' && t[i + 1] === '/') {
          inBlockComment = false;
          i++;
        }
        continue;
      }
      const c = t[i];
      if (c === '/' && t[i + 1] === '/') break;
      if (c === '/' && t[i + 1] === '*') {
        inBlockComment = true;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        i = literalEnd(t, i) - 1;
        continue;
      }
      if (c === '{') braces++;
      else if (c === '}') braces--;
      else if (c === '(') parens++;
      else if (c === ')') parens--;
    }
    return { braces, parens };
  });
}

/** Declaration decorations with no facts for us (`DECLSPEC_ALIGN(16)`, `DECLSPEC_CACHEALIGN`). */
const DECORATION = /^(DECLSPEC_[A-Z_]+|ALIGN_[A-Z_]+|POINTER_ALIGNMENT)$/;

/** Past 8 KB an opening parenthesis after a macro name is a stray one, not its arguments. */
const MAX_MACRO_ARGS_SPAN = 8192;

/**
 * Blank upper-case macro invocations that are not code: at brace depth 0, `NAME(args)` followed
 * by a name (`ULONG CC_MACRO(x) Foo(…)`) or by nothing but a line break (`WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(X, Y)`
 * with no `;`), and `DECLSPEC_…` decorations anywhere. With `read`, pushes there (flat [start, end)
 * pairs) each name looked at past its own characters, with what was read after it.
 */
function blankFileScopeMacroLines(text: string, read?: number[], blocks?: number[]): TextPatch[] {
  const patches: TextPatch[] = [];
  let depth = 0;
  scanCode(text, (token) => {
    if (token.kind === 'char') {
      if (token.text === '{') {
        if (depth === 0) blocks?.push(token.start);
        depth++;
      } else if (token.text === '}') {
        if (depth === 1) blocks?.push(token.start);
        depth = Math.max(0, depth - 1);
      }
      return;
    }
    const { start } = token;
    // Only the upper-case head of a name counts (`DECLSPEC_ALIGNx` still loses `DECLSPEC_ALIGN`).
    const first = token.text.charCodeAt(0);
    if (first !== 95 && (first < 65 || first > 90)) return; // not `_` or A-Z: most names, no copy and match
    const m = /^[A-Z_][A-Z0-9_]*/.exec(token.text.slice(0, 128));
    if (!m) return;
    const word = m[0];
    let k = start + word.length;
    while (k < text.length && (text[k] === ' ' || text[k] === '\t')) k++;
    if (DECORATION.test(word)) {
      const close = text[k] === '(' ? matchParen(text, k, MAX_MACRO_ARGS_SPAN) : -1;
      const end = close > 0 ? close + 1 : start + word.length;
      patches.push({ start, end });
      read?.push(start, close > 0 ? end : text[k] === '(' ? Math.min(text.length, k + MAX_MACRO_ARGS_SPAN) : k + 1);
      return end;
    }
    // Without a `(`, nothing was read but blanks and the character after them, none inside a block
    // (where alone an edit is spliced: reblankLocal), so no read to keep.
    if (depth === 0 && text[k] === '(' && /[A-Z]/.test(word) && !/[a-z]/.test(word)) {
      const close = matchParen(text, k, MAX_MACRO_ARGS_SPAN);
      if (close < 0) {
        read?.push(start, Math.min(text.length, k + MAX_MACRO_ARGS_SPAN));
        return;
      }
      const after = followingNameOrLineEnd(text, close + 1);
      read?.push(start, after.reach);
      if (after.followed) {
        patches.push({ start, end: close + 1 });
        return close + 1;
      }
    }
  });
  if (blocks && blocks.length % 2) blocks.push(text.length);
  return patches;
}

/**
 * After a macro's `)`: a name on the same line (`MACRO(x) Foo(`), or nothing on the line and
 * code on a later line that does not continue an expression (`;`, `{`, `,`, `=`, `)`). `reach`:
 * just past the last character read.
 */
function followingNameOrLineEnd(text: string, from: number): { followed: boolean; reach: number } {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  if (i < text.length && /[A-Za-z_]/.test(text[i])) return { followed: true, reach: i + 1 };
  if (text.startsWith('//', i)) {
    while (i < text.length && text[i] !== '\n') i++;
  }
  // `startsWith('//', i)` read the character after, too.
  if (i < text.length && text[i] !== '\n') return { followed: false, reach: i + 2 };
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
  return { followed: j >= text.length || !/[;{,=)]/.test(text[j]), reach: j + 2 };
}

/**
 * The `#define`s a header gives the files that include it, as far as the analysis can use them:
 * macros that may stand for annotations, for nothing, or for a `PAGED_CODE()` call (macros.ts decides
 * which, where they are used). Definitions in branches the defines do not decide are left out, as are
 * reserved names (`_In_`, `__drv_…`): a header that redefines SAL is compatibility glue for old kits.
 */
export function headerMacroDefinitions(source: string, defines?: MacroTable): MacroDefinition[] {
  if (!source.includes('define')) return [];
  const sal = blankAnnotations(source);
  const conditionals = scanConditionals(sal.text, defines);
  const text = applyPatches(sal.text, conditionals.dead);
  const guard = includeGuardOf(sal.text);
  const out: MacroDefinition[] = [];
  for (const def of macroTable(
    text,
    undefined,
    (d) => !undecidedBranchesAt(conditionals.undecided, d.offset ?? 0).length,
  ).values()) {
    if (/^(_[A-Z_]|__)/.test(def.name) || def.name === guard) continue;
    // A function-like macro matters empty (its arguments vanish) or running PAGED_CODE(); an object-like
    // one as annotations, or as another macro's name (followed where it is used).
    const matters = def.params
      ? def.body === '' || /\bPAGED_CODE/.test(def.body) || /^[A-Za-z_]\w*\s*\(\s*\)$/.test(def.body)
      : def.body === '' || ANNOTATION_BODY.test(def.body) || /^[A-Za-z_]\w*$/.test(def.body);
    if (matters) {
      // Copied out of the header's text, which the definitions outlive (session/headerMacros.ts keeps them).
      const { offset: _offset, ...rest } = def;
      out.push({
        ...rest,
        name: ownString(rest.name),
        ...(rest.params ? { params: rest.params.map(ownString) } : {}),
        body: ownString(rest.body),
      });
    }
  }
  return out;
}

/** An object-like body that may be annotations (a code segment, SAL, IRQL). */
const ANNOTATION_BODY =
  /__declspec|code_seg|_IRQL_|__drv_|_Use_decl_annotations_|\b_(In|Out|Inout|When|Must|Requires|Acquires|Releases)_/;
