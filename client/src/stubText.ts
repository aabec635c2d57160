/**
 * Text for the "Generate Callback Stub" command, free of the vscode API so it can be unit tested:
 * quick pick entries for callback role types, function-name validation and the inserted text.
 */
import type { CallbackSummary, GeneratedStub } from '../../shared/protocol';

/** Words a C or C++ compiler would not accept as a function name. */
const RESERVED = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long register ' +
    'restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary bool class delete false friend namespace new nullptr operator private protected public ' +
    'template this throw true try typename virtual'
  ).split(' '),
);

/**
 * Why `name` cannot be the name of the generated function, or undefined when it can.
 * Returned as the input box's validation message.
 */
export function functionNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter a function name.';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(trimmed)) {
    return `"${trimmed}" is not a C identifier: use letters, digits and _, not starting with a digit.`;
  }
  if (RESERVED.has(trimmed)) return `"${trimmed}" is a C/C++ keyword.`;
  return undefined;
}

/** One quick pick entry for a callback role type (label, description, detail) plus the role type it stands for. */
export interface CallbackPickEntry {
  label: string;
  description: string;
  detail?: string;
  roleType: string;
}

/**
 * Quick pick entry for a callback: the role type as label, the role name, IRQL and frameworks as
 * the description (so typing "EvtIoStop" or "DISPATCH" filters with matchOnDescription), and the
 * one-line summary as the detail.
 */
export function callbackPickEntry(callback: CallbackSummary): CallbackPickEntry {
  const parts: string[] = [];
  if (callback.roleName) parts.push(callback.roleName);
  if (callback.irql) parts.push(`IRQL ${callback.irql}`);
  if (callback.frameworks.length) parts.push(callback.frameworks.join('/'));
  const entry: CallbackPickEntry = { label: callback.name, description: parts.join(' · '), roleType: callback.name };
  if (callback.summary) entry.detail = callback.summary;
  return entry;
}

/** Options for the text inserted at the cursor. */
export interface InsertionOptions {
  /** Line ending of the target document. */
  eol: string;
  /** Whether the cursor's line already has text before the cursor (then the stub starts on a new line). */
  textBeforeCursor: boolean;
  /** Whether the cursor's line has text after the cursor (then the stub ends with a line break). */
  textAfterCursor: boolean;
}

/**
 * The text inserted for a stub: the role-type declaration, the `alloc_text` pragma (guarded by
 * ALLOC_PRAGMA, which the WDK defines only for compilers that know the pragma) and the definition.
 * The server writes the stub with "\n"; it is converted to the document's line ending here.
 */
export function stubInsertionText(stub: GeneratedStub, options: InsertionOptions): string {
  const blocks: string[] = [stub.declaration];
  if (stub.allocText) blocks.push(['#ifdef ALLOC_PRAGMA', stub.allocText, '#endif'].join('\n'));
  blocks.push(stub.definition);
  let text = blocks.join('\n\n').replace(/\r\n/g, '\n');
  if (options.textBeforeCursor) text = '\n' + text;
  text += options.textAfterCursor ? '\n\n' : '\n';
  return text.replace(/\n/g, options.eol);
}

/** How well `query` matches a callback, lower is better; undefined when it does not match at all. */
export function callbackMatchScore(callback: CallbackSummary, query: string): number | undefined {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const role = (callback.roleName ?? '').toLowerCase();
  const type = callback.name.toLowerCase();
  const compact = (s: string) => s.replace(/_/g, '');
  if (role === q || type === q) return 0;
  if (role.startsWith(q)) return 1;
  if (type.startsWith(q) || compact(type).startsWith(compact(q))) return 2;
  if (role.includes(q)) return 3;
  if (type.includes(q) || compact(type).includes(compact(q))) return 4;
  const subsequence = (s: string) => {
    let i = 0;
    for (const c of s) if (c === q[i]) i++;
    return i === q.length;
  };
  if (subsequence(role) || subsequence(compact(type))) return 5;
  return undefined;
}

/**
 * Callbacks in the order the quick pick shows them for the typed text: best match first (the role
 * name before the role type, a prefix before a substring), then the project's framework first (the
 * server's `forProject`), then the shorter role name, then the server's order. Non-matches go last, in
 * the server's order, as does everything when nothing is typed.
 */
export function rankCallbacks(callbacks: readonly CallbackSummary[], query: string): CallbackSummary[] {
  if (!query.trim()) return [...callbacks];
  return callbacks
    .map((callback, order) => ({ callback, order, score: callbackMatchScore(callback, query) ?? 9 }))
    .sort(
      (a, b) =>
        a.score - b.score ||
        Number(b.callback.forProject ?? true) - Number(a.callback.forProject ?? true) ||
        (a.score < 9
          ? (a.callback.roleName ?? a.callback.name).length - (b.callback.roleName ?? b.callback.name).length
          : 0) ||
        a.order - b.order,
    )
    .map((r) => r.callback);
}
