/**
 * Code actions for WDF callbacks:
 * - "Define X": a role-type declaration `EVT_X Name;` whose function has no body anywhere;
 * - "Declare X as EVT_…": a function registered in a config field (or PFN_ argument) but never declared with its
 *   role type, and "Declare and define X" when it is defined nowhere either;
 * - `source.fixAll.kmdf`: every mechanical fix of the file at once;
 * - "Set the target KMDF version" (KMDF4001): writes the version into the project's `.kmdf.json`;
 * - "Add _Use_decl_annotations_": a role-typed definition without it;
 * - the quick fixes carried by rule findings (attached to their diagnostics as `data.fixes`).
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { DocumentModel } from '../analysis/model';
import { configEdit, MAX_CONFIG_BYTES, type ProjectConfigChange } from '../project/projectConfig';
import { readRegularFile } from '../project/projectFile';
import { eolOf, offsetAt, positionAt } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import { signatureProblem } from '../stubs/stub';
import { functionAt } from '../session/projectView';
import { definitionAtEnd, insertLinesBefore, allocTextLines, placeStub, stubForDocument } from './stubPlacement';

/**
 * What a diagnostic published by the diagnostics feature carries for its quick fixes: each an edit,
 * or values for the project's `.kmdf.json` (the edit is made when the action is asked for).
 */
export interface DiagnosticFixData {
  fixes: { title: string; preferred?: boolean; edit?: WorkspaceEdit; projectConfig?: ProjectConfigChange }[];
}

export class CodeActionsFeature {
  constructor(
    private readonly ctx: FeatureContext,
    /** The client applies workspace edits that create files (`resourceOperations: ["create"]`). */
    private readonly createsFiles: () => boolean = () => false,
  ) {}

  register(connection: Connection): void {
    connection.onCodeAction((params) => this.actions(params));
  }

  async actions(params: CodeActionParams): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) actions.push(...this.fixesOf(uri, diagnostic));
    const current = await this.ctx.documents.current(uri);
    if (!current) return actions;
    const { model, text } = current;
    const start = offsetAt(text, params.range.start);
    const end = offsetAt(text, params.range.end);
    const touches = (s: { startOffset: number; endOffset: number }) => s.startOffset <= end && start <= s.endOffset;
    const only = params.context.only;
    const wanted = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
    const fixAll = only?.some((o) => FIX_ALL_KIND === o || FIX_ALL_KIND.startsWith(`${o}.`)) ?? false;
    if (fixAll) return this.fixAll(uri, model, text, params.context.diagnostics);
    if (!wanted(CodeActionKind.QuickFix)) return actions.filter((a) => a.kind && wanted(a.kind));

    actions.push(...this.defineMissing(uri, model, text, touches));
    actions.push(...this.declareRegistered(uri, model, text, touches));
    actions.push(...this.addUseDeclAnnotations(uri, model, text, touches));
    return withoutDuplicateEdits(actions);
  }

  /**
   * `source.fixAll.kmdf`: every mechanical fix of the file in one edit — the preferred fix of each
   * diagnostic given, and `_Use_decl_annotations_` on each role-typed definition without it. Fixes
   * whose ranges overlap an earlier one are left for another run.
   */
  private fixAll(uri: string, model: DocumentModel, text: string, diagnostics: Diagnostic[]): CodeAction[] {
    const edits: TextEdit[] = [];
    const offsets = (e: TextEdit) => [offsetAt(text, e.range.start), offsetAt(text, e.range.end)];
    // Two inserts at one place, or ranges that intersect, cannot both be applied blindly.
    const overlaps = (e: TextEdit) => {
      const [start, end] = offsets(e);
      return edits.some((o) => {
        const [oStart, oEnd] = offsets(o);
        return oStart === start || (oStart < end && start < oEnd);
      });
    };
    const take = (edit: WorkspaceEdit | undefined) => {
      const mine = edit?.changes?.[uri];
      if (!mine || Object.keys(edit.changes ?? {}).length !== 1 || mine.some(overlaps)) return;
      edits.push(...mine);
    };
    for (const diagnostic of diagnostics) {
      const fixes = (diagnostic.data as Partial<DiagnosticFixData> | undefined)?.fixes;
      if (Array.isArray(fixes)) take(fixes.find((f) => f.preferred)?.edit);
    }
    for (const action of this.addUseDeclAnnotations(uri, model, text, () => true)) take(action.edit);
    if (!edits.length) return [];
    return [{ title: 'Fix all KMDF problems in this file', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } }];
  }

  /** The quick fixes a diagnostic of ours carries. */
  private fixesOf(uri: string, diagnostic: Diagnostic): CodeAction[] {
    const data = diagnostic.data as Partial<DiagnosticFixData> | undefined;
    if (!data || !Array.isArray(data.fixes)) return [];
    const out: CodeAction[] = [];
    for (const fix of data.fixes) {
      const edit = fix.projectConfig ? this.projectConfigEdit(uri, fix.projectConfig) : fix.edit;
      if (!edit) continue;
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        ...(fix.preferred ? { isPreferred: true } : {}),
        edit,
      });
    }
    return out;
  }

  /**
   * Write values into the `.kmdf.json` that applies to the document: an edit of the file there is,
   * else (when the client can create files) a new file beside the project file. None when the file
   * there cannot be read as a JSON object.
   */
  private projectConfigEdit(uri: string, change: ProjectConfigChange): WorkspaceEdit | undefined {
    const place = this.ctx.project.configFileFor(uri);
    if (!place) return undefined;
    const configUri = pathToFileURL(place.file).href;
    if (!place.exists) {
      const created = configEdit(undefined, change);
      if (!created || !this.createsFiles()) return undefined;
      const start = { line: 0, character: 0 };
      return {
        documentChanges: [
          { kind: 'create', uri: configUri, options: { ignoreIfExists: true } },
          {
            textDocument: { uri: configUri, version: null },
            edits: [{ range: { start, end: start }, newText: created.content }],
          },
        ],
      };
    }
    const read = readRegularFile(place.file, MAX_CONFIG_BYTES);
    if ('skipped' in read) return undefined;
    const edit = configEdit(read.text, change);
    if (!edit) return undefined;
    const range = { start: positionAt(read.text, edit.offset), end: positionAt(read.text, edit.offset + edit.length) };
    return { changes: { [configUri]: [{ range, newText: edit.content }] } };
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
      // Registered but defined nowhere: also offer the whole stub, placed as the stub command places it.
      if (!this.ctx.project.forDocument(uri).isDefined(registration.functionName) && !signatureProblem(role)) {
        const stub = stubForDocument(role, registration.functionName, text, this.ctx.index());
        const placed = placeStub(stub, { uri, text, model });
        out.push({
          title: `Declare and define ${registration.functionName} (${role.name})`,
          kind: CodeActionKind.QuickFix,
          edit: { changes: placed.changes },
        });
      }
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

/** The kind of the fix-all source action (`editor.codeActionsOnSave: { "source.fixAll.kmdf": "explicit" }`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.kmdf`;

/** Drop an action whose edit is the same as an earlier one's (a rule's fix and a code action can coincide). */
function withoutDuplicateEdits(actions: CodeAction[]): CodeAction[] {
  const seen = new Set<string>();
  return actions.filter((a) => {
    const key = JSON.stringify(a.edit ?? a.title);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Insert lines after the line holding `offset`. */
function afterLine(text: string, offset: number, lines: string) {
  let next = text.indexOf('\n', offset);
  next = next < 0 ? text.length : next + 1;
  const at = positionAt(text, next);
  const prefix = next === text.length && !text.endsWith('\n') ? eolOf(text) : '';
  return { range: { start: at, end: at }, newText: prefix + lines };
}
