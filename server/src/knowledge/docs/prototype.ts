/**
 * Reading the C prototype a docs page shows (the 2018 `## -prototype`/`## -syntax` block, or the
 * rendered page's syntax block) into a return type and parameters. Tolerant: a block cut short
 * yields what it has and says it is incomplete.
 */
import type { Direction, Param } from '../types';

export interface Prototype {
  /** The function name in the prototype, e.g. "EvtDmaEnablerSelfManagedIoStop". */
  name: string;
  returns?: string;
  params: Param[];
  /** False when the parameter list was never closed (the block was cut short). */
  closed: boolean;
}

const SAL = /^(?:_[A-Za-z][A-Za-z0-9_]*_|__[a-z_]+|_Use_decl_annotations_)$/;
const CALLING_CONVENTIONS = new Set([
  'NTAPI',
  'WINAPI',
  'CALLBACK',
  'FORCEINLINE',
  '__inline',
  'inline',
  'static',
  'extern',
  '__drv_functionClass',
  'EXTERN_C',
  'APIENTRY',
  'STDCALL',
  '__stdcall',
  '__cdecl',
  'WDFAPI',
]);
const NOT_FUNCTIONS = new Set([
  'if',
  'while',
  'for',
  'switch',
  'return',
  'sizeof',
  'typedef',
  'struct',
  'union',
  'enum',
]);

/**
 * The first function declaration or definition in the code: `RET Name(params)` with the parameter list
 * read up to the matching parenthesis (or to the end of the code, for a block cut short).
 */
export function parsePrototype(code: string): Prototype | undefined {
  const src = withoutBlockComments(code)
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/^[ \t]*#[^\n]*/gm, ' ');
  // `\b`: a candidate name starts a word (without it, every letter of a long word is a start).
  const call = /\b([A-Za-z_]\w*)\s*\(/g;
  let depth = 0;
  let scanned = 0;
  let boundary = -1;
  for (let m = call.exec(src); m; m = call.exec(src)) {
    // Only candidates at parenthesis depth 0 (not SAL arguments or nested calls). The depth and the
    // last statement boundary are carried forward, never rescanned from the start.
    for (let i = scanned; i < m.index; i++) {
      const ch = src[i];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ';' || ch === '{' || ch === '}') boundary = i;
    }
    scanned = m.index;
    const name = m[1];
    if (depth !== 0 || NOT_FUNCTIONS.has(name) || SAL.test(name)) continue;
    // What stands before a prototype's name is a return type with its annotations, never pages long.
    if (m.index - boundary > MAX_DECLARATOR_PREFIX) continue;
    const before = src
      .slice(boundary + 1, m.index)
      .replace(/\b_[A-Za-z]\w*_\s*\((?:[^()]|\([^()]*\))*\)/g, ' ')
      .trim();
    if (/^typedef\b/.test(before) || /[=,]/.test(before)) continue;
    const returnWords = before.split(/\s+/).filter((w) => w && !SAL.test(w) && !CALLING_CONVENTIONS.has(w));
    // "EVT_X EvtX;" lines are not prototypes; a prototype needs a return type.
    if (!returnWords.length || !returnWords.every((w) => /^[\w*]+$/.test(w))) continue;
    const { inner, closed } = balanced(src, m.index + m[0].length);
    return {
      name,
      returns: normalizeType(returnWords.join(' ')),
      params: splitParams(inner)
        .map(parseParam)
        .filter((p): p is Param => !!p),
      closed,
    };
  }
  return undefined;
}

const MAX_DECLARATOR_PREFIX = 1000;
/** A parameter declaration longer than this is not one (and its patterns backtrack on it). */
const MAX_PARAM_LENGTH = 400;

/** The code with each `/* … *\/` comment replaced by a space; an unclosed one is left as it is. */
function withoutBlockComments(code: string): string {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const open = code.indexOf('/*', at);
    if (open < 0) break;
    const close = code.indexOf('*/', open + 2);
    if (close < 0) break;
    out.push(code.slice(at, open), ' ');
    at = close + 2;
  }
  out.push(code.slice(at));
  return out.join('');
}

/** Text up to the parenthesis matching the one just before `start`. */
function balanced(src: string, start: number): { inner: string; closed: boolean } {
  let depth = 1;
  for (let i = start; i < src.length; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')' && --depth === 0) return { inner: src.slice(start, i), closed: true };
  }
  return { inner: src.slice(start), closed: false };
}

function splitParams(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of inner) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  // Some pages drop the commas: one "TYPE Name" per line is still one parameter per line.
  const lines = out.flatMap((p) => {
    const rows = p
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return rows.length > 1 &&
      rows.every(
        (r) =>
          r.length <= MAX_PARAM_LENGTH && /^(?:\[[^\]]*\]\s*)?(?:_\w+_(?:\([^)]*\))?\s+)*[\w\s*]+[\s*]\w+$/.test(r),
      )
      ? rows
      : [p];
  });
  return lines
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p && p !== 'void' && p !== 'VOID' && p !== '...');
}

/** "_In_opt_ PWDF_OBJECT_ATTRIBUTES Attributes", "[in] WDFDEVICE Device", "WDFQUEUE *Queue". */
export function parseParam(text: string): Param | undefined {
  let rest = text.trim();
  if (rest.length > MAX_PARAM_LENGTH) return undefined;
  let direction: Direction | undefined;
  let optional = false;
  const bracket = /^\[([^\]]*)\]\s*/.exec(rest);
  if (bracket) {
    ({ direction, optional } = directionOf(bracket[1]));
    rest = rest.slice(bracket[0].length);
  }
  const sal: string[] = [];
  for (;;) {
    const m = /^(_[A-Za-z][A-Za-z0-9_]*_|__[a-z_]+)(\s*\((?:[^()]|\([^()]*\))*\))?\s*/.exec(rest);
    if (!m || !rest.slice(m[0].length).trim()) break;
    sal.push(m[0].trim().replace(/\s+/g, ''));
    rest = rest.slice(m[0].length);
  }
  const m = /^(.*?)([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*)$/.exec(rest.trim());
  if (!m || !m[1].trim()) return undefined;
  const type = normalizeType(m[1] + (m[3] ? '*'.repeat((m[3].match(/\[/g) ?? []).length) : ''));
  const param: Param = { name: m[2], type };
  if (sal.length) {
    param.sal = sal;
    const fromSal = directionOf(sal.join(' '));
    direction ??= fromSal.direction;
    optional ||= fromSal.optional;
  }
  if (direction) param.direction = direction;
  if (optional) param.optional = true;
  return param;
}

/** "in", "in, optional", "_Inout_", "_Out_opt_", "in/out" → direction and optional. */
export function directionOf(text: string): { direction?: Direction; optional: boolean } {
  const t = text.toLowerCase();
  const optional = /opt/.test(t);
  if (/inout|in\s*,\s*out|in\/out|in_out/.test(t)) return { direction: 'in/out', optional };
  const hasIn = /(^|[^a-z])_?in(_|\b)/.test(t) || /^\s*in\b/.test(t);
  const hasOut = /(^|[^a-z])_?out(_|\b)/.test(t) || /^\s*out\b/.test(t);
  if (hasIn && hasOut) return { direction: 'in/out', optional };
  if (hasIn) return { direction: 'in', optional };
  if (hasOut) return { direction: 'out', optional };
  return { optional };
}

/** Types spelled as the headers do: "WDFQUEUE *" → "WDFQUEUE*", lower-case "void" → "VOID". */
export function normalizeType(type: string): string {
  return type
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, '*')
    .replace(/\*(?=\w)/g, '* ')
    .replace(/\bvoid\b/g, 'VOID')
    .trim();
}
