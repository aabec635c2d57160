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
import { blankAnnotations, type BlankedSource as SalBlanked } from '../syntax/sal';
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
  const sal = blankAnnotations(source);
  const conditionals = scanConditionals(sal.text, defines);
  // Each pass reads the text the previous one left.
  let text = applyPatches(sal.text, conditionals.dead);
  const table = macroTable(
    text,
    macros,
    (def) => undecidedBranchesAt(conditionals.undecided, def.offset ?? 0).length === 0,
  );
  const uses = blankMacroUses(text, source, table);
  text = applyPatches(text, uses.patches);
  text = applyPatches(text, blankCplusplusGuards(text, language));
  text = applyPatches(text, blankUnbalancedElseBranches(text));
  text = applyPatches(text, blankFileScopeMacroLines(text));
  const annotations = uses.annotations.length
    ? [...sal.annotations, ...uses.annotations].sort((a, b) => a.start - b.start)
    : sal.annotations;
  return { text, annotations, undecided: conditionals.undecided, macros: table };
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
function blankCplusplusGuards(text: string, language: GrammarId): TextPatch[] {
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
 * with no `;`), and `DECLSPEC_…` decorations anywhere.
 */
function blankFileScopeMacroLines(text: string): TextPatch[] {
  const patches: TextPatch[] = [];
  let depth = 0;
  scanCode(text, (token) => {
    if (token.kind === 'char') {
      if (token.text === '{') depth++;
      else if (token.text === '}') depth = Math.max(0, depth - 1);
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
      return end;
    }
    if (depth === 0 && text[k] === '(' && /[A-Z]/.test(word) && !/[a-z]/.test(word)) {
      const close = matchParen(text, k, MAX_MACRO_ARGS_SPAN);
      if (close > 0 && isFollowedByNameOrLineEnd(text, close + 1)) {
        patches.push({ start, end: close + 1 });
        return close + 1;
      }
    }
  });
  return patches;
}

/**
 * After a macro's `)`: a name on the same line (`MACRO(x) Foo(`), or nothing on the line and
 * code on a later line that does not continue an expression (`;`, `{`, `,`, `=`, `)`).
 */
function isFollowedByNameOrLineEnd(text: string, from: number): boolean {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  if (i < text.length && /[A-Za-z_]/.test(text[i])) return true;
  if (text.startsWith('//', i)) {
    while (i < text.length && text[i] !== '\n') i++;
  }
  if (i < text.length && text[i] !== '\n') return false;
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
