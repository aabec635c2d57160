/**
 * KMDF3036: the request an EvtIoRead, EvtIoWrite or EvtIoDeviceControl callback was presented, handed
 * to a synchronous send method that builds a request of another type from it (SDV ReadReqs,
 * WriteReqs, IoctlReqs): `WdfIoTargetSendWriteSynchronously` with a read request, and so on. Which
 * methods each rule rules out comes from the catalog (the methods' DDI-compliance lists). Reported
 * where the request is the callback's own — in the callback, or in a helper every call of which
 * passes it on.
 */
import type { CallModel } from '../../analysis/model';
import type { QuickFix, Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { chainText } from '../facts/driverGraph';
import { carriesSdvRule } from '../facts/sdvRules';
import { parameterIndexOf, roleParameterOrigin, type RoleParameterOrigin } from '../facts/roleParameters';

interface PresentedType {
  sdvRule: string;
  roleType: string;
  roleName: string;
  /** What the request is, in words. */
  kind: string;
}

const PRESENTED: PresentedType[] = [
  { sdvRule: 'ReadReqs', roleType: 'EVT_WDF_IO_QUEUE_IO_READ', roleName: 'EvtIoRead', kind: 'read' },
  { sdvRule: 'WriteReqs', roleType: 'EVT_WDF_IO_QUEUE_IO_WRITE', roleName: 'EvtIoWrite', kind: 'write' },
  {
    sdvRule: 'IoctlReqs',
    roleType: 'EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL',
    roleName: 'EvtIoDeviceControl',
    kind: 'device control',
  },
];

const NO_REQUEST = /^(NULL|nullptr|0|WDF_NO_HANDLE)$/;

export const requestSentAsOtherType: Rule = {
  meta: {
    id: 'KMDF3036',
    name: 'request-sent-as-other-type',
    title: 'Presented request handed to a synchronous send method for another request type',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfIoTargetSendWriteSynchronously',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfiotarget/nf-wdfiotarget-wdfiotargetsendwritesynchronously',
      },
      {
        title: 'WdfIoTargetSendIoctlSynchronously',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfiotarget/nf-wdfiotarget-wdfiotargetsendioctlsynchronously',
      },
      { title: 'SDV rule ReadReqs' },
      { title: 'SDV rule WriteReqs' },
      { title: 'SDV rule IoctlReqs' },
    ],
    mirrors: { sdv: ['ReadReqs', 'WriteReqs', 'IoctlReqs'] },
    certainty:
      'Certain: the request is the one an EvtIoRead, EvtIoWrite or EvtIoDeviceControl callback was presented, in the callback or in a helper every call of which passes it on, and the callback has no other role. Silent when any way into the helper is not known to carry that request.',
    helpPage: rulePagePath('KMDF3036'),
  },
  check(ctx) {
    for (const fn of ctx.document.functions) {
      if (!fn.body) continue;
      for (const call of fn.calls) {
        const types = PRESENTED.filter((p) => carriesSdvRule(ctx, call.callee, p.sdvRule));
        if (!types.length) continue;
        const at = requestArgument(ctx, call.callee);
        const argument = at === undefined ? undefined : call.args[at];
        if (!argument || NO_REQUEST.test(argument.text.trim())) continue;
        const index = parameterIndexOf(fn, argument.text);
        // A method rules out several presented types: the request is at most one of them.
        let presented: PresentedType | undefined;
        let origin: RoleParameterOrigin | undefined;
        for (const type of types) {
          origin = roleParameterOrigin(ctx, fn.name, index, type.roleType, 'WDFREQUEST');
          if (origin) {
            presented = type;
            break;
          }
        }
        if (!presented || !origin) continue;
        const where =
          origin.chain.length === 1
            ? `the ${presented.roleName} callback ${fn.name}`
            : `${fn.name}, which only ever gets the request of the ${presented.roleName} callback ${origin.callback} (${chainText(origin.chain)})`;
        ctx.report({
          message:
            `${call.callee} is handed ${argument.text.trim()}, the ${presented.kind} request presented to ${where}. ` +
            `The method formats the request it is given as a ${builtKind(call.callee)} request, and a request that came ` +
            `in as a ${presented.kind} may not be sent as another type. Pass WDF_NO_HANDLE so that the method sends a ` +
            `request of its own (and complete ${argument.text.trim()} afterwards), or pass the ${presented.kind} on as it ` +
            `came with WdfRequestFormatRequestUsingCurrentType and WdfRequestSend.`,
          span: call.span,
          function: fn.name,
          references: referencesOf(ctx.index.get(call.callee)),
          fixes: ownRequestFix(ctx, call, at!),
        });
      }
    }
  },
};

/** The position of the method's WDFREQUEST parameter, from the catalog. */
function requestArgument(ctx: RuleContext, method: string): number | undefined {
  const at = ctx.index.get(method)?.params.findIndex((p) => p.type === 'WDFREQUEST');
  return at === undefined || at < 0 ? undefined : at;
}

/** The kind of request a synchronous send method builds, from its name. */
function builtKind(method: string): string {
  if (/Urb/.test(method)) return 'URB (internal device control)';
  if (/InternalIoctl/.test(method)) return 'internal device control';
  if (/Ioctl/.test(method)) return 'device control';
  if (/Read/.test(method)) return 'read';
  return 'write';
}

/** Replace the request argument with WDF_NO_HANDLE: the method then allocates a request of its own. */
function ownRequestFix(ctx: RuleContext, call: CallModel, at: number): QuickFix[] | undefined {
  const argument = call.args[at];
  if (!argument) return undefined;
  return [
    {
      title: `Let ${call.callee} use a request of its own (WDF_NO_HANDLE)`,
      edits: [{ uri: ctx.document.uri, span: argument.span, newText: 'WDF_NO_HANDLE' }],
    },
  ];
}
