/**
 * Completion for WDF callbacks:
 * - where a declaration can start, typing `EVT_`/`Evt`: role types, and "generate callback" items
 *   that insert a declaration and a definition;
 * - after `config.` on a variable of a WDF config structure: every field, those that take callbacks
 *   first with their role type;
 * - after `config.EvtIoStop = `: the driver's functions of that role type first, then
 *   "new EvtIoStop callback…", which writes a stub and puts its name at the cursor.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
  type Connection,
} from 'vscode-languageserver';
import { formatIrql } from '../knowledge/irql';
import type { IndexEntry } from '../knowledge/types';
import { formatFactsLine, formatRegistration } from '../knowledge/format';
import { callbackBaseName, uniqueName } from '../stubs/naming';
import { signatureProblem } from '../stubs/stub';
import { offsetAt, positionAt } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import { functionAt, type ProjectView } from '../session/projectView';
import { documentStyleOf, stubEdits, stubForDocument } from './stubPlacement';
import { structTypeOf } from './symbolAt';
import type { DocumentModel } from '../analysis/model';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';

export class CompletionFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onCompletion((params) => this.complete(params));
  }

  async complete(params: CompletionParams): Promise<CompletionList | null> {
    const current = await this.ctx.documents.current(params.textDocument.uri);
    if (!current) return null;
    const { model, text } = current;
    const offset = offsetAt(text, params.position);
    const lineStartOffset = text.lastIndexOf('\n', offset - 1) + 1;
    const linePrefix = text.slice(lineStartOffset, offset);
    const index = this.ctx.index();
    // Names, roles and the prefix of this document's own driver project (another driver's do not apply).
    const project = this.ctx.project.forDocument(params.textDocument.uri);

    const assignment = /([A-Za-z_]\w*)\s*(?:\.|->)\s*([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)?$/.exec(linePrefix);
    if (assignment) {
      const [, object, field, partial = ''] = assignment;
      const role = index.callbackForField(structTypeOf(model, object, offset), field);
      if (!role) return null;
      return { isIncomplete: false, items: this.assignmentItems(project, role, text, model, offset, partial) };
    }

    const member = /([A-Za-z_]\w*)\s*(?:\.|->)\s*([A-Za-z_]\w*)?$/.exec(linePrefix);
    if (member) {
      const [, object] = member;
      const struct = structTypeOf(model, object, offset);
      if (!struct) return null;
      const fields = index.fieldsOf(struct);
      if (!fields.length) return null;
      return { isIncomplete: false, items: fields.map((f, i) => fieldItem(f.field, f.callback, i)) };
    }

    const declStart = /^\s*([A-Za-z_]\w*)$/.exec(linePrefix);
    if (declStart && /^(EVT|Evt|evt)/.test(declStart[1]) && !inBody(model, offset)) {
      const { items, cut } = this.declarationItems(project, index, text, declStart[1], offset);
      // A list cut to the typed word is asked for again as the word changes.
      return { isIncomplete: cut, items };
    }
    return null;
  }

  /** `config.EvtIoStop = |`: matching functions, then a new stub. */
  private assignmentItems(
    project: ProjectView,
    role: IndexEntry,
    text: string,
    model: DocumentModel,
    offset: number,
    partial: string,
  ): CompletionItem[] {
    const start = positionAt(text, offset - partial.length);
    const end = positionAt(text, offset);
    const items: CompletionItem[] = project.functionsWithRole(role.name).map((name, i) => ({
      label: name,
      kind: CompletionItemKind.Function,
      detail: role.name,
      sortText: `0${String(i).padStart(4, '0')}`,
      preselect: i === 0,
      textEdit: { range: { start, end }, newText: name },
    }));
    if (!signatureProblem(role)) {
      const name = uniqueName(project.prefix() + callbackBaseName(role), (n) => project.isTaken(n));
      const stub = stubForDocument(role, name, text, this.ctx.index());
      items.push({
        label: `new ${callbackBaseName(role)} callback…`,
        kind: CompletionItemKind.Snippet,
        detail: `${name} — declaration and definition of ${role.name}`,
        documentation: {
          kind: MarkupKind.Markdown,
          value: '```c\n' + stub.declaration + '\n\n' + stub.definition + '\n```',
        },
        sortText: '1',
        filterText: partial || name,
        preselect: items.length === 0,
        textEdit: { range: { start, end }, newText: name },
        additionalTextEdits: stubEdits(stub, text, model, offset),
      });
    }
    return items;
  }

  /**
   * At the start of a declaration: role types and "generate callback" items, for the callbacks whose
   * names hold the typed word's letters in order (no client shows an item that does not; all 417
   * with their stubs are half a megabyte). `cut`: some callbacks were left out.
   */
  private declarationItems(
    project: ProjectView,
    index: KnowledgeIndex,
    text: string,
    word: string,
    offset: number,
  ): { items: CompletionItem[]; cut: boolean } {
    const range = { start: positionAt(text, offset - word.length), end: positionAt(text, offset) };
    const items: CompletionItem[] = [];
    const prefix = project.prefix();
    const style = documentStyleOf(text);
    let cut = false;
    for (const entry of index.all('callback')) {
      const roleName = callbackBaseName(entry);
      if (!holdsInOrder(`${entry.name} ${roleName}`, word) && !holdsInOrder(`${roleName} ${entry.name}`, word)) {
        cut = true;
        continue;
      }
      const irql = formatIrql(entry.irql);
      items.push({
        label: entry.name,
        kind: CompletionItemKind.Interface,
        detail: [roleName, irql && `IRQL ${irql}`].filter(Boolean).join(' · '),
        documentation: documentationOf(entry, index),
        sortText: `1${entry.name}`,
        filterText: `${entry.name} ${roleName}`,
        textEdit: { range, newText: entry.name },
      });
      if (signatureProblem(entry)) continue; // no stub from a signature that would not compile
      const name = uniqueName(prefix + roleName, (n) => project.isTaken(n));
      const stub = stubForDocument(entry, name, style, index);
      const eol = style.eol;
      let first = true;
      // The name is a snippet placeholder mirrored everywhere it appears, so one edit renames all.
      const snippet = [stub.declaration, ...(stub.allocText ? [stub.allocText] : []), '', stub.definition]
        .join(eol)
        .replace(/[$}\\]/g, (c) => `\\${c}`)
        .replace(new RegExp(`\\b${name}\\b`, 'g'), () => (first ? ((first = false), `\${1:${name}}`) : '$1'));
      items.push({
        label: `${roleName} callback`,
        kind: CompletionItemKind.Snippet,
        detail: `Generate ${name}: ${entry.name} declaration and definition`,
        documentation: documentationOf(entry, index),
        sortText: `0${roleName}`,
        filterText: `${roleName} ${entry.name}`,
        insertTextFormat: InsertTextFormat.Snippet,
        textEdit: { range, newText: snippet },
      });
    }
    return { items, cut };
  }
}

/** Whether `candidate` holds every character of `word` in order, case-insensitively (what fuzzy filters ask at least). */
export function holdsInOrder(candidate: string, word: string): boolean {
  const c = candidate.toLowerCase();
  const w = word.toLowerCase();
  let at = 0;
  for (const ch of w) {
    at = c.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

/** A field after `config.`: those that take callbacks (listed first) say their role type. */
function fieldItem(field: string, callback: IndexEntry | undefined, i: number): CompletionItem {
  return {
    label: field,
    kind: callback ? CompletionItemKind.Event : CompletionItemKind.Field,
    ...(callback ? { detail: callback.name } : {}),
    sortText: String(i).padStart(4, '0'),
    insertText: field,
  };
}

function documentationOf(entry: IndexEntry, index: KnowledgeIndex): { kind: 'markdown'; value: string } {
  const reg = index.primaryRegistration(entry.name);
  const lines = [formatFactsLine(entry), reg ? `Registered through ${formatRegistration(reg)}` : ''].filter(Boolean);
  return { kind: MarkupKind.Markdown, value: lines.join('\n\n') };
}

/** Whether an offset is inside a function body (where a file-scope declaration cannot start). */
function inBody(model: DocumentModel, offset: number): boolean {
  const fn = functionAt(model, offset);
  return !!fn?.body && fn.body.startOffset < offset && offset < fn.body.endOffset;
}
