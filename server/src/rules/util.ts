/**
 * Small helpers the rules share: rule metadata, positions for fixes, role and signature comparison,
 * and the documentation references a finding links to.
 */
import type { FunctionModel, Span } from '../analysis/model';
import { LineIndex } from '../syntax/positions';
import type { IndexEntry } from '../knowledge/types';
import { PUBLIC_REFERENCE_BASE } from '../knowledge/types';
import { rulePagePath } from './help';
import { IrqlFacts } from './irqlFacts';
import type { FixEdit, Finding, RuleContext, RuleMeta, Severity } from './types';

/** Rule metadata with the help page filled in from the id. */
export function meta(m: Omit<RuleMeta, 'helpPage'>): RuleMeta {
  return { ...m, helpPage: rulePagePath(m.id) };
}

/** The run's IRQL facts (the engine shares one per run; a context built elsewhere gets its own). */
export function irqlFacts(ctx: RuleContext): IrqlFacts {
  return ctx.irqlFacts ?? new IrqlFacts(ctx.workspace, ctx.index);
}

/**
 * A UMDF driver runs in user mode at PASSIVE_LEVEL: no paging rules, and no IRQL rule applies unless
 * UMDF documents one (the IRQL and paging rules return early on such a document).
 */
export function runsInUserMode(ctx: RuleContext): boolean {
  return ctx.target.framework === 'UMDF';
}

const lineIndexes = new WeakMap<object, LineIndex>();

/** A LineIndex for the context's text (cached per document model). */
export function lines(ctx: RuleContext): LineIndex {
  let li = lineIndexes.get(ctx.document);
  if (!li || li.text !== ctx.text) {
    li = new LineIndex(ctx.text);
    lineIndexes.set(ctx.document, li);
  }
  return li;
}

/** A zero-length span at an offset. */
export function pointSpan(ctx: RuleContext, offset: number): Span {
  return lines(ctx).span(offset, offset);
}

/** The indentation of the line holding an offset. */
export function indentAt(ctx: RuleContext, offset: number): string {
  const start = lines(ctx).lineStart(lines(ctx).positionAt(offset).line);
  return /^[ \t]*/.exec(ctx.text.slice(start))?.[0] ?? '';
}

/** The line ending the document uses. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** An edit inserting whole lines before the line holding `offset`. */
export function insertLinesBefore(ctx: RuleContext, offset: number, linesText: string[]): FixEdit {
  const li = lines(ctx);
  const start = li.lineStart(li.positionAt(offset).line);
  const eol = eolOf(ctx.text);
  return { uri: ctx.document.uri, span: li.span(start, start), newText: linesText.join(eol) + eol };
}

/** An edit deleting the whole line(s) covering a span, when nothing else is on them; else just the span. */
export function deleteLines(ctx: RuleContext, span: Span): FixEdit {
  const li = lines(ctx);
  const start = li.lineStart(span.start.line);
  let end = span.endOffset;
  const before = ctx.text.slice(start, span.startOffset);
  const restMatch = /^[ \t;]*(\r\n|\n|\r|$)/.exec(ctx.text.slice(end));
  if (/^[ \t]*$/.test(before) && restMatch) {
    end += restMatch[0].length;
    return { uri: ctx.document.uri, span: li.span(start, end), newText: '' };
  }
  return { uri: ctx.document.uri, span, newText: '' };
}

/** The definitions of a function in the current document. */
export function definitionsHere(ctx: RuleContext): FunctionModel[] {
  return ctx.document.functions.filter((f) => f.isDefinition);
}

/** Normalise a C type for comparison: no SAL, `const`, spaces; `PX` ≡ `X*` for WDF-style pointer typedefs; void ≡ VOID. */
export function normalizeType(type: string): string {
  let t = type
    .replace(/\b(const|volatile|struct|enum|IN|OUT|OPTIONAL)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, '*')
    .trim();
  const aliases: Record<string, string> = {
    void: 'VOID',
    PVOID: 'VOID*',
    SIZE_T: 'size_t',
    ULONG_PTR: 'size_t',
    BOOL: 'BOOLEAN',
  };
  t = aliases[t] ?? t;
  // PWDF_X / PWDFDEVICE_INIT / PULONG → X*; only for upper-case typedef names, which is how the headers spell them.
  const m = /^P([A-Z][A-Z0-9_]*)(\**)$/.exec(t);
  if (m && !['POWER_ACTION'].includes(t.slice(0, -m[2].length || undefined))) t = `${m[1]}*${m[2]}`;
  return t;
}

/** Whether two signatures (return type + parameter types) are the same. */
export function sameSignature(a: IndexEntry, b: IndexEntry): boolean {
  if (!a.returns || !b.returns) return true;
  if (normalizeType(a.returns) !== normalizeType(b.returns)) return false;
  const pa = realParams(a);
  const pb = realParams(b);
  return pa.length === pb.length && pa.every((p, i) => normalizeType(p.type) === normalizeType(pb[i].type));
}

/** Parameters without a lone `VOID`. */
export function realParams(entry: IndexEntry): IndexEntry['params'] {
  return entry.params.filter((p) => p.type && normalizeType(p.type) !== 'VOID');
}

/** Whether the index entry has a usable signature (return type and typed parameters). */
export function hasSignature(entry: IndexEntry): boolean {
  return !!entry.returns && entry.params.every((p) => !!p.type);
}

/** The public DDI page of an entry. */
export function docsUrlOf(entry: IndexEntry): string | undefined {
  if (entry.docsUrl) return entry.docsUrl;
  if (entry.docsPath) {
    const m = /^([^/]+)\/([^/]+)\.md$/.exec(entry.docsPath);
    if (m) return `${PUBLIC_REFERENCE_BASE}${m[1]}/${m[2]}`;
  }
  return undefined;
}

/** References for a finding about an entry: its DDI page and the SDV rules listed on it. */
export function referencesOf(entry: IndexEntry | undefined): Finding['references'] {
  if (!entry) return undefined;
  const refs: NonNullable<Finding['references']> = [];
  const url = docsUrlOf(entry);
  refs.push(url ? { title: entry.name, url } : { title: entry.name });
  for (const raw of entry.ddiCompliance ?? []) {
    const rule = raw.replace(/\(.*\)$/, '').trim();
    if (!rule) continue;
    refs.push({
      title: `Static Driver Verifier rule ${rule}`,
      url: `https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-${rule.toLowerCase()}`,
    });
  }
  return refs;
}

/** "EVT_WDF_IO_QUEUE_IO_READ (VOID, 3 parameters)" style short description of a signature. */
export function signatureText(entry: IndexEntry): string {
  const params = realParams(entry);
  return `${entry.returns ?? '?'} (${params.map((p) => p.type).join(', ') || 'VOID'})`;
}

/** "≤ DISPATCH_LEVEL" style severity pick: warning when certain, info when only possible. */
export function severityFor(
  certainty: 'certain' | 'possible',
  certain: Severity = 'warning',
  possible: Severity = 'info',
): Severity {
  return certainty === 'certain' ? certain : possible;
}

/** Whether a name is a plain C identifier (not `ctx->Fn`, not a cast). */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_]\w*$/.test(name);
}
