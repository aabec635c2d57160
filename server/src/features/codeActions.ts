/**
 * Code actions for WDF callbacks:
 * - "Define X": a role-type declaration `EVT_X Name;` whose function has no body anywhere;
 * - "Declare X as EVT_…": a function registered in a config field (or PFN_ argument) but never declared with its role type;
 * - "Add _Use_decl_annotations_": a role-typed definition without it;
 * - the quick fixes carried by rule findings (attached to their diagnostics as `data.fixes`).
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { DocumentModel } from '../analysis/model';
import { eolOf, offsetAt, positionAt } from '../util/lsp';
import type { FeatureContext } from './context';
import { signatureProblem } from '../stubs/stub';
import { functionAt } from '../session/projectView';
import { definitionAtEnd, insertLinesBefore, allocTextLines, stubForDocument } from './stubPlacement';

/** What a diagnostic published by the diagnostics feature carries for its quick fixes. */
export interface DiagnosticFixData {
  fixes: { title: string; preferred?: boolean; edit: WorkspaceEdit }[];
}

export class CodeActionsFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onCodeAction((params) => this.actions(params));
  }

  async actions(params: CodeActionParams): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) actions.push(...fixesOf(diagnostic));
    const current = await this.ctx.documents.current(uri);
    if (!current) return actions;
    const { model, text } = current;
    const start = offsetAt(text, params.range.start);
    const end = offsetAt(text, params.range.end);
    const touches = (s: { startOffset: number; endOffset: number }) => s.startOffset <= end && start <= s.endOffset;
    const only = params.context.only;
    const wanted = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
    if (!wanted(CodeActionKind.QuickFix)) return actions.filter((a) => a.kind && wanted(a.kind));

    actions.push(...this.defineMissing(uri, model, text, touches));
    actions.push(...this.declareRegistered(uri, model, text, touches));
    actions.push(...this.addUseDeclAnnotations(uri, model, text, touches));
    return actions;
  }

  private defineMissing(
    uri: string,
    model: DocumentModel,
    text: string,
    touches: (s: { startOffset: number; endOffset: number }) => boolean,
  ): CodeAction[] {
    const index = this.ctx.index();
    const out: CodeAction[] = [];
    for (const decl of model.roleDecls) {
      const entry = index.get(decl.roleType);
      if (entry?.kind !== 'callback' || signatureProblem(entry)) continue;
      for (const { name, span } of decl.names) {
        if (!touches(span) && !touches(decl.roleTypeSpan)) continue;
        if (this.ctx.project.forDocument(uri).isDefined(name)) continue;
        const stub = stubForDocument(entry, name, text, index);
        const edits = [definitionAtEnd(stub, text)];
        const alreadyPaged = model.pagedSections.some((p) => p.functions?.includes(name));
        if (stub.allocText && !alreadyPaged)
          edits.unshift(afterLine(text, decl.span.endOffset, allocTextLines(stub, text, eolOf(text))));
        out.push({
          title: `Define ${name} (${entry.name})`,
          kind: CodeActionKind.QuickFix,
          isPreferred: true,
          edit: { changes: { [uri]: edits } },
        });
      }
    }
    return out;
  }

  private declareRegistered(
    uri: string,
    model: DocumentModel,
    text: string,
    touches: (s: { startOffset: number; endOffset: number }) => boolean,
  ): CodeAction[] {
    const out: CodeAction[] = [];
    const seen = new Set<string>();
    for (const registration of model.registrations) {
      if (!touches(registration.span) || seen.has(registration.functionName)) continue;
      const role = this.ctx.project.forDocument(uri).roleOfRegistration(registration);
      if (!role) continue;
      const known = this.ctx.project.forDocument(uri).roleOf(registration.functionName);
      if (known?.source.via === 'declaration') continue;
      seen.add(registration.functionName);
      // Before the registering function, or before the callback's own definition if that comes first.
      const candidates = [
        functionAt(model, registration.span.startOffset)?.span.startOffset,
        model.functions.find((f) => f.name === registration.functionName)?.span.startOffset,
      ].filter((o): o is number => o !== undefined);
      const at = candidates.length ? Math.min(...candidates) : registration.span.startOffset;
      const eol = eolOf(text);
      out.push({
        title: `Declare ${registration.functionName} as ${role.name}`,
        kind: CodeActionKind.QuickFix,
        isPreferred: true,
        edit: {
          changes: { [uri]: [insertLinesBefore(text, at, `${role.name} ${registration.functionName};${eol}${eol}`)] },
        },
      });
    }
    return out;
  }

  private addUseDeclAnnotations(
    uri: string,
    model: DocumentModel,
    text: string,
    touches: (s: { startOffset: number; endOffset: number }) => boolean,
  ): CodeAction[] {
    const out: CodeAction[] = [];
    for (const fn of model.functions) {
      if (!fn.isDefinition || fn.useDeclAnnotations || !touches(fn.nameSpan)) continue;
      const role = this.ctx.project.forDocument(uri).roleOf(fn.name);
      if (role?.source.via !== 'declaration') continue;
      const at = positionAt(text, fn.span.startOffset);
      out.push({
        title: `Add _Use_decl_annotations_ to ${fn.name}`,
        kind: CodeActionKind.QuickFix,
        edit: {
          changes: { [uri]: [{ range: { start: at, end: at }, newText: `_Use_decl_annotations_${eolOf(text)}` }] },
        },
      });
    }
    return out;
  }
}

/** The quick fixes a diagnostic of ours carries. */
function fixesOf(diagnostic: Diagnostic): CodeAction[] {
  const data = diagnostic.data as Partial<DiagnosticFixData> | undefined;
  if (!data || !Array.isArray(data.fixes)) return [];
  return data.fixes.map((fix) => ({
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.preferred,
    edit: fix.edit,
  }));
}

/** Insert lines after the line holding `offset`. */
function afterLine(text: string, offset: number, lines: string) {
  let next = text.indexOf('\n', offset);
  next = next < 0 ? text.length : next + 1;
  const at = positionAt(text, next);
  const prefix = next === text.length && !text.endsWith('\n') ? eolOf(text) : '';
  return { range: { start: at, end: at }, newText: prefix + lines };
}
