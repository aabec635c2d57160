/**
 * IRQL inlay hints: right after the `)` of the parameter list of each callback definition, the IRQL
 * its role type runs at (`IRQL ≤ DISPATCH_LEVEL`), also when a `/*++ … --*\/` routine comment stands
 * between the parameters and the body. Switched by `kmdf.inlayHints.irql`.
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
      const callbackRole = project.roleOf(fn.name);
      const irql = formatIrql(callbackRole?.entry.irql);
      if (!callbackRole || !irql) continue;
      const role = callbackRole.entry.roleName ?? callbackRole.entry.name;
      hints.push({
        position: positionAt(text, parameterListEnd(text, fn.nameSpan.endOffset, fn.body.startOffset)),
        label: `IRQL ${irql}`,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: `${fn.name} is ${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role} callback (${callbackRole.entry.name})`,
      });
    }
    return hints;
  }
}

/**
 * The offset just after the `)` that closes the parameter list, between a function's name and its
 * body: comments (a `/*++ Routine Description … --*\/` block, `//` lines) and strings are passed over,
 * so a parenthesis inside them does not count. Falls back to the end of the text before the body.
 */
export function parameterListEnd(text: string, from: number, bodyStart: number): number {
  let depth = 0;
  let end: number | undefined;
  for (let i = from; i < bodyStart; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 || close >= bodyStart ? bodyStart : close + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? bodyStart : eol;
    } else if (c === '"' || c === "'") {
      for (i++; i < bodyStart && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && depth > 0 && --depth === 0) end = i + 1;
  }
  if (end !== undefined) return end;
  let at = bodyStart;
  while (at > from && /\s/.test(text[at - 1])) at--;
  return at;
}
