/**
 * Facts carried by SAL annotation text: parameter direction and optionality, and the
 * name/argument split that `irqlFromAnnotations` wants. Shared by the header parser and the
 * wdf-signatures reader so that both sources describe a parameter the same way.
 */
import type { Direction } from '../types';
import { DECORATION_MACROS } from '../../syntax/sal';

/** An annotation split into its name and the text inside its outer parentheses. */
export interface AnnotationParts {
  name: string;
  args?: string;
}

/** Split `_IRQL_requires_max_(DISPATCH_LEVEL)` into name and args; a bare name has no args. */
export function splitAnnotation(text: string): AnnotationParts {
  const trimmed = text.trim();
  const open = trimmed.indexOf('(');
  if (open < 0 || !trimmed.endsWith(')')) return { name: trimmed };
  return { name: trimmed.slice(0, open).trim(), args: trimmed.slice(open + 1, -1).trim() };
}

/**
 * One-line form of an annotation that spans lines in a header: a line break (with its indentation)
 * after `(` or before `)` disappears, elsewhere it becomes one space. Spacing within a line is kept
 * as written (`_Out_writes_bytes_( Length )` stays so).
 */
export function normalizeAnnotationText(text: string): string {
  // One pass over whitespace runs (`/\s*\n\s*/` retries from every blank of a long run: quadratic):
  // a run with a line break goes after `(` and before `)`, and is one space elsewhere.
  return text
    .replace(/\s+/g, (run: string, at: number) =>
      !run.includes('\n') ? run : text[at - 1] === '(' || text[at + run.length] === ')' ? '' : ' ',
    )
    .trim();
}

/**
 * Words that sal.ts blanks but that are calling conventions or linkage, not annotations: they are
 * left out of the `annotations` / `sal` lists (the wdf-signatures facts leave them out too).
 */
const DECORATIONS = new Set([...DECORATION_MACROS, '__declspec']);

/** Whether a blanked word is worth keeping as an annotation (SAL 1/2, driver annotations, IN/OUT/OPTIONAL). */
export function isFactAnnotation(name: string): boolean {
  return !DECORATIONS.has(name);
}

interface DirectionFacts {
  direction?: Direction;
  optional?: boolean;
}

/** Direction and optionality of one annotation name, without looking inside `_When_`. */
function directionOfName(name: string): DirectionFacts {
  const optional = /_opt_?$|_opt_|^OPTIONAL$/.test(name) || /^__\w*_opt$/.test(name) ? true : undefined;
  let direction: Direction | undefined;
  if (/^_Inout_|^__inout/.test(name)) direction = 'in/out';
  else if (/^_In_|^__in(_|$)/.test(name) || name === 'IN') direction = 'in';
  else if (/^_Out|^__out|^_Deref_out_/.test(name) || name === 'OUT') direction = 'out';
  return { direction, optional };
}

/**
 * Direction and optionality of a parameter from its annotations. `_In_` is in, `_Out_…` and
 * `_Outptr_…` out, `_Inout_…` in/out; `…_opt_` (or OPTIONAL) makes it optional. Old-style
 * `IN OUT` together give in/out. When only `_When_(cond, X)` annotations carry a direction, the
 * branches are used: one direction if they agree, optional if any branch is.
 */
export function paramFacts(sal: readonly string[]): DirectionFacts {
  let direction: Direction | undefined;
  let optional = false;
  const conditional: DirectionFacts[] = [];
  for (const text of sal) {
    const { name, args } = splitAnnotation(text);
    if (name === '_When_' && args) {
      const comma = topLevelComma(args);
      if (comma >= 0) conditional.push(directionOfName(splitAnnotation(args.slice(comma + 1)).name));
      continue;
    }
    const facts = directionOfName(name);
    if (facts.optional) optional = true;
    if (facts.direction) {
      if ((direction === 'in' && facts.direction === 'out') || (direction === 'out' && facts.direction === 'in'))
        direction = 'in/out';
      else direction ??= facts.direction;
    }
  }
  if (!direction) {
    const branches = [...new Set(conditional.map((c) => c.direction).filter((d): d is Direction => !!d))];
    if (branches.length === 1) direction = branches[0];
    else if (branches.length > 1)
      direction =
        branches.includes('in/out') || (branches.includes('in') && branches.includes('out')) ? 'in/out' : branches[0];
    if (conditional.some((c) => c.optional)) optional = true;
  }
  return { ...(direction ? { direction } : {}), ...(optional ? { optional } : {}) };
}

/** Index of the first comma outside parentheses, or -1. */
function topLevelComma(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return -1;
}

/** Normalise a C type as written: single spaces, `*` attached to the type (`CONST GUID *` → `CONST GUID*`). */
export function normalizeType(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, '*')
    .replace(/\*(?=[A-Za-z_])/g, '* ')
    .replace(/\s*\[\s*/g, '[')
    .replace(/\s*\]/g, ']')
    .trim();
}
