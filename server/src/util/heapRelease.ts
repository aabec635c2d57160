/**
 * A tighter heap for whole-tree analysis (`kmdf lint`, the analysis workers). Measured on the
 * generated 2,000-file tree of `npm run bench`: what stays alive between two projects is about
 * 30 MB of JavaScript heap, but with V8's default growing factor (up to 4x what survived a full
 * collection, raised with the allocation rate) the heap grew to 200 MB of mostly garbage, for
 * 330 MB of peak RSS. Each file's model lives until its project is checked, so it is promoted to the
 * old generation and dies there: the limit after a full collection is what decides the peak.
 *
 * Forcing collections at project boundaries (`gc()`) was tried first: it held RSS down as well but
 * cost 30-40% more CPU (forced collections are full, non-incremental, and flush compiled code).
 */
import * as v8 from 'node:v8';

/** The old generation may grow to (1 + this / 100) times what survived the last full collection. */
const HEAP_GROWING_PERCENT = 30;

let limited = false;

/** Set V8's heap growing factor for this process (workers included); once. */
export function limitHeapGrowth(): void {
  if (limited) return;
  limited = true;
  try {
    v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  } catch {
    // An embedder refusing the flag leaves V8's default: slower to give memory back, nothing else.
  }
}

let optimizedWasmOnly = false;

/**
 * Compile the tree-sitter wasm modules with the optimizing compiler alone (V8's `--no-liftoff`), for
 * this process; once, before the first parse. By default V8 compiles a module with its baseline
 * compiler first and recompiles the functions that get hot, and a whole-tree lint keeps both: on DMF
 * (`kmdf lint`, one thread) that was about 25 MB of peak RSS, mostly outside the JavaScript heap, for
 * no CPU saved (the baseline code is soon replaced). The optimizing compile costs about 0.15 s more
 * before the first file (web-tree-sitter and the C grammar): right for a lint of a tree, not for the
 * editor's first diagnostics, so the server keeps the default.
 */
export function compileWasmOptimizedOnly(): void {
  if (optimizedWasmOnly) return;
  optimizedWasmOnly = true;
  try {
    v8.setFlagsFromString('--no-liftoff');
  } catch {
    // As above: the default tiers, more memory.
  }
}
