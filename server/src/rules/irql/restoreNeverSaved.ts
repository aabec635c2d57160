/**
 * KMDF2011: an IRQL restored from a variable that nothing saved into. `KeLowerIrql(oldIrql)` and the
 * spin-lock releases that take the old IRQL (`KeReleaseSpinLock(&lock, oldIrql)`, …) set the
 * processor's IRQL to the value they are given; when that value is a local `KIRQL` of the function
 * that no `KeRaiseIrql(…, &oldIrql)`, `KeAcquireSpinLock(…, &oldIrql)`, `oldIrql = KeRaiseIrqlToDpcLevel()`
 * or any other assignment writes, the IRQL becomes whatever the stack held. Where the function does
 * write it, each restore is decided on the paths reaching it: a warning when none of them saved it
 * first, information when only some did.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { walkPaths, type FlowSite } from '../../analysis/paths';
import { runsInUserMode } from '../facts/irqlContext';
import { meta } from '../ruleMeta';
import type { Rule } from '../types';
import { checkedFunctions } from '../findingsReuse';

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
      'Certain: the value is a local KIRQL of the function, and nothing in the function writes it (no &variable passed anywhere, no assignment, no initialiser), or nothing on any path reaching the restore. Information where only some paths to it saved it. A parameter, a field or a global may have been saved by a caller and is not reported.',
  }),
  perFunction: true,
  readsOnlyItsFunction: true,
  check(ctx) {
    if (runsInUserMode(ctx)) return;
    for (const fn of checkedFunctions(ctx)) {
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
        if (!declaresKirql(body, name)) continue;
        // Written somewhere: decided per path, where the walk can follow the function.
        let some = false;
        const written = writes(body, name);
        if (written) {
          const reached = unsavedAt(fn, call, name);
          if (reached === 'saved') continue;
          some = reached === 'some';
        }
        if (some) {
          ctx.report({
            severity: 'info',
            message:
              `${call.callee} restores the IRQL from ${name}, but on some paths to it nothing in ${fn.name} has saved an ` +
              `IRQL into ${name} yet (it is written only on other branches). If those paths cannot happen together ` +
              `with this one, say so in the code; otherwise the IRQL is set to whatever the variable happens to hold.`,
            span: arg.span,
            function: fn.name,
          });
          continue;
        }
        if (written) {
          ctx.report({
            message:
              `${call.callee} restores the IRQL from ${name}, but on no path to it has ${fn.name} saved an IRQL into ` +
              `${name} yet: the function writes it only after this call or on branches that do not lead here, so the ` +
              `IRQL is set to whatever the variable happens to hold. Restore the value the matching raise or acquire saved.`,
            span: arg.span,
            function: fn.name,
          });
          continue;
        }
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

/**
 * Whether the paths reaching `restore` have written `name` before it: on all of them ('saved'), on
 * some ('some'), on none ('none'). 'saved' where the walk cannot follow the function (or never reaches
 * the call): the benefit of the doubt.
 */
function unsavedAt(fn: FunctionModel, restore: CallModel, name: string): 'saved' | 'some' | 'none' {
  const address = new RegExp(`&\\s*${name}\\b`);
  const writesAt = (site: FlowSite): boolean => {
    if (site.kind === 'init') return (site.variable === name && site.value.trim() !== '') || address.test(site.value);
    if (site.kind === 'assignment') return site.assignment.target === name || address.test(site.assignment.value);
    return site.call.args.some((a) => address.test(a.text));
  };
  let saved = false;
  let unsaved = false;
  const exits = walkPaths<boolean>(fn, {
    start: false,
    key: (s) => (s ? '1' : '0'),
    step(state, site) {
      if (site.kind === 'call' && site.call.span.startOffset === restore.span.startOffset) {
        if (state) saved = true;
        else unsaved = true;
      }
      return state || writesAt(site);
    },
  });
  if (!exits || !unsaved) return 'saved';
  return saved ? 'some' : 'none';
}

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
