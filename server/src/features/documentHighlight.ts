/**
 * Document highlights: every occurrence of the name under the cursor in this document. For the
 * driver's own functions, the definition and declarations are "write" highlights and uses are
 * "read" ones; any other identifier (a WDF method, a global) is highlighted as text, and a parameter
 * or known local only within its own function (another function's `Request` is another variable).
 */
import {
  DocumentHighlightKind,
  type Connection,
  type DocumentHighlight,
  type DocumentHighlightParams,
} from 'vscode-languageserver';
import { findFunctionAt, occurrencesOf, type OccurrenceKind } from '../analysis';
import type { FeatureContext } from '../session/context';
import { nameAt } from './workspaceNames';

const KIND: Record<OccurrenceKind, DocumentHighlightKind> = {
  definition: DocumentHighlightKind.Write,
  declaration: DocumentHighlightKind.Write,
  registration: DocumentHighlightKind.Read,
  call: DocumentHighlightKind.Read,
  alloc_text: DocumentHighlightKind.Text,
  reference: DocumentHighlightKind.Read,
};

export class DocumentHighlightFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onDocumentHighlight((params) => this.highlights(params));
  }

  async highlights(params: DocumentHighlightParams): Promise<DocumentHighlight[] | null> {
    const at = await nameAt(this.ctx, params.textDocument.uri, params.position);
    if (!at) return null;
    const range = (start: number, end: number) => ({
      start: at.lines.positionAt(start),
      end: at.lines.positionAt(end),
    });
    if (at.owned)
      return occurrencesOf(at.model, at.text, at.name).map((o) => ({
        range: range(o.start, o.end),
        kind: KIND[o.kind],
      }));
    const fn = findFunctionAt(at.model, at.start);
    const local =
      fn &&
      (fn.params.some((p) => p.name === at.name) ||
        at.model.variables.some((v) => v.name === at.name && v.inFunction === fn.name));
    const scope = local ? fn.span : undefined;
    return occurrencesOf(undefined, at.text, at.name)
      .filter((o) => !scope || (scope.startOffset <= o.start && o.end <= scope.endOffset))
      .map((o) => ({ range: range(o.start, o.end), kind: DocumentHighlightKind.Text }));
  }
}
