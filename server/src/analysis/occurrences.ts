/**
 * Where a name occurs in a C text, and what each occurrence is to the document's model: the
 * definition, a declaration (prototype or `EVT_X Name;`), a registration, a call, a
 * `#pragma alloc_text` line, or another use. Navigation and rename read these; comments, string
 * and character literals are never occurrences.
 */
import type { DocumentModel } from './model';

export type OccurrenceKind = 'definition' | 'declaration' | 'registration' | 'call' | 'alloc_text' | 'reference';

export interface Occurrence {
  /** Offsets of the identifier in the text (JS string indices). */
  start: number;
  end: number;
  kind: OccurrenceKind;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

/**
 * Offsets of every identifier token equal to `name`, outside comments and literals. Preprocessor
 * lines count as code (so `#pragma alloc_text(PAGE, Name)` and macro bodies are found).
 */
export function identifierOffsets(text: string, name: string): number[] {
  const out: number[] = [];
  if (!name || !text.includes(name)) return out;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      // A line comment ends at the line break (a backslash before it continues the comment).
      i += 2;
      while (i < n && !(text[i] === '\n' && text[i - 1] !== '\\')) i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (ch === '"' || ch === "'") {
      i++;
      while (i < n && text[i] !== ch && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (IDENT_START.test(ch)) {
      const start = i;
      while (i < n && IDENT.test(text[i])) i++;
      if (i - start === name.length && text.startsWith(name, start)) out.push(start);
    } else if (/[0-9]/.test(ch)) {
      // A number (0x1F, 10ULL, 1'000): its letters are not identifiers, its digit separators not quotes.
      while (i < n && (IDENT.test(text[i]) || (text[i] === "'" && /[0-9A-Fa-f]/.test(text[i + 1] ?? '')))) i++;
    } else {
      i++;
    }
  }
  return out;
}

/** The occurrences of `name` in `text`, each classified by the model built from that text (if any). */
export function occurrencesOf(model: DocumentModel | undefined, text: string, name: string): Occurrence[] {
  const kinds = new Map<number, OccurrenceKind>();
  const allocText: { start: number; end: number }[] = [];
  if (model) {
    for (const fn of model.functions)
      if (fn.name === name) kinds.set(fn.nameSpan.startOffset, fn.isDefinition ? 'definition' : 'declaration');
    for (const decl of model.roleDecls)
      for (const n of decl.names) if (n.name === name) kinds.set(n.span.startOffset, 'declaration');
    for (const r of model.registrations)
      if (r.functionName === name && !kinds.has(r.valueSpan.startOffset))
        kinds.set(r.valueSpan.startOffset, 'registration');
    for (const fn of model.functions)
      for (const call of fn.calls)
        if (call.callee === name && !kinds.has(call.calleeSpan.startOffset))
          kinds.set(call.calleeSpan.startOffset, 'call');
    for (const section of model.pagedSections)
      if (section.kind === 'alloc_text' && section.functions?.includes(name))
        allocText.push({ start: section.span.startOffset, end: section.span.endOffset });
  }
  return identifierOffsets(text, name).map((start) => {
    const kind =
      kinds.get(start) ?? (allocText.some((s) => s.start <= start && start < s.end) ? 'alloc_text' : 'reference');
    return { start, end: start + name.length, kind };
  });
}
