/**
 * Callback stub generation: from a callback role type with a signature, the role-type declaration
 * (`EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;`) and a definition that takes its SAL from that
 * declaration (`_Use_decl_annotations_`), with exact parameter types and names.
 */
import { isPlausibleCType } from '../knowledge/merge';
import { maxLevel } from '../knowledge/irql';
import type { IndexEntry } from '../knowledge/types';

export interface StubOptions {
  /** Indentation unit inside the body (default four spaces). */
  indent?: string;
  /** Line ending (default "\n"). */
  eol?: string;
}

export interface Stub {
  functionName: string;
  /** `EVT_X Name;` */
  declaration: string;
  /** The whole definition, from `_Use_decl_annotations_` to the closing brace. */
  definition: string;
  /** `#pragma alloc_text(PAGE, Name)` when the callback runs at PASSIVE_LEVEL and may be paged. */
  allocText?: string;
  /** Whether the body starts with PAGED_CODE(). */
  pageable: boolean;
}

/** Why a stub cannot be made for an entry (not a callback, no signature). */
export class StubError extends Error {}

/**
 * Return values for role types whose return type carries a meaning the type alone does not give.
 * A stub that does nothing yet should answer the way that leaves the framework's default behaviour.
 */
// Maps, not object literals: a role-type name from a header or a page ("valueOf", "constructor")
// must not find Object.prototype's members.
const RETURN_BY_ROLE: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // "Is this interrupt ours?" — a stub has not looked at the hardware, so no.
    EVT_WDF_INTERRUPT_ISR: 'FALSE',
    // The value is handed back to WdfInterruptSynchronize's caller unchanged.
    EVT_WDF_INTERRUPT_SYNCHRONIZE: 'TRUE',
    // TRUE: the two descriptions identify the same child. A stub cannot know, so they differ.
    EVT_WDF_CHILD_LIST_IDENTIFICATION_DESCRIPTION_COMPARE: 'FALSE',
    // TRUE lets the framework re-enumerate the child, which is what happens without the callback.
    EVT_WDF_CHILD_LIST_DEVICE_REENUMERATED: 'TRUE',
    // TRUE: the DMA transfer was programmed (FALSE obliges the driver to finish the transaction itself).
    EVT_WDF_PROGRAM_DMA: 'TRUE',
    // TRUE: the channel is configured; FALSE fails the transaction.
    EVT_WDF_DMA_TRANSACTION_CONFIGURE_DMA_CHANNEL: 'TRUE',
    // TRUE asks the framework to reset the pipe and restart the readers (its behaviour without the callback).
    EVT_WDF_USB_READERS_FAILED: 'TRUE',
    // Without the callback the framework uses a reserved request.
    EVT_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS: 'WdfIoForwardProgressActionUseReservedRequest',
  }),
);

/**
 * Callbacks handed a request that the driver then owns: a stub must not leave it pending (the I/O
 * would hang and the device could never power down). Each completes it the way the framework
 * treats it when the callback is missing, so the stub behaves like no callback at all.
 * `{request}`, `{device}` and `{flags}` (ActionFlags) stand for the parameter names of the signature;
 * `{indent}` for one indentation unit.
 */
const REQUEST_HANDLING_BY_ROLE: ReadonlyMap<string, { lines: string[]; why: string }> = new Map(
  Object.entries({
    ...Object.fromEntries(
      ['READ', 'WRITE', 'DEVICE_CONTROL', 'INTERNAL_DEVICE_CONTROL', 'DEFAULT'].map((kind) => [
        `EVT_WDF_IO_QUEUE_IO_${kind}`,
        {
          why: 'Not handled yet: fail it as the framework fails a request type without a handler.',
          lines: ['WdfRequestComplete({request}, STATUS_INVALID_DEVICE_REQUEST);'],
        },
      ]),
    ),
    EVT_WDF_DEVICE_FILE_CREATE: {
      why: 'Accept the open, as the framework does without this callback.',
      lines: ['WdfRequestComplete({request}, STATUS_SUCCESS);'],
    },
    EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE: {
      why: 'The request was canceled while the driver held it in a manual queue.',
      lines: ['WdfRequestComplete({request}, STATUS_CANCELLED);'],
    },
    EVT_WDF_REQUEST_CANCEL: {
      why: 'The request was canceled while marked cancelable.',
      lines: ['WdfRequestComplete({request}, STATUS_CANCELLED);'],
    },
    // The framework waits on every request the driver owns before a power-down or removal goes on.
    EVT_WDF_IO_QUEUE_IO_STOP: {
      why: "The queue is stopping while this request is still the driver's: settle it for each reason given.",
      lines: [
        '// Marked cancelable: unmark it first; if it was canceled meanwhile, its cancel routine completes it.',
        'if (({flags} & WdfRequestStopRequestCancelable) != 0) {',
        '{indent}if (WdfRequestUnmarkCancelable({request}) == STATUS_CANCELLED) {',
        '{indent}{indent}return;',
        '{indent}}',
        '}',
        '',
        'if (({flags} & WdfRequestStopActionSuspend) != 0) {',
        '{indent}// Leaving D0: hand it back to the queue, which delivers it again after power-up.',
        '{indent}WdfRequestStopAcknowledge({request}, TRUE);',
        '} else if (({flags} & WdfRequestStopActionPurge) != 0) {',
        '{indent}// The queue is purged (removal or a purge call): finish it now.',
        '{indent}WdfRequestComplete({request}, STATUS_CANCELLED);',
        '}',
      ],
    },
    EVT_WDF_IO_QUEUE_IO_RESUME: {
      why: 'The request EvtIoStop acknowledged without requeueing is back: nothing to resume yet, so finish it.',
      lines: ['WdfRequestComplete({request}, STATUS_CANCELLED);'],
    },
    EVT_WDF_IO_IN_CALLER_CONTEXT: {
      why: "Hand the request on to the device's queues, as the framework does without this callback.",
      lines: [
        'NTSTATUS status = WdfDeviceEnqueueRequest({device}, {request});',
        'if (!NT_SUCCESS(status)) {',
        '{indent}WdfRequestComplete({request}, status);',
        '}',
      ],
    },
  }),
);

/**
 * The statements that settle the request a stub of `entry` is handed, or undefined when the
 * callback does not own one. Uses the signature's own parameter names.
 */
export function requestHandling(
  entry: IndexEntry,
  indent = '    ',
): { comment: string; lines: string[]; uses: string[] } | undefined {
  const handling = REQUEST_HANDLING_BY_ROLE.get(entry.name);
  if (!handling) return undefined;
  const named: Record<string, string | undefined> = {
    request: entry.params.find((p) => p.type === 'WDFREQUEST')?.name,
    device: entry.params.find((p) => p.type === 'WDFDEVICE')?.name,
    flags: entry.params.find((p) => p.type === 'ULONG' && /ActionFlags$/.test(p.name))?.name,
  };
  const wanted = Object.keys(named).filter((key) => handling.lines.some((l) => l.includes(`{${key}}`)));
  if (!named.request || wanted.some((key) => !named[key])) return undefined;
  const fill = (line: string) =>
    line.replace(/\{(request|device|flags|indent)\}/g, (_, key: string) => (key === 'indent' ? indent : named[key]!));
  return {
    comment: `// ${handling.why}`,
    lines: handling.lines.map(fill),
    uses: wanted.map((key) => named[key]!),
  };
}

/** The `return …;` statement a stub ends with, or undefined for VOID. */
export function stubReturnValue(
  entry: IndexEntry,
  lookup?: (name: string) => IndexEntry | undefined,
): string | undefined {
  const type = (entry.returns ?? 'VOID').replace(/\s+/g, ' ').trim();
  if (type === 'VOID' || type === 'void') return undefined;
  const byRole = RETURN_BY_ROLE.get(entry.name);
  if (byRole) return byRole;
  if (type === 'NTSTATUS' || type === 'HRESULT') return type === 'NTSTATUS' ? 'STATUS_SUCCESS' : 'S_OK';
  if (type === 'BOOLEAN' || type === 'BOOL') return 'FALSE';
  if (type === 'bool') return 'false';
  if (/\*$/.test(type) || /^(P|LP)[A-Z]/.test(type) || /^WDF[A-Z]+$/.test(type)) return 'NULL';
  const enumeration = lookup?.(type);
  if (enumeration?.kind === 'enumeration' && enumeration.members?.length) {
    // The first member that is not a placeholder ("…Invalid", "…Unknown").
    return enumeration.members.find((m) => !/(Invalid|Unknown|Undefined)$/i.test(m)) ?? enumeration.members[0];
  }
  return '0';
}

/** Whether a stub for this role type should be pageable: PASSIVE_LEVEL at most and not flagged as not pageable. */
export function isPageable(entry: IndexEntry): boolean {
  if (entry.flags.some((f) => f.id === 'not-pageable')) return false;
  return maxLevel(entry.irql) === 'PASSIVE_LEVEL';
}

/**
 * Why an entry's signature cannot be trusted to write C, or undefined when it can. Signatures read
 * from docs prototypes can come out broken (a type reduced to `const`, a SAL annotation split into
 * the type); a stub from those would not compile, so it is refused instead.
 */
export function signatureProblem(entry: IndexEntry): string | undefined {
  if (!entry.returns || !/^[A-Za-z_][\w ]*\*?$/.test(entry.returns.trim()))
    return `return type "${entry.returns ?? ''}"`;
  for (const [i, p] of entry.params.entries()) {
    const type = (p.type ?? '').trim();
    if (type === 'VOID' && entry.params.length === 1) continue;
    if (!p.name || !/^[A-Za-z_]\w*$/.test(p.name)) return `parameter ${i + 1} has no usable name ("${p.name ?? ''}")`;
    if (!isPlausibleCType(type)) {
      return `parameter ${p.name} has type "${type}"`;
    }
  }
  return undefined;
}

/** A parameter as the definition writes it: type, then name; pointer stars stay with the type ("size_t* BytesWritten"). */
function definitionParam(type: string, name: string): string {
  return `${type.replace(/\s+/g, ' ').trim()} ${name}`;
}

/**
 * Generate the declaration and definition of a callback of role type `entry` named `functionName`.
 * Throws StubError when the entry is not a callback with a known signature.
 */
export function generateStub(
  entry: IndexEntry,
  functionName: string,
  options: StubOptions = {},
  lookup?: (name: string) => IndexEntry | undefined,
): Stub {
  if (entry.kind !== 'callback') throw new StubError(`${entry.name} is a ${entry.kind}, not a callback role type.`);
  if (!entry.returns) throw new StubError(`${entry.name} has no known signature (no return type).`);
  const problem = signatureProblem(entry);
  if (problem)
    throw new StubError(
      `${entry.name}: the signature in the index looks incomplete (${problem}); no stub is generated from it.`,
    );
  if (!/^[A-Za-z_]\w*$/.test(functionName)) throw new StubError(`"${functionName}" is not a C identifier.`);
  const indent = options.indent ?? '    ';
  const eol = options.eol ?? '\n';
  const pageable = isPageable(entry);
  const params = entry.params.filter((p) => p.type && p.type !== 'VOID');

  const head = [`_Use_decl_annotations_`, entry.returns, `${functionName}(`];
  const paramLines = params.length
    ? params.map((p, i) => `${indent}${definitionParam(p.type, p.name)}${i < params.length - 1 ? ',' : ''}`)
    : [`${indent}VOID`];
  const body: string[] = [];
  if (pageable) body.push(`${indent}PAGED_CODE();`, '');
  const handling = requestHandling(entry, indent);
  const unreferenced = params.filter((p) => !handling?.uses.includes(p.name));
  for (const p of unreferenced) body.push(`${indent}UNREFERENCED_PARAMETER(${p.name});`);
  if (handling) {
    if (unreferenced.length) body.push('');
    body.push(`${indent}${handling.comment}`, ...handling.lines.map((l) => (l ? `${indent}${l}` : '')));
  }
  const returnValue = stubReturnValue(entry, lookup);
  if (returnValue) {
    if (params.length) body.push('');
    body.push(`${indent}return ${returnValue};`);
  }
  while (body.length && body[body.length - 1] === '') body.pop();
  const definition = [...head, ...paramLines, `${indent})`, '{', ...body, '}'].join(eol);
  return {
    functionName,
    declaration: `${entry.name} ${functionName};`,
    definition,
    allocText: pageable ? `#pragma alloc_text(PAGE, ${functionName})` : undefined,
    pageable,
  };
}
