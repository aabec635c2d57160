/**
 * The per-document C analysis model: what the language features and the rules read.
 * Free of LSP types: positions are 0-based line/character (UTF-16 columns, as in the editor)
 * plus byte-independent string offsets into the document text.
 */
import type { UndecidedBranch } from './conditionals';
import type { Irql } from '../knowledge/types';
import type { FunctionFlow } from './flow';
import type { Annotation } from '../syntax/sal';
import type { Position, Span } from '../syntax/positions';

export type { Position, Span };

export interface ParamModel {
  name: string;
  /** Type as written, whitespace-normalised, SAL removed, e.g. "WDFQUEUE", "PWDF_OBJECT_ATTRIBUTES", "const char *". */
  type: string;
  /** SAL annotations written on this parameter. */
  annotations: Annotation[];
  span: Span;
}

/**
 * One control-statement arm enclosing a call or return (see `CallModel.branches`).
 * `statement` identifies the branching construct within the document: the start offset of an
 * if/switch/loop statement, and the offset of the `?` or `&&`/`||` token for expressions (an
 * expression starts where its left operand does, so its own start would not tell nested ones apart).
 */
export interface BranchArm {
  statement: number;
  /**
   * if: 0 = then, 1 = else. switch: the case index (0-based, source order, `default` counted like a
   * case). loop: 0 (the body, and a for loop's update). `a ? b : c`: 1 = b, 2 = c. `x && f()` /
   * `x || f()`: 1 = the right operand. Conditions and left operands are not inside an arm.
   */
  arm: number;
  kind?: 'if' | 'switch' | 'loop' | 'conditional' | 'logical';
}

export interface CallModel {
  /** Callee name, e.g. "WdfRequestComplete" (for `obj->fn(…)` or `(*pfn)(…)`: the text of the callee expression). */
  callee: string;
  span: Span;
  calleeSpan: Span;
  /** Argument texts as written (trimmed), with their spans. */
  args: { text: string; span: Span }[];
  /**
   * The arms enclosing this site in its function body, outermost first; `[]` at the top level of
   * the body. Undefined when the function cannot be outlined (see `FunctionModel.hasGoto`; also
   * `__try`/`try`/`throw`, a parse error in the body, a definition recovered from an ERROR node whose
   * body did not parse cleanly, or a conditional break/continue after a call in the same branch)
   * and for calls outside any function body.
   */
  branches?: BranchArm[];
  /**
   * Set when the call is written inside the arguments of a macro whose definition the analysis does
   * not have (`WPP_CLEANUP(WdfDriverWdmGetDriverObject(driver))`, `ASSERT(…)`): the macro's name. The
   * macro may drop its arguments, so the call may not exist in the build; rules treat it as uncertain.
   */
  inMacroArguments?: string;
}

export interface ReturnModel {
  /** The returned expression's text, or undefined for `return;`. */
  value?: string;
  span: Span;
  /**
   * The arms enclosing this site in its function body, outermost first; `[]` at the top level of
   * the body. Undefined when the function cannot be outlined (see `FunctionModel.hasGoto`; also
   * `__try`/`try`/`throw`, a parse error in the body, a definition recovered from an ERROR node whose
   * body did not parse cleanly, or a conditional break/continue after a call in the same branch)
   * and for calls outside any function body.
   */
  branches?: BranchArm[];
}

/** An assignment `lhs = rhs;` inside a function body, kept for the flow-insensitive rules (ExecutionLevel, config fields). */
export interface AssignmentModel {
  /** Left side as written, e.g. "queueConfig.EvtIoStop", "attributes.ExecutionLevel", "pConfig->PowerManaged". */
  target: string;
  /** Last member name of the left side, e.g. "EvtIoStop". */
  field?: string;
  /** Object part of the left side, e.g. "queueConfig", "pConfig". */
  object?: string;
  value: string;
  span: Span;
  valueSpan: Span;
  /**
   * Set when the variable is given a new value by passing its address to a call
   * (`WdfIoQueueRetrieveNextRequest(queue, &request)`): the call's name. `span` and `valueSpan` are
   * then the `&request` argument, and `value` is the call's name too.
   */
  outArgumentOf?: string;
}

export interface FunctionModel {
  name: string;
  nameSpan: Span;
  /** Whole definition or declaration, from the first annotation/specifier to the closing brace or ';'. */
  span: Span;
  /** The `{ … }` body; undefined for a prototype. */
  body?: Span;
  isDefinition: boolean;
  isStatic: boolean;
  returnType: string;
  params: ParamModel[];
  /** SAL annotations written before the function (and between return type and name). */
  annotations: Annotation[];
  /** `_Use_decl_annotations_` present. */
  useDeclAnnotations: boolean;
  /** IRQL from this function's own annotations (`_IRQL_requires_max_` …). */
  irql?: Irql;
  /** `_Function_class_(X)` argument, if written on this function. */
  functionClass?: string;
  calls: CallModel[];
  returns: ReturnModel[];
  assignments: AssignmentModel[];
  /** `PAGED_CODE()` (and `PAGED_CODE_LOCKED()`) statements in the body, in order. */
  pagedCode: Span[];
  /** Whether `PAGED_CODE()` is the first statement of the body. */
  pagedCodeFirst: boolean;
  /**
   * Definitions only: the body's first conditional or jump statement (`if`, `switch`, a loop, `goto`,
   * `return`, `try`), outside lambdas; `null` when there is none. Read only for functions that call
   * `PAGED_CODE()` (undefined otherwise, and when the body was not read).
   * Code Analysis (C28170/C28171) wants `PAGED_CODE()` before it.
   */
  firstConditional?: Span | null;
  /**
   * The paged section the function is placed in: by `#pragma alloc_text`, inside a `#pragma code_seg`
   * region, or by `__declspec(code_seg("PAGE"))` on the function (`span`: the declspec, or the macro
   * use that expands to it).
   */
  pagedSection?: { kind: 'alloc_text' | 'code_seg' | 'declspec'; span: Span; section: string };
  /**
   * Definitions only: whether the body contains a `goto` statement. Such functions get no branch
   * outline (`branches` undefined on their calls and returns): jumps cut across the arms.
   */
  hasGoto?: boolean;
  /** Definitions only: the statement tree the path rules walk (analysis/paths.ts); undefined where it cannot be read. */
  flow?: FunctionFlow;
}

/** `EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;` or `EVT_X A, B;` */
export interface RoleDeclModel {
  roleType: string;
  span: Span;
  roleTypeSpan: Span;
  names: { name: string; span: Span }[];
}

/**
 * A callback registration: a function name assigned to a config field
 * (`queueConfig.EvtIoStop = EchoEvtIoStop;`) or passed as a `PFN_…` argument
 * (`WDF_IO_QUEUE_CONFIG_INIT(&cfg, EchoEvtIoDefault)`, `WdfDeviceInitSetIoInCallerContextCallback(init, X)`).
 */
export interface RegistrationModel {
  kind: 'field' | 'argument';
  functionName: string;
  span: Span;
  valueSpan: Span;
  /** The enclosing function (where the registration is made). */
  inFunction?: string;
  /** For `field`: the config variable (`queueConfig`, `pnpPowerCallbacks`) and the field (`EvtIoStop`). */
  object?: string;
  field?: string;
  fieldSpan?: Span;
  /** Config structure type of `object`, when its declaration was seen (`WDF_IO_QUEUE_CONFIG`). */
  structType?: string;
  /** For `argument`: the called function/macro and the 0-based argument index. */
  callee?: string;
  argIndex?: number;
  /**
   * For `field` on a local structure: set when the structure, as this field holds it, never reaches a
   * call (`never`: it is handed to nothing after the assignment, nor before), or reaches calls only
   * before the assignment (`after-hand-over`: `queueConfig.EvtIoStop = X;` after
   * `WdfIoQueueCreate(device, &queueConfig, …)`). Such a field registers nothing. `handedOverAt` is
   * the last call that took the structure, for `after-hand-over`.
   */
  notHandedOver?: 'never' | 'after-hand-over';
  handedOverAt?: Span;
}

export interface PagedSectionModel {
  kind: 'alloc_text' | 'code_seg';
  section: string;
  span: Span;
  /** For alloc_text: the functions named. */
  functions?: string[];
  /** For code_seg: the region it covers, up to the next code_seg or end of file. */
  region?: Span;
}

/** `typedef PVOID FEN_COOKIE;`, `typedef ULONG *PFEN_COUNT;`: a name for another scalar or pointer type. */
export interface TypedefModel {
  name: string;
  /** The type it stands for, as written (SAL removed), with its `*`s: "PVOID", "ULONG *". */
  type: string;
  span: Span;
}

/** A local or global variable declaration whose type is a WDF structure (`WDF_IO_QUEUE_CONFIG queueConfig;`). */
export interface VariableModel {
  name: string;
  type: string;
  span: Span;
  /** Enclosing function, undefined at file scope. */
  inFunction?: string;
  isPointer: boolean;
}

/** A `// kmdf-ignore` comment: its line (0-based) and rule ids (none = every rule); `file` for `kmdf-ignore-file`. */
export interface CommentSuppression {
  line: number;
  rules: string[];
  file: boolean;
}

/** Code Analysis warnings a pragma silences over a range of lines (`suppress`: the next statement; `disable`: until re-enabled). */
export interface WarningSuppression {
  pragma: 'warning' | 'prefast';
  kind: 'suppress' | 'disable';
  /** Warning numbers: 28121 for C28121. */
  warnings: number[];
  /** The pragma's line (0-based). */
  line: number;
  /** First and last line covered (0-based, inclusive). */
  fromLine: number;
  toLine: number;
}

export interface DocumentModel {
  uri: string;
  version: number;
  language: 'c' | 'cpp';
  functions: FunctionModel[];
  roleDecls: RoleDeclModel[];
  registrations: RegistrationModel[];
  pagedSections: PagedSectionModel[];
  variables: VariableModel[];
  /** Typedefs of scalar and pointer types (not structures or function types), for comparing signatures. */
  typedefs?: TypedefModel[];
  /** All SAL annotations found in the file (before blanking). */
  annotations: Annotation[];
  /** Comments `// kmdf-ignore RULE[,RULE]` with their line (0-based), and `// kmdf-ignore-file RULE`. */
  suppressions: CommentSuppression[];
  /** Code Analysis warnings silenced by `#pragma warning(…)` / `#pragma prefast(…)`, with the lines each covers. */
  warningSuppressions?: WarningSuppression[];
  /** Number of ERROR/MISSING nodes left after blanking: a measure of how well the file parsed. */
  errorCount: number;
  /**
   * Branches of `#if` groups that the known defines do not decide (offsets into the text). Code in one
   * may not be compiled; two branches of one group are never compiled together.
   */
  undecidedBranches: UndecidedBranch[];
}
