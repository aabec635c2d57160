/**
 * `npm run fuzz`: property-based fuzzing of everything that reads outside data (scripts/fuzzTargets.ts):
 * the three docs page formats, WDF headers, project files, `.kmdf.json`, the C analysis with all rules,
 * and the stub generator. Each input must be processed without a throw and within a time bound.
 *
 *   npm run fuzz                         1,000 inputs per target, seed 20261201
 *   npm run fuzz -- --count 100000       more inputs
 *   npm run fuzz -- --seed 7             another deterministic sequence (same seed, same inputs)
 *   npm run fuzz -- --target c-analysis  only these targets (comma-separated)
 *   npm run fuzz -- --bound 2000         the per-input bound in ms (default 2000)
 *
 * A failing input is shrunk by fast-check and printed with the seed and path that replay it. An input
 * still running after --hang ms (default 60,000: a hang, not a slow input) is reported by a watchdog
 * thread, which then ends the process, since synchronous code cannot be interrupted. Exit 1 on any failure.
 * Not a unit test: timings depend on the machine (the unit suite runs the same targets, untimed,
 * in test/unit/robustness/fuzz.test.ts).
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { fuzzTargets, type FuzzTarget } from './fuzzTargets';

const args = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} takes a whole number, not ${args[at + 1]}`);
    process.exit(2);
  }
  return value;
}
const count = option('count', 1000);
const seed = option('seed', 20261201);
const boundMs = option('bound', 2000);
const hangMs = option('hang', 60000);
const only = args.includes('--target') ? args[args.indexOf('--target') + 1].split(',') : undefined;

/** What the watchdog sees: [busy, input number], the start time, and the running input's description. */
const shared = new SharedArrayBuffer(8 + 8 + 4 + 4096);
const flags = new Int32Array(shared, 0, 2);
const started = new Float64Array(shared, 8, 1);
const describedLength = new Int32Array(shared, 16, 1);
const described = new Uint8Array(shared, 20);

// Plain JavaScript: the watchdog must not depend on the TypeScript loader.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { shared, hangMs } = workerData;
const flags = new Int32Array(shared, 0, 2);
const started = new Float64Array(shared, 8, 1);
const describedLength = new Int32Array(shared, 16, 1);
const described = new Uint8Array(shared, 20);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  Atomics.wait(sleeper, 0, 0, 1000);
  if (Atomics.load(flags, 0) === 1 && Date.now() - started[0] > hangMs) {
    const what = Buffer.from(described.slice(0, Atomics.load(describedLength, 0))).toString('utf8');
    fs.writeSync(2, '\\nHANG: input ' + Atomics.load(flags, 1) + ' still running after ' + hangMs + ' ms: ' + what + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}`;

interface TargetReport {
  name: string;
  inputs: number;
  maxMs: number;
  slowest: string;
  totalMs: number;
  failure?: string;
}

async function fuzz(target: FuzzTarget, index: number): Promise<TargetReport> {
  const report: TargetReport = { name: target.name, inputs: 0, maxMs: 0, slowest: '', totalMs: 0 };
  const property = fc.asyncProperty(target.arbitrary, async (input) => {
    const description = target.describe(input);
    const bytes = Buffer.from(description.slice(0, 1000), 'utf8').subarray(0, described.length);
    described.set(bytes);
    Atomics.store(describedLength, 0, bytes.length);
    Atomics.store(flags, 1, index * 10_000_000 + report.inputs);
    started[0] = Date.now();
    Atomics.store(flags, 0, 1);
    const t0 = performance.now();
    try {
      await target.run(input);
    } finally {
      Atomics.store(flags, 0, 0);
    }
    const ms = performance.now() - t0;
    report.inputs++;
    report.totalMs += ms;
    if (ms > report.maxMs) {
      report.maxMs = ms;
      report.slowest = description;
    }
    if (ms > boundMs) throw new Error(`took ${ms.toFixed(0)} ms, over the ${boundMs} ms bound`);
  });
  const details = await fc.check(property, { seed, numRuns: count });
  if (details.failed) {
    const input = details.counterexample ? target.describe(details.counterexample[0]) : '(none)';
    const error =
      details.errorInstance instanceof Error ? (details.errorInstance.stack ?? '') : String(details.errorInstance);
    report.failure = `after ${details.numRuns} inputs and ${details.numShrinks} shrinks (replay: --seed ${details.seed}, fast-check path "${details.counterexamplePath}")\n  input: ${input}\n  ${error.split('\n').slice(0, 12).join('\n  ')}`;
  }
  return report;
}

async function main(): Promise<void> {
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { shared, hangMs } });
  watchdog.unref();
  const targets = (await fuzzTargets()).filter((t) => !only || only.includes(t.name));
  if (!targets.length) {
    console.error(`No target named ${only?.join(', ')}`);
    process.exit(2);
  }
  console.log(
    `fuzz: ${count} inputs per target, seed ${seed}, bound ${boundMs} ms per input, hang after ${hangMs} ms\n`,
  );
  const reports: TargetReport[] = [];
  const t0 = Date.now();
  for (const [i, target] of targets.entries()) {
    const tStart = Date.now();
    const report = await fuzz(target, i);
    reports.push(report);
    const status = report.failure ? 'FAILED' : 'ok';
    console.log(
      `${target.name.padEnd(20)} ${status.padEnd(6)} ${String(report.inputs).padStart(8)} inputs  max ${report.maxMs.toFixed(1).padStart(7)} ms  mean ${(report.totalMs / Math.max(1, report.inputs)).toFixed(2).padStart(6)} ms  (${((Date.now() - tStart) / 1000).toFixed(0)} s)`,
    );
    console.log(`${''.padEnd(20)}   ${target.what}`);
    if (report.maxMs > 0) console.log(`${''.padEnd(20)}   slowest: ${report.slowest.slice(0, 300)}`);
    if (report.failure) console.log(`${''.padEnd(20)}   ${report.failure}`);
  }
  const failed = reports.filter((r) => r.failure);
  console.log(
    `\n${reports.reduce((n, r) => n + r.inputs, 0)} inputs in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${failed.length} target(s) failed${failed.length ? `: ${failed.map((r) => r.name).join(', ')}` : ''}`,
  );
  await watchdog.terminate();
  process.exit(failed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
