/**
 * The `#define`s a driver writes for itself, read the way the compiler would use them where that
 * changes what the model sees:
 *
 * - an object-like macro that expands to annotations only (`#define FEN_PAGED
 *   __declspec(code_seg("PAGE"))`, `#define FEN_PASSIVE _IRQL_requires_max_(PASSIVE_LEVEL)`) is
 *   those annotations where it is used, and is blanked like them;
 * - a macro that expands to nothing (`#define FEN_EXPORT`, `#define FEN_TRACE_CLEANUP(x)`) is
 *   blanked with its arguments: the calls written inside them are never compiled;
 * - a macro whose expansion calls `PAGED_CODE()` (`#define FEN_PAGED_CODE() PAGED_CODE()`) counts
 *   as that call.
 *
 * The table of a document is its own definitions plus those given by the caller (the project's
 * headers); the document's own win.
 */
import { matchParen, scanCode, type TextPatch } from '../syntax/lexicalWalk';
import { blankAnnotations, type Annotation } from '../syntax/sal';

/** One `#define`. */
export interface MacroDefinition {
  name: string;
  /** Parameter names of a function-like macro (`...` for a variadic one); undefined for an object-like one. */
  params?: string[];
  /** The replacement text, continuations joined and comments removed, whitespace-trimmed. */
  body: string;
  /** Where the `#define` line starts in its text (for the document's own definitions). */
  offset?: number;
}

export type MacroDefinitions = ReadonlyMap<string, MacroDefinition>;

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)\n]*\))?((?:[^\n\\]|\\\r?\n|\\(?!\r?\n))*)/gm;

/** The `#define`s of a text, in order (a later definition of a name replaces an earlier one). */
export function readMacroDefinitions(text: string): Map<string, MacroDefinition> {
  const out = new Map<string, MacroDefinition>();
  if (!text.includes('define')) return out;
  for (const m of text.matchAll(DEFINE)) {
    const body = m[3]
      .replace(/\\\r?\n/g, ' ')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/\/\/.*$/, '')
      .trim();
    const params = m[2]
      ?.slice(1, -1)
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
    out.set(m[1], { name: m[1], params, body, offset: m.index });
  }
  return out;
}

/**
 * The document's own definitions over the given ones, leaving out those `keep` rejects (a
 * `#define` inside an `#if` branch the known defines do not decide may not apply).
 */
export function macroTable(
  text: string,
  given: MacroDefinitions | undefined,
  keep: (def: MacroDefinition) => boolean,
): MacroDefinitions {
  const out = new Map(given ?? []);
  for (const [name, def] of readMacroDefinitions(text)) if (keep(def)) out.set(name, def);
  return out;
}

/** Past this depth a macro naming another macro is not followed (a cycle, or nothing we need). */
const MAX_EXPANSION_DEPTH = 4;

/** The body of an object-like macro with macro names among object-like ones expanded. */
function expandObjectLike(def: MacroDefinition, table: MacroDefinitions, depth = 0): string {
  if (depth >= MAX_EXPANSION_DEPTH) return def.body;
  return def.body.replace(/\b[A-Za-z_]\w*\b/g, (word) => {
    const inner = table.get(word);
    return inner && !inner.params && inner.name !== def.name ? expandObjectLike(inner, table, depth + 1) : word;
  });
}

/**
 * The annotations an object-like macro stands for, when its expansion is nothing but annotations;
 * an empty array when it expands to nothing at all; undefined when it expands to code.
 */
function annotationsOf(
  def: MacroDefinition,
  table: MacroDefinitions,
): Omit<Annotation, 'start' | 'end' | 'text'>[] | undefined {
  const body = expandObjectLike(def, table);
  if (!body) return [];
  const blanked = blankAnnotations(body);
  if (blanked.text.trim() !== '') return undefined;
  return blanked.annotations.map((a) => ({ name: a.name, args: a.args }));
}

/** Whether a macro, called as a function, runs `PAGED_CODE()` (or `PAGED_CODE_LOCKED()`). */
export function callsPagedCode(name: string, table: MacroDefinitions, depth = 0): boolean {
  const def = table.get(name);
  if (!def || depth >= MAX_EXPANSION_DEPTH) return false;
  if (/\bPAGED_CODE(_LOCKED)?\s*\(\s*\)/.test(def.body)) return true;
  for (const m of def.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g))
    if (m[1] !== name && callsPagedCode(m[1], table, depth + 1)) return true;
  return false;
}

/** Longest argument list of a macro use we follow; past it the `(` is not this macro's. */
const MAX_ARGS_SPAN = 8192;

/**
 * Blank the uses of macros that stand for annotations or for nothing (see the file comment) in
 * `text`, the SAL-blanked form of `source`; returns the patches and the annotations the uses stand for.
 * With `read`, pushes there (flat [start, end) pairs) each use's stretch and what its decision read
 * after it (the `(` looked for, or the search for its `)`).
 */
export function blankMacroUses(
  text: string,
  source: string,
  table: MacroDefinitions,
  read?: number[],
): { patches: TextPatch[]; annotations: Annotation[] } {
  const patches: TextPatch[] = [];
  const annotations: Annotation[] = [];
  if (!table.size) return { patches, annotations };
  const meaning = new Map<string, Omit<Annotation, 'start' | 'end' | 'text'>[] | 'drop-call' | undefined>();
  const meaningOf = (def: MacroDefinition) => {
    if (!meaning.has(def.name))
      meaning.set(def.name, def.params ? (def.body === '' ? 'drop-call' : undefined) : annotationsOf(def, table));
    return meaning.get(def.name);
  };
  scanCode(text, (token) => {
    if (token.kind !== 'identifier') return;
    const def = table.get(token.text);
    if (!def) return;
    const what = meaningOf(def);
    if (!what) return;
    const { start } = token;
    let end = token.end;
    if (what === 'drop-call') {
      let k = end;
      while (k < text.length && /\s/.test(text[k])) k++;
      if (text[k] !== '(') {
        read?.push(start, k + 1);
        return;
      }
      const close = matchParen(text, k, MAX_ARGS_SPAN);
      if (close < 0) {
        read?.push(start, Math.min(text.length, k + MAX_ARGS_SPAN));
        return;
      }
      end = close + 1;
    } else {
      for (const a of what) annotations.push({ ...a, text: source.slice(start, end), start, end });
    }
    patches.push({ start, end });
    read?.push(start, end);
    return end;
  });
  return { patches, annotations };
}
