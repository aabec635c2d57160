/**
 * KMDF3024: a request sent without WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET (with a completion
 * routine, or synchronously) on a path where nothing formatted it for the target. Checked for the
 * requests whose whole history the function shows: the one a request handler was presented, and one
 * the function created.
 */
import { walkPaths } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { ownsHistory } from '../facts/requestOrigin';
import { callFormats, FORMAT_METHODS, requestSends, reusesRequest } from '../facts/requestSends';

export const requestSentUnformatted: Rule = {
  meta: {
    id: 'KMDF3024',
    name: 'request-sent-unformatted',
    title: 'Request sent to an I/O target without being formatted first',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestSend',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestsend',
      },
      {
        title: 'WdfRequestFormatRequestUsingCurrentType',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestformatrequestusingcurrenttype',
      },
      {
        title: 'SDV rule RequestFormattedValid',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-requestformattedvalid',
      },
    ],
    mirrors: { sdv: ['RequestFormattedValid'] },
    certainty:
      'Certain when no path to the send formats the request, for a request the handler was presented or the function created; where only some paths skip the formatting, the finding is information. A helper or an unknown routine the request is passed to first counts as formatting it.',
    helpPage: rulePagePath('KMDF3024'),
  },
  perFunction: true,
  check(ctx) {
    for (const { fn, send, request, options } of requestSends(ctx)) {
      if (options.sendAndForget || !ownsHistory(ctx, fn, request)) continue;
      checkSend(ctx, fn, send, request, options.synchronous);
    }
  },
};

function checkSend(ctx: RuleContext, fn: FunctionModel, send: CallModel, request: string, synchronous: boolean): void {
  const arriving: boolean[] = [];
  walkPaths<boolean>(fn, {
    start: false,
    key: (formatted) => (formatted ? 'f' : '-'),
    step(formatted, site) {
      if (site.kind !== 'call') return formatted;
      if (site.call === send) arriving.push(formatted);
      // A reused request's contents are gone: it must be formatted again.
      if (reusesRequest(site.call, request)) return false;
      return formatted || callFormats(ctx, site.call, request, FORMAT_METHODS);
    },
  });
  if (!arriving.length || arriving.every((f) => f)) return;
  const everyPath = arriving.every((f) => !f);
  const how = synchronous ? 'synchronously' : 'without WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET';
  ctx.report({
    severity: everyPath ? undefined : 'info',
    message:
      `${fn.name} sends ${request} ${how}${everyPath ? '' : ' on a path'} where nothing formatted it: the next stack ` +
      `location the target reads is whatever the request last carried, so the target gets no valid parameters (and a ` +
      `driver-created request none at all). Call WdfRequestFormatRequestUsingCurrentType(${request}) to pass the request ` +
      `on as it came, or a WdfIoTargetFormatRequestFor… method, before WdfRequestSend.`,
    span: send.calleeSpan,
    function: fn.name,
    fixes: everyPath && fn.params.some((p) => p.name === request) ? formatFix(ctx, send, request) : undefined,
  });
}

/** Insert `WdfRequestFormatRequestUsingCurrentType(request);` on the line before a send written as its own statement. */
function formatFix(ctx: RuleContext, send: CallModel, request: string): QuickFix[] | undefined {
  const text = ctx.text;
  // The statement holding the send: its line must start with the send or with `if (` around it.
  const lineStart = text.lastIndexOf('\n', send.span.startOffset - 1) + 1;
  const lead = text.slice(lineStart, send.span.startOffset);
  const indent = /^[ \t]*/.exec(lead)?.[0] ?? '';
  if (!/^[ \t]*((if|while)\s*\(\s*!?\s*|[A-Za-z_]\w*\s*=\s*)?$/.test(lead)) return undefined;
  const previous = text.slice(0, lineStart).replace(/(\/\/[^\n]*)?\s*$/, '');
  if (!/[;{}:]$/.test(previous)) return undefined;
  const where = { line: send.span.start.line, character: 0 };
  return [
    {
      title: `Format ${request} with WdfRequestFormatRequestUsingCurrentType before sending it`,
      preferred: true,
      edits: [
        {
          uri: ctx.document.uri,
          span: { start: where, end: where, startOffset: lineStart, endOffset: lineStart },
          newText: `${indent}WdfRequestFormatRequestUsingCurrentType(${request});\n`,
        },
      ],
    },
  ];
}
