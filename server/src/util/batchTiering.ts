/**
 * Later optimisation for a whole-tree run (`kmdf lint`, worker threads included). A lint of a few
 * seconds runs hundreds of distinct functions (the analysis, and every rule's checks) just hot enough
 * for V8 to optimise them with TurboFan, on its background threads, and recompile many after a
 * deoptimisation: on microsoft/DMF (321 files, one thread) that compilation took about 2 s of CPU
 * beside 3.3 s on the main thread (measured by moving it to the main thread with
 * --no-concurrent-recompilation), so on 2 cores it competes with the worker threads for the second
 * core. Eight times V8's interrupt budget (the bytecode a function runs before it is considered for
 * optimisation) leaves the lukewarm ones to the baseline tiers: on DMF it took about 1.4 s (22%) off
 * the CPU time of one thread and 2 s (26%) off `--jobs 1`, for about 0.2 s more on the main thread.
 * The server keeps V8's default: it runs long enough for the compilation to pay.
 */
import * as v8 from 'node:v8';

/** V8's default `--interrupt-budget` (Node 20, V8 11.3) is 66 KB of bytecode. */
const INTERRUPT_BUDGET = 8 * 67584;

let set = false;

/** Raise V8's interrupt budget for this process (flags are per process: workers started later too); once. */
export function delayOptimization(): void {
  if (set) return;
  set = true;
  try {
    v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  } catch {
    // An embedder refusing the flag leaves V8's default: more compilation, nothing else.
  }
}
