/**
 * KMDF3011: WdfDeviceInit…/WdfFdoInit…/WdfPdoInit…/WdfControlDeviceInit… on a DeviceInit after
 * WdfDeviceCreate has consumed it, directly or inside a helper the function calls afterwards.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { lineIndexOf } from '../../syntax/positions';
import { rulePagePath } from '../help';
import { DEVICE_CREATE, isDeviceInitMethod } from '../facts/wdfNames';
import {
  bareArgument,
  before,
  callsInOrder,
  definitionOf,
  passes,
  reachedCalls,
  reachedRelated,
} from '../facts/driverGraph';
import { checkedFunctions } from '../findingsReuse';

export const deviceInitAfterCreate: Rule = {
  meta: {
    id: 'KMDF3011',
    name: 'device-init-after-create',
    title: 'DeviceInit used after WdfDeviceCreate',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'WdfDeviceCreate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicecreate',
      },
      { title: 'SDV rule DeviceInitAPI' },
      { title: 'SDV rule ControlDeviceInitAPI' },
      { title: 'SDV rule PdoDeviceInitAPI' },
    ],
    mirrors: { sdv: ['DeviceInitAPI', 'ControlDeviceInitAPI', 'PdoDeviceInitAPI'] },
    certainty:
      'Certain: in one function, an init method gets the DeviceInit variable after WdfDeviceCreate was given it, with no new value in between; directly or in a helper called afterwards.',
    helpPage: rulePagePath('KMDF3011'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      const calls = callsInOrder(fn);
      for (const create of calls.filter((c) => c.callee === DEVICE_CREATE)) {
        const init = bareArgument(create.args[0]?.text);
        if (!/^[A-Za-z_]\w*$/.test(init)) continue;
        for (const later of calls) {
          if (!before(create.span, later.span) || !passes(later, init) || reassignedBetween(fn, init, create, later))
            continue;
          if (isDeviceInitMethod(later.callee)) {
            ctx.report({
              message:
                `${fn.name} calls ${later.callee} on ${init} after WdfDeviceCreate. WdfDeviceCreate consumes the init structure ` +
                `(and sets ${init} to NULL on success), so every WdfDeviceInit…/WdfFdoInit…/WdfPdoInit… call must come before it.`,
              span: later.span,
              function: fn.name,
              related: [
                { uri: ctx.document.uri, span: create.span, message: `${init} is handed to WdfDeviceCreate here` },
              ],
              fixes: moveFix(ctx, later, create),
            });
            continue;
          }
          if (!definitionOf(ctx, later.callee)) continue;
          const inner = reachedCalls(ctx, later.callee).find((r) => isDeviceInitMethod(r.call.callee));
          if (!inner) continue;
          ctx.report({
            message:
              `${fn.name} passes ${init} to ${later.callee} after WdfDeviceCreate, and ${later.callee} calls ${inner.call.callee} on it. ` +
              `WdfDeviceCreate has already consumed the init structure; call ${later.callee} before WdfDeviceCreate.`,
            span: later.span,
            function: fn.name,
            related: [
              { uri: ctx.document.uri, span: create.span, message: `${init} is handed to WdfDeviceCreate here` },
              reachedRelated(inner, `${inner.call.callee} is called`),
            ],
            fixes: moveFix(ctx, later, create),
          });
        }
      }
    }
  },
};

/** A fresh init structure assigned between the two calls (a loop creating several devices). */
function reassignedBetween(fn: FunctionModel, variable: string, from: CallModel, to: CallModel): boolean {
  return fn.assignments.some(
    (a) =>
      bareArgument(a.target) === variable &&
      a.span.startOffset > from.span.endOffset &&
      a.span.endOffset <= to.span.startOffset,
  );
}

/**
 * Move the late call's line to just before the line WdfDeviceCreate's statement starts on — only
 * when the late call is a statement of its own on its own lines (nothing else to carry along).
 */
function moveFix(ctx: RuleContext, late: CallModel, create: CallModel): QuickFix[] | undefined {
  const lines = lineIndexOf(ctx.text);
  const lineStart = lines.lineStart(late.span.start.line);
  if (ctx.text.slice(lineStart, late.span.startOffset).trim() !== '') return undefined;
  // A trailing comment on the line moves with the statement.
  const tail = /^[ \t]*;[ \t]*(?:\/\/[^\r\n]*|\/\*[^\r\n]*?\*\/[ \t]*)?(\r\n|\n|\r|$)/.exec(
    ctx.text.slice(late.span.endOffset),
  );
  if (!tail) return undefined;
  const end = late.span.endOffset + tail[0].length;
  let statementText = ctx.text.slice(lineStart, end);
  if (!tail[1]) statementText += '\n';
  const createLine = lines.lineStart(create.span.start.line);
  // Re-indent to the WdfDeviceCreate line.
  const createIndent = /^[ \t]*/.exec(ctx.text.slice(createLine))![0];
  const lateIndent = /^[ \t]*/.exec(statementText)![0];
  const moved = createIndent + statementText.slice(lateIndent.length);
  return [
    {
      title: `Move ${late.callee} before WdfDeviceCreate`,
      preferred: true,
      edits: [
        { uri: ctx.document.uri, span: lines.span(createLine, createLine), newText: moved },
        { uri: ctx.document.uri, span: lines.span(lineStart, end), newText: '' },
      ],
    },
  ];
}
