/**
 * KMDF2011: an IRQL restored from a variable that nothing saved into. `KeLowerIrql(oldIrql)` and the
 * spin-lock releases that take the old IRQL (`KeReleaseSpinLock(&lock, oldIrql)`, …) set the
 * processor's IRQL to the value they are given; when that value is a local `KIRQL` of the function
 * that no `KeRaiseIrql(…, &oldIrql)`, `KeAcquireSpinLock(…, &oldIrql)`, `oldIrql = KeRaiseIrqlToDpcLevel()`
 * or any other assignment writes, the IRQL becomes whatever the stack held.
 */
import type { FunctionModel } from '../../analysis/model';
import { runsInUserMode } from '../facts/irqlContext';
import { meta } from '../ruleMeta';
import type { Rule } from '../types';

/** The routines that restore an IRQL from an argument (wdm.h), with that argument's 0-based index. */
const RESTORES: ReadonlyMap<string, number> = new Map([
  ['KeLowerIrql', 0],
  ['KfLowerIrql', 0],
  ['KeReleaseSpinLock', 1],
  ['KeReleaseSpinLockForDpc', 1],
  ['KeReleaseInterruptSpinLock', 1],
  ['ExReleaseSpinLockExclusive', 1],
  ['ExReleaseSpinLockShared', 1],
]);

export const restoreNeverSaved: Rule = {
  meta: meta({
    id: 'KMDF2011',
    name: 'irql-restore-never-saved',
    title: 'IRQL restored from a variable nothing saved into',
    defaultSeverity: 'warning',
    documentation: [
      { title: 'KeLowerIrql', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kelowerirql' },
      {
        title: 'KeReleaseSpinLock',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kereleasespinlock',
      },
    ],
    certainty:
      'Certain: the value is a local KIRQL of the function, and nothing in the function writes it (no &variable passed anywhere, no assignment, no initialiser). A parameter, a field or a global may have been saved by a caller and is not reported.',
  }),
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    for (const fn of ctx.document.functions) {
      if (!fn.isDefinition || !fn.body) continue;
      let body: string | undefined;
      for (const call of fn.calls) {
        const index = RESTORES.get(call.callee);
        if (index === undefined) continue;
        const arg = call.args[index];
        const name = arg?.text.trim();
        if (!arg || !name || !/^[A-Za-z_]\w*$/.test(name)) continue;
        if (fn.params.some((p) => p.name === name)) continue;
        body ??= codeOf(ctx.text, fn);
        if (!declaresKirql(body, name) || writes(body, name)) continue;
        ctx.report({
          message:
            `${call.callee} restores the IRQL from ${name}, but nothing in ${fn.name} saves an IRQL into it: ` +
            `it is a local KIRQL that no KeRaiseIrql(…, &${name}), KeAcquireSpinLock(…, &${name}) or assignment writes, ` +
            `so the IRQL is set to whatever the variable happens to hold. Restore the value the matching raise or acquire saved.`,
          span: arg.span,
          function: fn.name,
        });
      }
    }
  },
};

/** The body's text with comments blanked (string literals cannot hold a write of a variable). */
function codeOf(text: string, fn: FunctionModel): string {
  return text
    .slice(fn.body!.startOffset, fn.body!.endOffset)
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
}

/** `KIRQL name;`, `KIRQL a, name;`, `KIRQL name = …` in the body. */
function declaresKirql(body: string, name: string): boolean {
  return new RegExp(`\\bKIRQL\\s+(?:[A-Za-z_]\\w*\\s*(?:=[^,;]*)?,\\s*)*${name}\\b`).test(body);
}

/** Whether the body writes `name`: its address taken, an assignment or initialiser, an increment. */
function writes(body: string, name: string): boolean {
  return new RegExp(
    `&\\s*${name}\\b|\\b${name}\\s*(?:[-+*/%|&^]|<<|>>)?=(?!=)|\\b${name}\\s*(?:\\+\\+|--)|(?:\\+\\+|--)\\s*${name}\\b`,
  ).test(body);
}
