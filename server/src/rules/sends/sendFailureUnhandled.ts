/**
 * KMDF3023: a `WdfRequestSend` whose failure leaves the request with nobody to finish it — its result
 * dropped, or a path where it returned FALSE that neither completes, deletes nor keeps the request.
 * Synchronous sends are left out: the request is the driver's after them whichever way they went.
 */
import { walkPaths, type FlowSite, type FlowTest } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { CallSite } from '../../analysis/workspace';
import type { QuickFix, RelatedLocation, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { bareArgument } from '../facts/driverGraph';
import { requestEffect, requestNames, type RequestNames } from '../facts/requestOwnership';
import { REQUEST_HANDLERS } from '../requests/requestNotFinished';
import { createdHere, requestSends, resultVariable, sendSucceeded, type SendResult } from '../facts/requestSends';

/**
 * Where the sent request comes from, which says who else could finish it after a failed send:
 * `handedOver` is a parameter of a helper that returns nothing, whose every caller is a request
 * handler passing the request it was presented, so no caller can learn that the send failed.
 */
type Origin = 'presented' | 'created' | 'handedOver' | 'parameter';

type Phase = 'before' | 'sending' | 'failed' | 'done';
interface SendState {
  phase: Phase;
  send?: SendResult;
}

export const sendFailureUnhandled: Rule = {
  meta: {
    id: 'KMDF3023',
    name: 'send-failure-unhandled',
    title: 'WdfRequestSend can fail and leave the request unfinished',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestSend',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestsend',
      },
      {
        title: 'SDV rule ReqSendFail',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-reqsendfail',
      },
    ],
    mirrors: { sdv: ['ReqSendFail'] },
    certainty:
      'Certain for a request the handler was presented or the function created: when the send fails nothing else holds it; so for a request handed to a helper returning nothing by request handlers only, each passing its presented request. Any other request a caller handed in may be finished there, and cleanup written after the send may cover the failed path under a test the walk cannot decide: those findings are information.',
    helpPage: rulePagePath('KMDF3023'),
  },
  perFunction: true,
  check(ctx) {
    for (const { fn, send, request, options } of requestSends(ctx)) {
      if (options.synchronous) continue;
      const origin = originOf(ctx, fn, request);
      if (!origin) continue;
      if (fn.flow.discarded.includes(send.span.startOffset)) reportDropped(ctx, fn, send, request, origin);
      // A presented request left on a failed path is KMDF3018's finding, at the exit.
      else if (origin !== 'presented') checkFailedPaths(ctx, fn, send, request, origin);
    }
  },
};

/** Where `request` comes from in `fn`; undefined for a local copied from elsewhere (a context's, a collection's). */
function originOf(ctx: RuleContext, fn: FunctionModel, request: string): Origin | undefined {
  const param = fn.params.find((p) => p.name === request);
  if (param) {
    const role = ctx.roleOf(fn.name);
    if (param.type === 'WDFREQUEST' && role && role in REQUEST_HANDLERS) return 'presented';
    return handlersHandingOver(ctx, fn, request).length ? 'handedOver' : 'parameter';
  }
  if (createdHere(fn, request)) return 'created';
  return undefined;
}

/**
 * The calls through which request handlers hand `fn` the request they were presented, as its
 * `request` parameter, when `fn` returns nothing and every call of it in the workspace is one of
 * them; [] otherwise (a caller that passes something else, or no caller seen).
 */
function handlersHandingOver(ctx: RuleContext, fn: FunctionModel, request: string): readonly CallSite[] {
  if (!/^(VOID|void)$/.test(fn.returnType.trim())) return [];
  const index = fn.params.findIndex((p) => p.name === request);
  const callers = ctx.workspace.callers(fn.name);
  if (index < 0 || !callers.length) return [];
  const presentedBy = (site: CallSite): boolean => {
    const role = ctx.roleOf(site.caller);
    if (!role || !(role in REQUEST_HANDLERS)) return false;
    const handed = bareArgument(site.call.args[index]?.text);
    return site.callerFunction.params.some((p) => p.name === handed && p.type === 'WDFREQUEST');
  };
  return callers.every(presentedBy) ? callers : [];
}

/** The note naming the handlers that hand the request over, and the places they do it. */
function handedOverNote(
  ctx: RuleContext,
  fn: FunctionModel,
  request: string,
): { clause: string; related: RelatedLocation[] } {
  const sites = handlersHandingOver(ctx, fn, request);
  const names = [...new Set(sites.map((s) => s.caller))];
  return {
    clause:
      ` ${fn.name} returns nothing, and its caller${names.length > 1 ? 's' : ''} (${names.join(', ')}) hand${names.length > 1 ? '' : 's'} ` +
      `it the request ${names.length > 1 ? 'they were' : 'it was'} presented and cannot learn that the send failed.`,
    related: sites.map((s) => ({
      uri: s.uri,
      span: s.call.calleeSpan,
      message: `${s.caller} hands ${fn.name} its request here`,
    })),
  };
}

function reportDropped(ctx: RuleContext, fn: FunctionModel, send: CallModel, request: string, origin: Origin): void {
  // Reading the request's status afterwards is how a driver may choose to look at the outcome.
  const readsStatus = fn.calls.some(
    (c) =>
      c.callee === 'WdfRequestGetStatus' &&
      c.span.startOffset > send.span.startOffset &&
      bareArgument(c.args[0]?.text) === request,
  );
  if (readsStatus) return;
  const finish =
    origin === 'created'
      ? `WdfObjectDelete(${request})`
      : `WdfRequestComplete(${request}, WdfRequestGetStatus(${request}))`;
  const handedOver = origin === 'handedOver' ? handedOverNote(ctx, fn, request) : undefined;
  ctx.report({
    severity: origin === 'parameter' ? 'info' : undefined,
    message:
      `${fn.name} drops the result of WdfRequestSend: when the send fails (the target is stopped or gone, the request ` +
      `was cancelled) it returns FALSE, the request was not sent and no completion routine will run, so ${request} ` +
      `stays with the driver with nothing left to ${origin === 'created' ? 'delete' : 'complete'} it. Test the result and ` +
      `call ${finish} when it is FALSE.` +
      (handedOver?.clause ?? ''),
    span: send.calleeSpan,
    function: fn.name,
    ...(handedOver ? { related: handedOver.related } : {}),
    fixes: wrapFix(ctx, send, request, finish),
  });
}

function checkFailedPaths(ctx: RuleContext, fn: FunctionModel, send: CallModel, request: string, origin: Origin): void {
  const names: RequestNames = requestNames(fn, request);
  const exits = walkPaths<SendState>(fn, {
    start: { phase: 'before' },
    key: (s) => `${s.phase}${s.send ? `@${s.send.variable ?? ''}` : ''}`,
    step(state, site) {
      if (site.kind === 'call' && site.call === send) return { phase: 'sending', send: { call: site.start } };
      if (state.phase === 'sending' && state.send && !state.send.variable) {
        const variable = resultVariable(site, state.send.call);
        return variable ? { phase: 'sending', send: { ...state.send, variable } } : state;
      }
      if (state.phase !== 'failed') return state;
      return handles(ctx, names, site, request) ? { phase: 'done' } : state;
    },
    branch(state, test, holds) {
      // A request that went through a send is a live handle: `if (request != NULL)` holds.
      if (state.phase !== 'before' && armSaysNull(test, holds, request)) return undefined;
      if (state.phase !== 'sending' || !state.send) return state;
      const succeeded = sendSucceeded(test, holds, state.send);
      if (succeeded === undefined) return state;
      return { phase: succeeded ? 'done' : 'failed' };
    },
  });
  if (!exits?.some((e) => e.states.some((s) => s.phase === 'failed'))) return;
  // A caller that passed the request in can still finish it when told of the failure.
  const tellsCaller = origin === 'parameter' && !/^(VOID|void)$/.test(fn.returnType.trim());
  if (tellsCaller) return;
  const what = origin === 'created' ? 'deleted' : 'completed';
  // Cleanup written after the send may run on the failed path under a test the walk cannot decide
  // (`if (request != NULL && !NT_SUCCESS(status))`): then the path is only possible.
  const laterCleanup = fn.calls.some(
    (c) =>
      c.span.startOffset > send.span.endOffset &&
      /^(WdfObjectDelete|WdfRequestComplete\w*)$/.test(c.callee) &&
      bareArgument(c.args[0]?.text) === request,
  );
  const handedOver = origin === 'handedOver' ? handedOverNote(ctx, fn, request) : undefined;
  ctx.report({
    severity: origin === 'parameter' || laterCleanup ? 'info' : undefined,
    message:
      `${fn.name} has a path where WdfRequestSend returns FALSE and ${request} is then neither ${what}, sent again nor ` +
      `kept: a send that fails does not call the completion routine, so ${
        origin === 'created'
          ? `the request object created here is leaked (call WdfObjectDelete(${request}) on that path)`
          : `nothing else will finish the request (complete it with WdfRequestGetStatus(${request}) on that path)`
      }.` +
      (handedOver?.clause ?? ''),
    span: send.calleeSpan,
    function: fn.name,
    ...(handedOver ? { related: handedOver.related } : {}),
  });
}

/** Whether the arm of `test` that came out `holds` is the one where `request` is NULL (`!request`, `request == NULL`). */
function armSaysNull(test: FlowTest, holds: boolean, request: string): boolean {
  if (test.call !== undefined || test.variable !== request) return false;
  const asWritten = holds !== test.negated;
  if (test.op === 'truthy') return !asWritten;
  return test.op === 'eq' && /^(NULL|0|nullptr|WDF_NO_HANDLE)$/.test(test.value ?? '') && asWritten;
}

/** Whether a site on the failed path finishes, deletes or keeps the request. */
function handles(ctx: RuleContext, names: RequestNames, site: FlowSite, request: string): boolean {
  if (site.kind === 'call' && /^(WdfObjectDelete|WdfObjectDereference|WdfRequestReuse)$/.test(site.call.callee))
    if (names.request.has(bareArgument(site.call.args[0]?.text)) || bareArgument(site.call.args[0]?.text) === request)
      return true;
  return requestEffect(ctx, names, site) !== undefined;
}

/** Wrap `WdfRequestSend(…);` in a test that finishes the request when it returns FALSE. */
function wrapFix(ctx: RuleContext, send: CallModel, request: string, finish: string): QuickFix[] | undefined {
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', send.span.startOffset - 1) + 1;
  const indent = text.slice(lineStart, send.span.startOffset);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const semicolon = /^\s*;/.exec(text.slice(send.span.endOffset));
  if (!semicolon) return undefined;
  const end = send.span.endOffset + semicolon[0].length;
  const call = text.slice(send.span.startOffset, send.span.endOffset);
  const inner = `${indent}    `;
  const body = call.replace(/\n/g, '\n    ');
  return [
    {
      title: `Finish ${request} when WdfRequestSend returns FALSE`,
      preferred: true,
      edits: [
        {
          uri: ctx.document.uri,
          span: {
            start: send.span.start,
            end: positionAt(text, end),
            startOffset: send.span.startOffset,
            endOffset: end,
          },
          newText: `if (!${body}) {\n${inner}${finish};\n${indent}}`,
        },
      ],
    },
  ];
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
