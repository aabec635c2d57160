/**
 * KMDF3030: the input buffer of a read request, or the output buffer of a write request, retrieved
 * (SDV InputBufferAPI / OutputBufferAPI). The framework fails these calls on those requests with
 * STATUS_INVALID_DEVICE_REQUEST every time: a read has only a buffer to fill (its output), a write
 * only a buffer to read (its input). Reported where the request is the one EvtIoRead/EvtIoWrite was
 * handed — in the callback, or in a helper every call of which passes that request on.
 */
import type { CallModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { chainText } from '../facts/driverGraph';
import { carriesSdvRule } from '../facts/sdvRules';
import { parameterIndexOf, roleParameterOrigin } from '../facts/roleParameters';
import { checkedFunctions } from '../findingsReuse';

interface Direction {
  sdvRule: string;
  roleType: string;
  roleName: string;
  /** The buffer the request has none of, and the one it has. */
  missing: 'input' | 'output';
  present: 'Input' | 'Output';
}

const DIRECTIONS: Direction[] = [
  {
    sdvRule: 'InputBufferAPI',
    roleType: 'EVT_WDF_IO_QUEUE_IO_READ',
    roleName: 'EvtIoRead',
    missing: 'input',
    present: 'Output',
  },
  {
    sdvRule: 'OutputBufferAPI',
    roleType: 'EVT_WDF_IO_QUEUE_IO_WRITE',
    roleName: 'EvtIoWrite',
    missing: 'output',
    present: 'Input',
  },
];

export const bufferWrongDirection: Rule = {
  meta: {
    id: 'KMDF3030',
    name: 'buffer-wrong-direction',
    title: 'Input buffer of a read request, or output buffer of a write request, retrieved',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestRetrieveInputBuffer',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestretrieveinputbuffer',
      },
      {
        title: 'WdfRequestRetrieveOutputBuffer',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestretrieveoutputbuffer',
      },
      { title: 'SDV rule InputBufferAPI' },
      { title: 'SDV rule OutputBufferAPI' },
    ],
    mirrors: { sdv: ['InputBufferAPI', 'OutputBufferAPI'] },
    certainty:
      'Certain: the request is the one an EvtIoRead (or EvtIoWrite) callback was handed, in the callback or in a helper every call of which passes it on, and the callback has no other role. Silent when any way into the helper is not known to carry that request.',
    helpPage: rulePagePath('KMDF3030'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      for (const call of fn.calls) {
        const direction = DIRECTIONS.find((d) => carriesSdvRule(ctx, call.callee, d.sdvRule));
        if (!direction) continue;
        const index = parameterIndexOf(fn, call.args[0]?.text);
        const origin = roleParameterOrigin(ctx, fn.name, index, direction.roleType, 'WDFREQUEST');
        if (!origin) continue;
        const where =
          origin.chain.length === 1
            ? `the ${direction.roleName} callback ${fn.name}`
            : `${fn.name}, which only ever gets the request of the ${direction.roleName} callback ${origin.callback} (${chainText(origin.chain)})`;
        const replacement = counterpart(call.callee, direction);
        const kind = direction.roleName === 'EvtIoRead' ? 'read' : 'write';
        ctx.report({
          message:
            `${call.callee} is called on ${call.args[0].text} in ${where}. A ${kind} request has no ${direction.missing} buffer: ` +
            `the framework fails this call with STATUS_INVALID_DEVICE_REQUEST every time.` +
            (replacement ? ` Use ${replacement}, which returns the request's one buffer.` : ''),
          span: call.span,
          function: fn.name,
          references: referencesOf(ctx.index.get(call.callee)),
          fixes: replacement ? renameFix(ctx, call, replacement) : undefined,
        });
      }
    }
  },
};

/** The same retrieval for the buffer the request does have: Input ↔ Output in the name (same parameters). */
function counterpart(method: string, direction: Direction): string | undefined {
  const wrong = direction.present === 'Output' ? 'Input' : 'Output';
  const name = method.replace(wrong, direction.present);
  return name !== method ? name : undefined;
}

function renameFix(ctx: RuleContext, call: CallModel, replacement: string): QuickFix[] | undefined {
  const written = ctx.text.slice(call.calleeSpan.startOffset, call.calleeSpan.endOffset);
  if (written !== call.callee || !ctx.index.get(replacement)) return undefined;
  return [
    {
      title: `Use ${replacement}`,
      preferred: true,
      edits: [{ uri: ctx.document.uri, span: call.calleeSpan, newText: replacement }],
    },
  ];
}
