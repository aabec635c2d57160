/**
 * KMDF3018: a request handler that can return without finishing the request it was presented —
 * not completed, sent, forwarded, requeued, kept (a context, a collection, a global) nor handed to a
 * helper that does one of those. Walks every path of the handler (analysis/paths.ts).
 */
import { walkPaths, type FlowSite } from '../../analysis/paths';
import type { FunctionModel, Span } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { documentFunctionsWithRole, paramOfType, registrationRelated } from '../contracts/support';
import { insertBeforeFix } from './insertStatement';
import { requestEffect, requestNames, type RequestEffect } from './ownership';

/** The request handlers: the queue callbacks a new request is presented to. */
export const REQUEST_HANDLERS: Record<string, string> = {
  EVT_WDF_IO_QUEUE_IO_READ: 'EvtIoRead',
  EVT_WDF_IO_QUEUE_IO_WRITE: 'EvtIoWrite',
  EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL: 'EvtIoDeviceControl',
  EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL: 'EvtIoInternalDeviceControl',
  EVT_WDF_IO_QUEUE_IO_DEFAULT: 'EvtIoDefault',
};

type Ownership = 'held' | 'escaped' | 'finished';
interface PathState {
  own: Ownership;
  /** A local `status` has been given a value on this path. */
  status: boolean;
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
  check(ctx) {
    for (const [roleType, roleName] of Object.entries(REQUEST_HANDLERS)) {
      for (const fn of documentFunctionsWithRole(ctx, roleType)) checkHandler(ctx, fn, roleName);
    }
  },
};

function checkHandler(ctx: RuleContext, fn: FunctionModel, roleName: string): void {
  const request = paramOfType(fn, 'WDFREQUEST');
  if (!request || !fn.body) return;
  const names = requestNames(fn, request);
  const order: Record<Ownership, number> = { held: 0, escaped: 1, finished: 2 };
  // Whether `status` holds a value yet, for the quick fix (completing with an unset status is worse than the bug).
  const exits = walkPaths<PathState>(fn, {
    start: { own: 'held', status: false },
    key: (s) => `${s.own}${s.status ? '+' : ''}`,
    step(state, site) {
      const effect: RequestEffect = requestEffect(ctx, names, site);
      const own: Ownership = !effect ? state.own : effect === 'finished' ? 'finished' : 'escaped';
      const next = order[own] > order[state.own] ? own : state.own;
      const status = state.status || setsStatus(site);
      return next === state.own && status === state.status ? state : { own: next, status };
    },
  });
  if (!exits) return;
  for (const exit of exits) {
    const held = exit.states.some((s) => s.own === 'held');
    if (!held && !exit.states.some((s) => s.own === 'escaped')) continue;
    const statusSet = exit.states.every((s) => s.own !== 'held' || s.status);
    const span: Span = exit.ret?.span ?? closingBrace(ctx, exit.offset);
    const where = exit.ret ? 'return here' : 'reach the end of the function';
    const message = held
      ? `${roleName} callback ${fn.name} can ${where} without finishing ${request}: on this path it is neither completed, sent, ` +
        `forwarded, requeued nor kept for later. The framework presented the request to the driver, so nothing else will ` +
        `finish it: the caller's I/O hangs, and the queue cannot be purged or the device removed until it is completed.`
      : `${roleName} callback ${fn.name} can ${where} after passing ${request} only to functions this workspace does not define: ` +
        `unless one of them completes, forwards or keeps it, the request is never finished.`;
    ctx.report({
      message,
      severity: held ? undefined : 'info',
      span,
      function: fn.name,
      related: registrationRelated(ctx, fn.name, 2),
      fixes: held ? completeFix(ctx, request, exit.ret?.span ?? span, !exit.ret, statusSet) : undefined,
    });
  }
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

/** Complete the request before the return (or the closing brace), with `status` where every path to it has set one. */
function completeFix(
  ctx: RuleContext,
  request: string,
  at: Span,
  atEnd: boolean,
  statusSet: boolean,
): QuickFix[] | undefined {
  const status = statusSet ? 'status' : 'STATUS_INVALID_DEVICE_REQUEST';
  return insertBeforeFix(
    ctx,
    `Complete ${request} with ${status} on this path`,
    `WdfRequestComplete(${request}, ${status});`,
    at,
    atEnd,
  );
}
