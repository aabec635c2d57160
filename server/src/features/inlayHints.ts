/**
 * IRQL inlay hints: after the parameter list of each callback definition, the IRQL its role type
 * runs at (`IRQL ≤ DISPATCH_LEVEL`). Switched by `kmdf.inlayHints.irql`.
 */
import { InlayHintKind, type Connection, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import { formatIrql } from '../knowledge/irql';
import { offsetAt, positionAt } from '../session/lsp';
import type { FeatureContext } from '../session/context';

export class InlayHintsFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.languages.inlayHint.on((params) => this.hints(params));
  }

  async hints(params: InlayHintParams): Promise<InlayHint[]> {
    if (!this.ctx.settings().inlayHints.irql) return [];
    const current = await this.ctx.documents.current(params.textDocument.uri);
    if (!current) return [];
    const { model, text } = current;
    const from = offsetAt(text, params.range.start);
    const to = offsetAt(text, params.range.end);
    const hints: InlayHint[] = [];
    const project = this.ctx.project.forDocument(params.textDocument.uri);
    for (const fn of model.functions) {
      if (!fn.isDefinition || !fn.body) continue;
      if (fn.body.startOffset < from || fn.nameSpan.startOffset > to) continue;
      const role = project.roleOf(fn.name);
      const irql = formatIrql(role?.entry.irql);
      if (!role || !irql) continue;
      // Just after the closing parenthesis of the parameter list (the body may start on the next line).
      let at = fn.body.startOffset;
      while (at > fn.nameSpan.endOffset && /\s/.test(text[at - 1])) at--;
      hints.push({
        position: positionAt(text, at),
        label: `IRQL ${irql}`,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: `${fn.name} is a ${role.entry.roleName ?? role.entry.name} callback (${role.entry.name})`,
      });
    }
    return hints;
  }
}
