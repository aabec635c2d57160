/**
 * Findings of per-function rules kept from one run of the rules on a document to the next (issue 10
 * §2, latency): after an edit, a function whose text did not change keeps the findings a rule
 * reported while checking it, moved to where the function is now, and only the edited function is
 * checked again. The engine (engine.ts) runs rules marked `perFunction`; they loop over
 * `checkedFunctions(ctx)` instead of `ctx.document.functions`.
 *
 * What a rule reads for one function reaches the whole workspace (callers and callees through IRQL
 * propagation and helper summaries, registrations anywhere, typedefs, macros, file-scope variables,
 * the index, the target), so the reuse key is conservative. Findings are reused only when the
 * document's context is the previous run's: the same document text once the indentation of each
 * line that starts a statement is left out (`documentShape`: whitespace there is never read by the
 * model), the same analysis lineage (the parsed document that built the model incrementally, so the
 * same defines, header macros and language), the same index, the same target, and the same model of
 * every other document of the workspace. Within that context a function's findings are reused when
 * its own text (exact, from its first annotation to its closing brace) and start column are the
 * same: every position inside it has then moved by the same offsets and lines. An edit that changes
 * a token anywhere (another function, a declaration, a registration) checks every function again.
 *
 * Findings are kept only where everything they point at in the document lies inside the function
 * (span, related locations, fix edits); a finding pointing elsewhere in it has its function checked
 * again next time. Places in other documents are kept as they are (those documents are unchanged).
 * Suppressions, severities and overrides are applied afresh to reused findings, as to new ones.
 */
import type { DocumentModel, FunctionModel, Span } from '../analysis/model';
import type { Finding, RuleContext } from './types';
import { hashLines } from '../util/hashLines';

/** A finding as a rule reports it (before the engine adds its rule, severity and suppressions). */
export type ReportedFinding = Parameters<RuleContext['report']>[0];

/** The functions a rule checks: those the engine did not reuse findings for (all outside the engine). */
export function checkedFunctions(ctx: RuleContext): Iterable<FunctionModel> {
  return ctx.functionsToCheck?.() ?? ctx.document.functions;
}

/** One function's findings for one rule, at the function's place when they were found. */
export interface KeptFindings {
  fnStart: number;
  fnLine: number;
  findings: ReportedFinding[];
}

/** Kept for a function that had no findings (nothing to move). */
export const NO_FINDINGS: KeptFindings = Object.freeze({
  fnStart: 0,
  fnLine: 0,
  findings: Object.freeze([]) as unknown as ReportedFinding[],
});

/**
 * What was kept of the last run of the rules on one document. Only the ids of its context (`around`)
 * are made by the run that keeps it; the parts over the whole text (its shape, outline and function
 * keys) are made from the text and model it captured when a later run compares them (ids first: a
 * run after an edit in another file compares none), once, and never by a run that had nothing kept
 * to compare with (a document's open). The text and the model are the run's, immutable; they are
 * what the editor has until the next run replaces this entry (the cache holds 16 documents).
 */
export class KeptDocument {
  /**
   * By rule id, then by function index of that run (undefined: not kept, checked again next time).
   * Arrays and not maps by key: a run keeps an entry per rule and function, and the keys (whole
   * function texts) are matched to the next run's functions once per document, not once per rule.
   */
  readonly rules = new Map<string, (KeptFindings | undefined)[]>();
  private shapeMade?: string;
  private outlineMade?: string;
  private keysMade?: readonly string[];

  constructor(
    /** The ids the findings depend on beyond the text: lineage, index, target, every other model. */
    readonly around: string,
    private readonly document: DocumentModel,
    private readonly text: string,
    /** Whether a rule of the run reads only its function (then the outline is compared). */
    readonly outlined: boolean,
  ) {}

  /** documentShape of the text. */
  shape(): string {
    return (this.shapeMade ??= documentShape(this.text));
  }

  /** documentOutline, the part of the context `readsOnlyItsFunction` rules depend on ('' when the run had none). */
  outline(): string {
    return this.outlined ? (this.outlineMade ??= documentOutline(this.document, this.text)) : '';
  }

  /** The run's function keys (functionKeys), by function index. */
  keys(): readonly string[] {
    return (this.keysMade ??= functionKeys(this.document, this.text));
  }
}

/**
 * What a run on a document (`next`, with nothing compared yet) reuses from `kept`: `previous`, the
 * kept run when its whole context is this one's (same ids, same shape); `previousOutline`, when its
 * ids and outline are (for `readsOnlyItsFunction` rules); and for each function its index in that
 * run, or -1. The same decisions as comparing `ids + shape` and `ids + outline` strings made by each
 * run; the text-wide parts are made only when the ids are the same.
 */
export function reuseDecision(
  kept: KeptDocument | undefined,
  next: KeptDocument,
): { previous?: KeptDocument; previousOutline?: KeptDocument; previousIndexes?: Int32Array } {
  if (!kept || kept.around !== next.around) return {};
  const previous = kept.shape() === next.shape() ? kept : undefined;
  const outline = next.outline();
  const previousOutline = outline && kept.outline() === outline ? kept : undefined;
  const from = previous ?? previousOutline;
  return { previous, previousOutline, previousIndexes: from ? previousIndexes(next.keys(), from) : undefined };
}

/**
 * For each function of this run (`keys`), the index of the function with the same key in the run
 * that kept `kept`, or -1.
 */
export function previousIndexes(keys: readonly string[], kept: KeptDocument): Int32Array {
  const at = new Map<string, number>();
  kept.keys().forEach((key, i) => at.set(key, i));
  const out = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = at.get(keys[i]) ?? -1;
  return out;
}

/** The kept findings of the documents last checked (a few: those being edited), by caller's key. */
export class FindingsReuse {
  private readonly documents = new Map<string, KeptDocument>();
  /** Functions whose findings the last run took from the one before, and functions it checked (perFunction rules). */
  reused = 0;
  checked = 0;

  constructor(private readonly capacity = 16) {}

  get(key: string): KeptDocument | undefined {
    const kept = this.documents.get(key);
    if (kept) {
      this.documents.delete(key);
      this.documents.set(key, kept);
    }
    return kept;
  }

  /** How many documents' findings are kept (tests). */
  get size(): number {
    return this.documents.size;
  }

  set(key: string, kept: KeptDocument): void {
    this.documents.delete(key);
    this.documents.set(key, kept);
    while (this.documents.size > this.capacity) this.documents.delete(this.documents.keys().next().value!);
  }
}

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number for an object, the same for its lifetime (models and indexes are replaced, not changed). */
export function objectId(value: object): number {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = nextId++));
  return id;
}

/**
 * The document's text without the indentation of lines that follow a `;`, `{` or `}` at a line end:
 * whitespace the model never reads (no expression continues there), so a change of it alone leaves
 * every other function's facts as they were, moved.
 */
export function documentShape(text: string): string {
  return text.replace(/([;{}][ \t]*\r?\n)[ \t]+/g, '$1');
}

/**
 * What a function's model and a `readsOnlyItsFunction` rule's findings there can depend on in the
 * document beyond the function's own text: the text with every definition's body left out (heads,
 * declarations, typedefs, globals, pragmas), every preprocessor line (a `#define` or `#if` inside a
 * body reaches the functions after it), the names of the file's functions and which are defined (a
 * definition may sit inside another's body), and its role declarations (one inside a body names a
 * callback for the whole file).
 */
export function documentOutline(document: DocumentModel, text: string): string {
  let outside = '';
  let at = 0;
  const bodies = document.functions
    .flatMap((f) => (f.body ? [f.body] : []))
    .sort((a, b) => a.startOffset - b.startOffset);
  for (const body of bodies) {
    if (body.startOffset < at) continue;
    outside += text.slice(at, body.startOffset) + '{}';
    at = body.endOffset;
  }
  outside += text.slice(at);
  const directives = directiveLines(text);
  const names = document.functions.map((f) => `${f.isDefinition ? 'D' : 'd'}${f.name}`).join(',');
  const roles = document.roleDecls.map((d) => `${d.roleType}:${d.names.map((n) => n.name).join(',')}`).join(';');
  return [documentShape(outside), directives, names, roles].join('\u0000');
}

/**
 * The preprocessor lines joined by "\n": what `text.match(/^[ \t]*#.*$/gm)` joins, without a regex over
 * the whole text on every edit (hashLines), its lines ending where that regex's do.
 */
export function directiveLines(text: string): string {
  return hashLines(text, isLineTerminator)
    .map(([start, end]) => text.slice(start, end))
    .join('\n');
}

/** The characters JavaScript's `^`, `$` and `.` take for line ends. */
function isLineTerminator(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

/** Each function's reuse key: its exact text and start column, and which copy it is of that text. */
export function functionKeys(document: DocumentModel, text: string): string[] {
  const seen = new Map<string, number>();
  return document.functions.map((fn) => {
    const own = `${fn.span.start.character}\u0000${text.slice(fn.span.startOffset, fn.span.endOffset)}`;
    const n = (seen.get(own) ?? 0) + 1;
    seen.set(own, n);
    return `${n}\u0000${own}`;
  });
}

/** Whether everything a finding points at in `uri` lies inside the function: only then can it be moved with it. */
export function movable(f: ReportedFinding, uri: string, fn: FunctionModel): boolean {
  const inside = (s: Span) => fn.span.startOffset <= s.startOffset && s.endOffset <= fn.span.endOffset;
  if ((f.uri ?? uri) !== uri || !inside(f.span)) return false;
  for (const r of f.related ?? []) if (r.uri === uri && !inside(r.span)) return false;
  for (const fix of f.fixes ?? []) for (const e of fix.edits) if (e.uri === uri && !inside(e.span)) return false;
  return true;
}

/** Kept findings moved to where their function starts now (offset and line; the column is the same). */
export function movedFindings(kept: KeptFindings, uri: string, fnStart: number, fnLine: number): ReportedFinding[] {
  if (!kept.findings.length) return kept.findings;
  const delta = fnStart - kept.fnStart;
  const lines = fnLine - kept.fnLine;
  if (!delta && !lines) return kept.findings;
  const span = (s: Span): Span => ({
    start: { line: s.start.line + lines, character: s.start.character },
    end: { line: s.end.line + lines, character: s.end.character },
    startOffset: s.startOffset + delta,
    endOffset: s.endOffset + delta,
  });
  return kept.findings.map((f) => {
    const out: ReportedFinding = { ...f, span: span(f.span) };
    if (f.related) out.related = f.related.map((r) => (r.uri === uri ? { ...r, span: span(r.span) } : r));
    if (f.fixes)
      out.fixes = f.fixes.map((fix) => ({
        ...fix,
        edits: fix.edits.map((e) => (e.uri === uri ? { ...e, span: span(e.span) } : e)),
      }));
    return out;
  });
}

export type { Finding };
