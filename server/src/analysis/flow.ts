/**
 * The statement tree of a function body that the path walk (paths.ts) runs over. The model
 * (model.ts) stores one per definition; these types import nothing, so model and walk need not
 * import each other.
 */
/**
 * A test of one local the walk can decide when it knows the local's value, or of the result of one
 * call (`if (!WdfRequestSend(…))`), which the walk never decides but shows to the rules (`call`).
 */
export interface FlowTest {
  /** The tested local; '' for a call's result. */
  variable: string;
  /** The start offset of the call whose result is tested (`f(…)`, `!f(…)`, `f(…) == FALSE`). */
  call?: number;
  /** `v` (non-zero), `NT_SUCCESS(v)`, `v == value`. */
  op: 'truthy' | 'success' | 'eq';
  value?: string;
  negated: boolean;
}

/**
 * One node of the statement tree. Offsets are document offsets, like `Span.startOffset`. A body
 * reused after an edit has its tree moved kind by kind (build/bodyCache.ts `movedFlow`): a new field
 * holding an offset must be moved there too.
 */
export type Flow =
  /** Straight-line code: the calls and assignments inside [start, end] run in the order they end; those inside an `optional` range (the right of `&&`, an arm of `?:`) may not run. */
  | { kind: 'code'; start: number; end: number; optional?: [number, number][] }
  | { kind: 'seq'; items: Flow[] }
  | { kind: 'if'; condition: Flow; test?: FlowTest; then: Flow; else?: Flow }
  /** An `#if` group inside the body: any one arm, or none without `#else`. */
  | { kind: 'choice'; arms: Flow[]; exhaustive: boolean }
  | { kind: 'switch'; subject: Flow; cases: Flow[]; hasDefault: boolean }
  | {
      kind: 'loop';
      init?: Flow;
      condition?: Flow;
      body: Flow;
      update?: Flow;
      /** while/for test first; do…while runs the body first. */
      testFirst: boolean;
      /** `for (;;)`, `while (TRUE)`: left only by break, return or goto. */
      infinite: boolean;
      /** `do … while (FALSE)`: the body runs once. */
      once: boolean;
    }
  | { kind: 'return'; start: number; end: number; value?: Flow }
  | { kind: 'break' }
  | { kind: 'continue' }
  | { kind: 'goto'; label: string }
  | { kind: 'label'; label: string; statement: Flow }
  /** `T v = value;` — a local's initial value (constants only matter to the walk). */
  | { kind: 'init'; variable: string; value: string; start: number; end: number };

/** The flow of one function body. */
export interface FunctionFlow {
  root: Flow;
  /** Offset of the body's closing brace: where a path that falls off the end leaves. */
  end: number;
  /** Start offsets of the calls written as whole statements (`f(x);`): their result is dropped. */
  discarded: number[];
}
