/**
 * Conditional compilation, read as the preprocessor reads it where the facts allow. Each
 * `#if/#ifdef/#ifndef … #elif … #else … #endif` branch is decided from the macros the file itself
 * `#define`s or `#undef`s before it, plus the defines given (the project's `PreprocessorDefinitions`,
 * the language): a branch that is certainly not compiled (`#if 0`, `#if FORWARD_WITH_COMPLETION` after
 * `#define FORWARD_WITH_COMPLETION 0`) is blanked like a comment; a branch whose condition cannot be
 * decided (a macro from a header we did not read) stays, and is recorded so that rules never report a
 * contradiction between two branches of one group (`#ifdef X` role type A, `#else` role type B).
 *
 * Linear in the text: one pass over the lines, and each condition is evaluated once.
 */
import type { TextPatch } from '../syntax/lexicalWalk';

/** What is known of a macro: its replacement text, or `null` when it is known not to be defined. */
export type MacroTable = ReadonlyMap<string, string | null>;

/** A branch of a conditional group that is compiled or not depending on facts we do not have. */
export interface UndecidedBranch {
  /** Groups are numbered in the order their `#if` appears; branches from 0 in each group. */
  group: number;
  branch: number;
  /**
   * The group's condition in a normal form (`defined(X)` for `#ifdef X` and `#ifndef X`, spaces
   * removed) and which side of it this branch is: two groups testing the same condition pair up.
   */
  condition: string;
  /** 0: the condition holds; 1: it does not (`#else` of `#ifdef X`, or `#ifndef X`); 2+: later `#elif`s. */
  arm: number;
  /** The branch's text, from the end of its directive line to the start of the next directive. */
  start: number;
  end: number;
}

export interface ConditionalScan {
  /** Lines of branches that are certainly not compiled (their directives stay). */
  dead: TextPatch[];
  undecided: UndecidedBranch[];
}

type Truth = boolean | undefined;

interface Group {
  id: number;
  /** The group sits inside a dead branch: everything in it is dead. */
  outerDead: boolean;
  /** The group sits inside an undecided branch. */
  outerUndecided: boolean;
  /** Some earlier branch is taken whenever it is reached: the rest are dead. */
  taken: boolean;
  /** Some earlier branch may have been taken (undecided): later ones are at best undecided. */
  maybeTaken: boolean;
  branch: number;
  current: Truth;
  branchStart: number;
  condition: string;
  /** `#ifndef X` / `#if !defined(X)`: arms 0 and 1 swap, when the group has no `#elif`. */
  negated: boolean;
  hasElif: boolean;
  /** Undecided branches recorded for this group so far (arms are settled at `#endif`). */
  recorded: UndecidedBranch[];
}

const DIRECTIVE = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif|define|undef)\b(.*)$/;

/** Scan the text's conditionals (see the module comment). `defines` are the facts known before line 1. */
export function scanConditionals(text: string, defines: MacroTable = new Map()): ConditionalScan {
  const scanner = new ConditionalScanner(defines);
  // A header's include guard is not defined on its first inclusion, which is the one that counts.
  const guard = includeGuardOf(text);
  if (guard && !scanner.macros.has(guard)) scanner.macros.set(guard, null);
  let inBlockComment = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const logicalEnd = logicalLineEnd(text, lineStart);
    const line = text.slice(lineStart, logicalEnd);
    const startsInComment = inBlockComment;
    inBlockComment = endsInBlockComment(line, inBlockComment);
    // Windows sources end lines in CR LF: `.` does not match the CR.
    const m =
      startsInComment || !mayBeDirective(line, true)
        ? null
        : DIRECTIVE.exec(line.replace(/\\\r?\n/g, ' ').replace(/\r/g, ''));
    if (m) scanner.directive(m[1], stripComments(m[2]), lineStart, Math.min(logicalEnd + 1, text.length));
    if (logicalEnd >= text.length) break;
    lineStart = logicalEnd + 1;
  }
  return scanner.finish(text.length);
}

/**
 * Whether a line can hold a directive: its first character after blanks (and, with `continued`,
 * backslash-newlines) is `#`. Most lines are code: they skip the copies and the regular expression.
 */
export function mayBeDirective(line: string, continued = false): boolean {
  let i = 0;
  for (;;) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (continued && c === '\\' && line[i + 1] === '\n') i += 2;
    else if (continued && c === '\\' && line[i + 1] === '\r' && line[i + 2] === '\n') i += 3;
    else return c === '#';
  }
}

/** The end of the line at `lineStart`: a directive continues over lines ending in a backslash. */
export function logicalLineEnd(text: string, lineStart: number): number {
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  let logicalEnd = lineEnd;
  while (logicalEnd < text.length && endsInBackslash(text, lineStart, logicalEnd)) {
    const next = text.indexOf('\n', logicalEnd + 1);
    logicalEnd = next < 0 ? text.length : next;
  }
  return logicalEnd;
}

/** Whether text[from, end) ends in a backslash, or a backslash and a CR. */
function endsInBackslash(text: string, from: number, end: number): boolean {
  if (end - 1 >= from && text[end - 1] === '\\') return true;
  return end - 2 >= from && text[end - 1] === '\r' && text[end - 2] === '\\';
}

/**
 * The state of one scan: the macros known so far, the open groups (innermost last) and the branches
 * decided dead or left undecided. `directive` takes each directive line in text order.
 */
class ConditionalScanner {
  readonly macros: Map<string, string | null>;
  private readonly dead: TextPatch[] = [];
  private readonly undecided: UndecidedBranch[] = [];
  private readonly stack: Group[] = [];
  private groups = 0;

  constructor(defines: MacroTable) {
    this.macros = new Map(defines);
  }

  /** One directive: `kind` and the rest of its line with comments removed; `after` is where its branch text starts. */
  directive(kind: string, rest: string, lineStart: number, after: number): void {
    if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') this.openGroup(kind, rest, after);
    else if ((kind === 'elif' || kind === 'else') && this.stack.length) this.nextBranch(kind, rest, lineStart, after);
    else if (kind === 'endif' && this.stack.length) this.closeGroup(this.stack.pop()!, lineStart);
    else if ((kind === 'define' || kind === 'undef') && !this.isDead()) this.defineOrUndef(kind, rest);
  }

  /** The scan's result, once every line is read. */
  finish(textLength: number): ConditionalScan {
    // Unterminated groups (a broken file) close at the end of the text.
    while (this.stack.length) this.closeGroup(this.stack.pop()!, textLength);
    this.dead.sort((a, b) => a.start - b.start);
    return { dead: this.dead, undecided: this.undecided };
  }

  // Only the innermost group's branch changes while it is open, and it carries what the groups
  // around it were when it opened: constant time per line however deep the nesting.
  private isDead(): boolean {
    const g = this.stack[this.stack.length - 1];
    return g !== undefined && (g.outerDead || g.current === false);
  }

  private isUndecided(): boolean {
    const g = this.stack[this.stack.length - 1];
    return g !== undefined && (g.outerUndecided || g.current === undefined);
  }

  private openGroup(kind: 'if' | 'ifdef' | 'ifndef', rest: string, after: number): void {
    const outerDead = this.isDead();
    const outerUndecided = this.isUndecided();
    const truth = outerDead
      ? false
      : kind === 'if'
        ? evaluate(rest, this.macros)
        : definedTruth(rest.trim().split(/\s+/)[0] ?? '', this.macros, kind === 'ifndef');
    const { condition, negated } = normalCondition(kind, rest);
    this.stack.push({
      id: this.groups++,
      outerDead,
      outerUndecided,
      taken: truth === true,
      maybeTaken: truth === undefined,
      branch: 0,
      current: truth,
      branchStart: after,
      condition,
      negated,
      hasElif: false,
      recorded: [],
    });
  }

  private nextBranch(kind: 'elif' | 'else', rest: string, lineStart: number, after: number): void {
    const g = this.stack[this.stack.length - 1];
    this.closeBranch(g, lineStart);
    if (kind === 'elif') g.hasElif = true;
    g.branch++;
    g.branchStart = after;
    if (g.outerDead || g.taken) g.current = false;
    else {
      const own: Truth = kind === 'else' ? true : evaluate(rest, this.macros);
      g.current = own === false ? false : g.maybeTaken || own === undefined ? undefined : true;
      // A branch that is certainly taken when reached ends the group, even if reaching it is not certain.
      if (own === true) g.taken = true;
      if (g.current === undefined) g.maybeTaken = true;
    }
  }

  private defineOrUndef(kind: 'define' | 'undef', rest: string): void {
    const name = /^\s*([A-Za-z_]\w*)(\()?\s*(.*)$/s.exec(rest);
    if (!name) return;
    // In an undecided branch a define may or may not happen: the macro becomes unknown.
    if (this.isUndecided()) this.macros.delete(name[1]);
    else if (kind === 'undef') this.macros.set(name[1], null);
    else this.macros.set(name[1], name[2] ? '' : name[3].trim());
  }

  private closeBranch(g: Group, end: number): void {
    if (g.outerDead) return;
    if (g.current === false) {
      if (end > g.branchStart) this.dead.push({ start: g.branchStart, end });
    } else if (g.current === undefined && end > g.branchStart) {
      const branch: UndecidedBranch = {
        group: g.id,
        branch: g.branch,
        condition: g.condition,
        arm: g.branch,
        start: g.branchStart,
        end,
      };
      this.undecided.push(branch);
      g.recorded.push(branch);
    }
  }

  private closeGroup(g: Group, end: number): void {
    this.closeBranch(g, end);
    if (g.negated && !g.hasElif) for (const b of g.recorded) b.arm = b.branch === 0 ? 1 : 0;
    if (g.hasElif) for (const b of g.recorded) if (b.branch > 0) b.condition = `${g.condition}#${g.id}`;
  }
}

/** Whether an offset lies in an undecided branch, and which (innermost last). */
export function undecidedBranchesAt(
  branches: readonly UndecidedBranch[] | undefined,
  offset: number,
): UndecidedBranch[] {
  return (branches ?? []).filter((b) => b.start <= offset && offset < b.end);
}

/**
 * Whether two offsets are never compiled together: different branches of one undecided group, or
 * opposite sides of two groups that test the same condition (`#ifdef X` here, `#ifndef X` there).
 */
export function inExclusiveBranches(branches: readonly UndecidedBranch[] | undefined, a: number, b: number): boolean {
  const at = undecidedBranchesAt(branches, a);
  const bt = undecidedBranchesAt(branches, b);
  return at.some((x) =>
    bt.some((y) => (x.group === y.group ? x.branch !== y.branch : x.condition === y.condition && x.arm !== y.arm)),
  );
}

/** `#ifdef X`, `#if defined X`, `#if defined(X)` → `defined(X)`; `#ifndef X`, `#if !defined(X)` → the same, negated. */
function normalCondition(kind: string, rest: string): { condition: string; negated: boolean } {
  if (kind !== 'if') return { condition: `defined(${rest.trim().split(/\s+/)[0] ?? ''})`, negated: kind === 'ifndef' };
  let c = rest.replace(/\bdefined\s*\(?\s*([A-Za-z_]\w*)\s*\)?/g, 'defined($1)').replace(/\s+/g, '');
  let negated = false;
  const single = /^!(defined\([A-Za-z_]\w*\))$/.exec(c) ?? /^!\((defined\([A-Za-z_]\w*\))\)$/.exec(c);
  if (single) {
    c = single[1];
    negated = true;
  }
  return { condition: c, negated };
}

function definedTruth(name: string, macros: MacroTable, negate: boolean): Truth {
  if (!macros.has(name)) return undefined;
  const defined = macros.get(name) !== null;
  return negate ? !defined : defined;
}

export function endsInBlockComment(line: string, inComment: boolean): boolean {
  // No slash, no comment opens (and none was open): most lines.
  if (!inComment && !line.includes('/')) return false;
  let i = 0;
  while (i < line.length) {
    if (inComment) {
      const close = line.indexOf('*/', i);
      if (close < 0) return true;
      inComment = false;
      i = close + 2;
      continue;
    }
    const c = line[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '/' && line[i + 1] === '/') return false;
    if (c === '/' && line[i + 1] === '*') {
      inComment = true;
      i += 2;
      continue;
    }
    i++;
  }
  return inComment;
}

/**
 * The include guard of a header: its first directive is `#ifndef G` (or `#if !defined(G)`), the next
 * one is `#define G` with nothing after it, and the group's `#endif` is the last directive of the text.
 * (A `#ifndef X` / `#define X 1` default value is not a guard: the definition has a body.)
 */
export function includeGuardOf(text: string): string | undefined {
  if (!text.includes('#')) return undefined;
  const directives: { kind: string; rest: string }[] = [];
  let inBlockComment = false;
  for (const raw of text.split('\n')) {
    const startsInComment = inBlockComment;
    inBlockComment = endsInBlockComment(raw, inBlockComment);
    if (startsInComment || !mayBeDirective(raw)) continue;
    const m = DIRECTIVE_ANY.exec(raw.replace(/\r/g, ''));
    if (m) directives.push({ kind: m[1], rest: stripComments(m[2]).trim() });
  }
  if (directives.length < 3) return undefined;
  const [first, second] = directives;
  const name =
    first.kind === 'ifndef'
      ? /^([A-Za-z_]\w*)$/.exec(first.rest)?.[1]
      : first.kind === 'if'
        ? /^!\s*defined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|\s([A-Za-z_]\w*))$/.exec(first.rest)?.slice(1).find(Boolean)
        : undefined;
  if (!name || second.kind !== 'define' || second.rest !== name) return undefined;
  // The guard's group must close at the last directive: count nesting from the first.
  let depth = 0;
  for (let i = 0; i < directives.length; i++) {
    const kind = directives[i].kind;
    if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') depth++;
    else if (kind === 'endif' && --depth === 0) return i === directives.length - 1 ? name : undefined;
  }
  return undefined;
}

/** Every directive a guard check needs (`#pragma`, `#include` and the rest count as directives too). */
const DIRECTIVE_ANY = /^[ \t]*#[ \t]*([a-z]+)\b(.*)$/;

function stripComments(s: string): string {
  return s.replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '');
}

// ---------------------------------------------------------------------------------------------
// `#if` expressions: integers, `defined`, the C operators, with "unknown" for facts we lack.

type Value = number | undefined;

const TOKEN = /\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^?:(),])/y;
/** How deep object-like macros are expanded inside a condition (guards against `#define A A`). */
const MAX_EXPANSION = 8;

/** The truth of an `#if`/`#elif` condition, or undefined when it depends on something unknown. */
export function evaluate(expression: string, macros: MacroTable, depth = 0): Truth {
  const value = evaluateValue(expression, macros, depth);
  return value === undefined ? undefined : value !== 0;
}

function evaluateValue(expression: string, macros: MacroTable, depth: number): Value {
  const tokens = tokenize(expression);
  if (!tokens) return undefined;
  const parser = new ConditionParser(tokens, macros, depth);
  const value = parser.conditional();
  return parser.atEnd() ? value : undefined;
}

function tokenize(expression: string): string[] | undefined {
  const s = expression.trim();
  const out: string[] = [];
  let at = 0;
  while (at < s.length) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(s);
    if (!m) return undefined;
    out.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return out;
}

/** A recursive-descent reader of the C preprocessor's expression grammar over three-valued integers. */
class ConditionParser {
  private i = 0;
  constructor(
    private readonly tokens: string[],
    private readonly macros: MacroTable,
    private readonly depth: number,
  ) {}

  atEnd(): boolean {
    return this.i === this.tokens.length;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private eat(token: string): boolean {
    if (this.tokens[this.i] !== token) return false;
    this.i++;
    return true;
  }

  conditional(): Value {
    const test = this.binary(0);
    if (!this.eat('?')) return test;
    const yes = this.conditional();
    if (!this.eat(':')) return undefined;
    const no = this.conditional();
    if (test === undefined) return yes !== undefined && yes === no ? yes : undefined;
    return test !== 0 ? yes : no;
  }

  private static readonly LEVELS: string[][] = [
    ['||'],
    ['&&'],
    ['|'],
    ['^'],
    ['&'],
    ['==', '!='],
    ['<', '>', '<=', '>='],
    ['<<', '>>'],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  private binary(level: number): Value {
    if (level >= ConditionParser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (!op || !ConditionParser.LEVELS[level].includes(op)) return left;
      this.i++;
      const right = this.binary(level + 1);
      left = apply(op, left, right);
    }
  }

  private unary(): Value {
    const t = this.peek();
    if (t === '!' || t === '~' || t === '-' || t === '+') {
      this.i++;
      const v = this.unary();
      if (v === undefined) return undefined;
      return t === '!' ? (v ? 0 : 1) : t === '~' ? ~v : t === '-' ? -v : v;
    }
    return this.primary();
  }

  private primary(): Value {
    const t = this.tokens[this.i++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const v = this.conditional();
      return this.eat(')') ? v : undefined;
    }
    if (/^\d/.test(t)) return Number.parseInt(t, t.startsWith('0x') || t.startsWith('0X') ? 16 : 10);
    if (t === 'defined') {
      const paren = this.eat('(');
      const name = this.tokens[this.i++];
      if (paren && !this.eat(')')) return undefined;
      if (!name || !/^[A-Za-z_]/.test(name)) return undefined;
      const truth = definedTruth(name, this.macros, false);
      return truth === undefined ? undefined : truth ? 1 : 0;
    }
    if (/^[A-Za-z_]/.test(t)) {
      // A function-like macro call in a condition: not ours to expand.
      if (this.peek() === '(') return this.skipCall();
      if (!this.macros.has(t)) return undefined;
      const body = this.macros.get(t);
      // Not defined: the preprocessor reads an identifier as 0.
      if (body === null) return 0;
      if (body === undefined || this.depth >= MAX_EXPANSION) return undefined;
      if (body.trim() === '') return undefined;
      return evaluateValue(body, this.macros, this.depth + 1);
    }
    return undefined;
  }

  private skipCall(): Value {
    let depth = 0;
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i++];
      if (t === '(') depth++;
      else if (t === ')' && --depth === 0) break;
    }
    return undefined;
  }
}

function apply(op: string, a: Value, b: Value): Value {
  // Short circuits decide with one side unknown.
  if (op === '&&') return a === 0 || b === 0 ? 0 : a === undefined || b === undefined ? undefined : 1;
  if (op === '||')
    return (a !== undefined && a !== 0) || (b !== undefined && b !== 0)
      ? 1
      : a === undefined || b === undefined
        ? undefined
        : 0;
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : Math.trunc(a / b);
    case '%':
      return b === 0 ? undefined : a % b;
  }
  return undefined;
}
