/**
 * KMDF3018: a request handler that can return without finishing the request it was presented —
 * not completed, sent, forwarded, requeued, kept (a context, a collection, a global) nor handed to a
 * helper that does one of those. Walks every path of the handler (analysis/paths.ts).
 */
import { walkPaths, type FlowSite } from '../../analysis/paths';
import type { FunctionModel, Span } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { paramOfType, registrationRelated } from '../facts/driverGraph';
import { insertBeforeFix } from '../fixes/insertStatement';
import { requestEffect, requestNames, type RequestEffect } from '../facts/requestOwnership';
import { resultVariable, sendSucceeded, type SendResult } from '../facts/requestSends';
import { lookupTable } from '../../util/lookupTable';
import { checkedFunctions } from '../findingsReuse';

/** The request handlers: the queue callbacks a new request is presented to. */
export const REQUEST_HANDLERS: Readonly<Record<string, string>> = lookupTable({
  EVT_WDF_IO_QUEUE_IO_READ: 'EvtIoRead',
  EVT_WDF_IO_QUEUE_IO_WRITE: 'EvtIoWrite',
  EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL: 'EvtIoDeviceControl',
  EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL: 'EvtIoInternalDeviceControl',
  EVT_WDF_IO_QUEUE_IO_DEFAULT: 'EvtIoDefault',
});

type Ownership = 'held' | 'escaped' | 'sending' | 'finished';
interface PathState {
  own: Ownership;
  /** A local `status` has been given a value on this path. */
  status: boolean;
  /** While `own` is 'sending': the send whose result a test may still show. */
  send?: SendResult;
  /** The request is held again because a send returned FALSE on this path. */
  failedSend?: boolean;
  /** A local given `WdfRequestGetStatus(request)` after the failed send: a failure status. */
  failedStatus?: string;
}

/** Whether a site gives the local `status` a value. */
function setsStatus(site: FlowSite): boolean {
  if (site.kind === 'init') return site.variable === 'status' && site.value !== '';
  if (site.kind === 'assignment') return site.assignment.target === 'status';
  return site.call.args.some((a) => a.text === '&status');
}

export const requestNotFinished: Rule = {
  meta: {
    id: 'KMDF3018',
    name: 'request-not-finished',
    title: 'A path through a request handler leaves its request unfinished',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'EVT_WDF_IO_QUEUE_IO_READ',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_read',
      },
      {
        title: 'WdfRequestComplete',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestcomplete',
      },
      { title: 'SDV rule RequestCompleted' },
      { title: 'SDV rule RequestCompletedLocal' },
      { title: 'SDV rule DeferredRequestCompleted' },
    ],
    mirrors: { sdv: ['RequestCompleted', 'RequestCompletedLocal', 'DeferredRequestCompleted'] },
    certainty:
      'Certain on the paths shown: no call or assignment on them completes, sends, forwards, requeues or keeps the request. Where the only such paths pass the request to a function the workspace does not define, the finding is information.',
    helpPage: rulePagePath('KMDF3018'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      const roleType = fn.isDefinition ? ctx.roleOf(fn.name) : undefined;
      const roleName = roleType ? REQUEST_HANDLERS[roleType] : undefined;
      if (roleName) checkHandler(ctx, fn, roleName);
    }
  },
};

function checkHandler(ctx: RuleContext, fn: FunctionModel, roleName: string): void {
  const request = paramOfType(fn, 'WDFREQUEST');
  if (!request || !fn.body) return;
  const names = requestNames(fn, request);
  const order: Record<Ownership, number> = { held: 0, escaped: 1, sending: 2, finished: 3 };
  // Whether `status` holds a value yet, for the quick fix (completing with an unset status is worse than the bug).
  const exits = walkPaths<PathState>(fn, {
    start: { own: 'held', status: false },
    key: (s) =>
      `${s.own}${s.status ? '+' : ''}${s.send ? `@${s.send.call}=${s.send.variable ?? ''}` : ''}` +
      `${s.failedSend ? '!' : ''}${s.failedStatus ? `~${s.failedStatus}` : ''}`,
    step(state, site) {
      let next = state;
      const status = state.status || setsStatus(site);
      if (status !== state.status) next = { ...next, status };
      if (state.failedStatus && assigns(site, state.failedStatus)) next = { ...next, failedStatus: undefined };
      if (state.failedSend && getsStatus(site, names.request)) next = { ...next, failedStatus: assignedName(site) };
      if (state.own === 'sending' && state.send && !state.send.variable) {
        const variable = resultVariable(site, state.send.call);
        if (variable) next = { ...next, send: { ...state.send, variable } };
      }
      const effect: RequestEffect = requestEffect(ctx, names, site);
      if (!effect) return next;
      // A send of the request written here: whether it went out is up to the tests of its result.
      const sending = site.kind === 'call' && site.call.callee === 'WdfRequestSend' && effect === 'finished';
      const own: Ownership = sending ? 'sending' : effect === 'finished' ? 'finished' : 'escaped';
      if (order[own] <= order[state.own]) return next;
      const send = sending ? { call: site.start } : undefined;
      return { own, status: next.status, send, failedStatus: undefined };
    },
    branch(state, test, holds) {
      if (state.failedStatus && test.variable === state.failedStatus && test.op === 'success')
        return holds !== test.negated ? undefined : state; // the status of a failed send is a failure
      if (state.own !== 'sending' || !state.send) return state;
      const succeeded = sendSucceeded(test, holds, state.send);
      if (succeeded === undefined) return state;
      return succeeded
        ? { own: 'finished', status: state.status }
        : { own: 'held', status: state.status, failedSend: true };
    },
  });
  if (!exits) return;
  for (const exit of exits) {
    const held = exit.states.some((s) => s.own === 'held');
    if (!held && !exit.states.some((s) => s.own === 'escaped')) continue;
    const heldStates = exit.states.filter((s) => s.own === 'held');
    const statusSet = heldStates.every((s) => s.status);
    const afterFailedSend = held && heldStates.every((s) => s.failedSend);
    const span: Span = exit.ret?.span ?? closingBrace(ctx, exit.offset);
    const where = exit.ret ? 'return here' : 'reach the end of the function';
    const message = afterFailedSend
      ? `${roleName} callback ${fn.name} can ${where} without finishing ${request} after WdfRequestSend returned FALSE: ` +
        `a send that fails leaves the request with the driver, and nothing on this path completes it. The caller's ` +
        `I/O hangs, and the queue cannot be purged or the device removed until it is completed.`
      : held
        ? `${roleName} callback ${fn.name} can ${where} without finishing ${request}: on this path it is neither completed, sent, ` +
          `forwarded, requeued nor kept for later. The framework presented the request to the driver, so nothing else will ` +
          `finish it: the caller's I/O hangs, and the queue cannot be purged or the device removed until it is completed.`
        : `${roleName} callback ${fn.name} can ${where} after passing ${request} only to functions this workspace does not define: ` +
          `unless one of them completes, forwards or keeps it, the request is never finished.`;
    const status = afterFailedSend
      ? `WdfRequestGetStatus(${request})`
      : statusSet
        ? 'status'
        : 'STATUS_INVALID_DEVICE_REQUEST';
    ctx.report({
      message,
      severity: held ? undefined : 'info',
      span,
      function: fn.name,
      related: registrationRelated(ctx, fn.name, 2),
      fixes: held ? completeFix(ctx, request, exit.ret?.span ?? span, !exit.ret, status) : undefined,
    });
  }
}

/** Whether a site gives `variable` a new value. */
function assigns(site: FlowSite, variable: string): boolean {
  if (site.kind === 'assignment') return site.assignment.target === variable;
  if (site.kind === 'init') return site.variable === variable;
  return site.call.args.some((a) => a.text.replace(/\s+/g, '') === `&${variable}`);
}

/** Whether a site stores `WdfRequestGetStatus(request)` in a local. */
function getsStatus(site: FlowSite, request: ReadonlySet<string>): boolean {
  const value = site.kind === 'assignment' ? site.assignment.value : site.kind === 'init' ? site.value : '';
  const m = /^WdfRequestGetStatus\s*\(\s*([A-Za-z_]\w*)\s*\)$/.exec(value);
  return !!m && request.has(m[1]) && !!assignedName(site);
}

function assignedName(site: FlowSite): string | undefined {
  const name = site.kind === 'assignment' ? site.assignment.target : site.kind === 'init' ? site.variable : undefined;
  return name && /^[A-Za-z_]\w*$/.test(name) ? name : undefined;
}

function closingBrace(ctx: RuleContext, offset: number): Span {
  const at = ctx.document.functions.find((f) => f.body && f.body.endOffset - 1 === offset)?.body;
  if (at)
    return {
      start: { line: at.end.line, character: at.end.character - 1 },
      end: at.end,
      startOffset: at.endOffset - 1,
      endOffset: at.endOffset,
    };
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 }, startOffset: offset, endOffset: offset };
}

/**
 * Complete the request before the return (or the closing brace): with the send's status after a
 * failed send, with `status` where every path to it has set one, else with a failure code.
 */
function completeFix(
  ctx: RuleContext,
  request: string,
  at: Span,
  atEnd: boolean,
  status: string,
): QuickFix[] | undefined {
  return insertBeforeFix(
    ctx,
    `Complete ${request} with ${status} on this path`,
    `WdfRequestComplete(${request}, ${status});`,
    at,
    atEnd,
  );
}
