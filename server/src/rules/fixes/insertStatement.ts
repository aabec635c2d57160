/**
 * A quick fix that inserts one statement on its own line before a `return` (or before a function's
 * closing brace), shared by the path rules. Offered only where the insertion cannot change what a
 * braceless `if`/`else`/loop controls: the site starts its line, and the line before ends a
 * statement, opens or closes a block, or is a label.
 */
import type { Span } from '../../analysis/model';
import type { QuickFix, RuleContext } from '../types';

export function insertBeforeFix(
  ctx: RuleContext,
  title: string,
  statement: string,
  at: Span,
  atClosingBrace: boolean,
): QuickFix[] | undefined {
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', at.startOffset - 1) + 1;
  const before = text.slice(lineStart, at.startOffset);
  if (!/^[ \t]*$/.test(before)) return undefined;
  const previous = text.slice(0, lineStart).replace(/(\/\/[^\n]*)?\s*$/, '');
  if (!/[;{}:]$/.test(previous)) return undefined;
  const indent = atClosingBrace ? before + '    ' : before;
  const where = { line: at.start.line, character: 0 };
  return [
    {
      title,
      preferred: true,
      edits: [
        {
          uri: ctx.document.uri,
          span: { start: where, end: where, startOffset: lineStart, endOffset: lineStart },
          newText: `${indent}${statement}\n`,
        },
      ],
    },
  ];
}
