/**
 * KMDF4004: a call whose result must be inspected (`_Must_inspect_result_` on the method in the WDF
 * headers, or on a function of the driver) written as a statement of its own, so its result is
 * dropped.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { definitionOf } from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

const MUST_INSPECT = '_Must_inspect_result_';

export const resultNotInspected: Rule = {
  meta: {
    id: 'KMDF4004',
    name: 'result-not-inspected',
    title: 'Result of a _Must_inspect_result_ function dropped',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfCollectionAdd (one of the methods annotated _Must_inspect_result_)',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfcollection/nf-wdfcollection-wdfcollectionadd',
      },
      {
        title: 'Code Analysis C28193',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/28193-examined-value-must-be-examined',
      },
    ],
    mirrors: { codeAnalysis: [28193] },
    certainty:
      'Certain: the call is a statement of its own, so nothing reads its result, and the header (or the driver) marks the result as one that must be checked.',
    helpPage: rulePagePath('KMDF4004'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.flow?.discarded.length) continue;
      const dropped = new Set(fn.flow.discarded);
      for (const call of fn.calls) {
        if (!dropped.has(call.span.startOffset)) continue;
        const returns = mustInspect(ctx, call.callee);
        if (!returns) continue;
        const filled = filledOutParameter(ctx, call);
        ctx.report({
          // Certain and serious where the call also fills an out parameter the code goes on with; the
          // driver's own annotations, and calls with nothing handed back, are information.
          severity: filled ? undefined : 'info',
          message:
            `${fn.name} drops the result of ${call.callee}, which is marked _Must_inspect_result_: it returns ${returns} ` +
            `to say whether it worked, and the code goes on as if it always did` +
            (filled ? ` (and with ${filled}, which is not set when it fails)` : '') +
            `. Check it (for an NTSTATUS, \`if (!NT_SUCCESS(status))\`) and handle the failure.`,
          span: call.calleeSpan,
          function: fn.name,
          references: referenceOf(ctx, call),
        });
      }
    }
  },
};

/** The return type of a callee whose result must be inspected (from the index, else the driver's own SAL). */
function mustInspect(ctx: RuleContext, callee: string): string | undefined {
  const entry = ctx.index.get(callee);
  if (entry) return entry.annotations?.includes(MUST_INSPECT) ? (entry.returns ?? 'a value') : undefined;
  const own: FunctionModel | undefined =
    definitionOf(ctx, callee)?.fn ?? ctx.document.functions.find((f) => f.name === callee);
  return own?.annotations.some((a) => a.name === MUST_INSPECT) ? own.returnType || 'a value' : undefined;
}

/** The out-parameter argument a WDF method fills (`&context`), unless the caller passes none. */
function filledOutParameter(ctx: RuleContext, call: CallModel): string | undefined {
  const params = ctx.index.get(call.callee)?.params ?? [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p.direction !== 'out' && !(p.sal ?? []).some((a) => /^_Out/.test(a))) continue;
    const arg = call.args[i]?.text;
    if (arg && !/^(NULL|0|nullptr|WDF_NO_\w+)$/.test(arg)) return arg;
  }
  return undefined;
}

function referenceOf(ctx: RuleContext, call: CallModel): { title: string; url?: string }[] | undefined {
  const url = ctx.index.get(call.callee)?.docsUrl;
  return url ? [{ title: call.callee, url }] : undefined;
}
