/**
 * Phase 6, paging facts: whether `PAGED_CODE()` comes first in its body (and the first conditional
 * statement, for KMDF2004), and the paged section each function is placed in by
 * `#pragma alloc_text`, `#pragma code_seg` or `__declspec(code_seg(…))`.
 */
import type { Node } from 'web-tree-sitter';
import type { FunctionModel, PagedSectionModel } from '../model';
import type { MacroDefinitions } from '../macros';
import type { LineIndex } from '../../syntax/positions';
import type { BuildState } from './state';

export function readPagedCodeOrder(state: BuildState): void {
  for (const f of state.definitions) {
    if (f.reused) continue;
    // Only KMDF2004 reads it, and only where PAGED_CODE() is called: skip the walk everywhere else.
    const body = f.model.pagedCode.length
      ? (f.bodyNode ?? (f.bodyRange ? state.cleanRecoveredBody(f.bodyRange) : undefined))
      : undefined;
    if (body) {
      const first = firstConditionalOf(body, state.input.language === 'cpp');
      f.model.firstConditional = first ? state.spanOf(first) : null;
    }
    if (f.bodyNode) f.model.pagedCodeFirst = pagedCodeIsFirst(state, f.bodyNode);
    else if (f.bodyRange)
      f.model.pagedCodeFirst =
        state.isPagedCodeCall(f.model.calls[0]?.callee) &&
        !f.model.assignments.some((a) => a.span.startOffset < f.model.calls[0].span.startOffset);
  }
}

/** The paged sections of the file; each function (definition or prototype) placed in one learns it. */
export function readPagedSections(state: BuildState): PagedSectionModel[] {
  const pagedSections = findPagedSections(state.text, state.lines, state.input.macros);
  const placed = placements(pagedSections);
  for (const f of state.functions) {
    const section = pagedSectionOf(f.model, placed, state.lines);
    if (section) f.model.pagedSection = section;
  }
  return pagedSections;
}

/**
 * Whether `PAGED_CODE()` is the first statement of a body. Declarations before it are allowed
 * when they call nothing (C89 drivers declare locals first).
 */
function pagedCodeIsFirst(state: BuildState, body: Node | undefined): boolean {
  if (!body) return false;
  for (const statement of body.namedChildren) {
    if (statement.type === 'comment') continue;
    if (statement.type === 'declaration') {
      // Its calls are the captured ones inside it (every call_expression is a capture): no walk of its own.
      if (state.capturedBetween('calls', statement.startIndex, statement.endIndex).length === 0) continue;
      return false;
    }
    if (statement.type === 'expression_statement') {
      const expr = statement.namedChildren.find((c) => c.type !== 'comment');
      if (expr?.type === 'call_expression') {
        return state.isPagedCodeCall(expr.childForFieldName('function')?.text);
      }
    }
    return false;
  }
  return false;
}

export const CONDITIONAL_STATEMENTS = [
  'if_statement',
  'switch_statement',
  'while_statement',
  'do_statement',
  'for_statement',
  'for_range_loop',
  'goto_statement',
  'return_statement',
  'try_statement',
  'seh_try_statement',
];

/** The rows of a body the first search reads; each next one reads four times as many. */
const FIRST_ROWS = 32;

/**
 * The first conditional or jump statement of a body, in text order, skipping those inside C++
 * lambdas. Looked for a few rows at a time from the top (where it mostly is), not in the whole body:
 * descendantsOfType walks every node of its range in wasm, and on DMF the whole-body walks were most
 * of this phase. A search stops at the end of its range and skips what ends before its start.
 */
export function firstConditionalOf(body: Node, cpp: boolean, firstRows = FIRST_ROWS): Node | undefined {
  const end = body.endPosition;
  let from = body.startPosition;
  for (let rows = firstRows; ; rows *= 4) {
    const to = from.row + rows < end.row ? { row: from.row + rows, column: 0 } : end;
    // A node found in a range before is found again here only when it was skipped (inside a lambda).
    for (const node of body.descendantsOfType(CONDITIONAL_STATEMENTS, from, to))
      if (node && !(cpp && insideLambda(node, body))) return node;
    if (to === end) return undefined;
    from = to;
  }
}

function insideLambda(node: Node, body: Node): boolean {
  for (let p = node.parent; p && p.startIndex >= body.startIndex && p.id !== body.id; p = p.parent)
    if (p.type === 'lambda_expression') return true;
  return false;
}

const PRAGMA = /^[ \t]*#[ \t]*pragma[ \t]+(alloc_text|code_seg)[ \t]*\(([^)\n]*)\)/gm;
/** `__pragma(code_seg("PAGE"))`, the form a macro can expand to. */
const PRAGMA_OPERATOR = /\b__pragma[ \t]*\([ \t]*(alloc_text|code_seg)[ \t]*\(([^)\n]*)\)[ \t]*\)/g;

/** One `#pragma alloc_text/code_seg`, `__pragma(…)` or macro use expanding to one: where, which, its arguments. */
interface PragmaUse {
  start: number;
  end: number;
  pragma: string;
  args: string;
}

function pragmaUses(text: string, macros: MacroDefinitions | undefined): PragmaUse[] {
  const out: PragmaUse[] = [];
  for (const m of text.matchAll(PRAGMA))
    out.push({ start: m.index + m[0].search(/#/), end: m.index + m[0].length, pragma: m[1], args: m[2] });
  if (text.includes('__pragma'))
    for (const m of text.matchAll(PRAGMA_OPERATOR))
      out.push({ start: m.index, end: m.index + m[0].length, pragma: m[1], args: m[2] });
  // Object-like macros of the driver that expand to `__pragma(code_seg(…))`, at each use.
  const segmentMacros = new Map<string, RegExpExecArray>();
  for (const def of macros?.values() ?? []) {
    if (def.params) continue;
    const m = new RegExp(PRAGMA_OPERATOR.source).exec(def.body);
    if (m) segmentMacros.set(def.name, m);
  }
  if (segmentMacros.size)
    for (const m of text.matchAll(/\b[A-Za-z_]\w*\b/g)) {
      const expansion = segmentMacros.get(m[0]);
      if (!expansion || /#[ \t]*define[ \t]+$/.test(text.slice(text.lastIndexOf('\n', m.index) + 1, m.index))) continue;
      out.push({ start: m.index, end: m.index + m[0].length, pragma: expansion[1], args: expansion[2] });
    }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * `#pragma alloc_text(PAGE, A, B)` and `#pragma code_seg("PAGE")` … regions, in order (also written
 * as `__pragma(…)`, directly or through the driver's macros).
 */
export function findPagedSections(text: string, lines: LineIndex, macros?: MacroDefinitions): PagedSectionModel[] {
  const out: PagedSectionModel[] = [];
  const codeSegs: { section: string; start: number; end: number }[] = [];
  const segStack: string[] = [];
  let current = '';
  for (const { start, end, pragma, args: rawArgs } of pragmaUses(text, macros)) {
    if (pragma === 'alloc_text') {
      const parts = rawArgs.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
      const section = parts[0] ?? '';
      out.push({
        kind: 'alloc_text',
        section,
        span: lines.span(start, end),
        functions: parts.slice(1).filter((s) => /^[A-Za-z_]\w*$/.test(s)),
      });
    } else {
      // code_seg("X"), code_seg(), code_seg(push, "X"), code_seg(pop)
      const args = rawArgs.trim();
      const quoted = /"([^"]*)"/.exec(args)?.[1];
      if (/^push\b/.test(args)) {
        segStack.push(current);
        if (quoted !== undefined) current = quoted;
      } else if (/^pop\b/.test(args)) {
        current = segStack.pop() ?? '';
      } else {
        current = quoted ?? '';
      }
      codeSegs.push({ section: current, start, end });
    }
  }
  codeSegs.forEach((seg, i) => {
    const regionEnd = i + 1 < codeSegs.length ? codeSegs[i + 1].start : text.length;
    if (!seg.section) return;
    out.push({
      kind: 'code_seg',
      section: seg.section,
      span: lines.span(seg.start, seg.end),
      region: lines.span(seg.end, regionEnd),
    });
  });
  out.sort((a, b) => a.span.startOffset - b.span.startOffset);
  return out;
}

/** Paged sections are those whose name starts with PAGE (INIT code is discarded, not paged). */
function isPagedName(section: string): boolean {
  return /^PAGE/i.test(section);
}

/** The paged sections by what they place: the first `alloc_text` naming each function, and the `code_seg` regions. */
interface Placements {
  allocText: Map<string, PagedSectionModel>;
  codeSegs: PagedSectionModel[];
}

function placements(sections: PagedSectionModel[]): Placements {
  const allocText = new Map<string, PagedSectionModel>();
  const codeSegs: PagedSectionModel[] = [];
  for (const s of sections) {
    if (!isPagedName(s.section)) continue;
    if (s.kind === 'alloc_text') {
      for (const name of s.functions ?? []) if (!allocText.has(name)) allocText.set(name, s);
    } else if (s.kind === 'code_seg' && s.region) codeSegs.push(s);
  }
  return { allocText, codeSegs };
}

function pagedSectionOf(fn: FunctionModel, placed: Placements, lines: LineIndex): FunctionModel['pagedSection'] {
  // `__declspec(code_seg("PAGE"))` on the function itself (written out, or through a macro) wins.
  for (const a of fn.annotations) {
    const section = a.name === '__declspec' ? /^code_seg\s*\(\s*"([^"]*)"\s*\)$/.exec(a.args ?? '')?.[1] : undefined;
    if (section !== undefined && isPagedName(section))
      return { kind: 'declspec', span: lines.span(a.start, a.end), section };
  }
  const s = placed.allocText.get(fn.name);
  if (s) return { kind: 'alloc_text', span: s.span, section: s.section };
  for (const c of placed.codeSegs) {
    if (c.region!.startOffset <= fn.nameSpan.startOffset && fn.nameSpan.startOffset < c.region!.endOffset)
      return { kind: 'code_seg', span: c.span, section: c.section };
  }
  return undefined;
}
