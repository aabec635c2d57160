/**
 * Text document sync: didOpen, didChange and didClose of C and C++ documents feed the open documents
 * (session/documents.ts) and tell both diagnostics features which text a document's findings come from.
 */
import type { Connection } from 'vscode-languageserver';
import type { DriverDocuments } from '../session/documents';
import type { DiagnosticsFeature } from './diagnostics';
import type { WorkspaceDiagnosticsFeature } from './workspaceDiagnostics';

/** Languages whose documents the server analyses. */
const LANGUAGES = new Set(['c', 'cpp']);

export class DocumentSyncFeature {
  constructor(
    private readonly documents: DriverDocuments,
    private readonly diagnostics: DiagnosticsFeature,
    private readonly workspaceDiagnostics: WorkspaceDiagnosticsFeature,
  ) {}

  register(connection: Connection): void {
    const { documents, diagnostics, workspaceDiagnostics } = this;
    connection.onDidOpenTextDocument(({ textDocument }) => {
      if (!isC(textDocument.languageId, textDocument.uri)) return;
      documents.didOpen(textDocument.uri, textDocument.text, textDocument.version, textDocument.languageId);
      diagnostics.opened(textDocument.uri, textDocument.version);
      workspaceDiagnostics.opened(textDocument.uri);
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      if (!documents.isOpen(textDocument.uri)) return;
      documents.didChange(textDocument.uri, contentChanges, textDocument.version);
      diagnostics.edited(textDocument.uri, textDocument.version);
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      const keep = documents.isOpen(textDocument.uri) && workspaceDiagnostics.keepsFindings(textDocument.uri);
      documents.didClose(textDocument.uri);
      diagnostics.clear(textDocument.uri, keep);
      if (keep) workspaceDiagnostics.closed(textDocument.uri);
    });
  }
}

function isC(languageId: string, uri: string): boolean {
  return LANGUAGES.has(languageId) || /\.(c|cc|cpp|cxx|h|hh|hpp|hxx|inl)$/i.test(uri);
}
