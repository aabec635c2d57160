/** Signature help for Wdf… method calls (and WDF_…_INIT helpers with a known signature), with the active parameter. */
import type { Connection, SignatureHelp, SignatureHelpParams, SignatureInformation } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { formatFactsLine, formatParam } from '../knowledge/format';
import type { IndexEntry } from '../knowledge/types';
import { offsetAt } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import { referenceUrl } from './hoverContent';

/** How far back to look for the opening parenthesis of the call. */
const LOOKBACK = 4000;

export class SignatureHelpFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onSignatureHelp((params) => this.help(params));
  }

  async help(params: SignatureHelpParams): Promise<SignatureHelp | null> {
    const text = this.ctx.documents.text(params.textDocument.uri);
    if (text === undefined) return null;
    const call = callAt(text, offsetAt(text, params.position));
    if (!call) return null;
    const entry = this.ctx.index().get(call.callee);
    if (!entry || (entry.kind !== 'method' && entry.kind !== 'macro') || !entry.params.length) return null;
    return {
      signatures: [signatureOf(entry)],
      activeSignature: 0,
      activeParameter: Math.min(call.argIndex, entry.params.length - 1),
    };
  }
}

/** `WdfIoQueueCreate(Device, &config, WDF_NO_OBJECT_ATTRIBUTES, |` → callee and 0-based argument index. */
export function callAt(text: string, offset: number): { callee: string; argIndex: number } | undefined {
  let depth = 0;
  let commas = 0;
  const stop = Math.max(0, offset - LOOKBACK);
  for (let i = offset - 1; i >= stop; i--) {
    const c = text[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) {
        if (c !== '(') return undefined;
        const m = /([A-Za-z_]\w*)\s*$/.exec(text.slice(Math.max(0, i - 200), i));
        return m ? { callee: m[1], argIndex: commas } : undefined;
      }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
    else if (c === ';' && depth === 0) return undefined;
    else if (c === '"' || c === "'") {
      // Skip back over a literal on this line.
      const open = text.lastIndexOf(c, i - 1);
      if (open >= 0 && !text.slice(open, i).includes('\n')) i = open;
    }
  }
  return undefined;
}

function signatureOf(entry: IndexEntry): SignatureInformation {
  const head = `${entry.returns ?? 'VOID'} ${entry.name}(`;
  let label = head;
  const parameters: { label: [number, number] }[] = [];
  entry.params.forEach((p, i) => {
    const text = formatParam(p);
    parameters.push({ label: [label.length, label.length + text.length] });
    label += text + (i < entry.params.length - 1 ? ', ' : '');
  });
  label += ')';
  const url = referenceUrl(entry);
  return {
    label,
    parameters,
    documentation: {
      kind: MarkupKind.Markdown,
      value: [formatFactsLine(entry), url ? `[Reference](${url})` : ''].filter(Boolean).join('\n\n'),
    },
  };
}
