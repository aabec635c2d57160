/**
 * KMDF2009: a function that raises the IRQL (`KeRaiseIrql`, `KeRaiseIrqlToDpcLevel`, …) and has a
 * path out of it that does not lower it back with `KeLowerIrql`, while it lowers it on its other
 * paths; and (information) a function that only raises, for its caller, without saying so in its SAL.
 */
import type { FunctionModel } from '../../analysis/model';
import { lookupOf } from '../facts/driverGraph';
import { insertBeforeFix } from '../fixes/insertStatement';
import type { Rule, RuleContext } from '../types';
import { meta } from '../ruleMeta';
import { describeRaise, raiseWalk, saidIrqlChange, type Raise } from '../facts/irqlRaises';
import { checkedFunctions } from '../findingsReuse';

export const irqlNotRestored: Rule = {
  meta: meta({
    id: 'KMDF2009',
    name: 'irql-not-restored',
    title: 'A path leaves a function with the IRQL still raised',
    defaultSeverity: 'warning',
    documentation: [
      { title: 'KeRaiseIrql', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirql' },
      { title: 'KeLowerIrql', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kelowerirql' },
      {
        title: 'KeRaiseIrqlToDpcLevel',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirqltodpclevel',
      },
      { title: 'Code Analysis C28167' },
      { title: 'Code Analysis C28166' },
    ],
    mirrors: { codeAnalysis: [28166, 28167] },
    certainty:
      'Certain on the path reported: the function lowers the IRQL on its other paths, and nothing on this one does. A function that only ever raises (a helper without _IRQL_raises_ or _IRQL_saves_) is information.',
  }),
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body) continue;
      if (saidIrqlChange(lookupOf(ctx), fn.name)) continue;
      const walk = raiseWalk(lookupOf(ctx), fn);
      if (!walk) continue;
      const exits = walk.exits;
      if (!walk.lowers) {
        // It only raises: it hands the raised IRQL to its caller, which is what _IRQL_raises_ says.
        const raise = exits.flatMap((e) => e.states.flat())[0];
        if (raise) reportHelperShape(ctx, fn, raise);
        continue;
      }
      const reported = new Set<string>();
      for (const exit of exits) {
        for (const state of exit.states) {
          for (const raise of state) {
            const id = `${exit.offset}@${raise.call.span.startOffset}`;
            if (reported.has(id)) continue;
            reported.add(id);
            const at = exit.ret?.span ?? closingBrace(fn, exit.offset);
            const where = exit.ret ? 'return here' : 'reach its end';
            // Only where every path to this exit is still raised: elsewhere the lower would run twice.
            const onEveryPath = exit.states.every((st) => st.some((r) => r.call === raise.call));
            const lower = onEveryPath && raise.saved && !raise.viaHelper ? `KeLowerIrql(${raise.saved});` : undefined;
            ctx.report({
              message:
                `${fn.name} can ${where} with the IRQL still raised by ${describeRaise(raise)}: the function lowers it ` +
                `on other paths, but not on this one, so its caller goes on at the raised IRQL (Code Analysis C28167).`,
              span: at,
              function: fn.name,
              related: [{ uri: ctx.document.uri, span: raise.call.span, message: 'the IRQL is raised here' }],
              fixes: lower
                ? insertBeforeFix(ctx, `Lower the IRQL on this path (${lower})`, lower, at, !exit.ret)
                : undefined,
            });
          }
        }
      }
    }
  },
};

function reportHelperShape(ctx: RuleContext, fn: FunctionModel, raise: Raise): void {
  ctx.report({
    severity: 'info',
    message:
      `${fn.name} raises the IRQL with ${describeRaise(raise)} and never lowers it, so it returns at the raised IRQL for its caller. ` +
      `Say so with _IRQL_raises_(…) (and _IRQL_saves_ on the parameter that receives the old IRQL) on its declaration, so Code Analysis (C28167) and callers see it.`,
    span: fn.nameSpan,
    function: fn.name,
    related: [{ uri: ctx.document.uri, span: raise.call.span, message: 'the IRQL is raised here' }],
  });
}

function closingBrace(fn: FunctionModel, offset: number) {
  const body = fn.body!;
  return {
    start: { line: body.end.line, character: Math.max(0, body.end.character - 1) },
    end: body.end,
    startOffset: offset,
    endOffset: offset + 1,
  };
}
