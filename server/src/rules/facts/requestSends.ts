/**
 * What the send rules (rules/sends/) and the request-lifetime walk need to know of one
 * `WdfRequestSend`: the options it is sent with (synchronous, send-and-forget, a timeout), whether a
 * tested condition says it succeeded, and which methods format a request. Everything is read from
 * the analysis model of the sending function; nothing crosses into other functions except the
 * bounded helper summary of `helperFormats`.
 */
import type { FlowTest } from '../../analysis/paths';
import type { CallModel, FunctionModel } from '../../analysis/model';
import { declaredLocals } from '../../analysis/paths';
import type { RuleContext } from '../types';
import { BoundedSummaries, UNKNOWN } from './boundedSummaries';
import { bareArgument, definitionOf, isOpaqueCall, isTraceCall, MAX_HELPER_DEPTH } from './driverGraph';
import { checkedFunctions } from '../findingsReuse';

/**
 * The I/O target format methods of the catalog (wdf-signatures kmdf-1.33, every method whose name
 * says it formats a request for an I/O target): they build the next stack location themselves.
 */
export const TARGET_FORMAT_METHODS: ReadonlySet<string> = new Set([
  'WdfIoTargetFormatRequestForInternalIoctl',
  'WdfIoTargetFormatRequestForInternalIoctlOthers',
  'WdfIoTargetFormatRequestForIoctl',
  'WdfIoTargetFormatRequestForRead',
  'WdfIoTargetFormatRequestForWrite',
  'WdfUsbTargetDeviceFormatRequestForControlTransfer',
  'WdfUsbTargetDeviceFormatRequestForCyclePort',
  'WdfUsbTargetDeviceFormatRequestForString',
  'WdfUsbTargetDeviceFormatRequestForUrb',
  'WdfUsbTargetPipeFormatRequestForAbort',
  'WdfUsbTargetPipeFormatRequestForRead',
  'WdfUsbTargetPipeFormatRequestForReset',
  'WdfUsbTargetPipeFormatRequestForUrb',
  'WdfUsbTargetPipeFormatRequestForWrite',
]);

/** Every format method of the catalog: the target ones, and the two that reuse what the request carries. */
export const FORMAT_METHODS: ReadonlySet<string> = new Set([
  ...TARGET_FORMAT_METHODS,
  'WdfRequestFormatRequestUsingCurrentType',
  'WdfRequestWdmFormatUsingStackLocation',
]);

/** How a request is sent, when the function shows it. */
export interface SendOptions {
  /** WDF_REQUEST_SEND_OPTION_SYNCHRONOUS is set. */
  synchronous: boolean;
  /** WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET is set. */
  sendAndForget: boolean;
  /** A time-out is set: the TIMEOUT flag, WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT or `.Timeout =` anywhere before the send. */
  timeout: boolean;
  /** The options local (`&options`), when there is one. */
  variable?: string;
}

const NO_OPTIONS = /^(WDF_NO_SEND_OPTIONS|NULL|nullptr|0)$/;

/**
 * The options of a `WdfRequestSend` call: none (`WDF_NO_SEND_OPTIONS`, `NULL`), or a local of the
 * function initialised with `WDF_REQUEST_SEND_OPTIONS_INIT` with the same flags wherever it is, and
 * whose `Flags` nothing else writes. Undefined when the function does not show them (a pointer
 * parameter, flags chosen on a condition).
 */
export function sendOptions(fn: FunctionModel, send: CallModel): SendOptions | undefined {
  const arg = send.args[2]?.text.trim();
  if (arg === undefined) return undefined;
  if (NO_OPTIONS.test(arg)) return { synchronous: false, sendAndForget: false, timeout: false };
  const m = /^&\s*([A-Za-z_]\w*)$/.exec(arg);
  if (!m || !fn.flow || !declaredLocals(fn.flow).has(m[1])) return undefined;
  const variable = m[1];
  const onIt = (c: CallModel) => bareArgument(c.args[0]?.text) === variable;
  const inits = fn.calls.filter((c) => c.callee === 'WDF_REQUEST_SEND_OPTIONS_INIT' && onIt(c));
  const flags = new Set(inits.map((c) => (c.args[1]?.text ?? '').replace(/\s+/g, '')));
  if (flags.size !== 1) return undefined;
  if (fn.assignments.some((a) => a.object === variable && a.field === 'Flags')) return undefined;
  // A whole new value, or the address handed to a routine that may fill it (not the WDF macros or the send).
  const rewrites = (a: { target: string; outArgumentOf?: string }) =>
    a.target === variable &&
    (!a.outArgumentOf || !/^(WdfRequestSend|WDF_REQUEST_SEND_OPTIONS_\w+)$/.test(a.outArgumentOf));
  if (fn.assignments.some(rewrites)) return undefined;
  const flagText = [...flags][0];
  const before = (offset: number) => offset < send.span.startOffset;
  const timeout =
    /WDF_REQUEST_SEND_OPTION_TIMEOUT/.test(flagText) ||
    fn.calls.some(
      (c) => c.callee === 'WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT' && onIt(c) && before(c.span.startOffset),
    ) ||
    fn.assignments.some((a) => a.object === variable && a.field === 'Timeout' && before(a.span.startOffset));
  return {
    synchronous: /WDF_REQUEST_SEND_OPTION_SYNCHRONOUS/.test(flagText),
    sendAndForget: /WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET/.test(flagText),
    timeout,
    variable,
  };
}

/** Where a send's result is: the call itself, and the local it is stored in once that is known. */
export interface SendResult {
  /** Start offset of the `WdfRequestSend` call. */
  call: number;
  /** The local holding its result (`sent = WdfRequestSend(…)`, `BOOLEAN sent = WdfRequestSend(…)`). */
  variable?: string;
}

/**
 * Whether `test`, having come out `holds`, says the send succeeded (true), failed (false), or says
 * nothing of it (undefined): `if (!WdfRequestSend(…))`, `if (WdfRequestSend(…) == FALSE)`,
 * `if (sent)`, `if (sent == FALSE)`.
 */
export function sendSucceeded(test: FlowTest, holds: boolean, send: SendResult): boolean | undefined {
  const nonZero = holds !== test.negated;
  if (test.call !== undefined) return test.call === send.call ? nonZero : undefined;
  if (!send.variable || test.variable !== send.variable) return undefined;
  if (test.op === 'truthy') return nonZero;
  if (test.op !== 'eq') return undefined;
  if (/^(TRUE|true|1)$/.test(test.value ?? '')) return nonZero;
  if (/^(FALSE|false|0)$/.test(test.value ?? '')) return !nonZero;
  return undefined;
}

/** The local a site stores the result of the send starting at `call` in, if it does. */
export function resultVariable(
  site:
    | { kind: 'assignment'; assignment: { target: string; value: string; valueSpan: { startOffset: number } } }
    | { kind: 'init'; variable: string; value: string; start: number; end: number }
    | { kind: 'call' },
  call: number,
): string | undefined {
  if (site.kind === 'assignment') {
    const a = site.assignment;
    if (!/^[A-Za-z_]\w*$/.test(a.target) || !/^WdfRequestSend\s*\(/.test(a.value)) return undefined;
    return a.valueSpan.startOffset === call ? a.target : undefined;
  }
  if (site.kind === 'init')
    return /^WdfRequestSend\s*\(/.test(site.value) && site.start <= call && call < site.end ? site.variable : undefined;
  return undefined;
}

/**
 * Something a driver does to a request before sending it, by calling one of `methods` on it: format
 * it (any format method, or only a target's), set its completion routine.
 */
export interface RequestPreparation {
  /** Key of the helper summaries. */
  name: string;
  methods: ReadonlySet<string>;
  /** Whether a routine the workspace does not define, handed the request, is taken to do it (the benefit of the doubt). */
  assumedOfUnknownRoutines: boolean;
  /** The argument of `methods` that is the request, when it is always the same one. */
  requestArgument?: number;
  /** Whether a given call of one of `methods` undoes it instead (`WdfRequestSetCompletionRoutine(r, NULL, NULL)`). */
  undoes?: (call: CallModel) => boolean;
}

/** Formatted by any format method. */
export const ANY_FORMAT: RequestPreparation = { name: 'any', methods: FORMAT_METHODS, assumedOfUnknownRoutines: true };

/** Formatted by an I/O target format method. */
export const TARGET_FORMAT: RequestPreparation = {
  name: 'target',
  methods: TARGET_FORMAT_METHODS,
  assumedOfUnknownRoutines: false,
};

/** A completion routine set: WdfRequestSetCompletionRoutine with a routine (NULL takes one away). */
export const COMPLETION_ROUTINE_SET: RequestPreparation = {
  name: 'completion',
  methods: new Set(['WdfRequestSetCompletionRoutine']),
  assumedOfUnknownRoutines: true,
  requestArgument: 0,
  undoes: (call) => /^(NULL|nullptr|0|WDF_NO_EVENT_CALLBACK)$/.test(call.args[1]?.text.trim() ?? ''),
};

/** Whether `call` is WdfRequestReuse of `request`: the request comes back unformatted and without a completion routine. */
export function reusesRequest(call: CallModel, request: string): boolean {
  return call.callee === 'WdfRequestReuse' && bareArgument(call.args[0]?.text) === request;
}

const preparationSummaries = new WeakMap<RuleContext, BoundedSummaries<boolean>>();

/**
 * Whether a call formats `request` (one of `methods` given it), or hands it to a function of the
 * driver that may (followed through the call graph), or to a routine the workspace does not define
 * (given the benefit of the doubt).
 */
export function callFormats(ctx: RuleContext, call: CallModel, request: string, methods: ReadonlySet<string>): boolean {
  return callPrepares(ctx, call, request, methods === TARGET_FORMAT_METHODS ? TARGET_FORMAT : ANY_FORMAT);
}

/**
 * Whether a call does `preparation` to `request`: calls one of its methods on it, or hands it to a
 * function of the driver that may (followed through the call graph), or to a routine the workspace
 * does not define when the preparation gives those the benefit of the doubt.
 */
export function callPrepares(
  ctx: RuleContext,
  call: CallModel,
  request: string,
  preparation: RequestPreparation,
  depth = 0,
): boolean {
  const at = call.args.findIndex((a) => bareArgument(a.text) === request);
  if (at < 0) return false;
  if (preparation.methods.has(call.callee))
    return (
      (preparation.requestArgument === undefined || at === preparation.requestArgument) && !preparation.undoes?.(call)
    );
  if (call.callee.startsWith('Wdf') || isTraceCall(call.callee)) return false;
  const helper = definitionOf(ctx, call.callee);
  if (helper) return helperPrepares(ctx, helper.fn, at, preparation, depth + 1);
  return preparation.assumedOfUnknownRoutines && isOpaqueCall(ctx, call.callee);
}

/**
 * Whether a driver function may do `preparation` to the request it receives as parameter `index`,
 * `depth` levels below the question: calls are read down to depth MAX_HELPER_DEPTH, a recursion
 * unfolded like any chain, and a function met below it counts as a routine we cannot see. The answer
 * depends on the function and `depth` alone, not on which was asked about first (boundedSummaries.ts).
 */
function helperPrepares(
  ctx: RuleContext,
  fn: FunctionModel,
  index: number,
  preparation: RequestPreparation,
  depth: number,
): boolean {
  const param = fn.params[index]?.name;
  if (!param || param === '...') return false;
  let memo = preparationSummaries.get(ctx);
  if (!memo) preparationSummaries.set(ctx, (memo = new BoundedSummaries(MAX_HELPER_DEPTH + 1)));
  const key = `${fn.name}#${index}#${preparation.name}`;
  const known = memo.lookup(key, depth);
  if (known !== UNKNOWN) return known;
  if (depth > MAX_HELPER_DEPTH) return memo.atBound(key, depth, preparation.assumedOfUnknownRoutines);
  const outer = memo.begin(depth);
  const result = fn.calls.some((c) => callPrepares(ctx, c, param, preparation, depth));
  return memo.end(key, depth, outer, result);
}

/**
 * Whether every value `fn` gives the local `request` is a request it creates (`WdfRequestCreate(…,
 * &request)`) or none (`request = NULL`).
 */
export function createdHere(fn: FunctionModel, request: string): boolean {
  const assigned = fn.assignments.filter((a) => a.target === request);
  const creates = (a: { outArgumentOf?: string; value: string }) =>
    a.outArgumentOf === 'WdfRequestCreate' || (!a.outArgumentOf && /^(NULL|0|nullptr|WDF_NO_HANDLE)$/.test(a.value));
  return assigned.some((a) => a.outArgumentOf === 'WdfRequestCreate') && assigned.every(creates);
}

/** The request a `WdfRequestSend` sends, when it is a parameter or a local of `fn` named plainly. */
export function sentRequest(fn: FunctionModel, send: CallModel): string | undefined {
  const text = send.args[0]?.text;
  const name = bareArgument(text);
  if (!/^[A-Za-z_]\w*$/.test(name) || text?.trim().startsWith('&')) return undefined;
  if (fn.params.some((p) => p.name === name)) return name;
  return fn.flow && declaredLocals(fn.flow).has(name) ? name : undefined;
}

/** One `WdfRequestSend` of a function definition, with the request it sends and the options it is sent with. */
export interface RequestSend {
  fn: FunctionModel & { flow: NonNullable<FunctionModel['flow']> };
  send: CallModel;
  request: string;
  options: SendOptions;
}

/**
 * Every send of the document the send rules can reason about: written as code (not inside a macro's
 * arguments), in a definition with a flow, with a request and options the function shows; of the
 * functions a per-function rule checks (checkedFunctions).
 */
export function* requestSends(ctx: RuleContext): Generator<RequestSend> {
  for (const fn of checkedFunctions(ctx)) {
    if (!fn.isDefinition || !fn.flow) continue;
    for (const send of fn.calls) {
      if (send.callee !== 'WdfRequestSend' || send.inMacroArguments) continue;
      const request = sentRequest(fn, send);
      const options = request ? sendOptions(fn, send) : undefined;
      if (request && options) yield { fn: fn as RequestSend['fn'], send, request, options };
    }
  }
}
