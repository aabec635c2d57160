/**
 * KMDF3019: a lock taken in a function and still held on a path out of it, in a function that
 * releases that lock on its other paths; and (information) a function that takes a lock for its
 * caller without saying so in its SAL (a warning for a framework callback keeping a lock that raises
 * the IRQL: nobody above it releases it).
 */
import type { FunctionModel } from '../../analysis/model';
import { lookupOf, roleDisplayName } from '../facts/driverGraph';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { insertBeforeFix } from '../fixes/insertStatement';
import {
  describeLock,
  LOCK_ANNOTATION,
  LOCK_METHODS,
  lockEffect,
  lockWalk,
  releaseStatement,
  type HeldLock,
} from '../facts/heldLocks';
import { checkedFunctions } from '../findingsReuse';

export const lockNotReleased: Rule = {
  meta: {
    id: 'KMDF3019',
    name: 'lock-not-released',
    title: 'A path leaves a function with a lock still held',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfSpinLockAcquire',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfsync/nf-wdfsync-wdfspinlockacquire',
      },
      {
        title: 'WdfWaitLockAcquire',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfsync/nf-wdfsync-wdfwaitlockacquire',
      },
      { title: 'SDV rule Spinlock' },
      { title: 'SDV rule WdfSpinlock' },
      { title: 'SDV rule WdfWaitlock' },
      { title: 'SDV rule WdfInterruptLock' },
      { title: 'Code Analysis C28167' },
    ],
    mirrors: {
      codeAnalysis: [28167],
      sdv: ['Spinlock', 'SpinlockRelease', 'WdfSpinlock', 'WdfSpinlockRelease', 'WdfWaitlock', 'WdfInterruptLock'],
    },
    certainty:
      'Certain on the path reported: the function releases the lock on its other paths, and nothing on this one does. A function that only ever takes the lock (a lock helper without _Acquires_lock_) is information, unless it is a framework callback and the lock raises the IRQL.',
    helpPage: rulePagePath('KMDF3019'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body) continue;
      // On any declaration: a definition with _Use_decl_annotations_ carries none of its prototype's.
      const declarations = [fn, ...ctx.workspace.functionsNamed(fn.name).map((f) => f.fn)];
      if (
        declarations.some((d) =>
          d.annotations.some((a) => LOCK_ANNOTATION.test(a.name) || /^_IRQL_(raises|saves)/.test(a.name)),
        )
      )
        continue;
      const walk = lockWalk(lookupOf(ctx), fn);
      if (!walk) continue;
      const released = releasedFamilies(ctx, fn);
      const reported = new Set<string>();
      const helperShape: HeldLock[] = [];
      for (const exit of walk.exits) {
        for (const state of exit.states) {
          for (const lock of state) {
            const family = lock.viaHelper ? 'helper' : lock.family;
            if (!released.has(family)) {
              if (!helperShape.some((h) => h.call === lock.call)) helperShape.push(lock);
              continue;
            }
            const id = `${exit.offset}@${lock.call.span.startOffset}`;
            if (reported.has(id)) continue;
            reported.add(id);
            const where = exit.ret ? 'return here' : 'reach its end';
            const consequence = lock.spin
              ? 'the processor stays at raised IRQL and the next acquire of the lock spins forever'
              : 'the next acquire of the lock waits forever';
            const at = exit.ret?.span ?? closingBrace(fn, exit.offset);
            // Only where every path to this exit holds it: elsewhere the release would run twice.
            const onEveryPath = exit.states.every((st) => st.some((l) => l.call === lock.call));
            const release = onEveryPath ? releaseStatement(lock) : undefined;
            ctx.report({
              message:
                `${fn.name} can ${where} still holding ${describeLock(lock)}: the function releases it on other paths, ` +
                `but not on this one, so ${consequence}.`,
              span: at,
              function: fn.name,
              related: [{ uri: ctx.document.uri, span: lock.call.span, message: `the lock is taken here` }],
              fixes: release
                ? insertBeforeFix(ctx, `Release the lock on this path (${release})`, release, at, !exit.ret)
                : undefined,
            });
          }
        }
      }
      // A function that only takes the lock hands it to its caller: that is what _Acquires_lock_ says.
      // A framework callback has no such caller: nothing releases a lock that changes the IRQL it returns at.
      // Only a role type the index knows as a framework callback: a driver's own function class may be a lock routine.
      const roleType = ctx.roleOf(fn.name);
      const role = roleType && ctx.index.get(roleType)?.kind === 'callback' ? roleType : undefined;
      for (const lock of helperShape.slice(0, 1)) {
        if (role && (lock.spin || lock.raises)) {
          ctx.report({
            message:
              `${fn.name} is called by the framework as ${roleDisplayName(ctx, role)} (${role}) and takes ${describeLock(lock)} without ` +
              `releasing it on any path: the framework that calls it releases nothing, so it gets control back at the ` +
              `lock's raised IRQL and the next acquire of the lock spins forever. Release it before returning.`,
            span: fn.nameSpan,
            function: fn.name,
            related: [{ uri: ctx.document.uri, span: lock.call.span, message: `the lock is taken here` }],
          });
          continue;
        }
        ctx.report({
          severity: 'info',
          message:
            `${fn.name} takes ${describeLock(lock)} and never releases it, so it returns with the lock held for its caller. ` +
            `Say so with _Acquires_lock_(…) on its declaration, so Code Analysis (C28167) and this rule check that its callers release it.`,
          span: fn.nameSpan,
          function: fn.name,
          related: [{ uri: ctx.document.uri, span: lock.call.span, message: `the lock is taken here` }],
        });
      }
    }
  },
};

/** The lock families a function releases somewhere (`helper` for a helper that drops a lock for it). */
function releasedFamilies(ctx: RuleContext, fn: FunctionModel): Set<string> {
  const out = new Set<string>();
  for (const call of fn.calls) {
    const method = LOCK_METHODS.get(call.callee);
    if (method && !method.acquire) out.add(method.family);
    else if (!method && lockEffect(lookupOf(ctx), fn, call) === 'release') out.add('helper');
  }
  // A helper that drops "a lock" may drop any of them.
  if (out.has('helper')) for (const m of LOCK_METHODS.values()) out.add(m.family);
  return out;
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
