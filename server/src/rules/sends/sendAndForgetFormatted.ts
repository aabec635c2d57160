/**
 * KMDF3025: a request sent with WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET after an I/O target format
 * method (`WdfIoTargetFormatRequestFor…`, `WdfUsbTarget…FormatRequestFor…`) formatted it on the way.
 * Send-and-forget only passes a request on as it came: `WdfRequestFormatRequestUsingCurrentType` or
 * `WdfRequestWdmFormatUsingStackLocation`, or no formatting at all.
 */
import { walkPaths } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { callFormats, requestSends, TARGET_FORMAT_METHODS } from '../facts/requestSends';

export const sendAndForgetFormatted: Rule = {
  meta: {
    id: 'KMDF3025',
    name: 'send-and-forget-formatted',
    title: 'Send-and-forget request formatted with an I/O target format method',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WDF_REQUEST_SEND_OPTIONS_FLAGS',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/ne-wdfrequest-_wdf_request_send_options_flags',
      },
      {
        title: 'SDV rule RequestSendAndForgetNoFormatting',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-requestsendandforgetnoformatting',
      },
    ],
    mirrors: { sdv: ['RequestSendAndForgetNoFormatting'] },
    certainty:
      'Certain when every path to the send passes a target format method on the request (called here or in a helper the request is handed to); where only some paths do, the finding is information.',
    helpPage: rulePagePath('KMDF3025'),
  },
  perFunction: true,
  check(ctx) {
    for (const { fn, send, request, options } of requestSends(ctx))
      if (options.sendAndForget) checkSend(ctx, fn, send, request);
  },
};

function checkSend(ctx: RuleContext, fn: FunctionModel, send: CallModel, request: string): void {
  const arriving: (CallModel | undefined)[] = [];
  walkPaths<CallModel | undefined>(fn, {
    start: undefined,
    key: (format) => (format ? String(format.span.startOffset) : '-'),
    step(format, site) {
      if (site.kind !== 'call') return format;
      if (site.call === send) arriving.push(format);
      if (format) return format;
      return callFormats(ctx, site.call, request, TARGET_FORMAT_METHODS) ? site.call : undefined;
    },
  });
  const formats = arriving.filter((f): f is CallModel => !!f);
  if (!formats.length) return;
  const everyPath = formats.length === arriving.length;
  const format = formats[0];
  ctx.report({
    severity: everyPath ? undefined : 'info',
    message:
      `${fn.name} sends ${request} with WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET after ${format.callee} formatted it` +
      `${everyPath ? '' : ' on some paths'}. The framework does not allow that pairing: a target format method keeps the ` +
      `buffers and memory it was given referenced until the request completes back through the framework, and a ` +
      `send-and-forget request never does. Send it with a completion routine instead, or pass it on unchanged with ` +
      `WdfRequestFormatRequestUsingCurrentType.`,
    span: send.calleeSpan,
    function: fn.name,
    related: [
      { uri: ctx.document.uri, span: format.span, message: `${request} is formatted for the target by this call` },
    ],
  });
}
