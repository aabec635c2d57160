/**
 * KMDF3039: an object handle handed to a framework method on a path where the create method that was
 * to fill it failed (`WdfObjectDelete(memory)` after a failed `WdfMemoryCreate(…, &memory, …)`). A
 * failed create leaves no object behind: the handle is NULL (most creates clear it first) or still
 * holds whatever the local held before (the checks that fail early return before clearing it), and a
 * framework method given either stops the machine. WdfDeviceCreate has its own rule, KMDF3032.
 */
import type { CallModel } from '../../analysis/model';
import type { KnowledgeIndex } from '../../knowledge/knowledgeIndex';
import type { Rule } from '../types';
import { rulePagePath } from '../help';
import { referencesOf } from '../findingReferences';
import { DEVICE_CREATE } from '../facts/wdfNames';
import { bareArgument } from '../facts/driverGraph';
import { failedCreatePaths, handleLocalOf, statusLocalOf } from '../facts/failedCreatePaths';
import { checkedFunctions } from '../findingsReuse';

// WDFCONTEXT is the driver's own pointer, not an object handle.
const HANDLE_TYPE = /^WDF(?!CONTEXT$)[A-Z]+$/;
const HANDLE_POINTER = /^WDF[A-Z]+\s*\*$/;

/** Per index: each create method that fills a handle → the index of its handle parameter. */
const createsCache = new WeakMap<KnowledgeIndex, Map<string, number>>();

function handleCreates(index: KnowledgeIndex): Map<string, number> {
  let creates = createsCache.get(index);
  if (creates) return creates;
  creates = new Map();
  for (const entry of index.all('method')) {
    if (entry.name === DEVICE_CREATE || !/Create/.test(entry.name) || entry.returns?.trim() !== 'NTSTATUS') continue;
    const at = entry.params.findIndex((p) => HANDLE_POINTER.test(p.type.trim()) && p.direction === 'out');
    // The catalog's parameters start after the hidden driver-globals argument, as calls are written.
    if (at >= 0) creates.set(entry.name, at);
  }
  createsCache.set(index, creates);
  return creates;
}

/** Whether `call` hands `handle` to a framework method in a parameter of a handle type (not a context pointer). */
function handsToFramework(index: KnowledgeIndex, call: CallModel, handle: (text: string) => boolean): boolean {
  const entry = index.get(call.callee);
  if (entry?.kind !== 'method') return false;
  return call.args.some((a, i) => handle(a.text) && HANDLE_TYPE.test(entry.params[i]?.type.trim() ?? ''));
}

/**
 * The calls each name is handed to as an argument of its own (`isHandle` of the check: the bare
 * argument, not its address), read once per function: a function of many creates asked it of every
 * call once per create.
 */
export function callsHandedByName(calls: readonly CallModel[]): Map<string, CallModel[]> {
  const byName = new Map<string, CallModel[]>();
  for (const call of calls)
    for (const a of call.args) {
      if (a.text.trim().startsWith('&')) continue;
      const name = bareArgument(a.text);
      const list = byName.get(name);
      if (!list) byName.set(name, [call]);
      else if (list[list.length - 1] !== call) list.push(call);
    }
  return byName;
}

export const handleAfterFailedCreate: Rule = {
  meta: {
    id: 'KMDF3039',
    name: 'handle-used-after-failed-create',
    title: 'Object handle passed to a framework method after the create that was to fill it failed',
    defaultSeverity: 'warning',
    documentation: [
      {
        title: 'WdfObjectDelete',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfobject/nf-wdfobject-wdfobjectdelete',
      },
      {
        title: 'WdfMemoryCreate',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfmemory/nf-wdfmemory-wdfmemorycreate',
      },
    ],
    certainty:
      'Certain on the paths reported: the status the create returned was tested there (`NT_SUCCESS`, `== STATUS_SUCCESS`) and found a failure, nothing gave the handle local another value or tested it against NULL, and the method it is handed takes it as an object handle.',
    helpPage: rulePagePath('KMDF3039'),
  },
  perFunction: true,
  readsOnlyItsFunction: true,
  check(ctx) {
    const creates = handleCreates(ctx.index);
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.body || !fn.flow) continue;
      let handed: Map<string, CallModel[]> | undefined;
      for (const create of fn.calls) {
        const at = creates.get(create.callee);
        if (at === undefined) continue;
        const handleVar = handleLocalOf(create.args[at]?.text);
        const statusVar = handleVar && statusLocalOf(fn, create);
        if (!handleVar || !statusVar) continue;
        const isHandle = (text: string) => bareArgument(text) === handleVar && !text.trim().startsWith('&');
        // Only a call given the handle itself can be reported: with none, the paths need no walk
        // (a function of many creates, each walked from the start, costs the walk once per create).
        handed ??= callsHandedByName(fn.calls);
        if (!handed.get(handleVar)?.some((c) => c !== create)) continue;
        const paths = failedCreatePaths(ctx, fn, create, statusVar, handleVar);
        if (!paths) continue;
        for (const call of paths.misuses.filter((c) => handsToFramework(ctx.index, c, isHandle))) {
          ctx.report({
            message:
              `${fn.name} passes ${handleVar} to ${call.callee} on a path where ${create.callee} failed. A failed create ` +
              `leaves no object in ${handleVar} (it is NULL, or still holds what it held before), and a framework method ` +
              `given it stops the machine with a bug check: use ${handleVar} only where the create succeeded.`,
            span: call.span,
            function: fn.name,
            related: [{ uri: ctx.document.uri, span: create.span, message: `${create.callee} is called here` }],
            references: referencesOf(ctx.index.get(create.callee)),
          });
        }
      }
    }
  },
};
