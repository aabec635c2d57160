/**
 * SAL-aware pre-pass over C source, before tree-sitter sees it.
 *
 * Driver code is full of SAL annotations (`_In_`, `_IRQL_requires_max_(DISPATCH_LEVEL)`,
 * `__drv_maxIRQL(2)`), `IN`/`OUT`/`OPTIONAL` and calling-convention macros (`NTAPI`) that the C
 * grammar reads as ERROR nodes. We record each annotation with its offset (they carry IRQL and
 * function-class facts), then replace it with spaces of the same length, keeping newlines, so
 * that every offset, line and column of the blanked text equals the original's.
 */

import { applyPatches, matchParen, scanCode, type TextPatch } from './lexicalWalk';

export interface Annotation {
  /** The annotation name, e.g. "_IRQL_requires_max_". */
  name: string;
  /** The text between the outer parentheses, if any, e.g. "DISPATCH_LEVEL". */
  args?: string;
  /** Full original text, e.g. "_IRQL_requires_max_(DISPATCH_LEVEL)". */
  text: string;
  start: number;
  end: number;
}

export interface BlankedSource {
  text: string;
  annotations: Annotation[];
}

/**
 * Calling conventions, linkage and inlining macros: blanked like annotations, but not facts worth keeping
 * (salFacts.ts leaves them out of a declaration's annotations, as the wdf-signatures facts do).
 */
export const DECORATION_MACROS: ReadonlySet<string> = new Set([
  'NTAPI',
  'WSKAPI',
  'WINAPI',
  'STDCALL',
  'CALLBACK',
  'APIENTRY',
  'FASTCALL',
  'NTKERNELAPI',
  'NTSYSAPI',
  'NTHALAPI',
  'WDFAPI',
  'FORCEINLINE',
  'DECLSPEC_NOINLINE',
  'EXTERN_C',
  'WDF_EXTERN_C',
  'WDF_EXTERN_C_START',
  'WDF_EXTERN_C_END',
  'EXTERN_C_START',
  'EXTERN_C_END',
  '__stdcall',
  '__cdecl',
  '__fastcall',
  '__forceinline',
  '__inline',
  'WDFEXPORT',
  'WDF_DECLARE_CONTEXT_TYPE',
]);

/** Macros blanked with no facts of their own: the old-style direction words and the decorations. */
const PLAIN_MACROS = new Set(['IN', 'OUT', 'OPTIONAL', ...DECORATION_MACROS]);
// WDF_DECLARE_CONTEXT_TYPE(...) is a macro invocation at file scope; with its arguments blanked it
// no longer turns the following declaration into an ERROR node.

/** SAL 2 (`_In_`, `_Out_writes_(n)`, `_IRQL_requires_max_(…)`) and SAL 1 / driver (`__in`, `__drv_…`) names. */
function isAnnotationName(word: string): boolean {
  if (PLAIN_MACROS.has(word)) return true;
  // Every pattern below starts with an underscore; most words of a file do not (asked for each one).
  if (word.charCodeAt(0) !== 95) return false;
  // SAL 2: leading underscore + capital, trailing underscore (struct tags like _WDF_X don't end in '_').
  if (/^_[A-Z][A-Za-z0-9_]*_$/.test(word)) return true;
  // SAL 1 and driver annotations.
  if (/^__drv_[A-Za-z0-9_]+$/.test(word)) return true;
  if (
    /^__(in|out|inout|deref|ecount|bcount|opt|checkReturn|success|nullterminated|reserved|callback|field|range|analysis|typefix)\w*$/.test(
      word,
    )
  )
    return true;
  return false;
}

/** Macros that take arguments and should be blanked together with their argument list. */
const ALWAYS_WITH_ARGS = new Set(['WDF_DECLARE_CONTEXT_TYPE', '__declspec']);

/** Past 4 KB an opening parenthesis after an annotation name is a stray one, not its arguments. */
const MAX_ARGS_SPAN = 4096;

/** Whether blankAnnotations blanks or replaces a name where it stands in code (`CONST` included). */
export function isBlankedName(word: string): boolean {
  return word === 'CONST' || isAnnotationName(word) || ALWAYS_WITH_ARGS.has(word);
}

/**
 * Blank SAL annotations and calling-convention macros, returning the same-length text and the
 * annotations found (in source order). Comments, strings and preprocessor lines other than
 * `#pragma` are left untouched and are not searched. With `read`, pushes there (as flat
 * [start, end) pairs) every stretch a decision read: each name blanked, with what followed it up
 * to its arguments' `)` or to the character that showed it had none (prepass.ts reblankSource).
 */
export function blankAnnotations(source: string, read?: number[]): BlankedSource {
  const patches: TextPatch[] = [];
  const annotations: Annotation[] = [];
  const n = source.length;
  // Preprocessor lines stay as they are (including continuations): tree-sitter parses them.
  scanCode(source, (token) => {
    if (token.kind !== 'identifier') return;
    const { text: word, start, end: wordEnd } = token;
    if (word === 'CONST') {
      // Same length, and the grammar knows `const`.
      patches.push({ start, end: wordEnd, text: 'const' });
      read?.push(start, wordEnd);
      return;
    }
    if (!isAnnotationName(word) && !ALWAYS_WITH_ARGS.has(word)) return;
    let end = wordEnd;
    let args: string | undefined;
    let k = wordEnd;
    while (k < n && (source[k] === ' ' || source[k] === '\t')) k++;
    const takesArgs = !PLAIN_MACROS.has(word) || ALWAYS_WITH_ARGS.has(word);
    // How far the decision looked: the `(` or the character in its place, or the search for the `)`.
    let reach = end;
    if (takesArgs) reach = k + 1;
    if (takesArgs && source[k] === '(') {
      const close = matchParen(source, k, MAX_ARGS_SPAN);
      if (close > 0) {
        args = source.slice(k + 1, close).trim();
        end = close + 1;
        reach = end;
      } else reach = Math.min(n, k + MAX_ARGS_SPAN);
    }
    read?.push(start, reach);
    annotations.push({ name: word, args, text: source.slice(start, end), start, end });
    patches.push({ start, end });
    return end;
  });
  return { text: applyPatches(source, patches), annotations };
}
