/**
 * KMDF3020: WdfRequestSend called while the function holds a spin lock (taken earlier on the same
 * path, in the same function). An object lock counts where its object does not run at
 * WdfExecutionLevelPassive (IrqlFacts.objectSpinLock).
 */
import type { Rule } from '../types';
import { lookupOf } from '../facts/driverGraph';
import { rulePagePath } from '../help';
import { describeLock, lockWalk, type HeldLock } from '../facts/heldLocks';
import { irqlFacts, runsInUserMode } from '../facts/irqlContext';
import { checkedFunctions } from '../findingsReuse';

export const requestSentUnderSpinLock: Rule = {
  meta: {
    id: 'KMDF3020',
    name: 'request-sent-under-spin-lock',
    title: 'WdfRequestSend called while a spin lock is held',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestSend',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestsend',
      },
      { title: 'SDV rule ReqSendWhileSpinlock' },
    ],
    mirrors: { sdv: ['ReqSendWhileSpinlock'] },
    certainty:
      'Certain when every path to the send holds the spin lock; where only some paths do (the lock is taken under a condition the walk cannot decide), or the lock is an object lock whose object may run at WdfExecutionLevelPassive, the finding is information.',
    helpPage: rulePagePath('KMDF3020'),
  },
  perFunction: true,
  readsCallerLevels: true,
  check(ctx) {
    const kernel = !runsInUserMode(ctx);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body) continue;
      const walk = lockWalk(lookupOf(ctx), fn);
      if (!walk) continue;
      for (const call of fn.calls) {
        if (call.callee !== 'WdfRequestSend') continue;
        const states = walk.before.get(call);
        if (!states?.length) continue;
        // An object lock is a spin lock unless its object runs at WdfExecutionLevelPassive (KMDF3019's page).
        const objectSpin = (l: HeldLock) => (kernel ? irqlFacts(ctx).objectSpinLock(l, fn) : undefined);
        const spinHeld = (s: readonly HeldLock[]) => s.find((l) => l.spin) ?? s.find((l) => objectSpin(l));
        const held = states.map(spinHeld).filter((l): l is HeldLock => !!l);
        if (!held.length) continue;
        // `before` records only the states that hold some lock; a path holding none may reach the send too.
        const certainSpin = held.every((l) => l.spin || objectSpin(l)?.certain);
        const allPaths = held.length === states.length && !walk.unlocked.has(call.span.startOffset);
        const everyPath = allPaths && certainSpin;
        const lock = held[0];
        const note = lock.spin ? '' : ` (${objectSpin(lock)?.note ?? 'a spin lock'})`;
        ctx.report({
          severity: everyPath ? undefined : 'info',
          message:
            `${fn.name} sends a request while holding ${describeLock(lock)}${note}${allPaths ? '' : ' (on some paths)'}: the ` +
            `lower driver gets the request at DISPATCH_LEVEL with the lock held, and if it completes the request at once ` +
            `the completion routine runs here too; a routine that takes the same lock deadlocks. Release the lock before ` +
            `WdfRequestSend.`,
          span: call.span,
          function: fn.name,
          related: [{ uri: ctx.document.uri, span: lock.call.span, message: 'the spin lock is taken here' }],
        });
      }
    }
  },
};
