/**
 * KMDF3021: a request, or a buffer, MDL, memory object, IRP or context obtained from it, used after
 * the request was completed on the same path. A new value in the variable (`Request = …`,
 * `WdfIoQueueRetrieveNextRequest(queue, &Request)`) makes it a different request. A call to a helper
 * of the driver that finishes the request on every path (helperFinishes.ts) finishes it too.
 */
import type { CallModel, FunctionModel } from '../../analysis/model';
import { functionSites, walkPaths, type FlowSite } from '../../analysis/paths';
import type { Rule, RuleContext } from '../types';
import { rulePagePath } from '../help';
import { COMPLETE } from '../facts/wdfNames';
import { bareArgument, isTraceCall } from '../facts/driverGraph';
import { finishingHelperCall, type HelperFinish } from './helperFinishes';
import { checkedFunctions } from '../findingsReuse';

/** Methods that hand out something that lives inside the request, through an out parameter. */
const RETRIEVE = /^WdfRequestRetrieve(Input|Output|UnsafeUserInput|UnsafeUserOutput)(Buffer|Memory|WdmMdl)$/;
/** Calls whose result lives inside the request (its IRP, its context). */
const INSIDE = /^(WdfRequestWdmGetIrp|WdfObjectGetTypedContext\w*|\w*Get\w*Context\w*|\w*Context\w*Get\w*)$/;
/** Calls that may follow completion: dropping a reference the driver took, tracing the handle value. */
const ALLOWED_AFTER = new Set(['WdfObjectDereference', 'WdfObjectDereferenceWithTag', 'WdfObjectDereferenceActual']);

/** A request completed on a path, or something obtained from it. */
interface Dead {
  name: string;
  /** The request it came from (itself for the request). */
  request: string;
  completion: CallModel;
  /** Finished by a helper of the driver (`completion` is the call to it), and how. */
  helper?: HelperFinish;
}
type State = readonly Dead[];

export const requestUsedAfterCompletion: Rule = {
  meta: {
    id: 'KMDF3021',
    name: 'request-used-after-completion',
    title: 'Request or its buffer used after the request was completed',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfRequestComplete',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestcomplete',
      },
      { title: 'SDV rule InvalidReqAccess' },
      { title: 'SDV rule InvalidReqAccessLocal' },
      { title: 'SDV rule BufAfterReqCompletedIoctl' },
      { title: 'SDV rule MdlAfterReqCompletedIoctl' },
      { title: 'SDV rule MemAfterReqCompletedIoctl' },
    ],
    mirrors: {
      sdv: [
        'InvalidReqAccess',
        'InvalidReqAccessLocal',
        'BufAfterReqCompletedIoctl',
        'BufAfterReqCompletedIntIoctl',
        'BufAfterReqCompletedRead',
        'BufAfterReqCompletedWrite',
        'MdlAfterReqCompletedIoctl',
        'MdlAfterReqCompletedIntIoctl',
        'MdlAfterReqCompletedRead',
        'MdlAfterReqCompletedWrite',
        'MemAfterReqCompletedIoctl',
        'MemAfterReqCompletedIntIoctl',
        'MemAfterReqCompletedRead',
        'MemAfterReqCompletedWrite',
      ],
    },
    certainty:
      'Certain on the path reported: the request variable was completed earlier on it (or handed to a helper that finishes it on every path) and not given a new value since.',
    helpPage: rulePagePath('KMDF3021'),
  },
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition || !fn.body) continue;
      if (!fn.calls.some((c) => COMPLETE.has(c.callee) || finishingHelperCall(ctx, c))) continue;
      checkFunction(ctx, fn);
    }
  },
};

function checkFunction(ctx: RuleContext, fn: FunctionModel): void {
  const derived = derivedNames(fn);
  const reported = new Set<CallModel | FlowSite>();
  const report = (site: FlowSite, dead: Dead) => {
    const key = site.kind === 'call' ? site.call : site;
    if (reported.has(key)) return;
    reported.add(key);
    const what = dead.name === dead.request ? dead.request : `${dead.name} (obtained from ${dead.request})`;
    const by = dead.helper
      ? `${dead.completion.callee} finished ${dead.request} on this path (it ` +
        `${dead.helper === 'completes' ? 'completes' : 'passes on or completes'} the request it is handed on every path)`
      : `${dead.completion.callee} completed ${dead.request} on this path`;
    const span = site.kind === 'call' ? site.call.span : site.kind === 'assignment' ? site.assignment.span : undefined;
    if (!span) return;
    ctx.report({
      message:
        `${fn.name} uses ${what} after ${by}. A ${dead.helper === 'finishes' ? 'finished' : 'completed'} ` +
        `request belongs to the framework again, which may already have freed it with its buffers, MDLs and context: ` +
        `read what is needed before completing, and complete last.`,
      span,
      function: fn.name,
      related: [
        {
          uri: ctx.document.uri,
          span: dead.completion.span,
          message: dead.helper ? `${dead.request} is finished by this call` : `${dead.request} is completed here`,
        },
      ],
    });
  };
  walkPaths<State>(fn, {
    start: [],
    key: (s) => s.map((d) => `${d.name}@${d.completion.span.startOffset}`).join(';'),
    step(state, site) {
      if (site.kind === 'call') {
        const call = site.call;
        if (state.length && !ALLOWED_AFTER.has(call.callee) && !isTraceCall(call.callee)) {
          // Completing it again directly after a direct completion is KMDF3017's; after a helper finished it, ours.
          const again = COMPLETE.has(call.callee);
          for (const a of again ? call.args.slice(0, 1) : call.args) {
            if (outParameter(a.text)) continue; // a new value, handled below
            const dead = state.find((d) => d.name === rootOf(a.text));
            if (dead && (!again || dead.helper)) report(site, dead);
          }
        }
        let next = state;
        // `&Request`, `&buffer`: the variable gets a new value.
        for (const a of call.args) {
          const out = outParameter(a.text);
          if (out) next = next.filter((d) => d.name !== out);
        }
        const finishing = COMPLETE.has(call.callee) ? undefined : finishingHelperCall(ctx, call);
        if (COMPLETE.has(call.callee) || finishing) {
          const request = finishing ? finishing.argument : bareArgument(call.args[0]?.text);
          const helper = finishing?.how;
          if (/^[A-Za-z_]\w*$/.test(request) && !next.some((d) => d.name === request)) {
            next = [
              ...next,
              { name: request, request, completion: call, helper },
              ...[...derived]
                .filter(([, from]) => from === request)
                .map(([name]) => ({ name, request, completion: call, helper })),
            ];
          }
        }
        return next;
      }
      const target = site.kind === 'init' ? site.variable : site.assignment.target;
      const value = site.kind === 'init' ? site.value : site.assignment.value;
      if (state.length && site.kind === 'assignment') {
        // `status = Helper(Request)`: the value holds the call that finished it, not a later use.
        const carries = (d: Dead) =>
          d.completion.span.startOffset >= site.assignment.valueSpan.startOffset &&
          d.completion.span.endOffset <= site.assignment.valueSpan.endOffset;
        const dead = state.find(
          (d) => !carries(d) && (mentions(value, d.name) || (target !== d.name && rootOf(target) === d.name)),
        );
        if (dead) report(site, dead);
      }
      return state.some((d) => d.name === target) ? state.filter((d) => d.name !== target) : state;
    },
  });
}

/** Locals that hold something inside a request: name → the request variable. */
function derivedNames(fn: FunctionModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const site of functionSites(fn)) {
    if (site.kind === 'call' && RETRIEVE.test(site.call.callee)) {
      const request = bareArgument(site.call.args[0]?.text);
      for (const a of site.call.args.slice(1)) {
        const name = outParameter(a.text);
        if (name) out.set(name, request);
      }
    } else if (site.kind !== 'call') {
      const target = site.kind === 'init' ? site.variable : site.assignment.target;
      const value = site.kind === 'init' ? site.value : site.assignment.value;
      const m = /^(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*\(\s*(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*[,)]/.exec(value);
      if (m && INSIDE.test(m[1]) && /^[A-Za-z_]\w*$/.test(target)) out.set(target, m[2]);
    }
  }
  return out;
}

/** The variable an expression starts from: `buf->Length` → buf, `&ctx->Entry` → ctx, `(PUCHAR)buf + 4` → buf. */
function rootOf(text: string): string {
  const m = /^[&*\s]*(?:\([^()]*\)\s*)?\(?\s*([A-Za-z_]\w*)/.exec(bareArgument(text));
  return m ? m[1] : '';
}

/** The variable an out-parameter argument names: `&buffer`, `(PVOID *)&buffer`. */
function outParameter(text: string): string | undefined {
  const t = text.trim().replace(/^\((?:[A-Za-z_]\w*\s*)+\**\s*\)\s*/, '');
  return /^&\s*([A-Za-z_]\w*)$/.exec(t)?.[1];
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`(^|[^\\w.>])${name}\\b`).test(text);
}
