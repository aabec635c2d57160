/**
 * KMDF3036: the request an EvtIoRead, EvtIoWrite, EvtIoDeviceControl or EvtIoInternalDeviceControl
 * callback was presented, handed to a synchronous send method that builds a request of another type
 * from it (SDV ReadReqs, WriteReqs, IoctlReqs, InternalIoctlReqs): `WdfIoTargetSendWriteSynchronously`
 * with a read request, and so on. An EvtIoDefault request, of any type, handed to such a method
 * without a look at its type is information. Which
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
import { checkedFunctions } from '../findingsReuse';

interface PresentedType {
  /** The SDV rule whose methods may not get this type; undefined for EvtIoDefault (any type: every rule's). */
  sdvRule?: string;
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
  {
    sdvRule: 'InternalIoctlReqs',
    roleType: 'EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL',
    roleName: 'EvtIoInternalDeviceControl',
    kind: 'internal device control',
  },
  // EvtIoDefault is presented every type its queue's other callbacks do not take: a method that rules out
  // any type may get the wrong one, unless the driver looks at the type first (information only).
  { roleType: 'EVT_WDF_IO_QUEUE_IO_DEFAULT', roleName: 'EvtIoDefault', kind: 'request of any type' },
];

const TYPE_RULES = ['ReadReqs', 'WriteReqs', 'IoctlReqs', 'InternalIoctlReqs'];

/** "a read", "an internal device control". */
function article(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

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
      { title: 'SDV rule InternalIoctlReqs' },
    ],
    mirrors: { sdv: ['ReadReqs', 'WriteReqs', 'IoctlReqs', 'InternalIoctlReqs'] },
    certainty:
      'Certain: the request is the one an EvtIoRead, EvtIoWrite, EvtIoDeviceControl or EvtIoInternalDeviceControl callback was presented, in the callback or in a helper every call of which passes it on, and the callback has no other role. Silent when any way into the helper is not known to carry that request. An EvtIoDefault request (of any type) is possible only: information, and silent when the driver reads the request parameters on the way or routes request types to queues.',
    helpPage: rulePagePath('KMDF3036'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body) continue;
      for (const call of fn.calls) {
        const types = PRESENTED.filter((p) =>
          p.sdvRule
            ? carriesSdvRule(ctx, call.callee, p.sdvRule)
            : TYPE_RULES.some((rule) => carriesSdvRule(ctx, call.callee, rule)),
        );
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
        const anyType = !presented.sdvRule;
        if (anyType && looksAtType(ctx, [fn.name, ...origin.chain])) continue;
        const where =
          origin.chain.length === 1
            ? `the ${presented.roleName} callback ${fn.name}`
            : `${fn.name}, which only ever gets the request of the ${presented.roleName} callback ${origin.callback} (${chainText(origin.chain)})`;
        const request = argument.text.trim();
        const built = builtKind(call.callee);
        ctx.report({
          message: anyType
            ? `${call.callee} is handed ${request}, the request presented to ${where}, which is given requests of ` +
              `every type its queue's other callbacks do not take, and nothing on the way looks at the type ` +
              `(WdfRequestGetParameters). The method formats the request it is given as ${article(built)} request, and ` +
              `a request that came in as another type may not be sent as this one. Check the type first, pass ` +
              `WDF_NO_HANDLE so that the method sends a request of its own, or pass the request on as it came with ` +
              `WdfRequestFormatRequestUsingCurrentType and WdfRequestSend.`
            : `${call.callee} is handed ${request}, the ${presented.kind} request presented to ${where}. ` +
              `The method formats the request it is given as ${article(built)} request, and a request that came ` +
              `in as ${article(presented.kind)} may not be sent as another type. Pass WDF_NO_HANDLE so that the method sends a ` +
              `request of its own (and complete ${request} afterwards), or pass the ${presented.kind} on as it ` +
              `came with WdfRequestFormatRequestUsingCurrentType and WdfRequestSend.`,
          ...(anyType ? { severity: 'info' as const } : {}),
          span: call.span,
          function: fn.name,
          references: referencesOf(ctx.index.get(call.callee)),
          fixes: ownRequestFix(ctx, call, at!),
        });
      }
    }
  },
};

/**
 * Whether the driver may know the type of an EvtIoDefault request: one of the functions on the way
 * reads its parameters, or the driver routes one type to a queue (WdfDeviceConfigureRequestDispatching).
 */
function looksAtType(ctx: RuleContext, functions: string[]): boolean {
  if (ctx.workspace.callers('WdfDeviceConfigureRequestDispatching').length) return true;
  return functions.some((name) =>
    ctx.workspace
      .definitions(name)
      .some(({ fn }) =>
        fn.calls.some((c) => c.callee === 'WdfRequestGetParameters' || c.callee === 'WdfRequestGetType'),
      ),
  );
}

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
