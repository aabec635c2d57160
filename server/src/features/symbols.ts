/**
 * Document and workspace symbols that show each function's callback role:
 * "EchoEvtIoStop" with detail "EvtIoStop, ≤ DISPATCH".
 */
import {
  SymbolKind,
  type Connection,
  type DocumentSymbol,
  type DocumentSymbolParams,
  type SymbolInformation,
  type WorkspaceSymbolParams,
} from 'vscode-languageserver';
import type { FunctionModel } from '../analysis/model';
import { formatIrql } from '../knowledge/irql';
import { callbackBaseName } from '../stubs/naming';
import { toRange } from '../session/lsp';
import type { FeatureContext } from '../session/context';

/** Most workspace symbols returned for one query. */
const WORKSPACE_SYMBOL_LIMIT = 500;

export class SymbolsFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onDocumentSymbol((params) => this.documentSymbols(params));
    connection.onWorkspaceSymbol((params) => this.workspaceSymbols(params));
  }

  /** "EvtIoStop, ≤ DISPATCH" for a callback, undefined for other functions. */
  roleDetail(name: string): string | undefined {
    const role = this.ctx.project.roleOf(name);
    if (!role) return undefined;
    const irql = formatIrql(role.entry.irql, true);
    return [callbackBaseName(role.entry), irql].filter(Boolean).join(', ');
  }

  async documentSymbols(params: DocumentSymbolParams): Promise<DocumentSymbol[]> {
    const current = await this.ctx.documents.current(params.textDocument.uri);
    if (!current) return [];
    return current.model.functions.map((fn) => this.symbolOf(fn));
  }

  private symbolOf(fn: FunctionModel): DocumentSymbol {
    const detail = this.roleDetail(fn.name);
    return {
      name: fn.name,
      detail: detail ?? (fn.isDefinition ? undefined : 'declaration'),
      kind: SymbolKind.Function,
      range: toRange(fn.span),
      selectionRange: toRange(fn.nameSpan),
    };
  }

  workspaceSymbols(params: WorkspaceSymbolParams): SymbolInformation[] {
    const query = params.query.toLowerCase();
    const out: SymbolInformation[] = [];
    for (const model of this.ctx.project.all()) {
      for (const fn of model.functions) {
        if (!fn.isDefinition) continue;
        const detail = this.roleDetail(fn.name);
        if (query && !fn.name.toLowerCase().includes(query) && !detail?.toLowerCase().includes(query)) continue;
        out.push({
          name: fn.name,
          kind: SymbolKind.Function,
          location: { uri: model.uri, range: toRange(fn.nameSpan) },
          containerName: detail,
        });
        if (out.length >= WORKSPACE_SYMBOL_LIMIT) return out;
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.location.uri.localeCompare(b.location.uri));
  }
}
