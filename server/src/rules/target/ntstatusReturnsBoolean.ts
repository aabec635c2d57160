/**
 * KMDF4003: a callback whose role type returns NTSTATUS that returns TRUE/FALSE or a BOOLEAN. TRUE is
 * 1, which NT_SUCCESS accepts as a success status; FALSE is 0, STATUS_SUCCESS — the opposite of what
 * the author meant.
 */
import type { Rule } from '../types';
import { lines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { normalizeType } from '../facts/signatures';
import { checkedFunctions } from '../findingsReuse';

const BOOLEAN_TYPES = new Set(['BOOLEAN', 'BOOL', 'bool']);

export const ntstatusReturnsBoolean: Rule = {
  meta: meta({
    id: 'KMDF4003',
    name: 'ntstatus-callback-returns-boolean',
    title: 'NTSTATUS callback returns TRUE, FALSE or a BOOLEAN',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'Using NTSTATUS values',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/kernel/using-ntstatus-values',
      },
    ],
    certainty:
      'Certain: a callback whose role type returns NTSTATUS returns TRUE, FALSE, or the whole result of a call declared to return BOOLEAN.',
  }),
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition) continue;
      const roleType = ctx.roleOf(fn.name);
      const entry = roleType ? ctx.index.get(roleType) : undefined;
      if (!entry || entry.kind !== 'callback' || normalizeType(entry.returns ?? '') !== 'NTSTATUS') continue;
      for (const r of fn.returns) {
        const value = r.value?.trim();
        if (!value) continue;
        let what: string | undefined;
        let replacement: string | undefined;
        if (value === 'TRUE' || value === 'FALSE') {
          what = value;
          replacement = value === 'TRUE' ? 'STATUS_SUCCESS' : 'STATUS_UNSUCCESSFUL';
        } else {
          const call = wholeCall(value);
          if (call) {
            const returns =
              ctx.index.get(call)?.returns ??
              ctx.workspace.definitions(call)[0]?.fn.returnType ??
              ctx.workspace.prototypes(call)[0]?.fn.returnType;
            if (returns && BOOLEAN_TYPES.has(normalizeType(returns))) what = `the BOOLEAN result of ${call}`;
          }
        }
        if (!what) continue;
        const start = ctx.text.indexOf(value, r.span.startOffset);
        const valueSpan =
          start >= 0 && start < r.span.endOffset ? lines(ctx).span(start, start + value.length) : r.span;
        ctx.report({
          message: `${fn.name} is ${entry.name}, which returns NTSTATUS, but it returns ${what}${value === 'FALSE' ? ' (0 is STATUS_SUCCESS)' : value === 'TRUE' ? ' (1 is a success status too)' : ''}.`,
          span: valueSpan,
          function: fn.name,
          ...(replacement
            ? {
                fixes: [
                  {
                    title: `Return ${replacement}`,
                    preferred: true,
                    edits: [{ uri: ctx.document.uri, span: valueSpan, newText: replacement }],
                  },
                ],
              }
            : {}),
        });
      }
    }
  },
};

/** The callee when the whole expression is one call (`F(a, b)`), not a call inside a larger expression. */
function wholeCall(expression: string): string | undefined {
  const m = /^([A-Za-z_]\w*)\s*\(/.exec(expression);
  if (!m) return undefined;
  let depth = 0;
  for (let i = m[0].length - 1; i < expression.length; i++) {
    if (expression[i] === '(') depth++;
    else if (expression[i] === ')' && --depth === 0) return i === expression.length - 1 ? m[1] : undefined;
  }
  return undefined;
}
