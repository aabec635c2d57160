/**
 * `kmdf lint --jobs N` on N worker threads beside the main thread, the same report as one thread, byte
 * for byte, in one of two ways:
 * - Shares of the projects: when the projects' files overlap little (separate drivers), the runs are
 *   split into contiguous shares, each checked from start to end (analysis and rules) on its own
 *   thread, so every core runs rules too. Each thread reads its own plan of the same paths (the same
 *   paths give the same plan) and holds one project's models at a time; the parts are combined in run
 *   order. A worker that fails (it died, or its plan does not match) has its share checked on the main
 *   thread afterwards.
 * - Files on workers: when the shares would overlap (one project, or a library every project links,
 *   which each share would analyse again), the workers analyse files for the main thread, which runs
 *   every project's rules, and analyses itself the files of a project that no worker has started
 *   when it would otherwise wait for them (sharedAnalyzer).
 */
import * as fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { IndexEntry } from '../knowledge/types';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { startWorker } from '../util/workerThread';
import type { AnalysisOptions } from '../analysis/build';
import type { MacroTable } from '../analysis/conditionals';
import type { MacroDefinitions } from '../analysis/macros';
import type { DocumentModel } from '../analysis/model';
import type { GrammarId } from '../syntax/treeSitter';
import { analyzeText } from '../analysis/parse';
import { analysisOptions } from './analysisOptions';
import { AnalysisWorkerPool, roleTypesOf } from './analysisWorkers';
import {
  combineLint,
  lintRuns,
  planLint,
  type LintOptions,
  type LintPlan,
  type RunsLint,
  type TreeLint,
  type FileAnalyzer,
} from './treeAnalysis';

/** What a lint worker is given: the paths, the options (rules by id), the index's entries and its share. */
export interface LintWorkerData {
  paths: string[];
  options: Omit<LintOptions, 'index' | 'rules'> & { ruleIds?: string[] };
  index: { entries: IndexEntry[]; sources: string[] };
  range: { from: number; to: number };
  /** The project ids of the share, as the main thread's plan has them: the worker checks its plan agrees. */
  projectIds: string[];
}

export type LintWorkerReply = { kind: 'done'; part: RunsLint } | { kind: 'failed'; error: string };

/** Split runs [0, count) into `parts` contiguous ranges of about equal cost. */
export function splitRuns(costs: readonly number[], parts: number): { from: number; to: number }[] {
  const total = costs.reduce((a, b) => a + b, 0);
  const ranges: { from: number; to: number }[] = [];
  let from = 0;
  let sum = 0;
  for (let p = 1; p <= parts; p++) {
    let to = from;
    if (p === parts) to = costs.length;
    else {
      const goal = (total * p) / parts;
      // Leave at least one run to each part still to come.
      const last = costs.length - (parts - p);
      while (to < last && (to === from || sum + costs[to] / 2 <= goal)) sum += costs[to++];
    }
    ranges.push({ from, to });
    from = to;
  }
  return ranges;
}

/** A file's size in bytes (0 when it cannot be read), each file looked at once. */
function fileSizes(): (file: string) => number {
  const sizes = new Map<string, number>();
  return (file: string) => {
    let size = sizes.get(file);
    if (size === undefined) {
      try {
        size = fs.statSync(file).size;
      } catch {
        size = 0;
      }
      sizes.set(file, size);
    }
    return size;
  };
}

/** A run's cost: the bytes of the files it needs. */
function runCosts(plan: LintPlan, sizeOf: (file: string) => number): number[] {
  return plan.needs.map((files) => files.reduce((n, f) => n + sizeOf(f), 0) + 1);
}

/** The bytes a share of the runs analyses: each file it needs, once. */
function distinctBytes(plan: LintPlan, range: { from: number; to: number }, sizeOf: (file: string) => number): number {
  const files = new Set(plan.needs.slice(range.from, range.to).flat());
  let bytes = 0;
  for (const f of files) bytes += sizeOf(f);
  return bytes;
}

/** Every run on the main thread, the files analysed by the workers and, when it would wait for them, by the main thread. */
async function filesOnWorkers(
  plan: LintPlan,
  options: LintOptions,
  jobs: number,
  pool: AnalysisWorkerPool,
): Promise<TreeLint> {
  const analyzer = sharedAnalyzer(
    pool,
    analysisOptions(() => options.index),
  );
  const whole = { from: 0, to: plan.runs.length, leftovers: true };
  return combineLint(plan, [await lintRuns(plan, options, whole, analyzer, LOOKAHEAD_PER_JOB * jobs)]);
}

/** How a share's worker is started (tests start one that fails). */
export type StartLintWorker = (data: LintWorkerData) => Worker;

/**
 * Shares pay when the largest one reads at most this part of the tree's bytes (each file counted once
 * per share that needs it): below that, the overlap costs more CPU than the second core gives back.
 */
const MAX_SHARE_OF_TREE = 0.75;
/**
 * A lint worker's young generation (V8's default lets it grow to 48 MB): on the generated 2,000-file
 * tree, 24 MB took 35 MB off the peak RSS of one thread for about 4% more CPU; 12 MB cost 28% more CPU.
 */
const YOUNG_GENERATION_MB = 24;
/**
 * An analysis worker's young generation (V8's default lets it grow to 48 MB): a worker keeps nothing
 * between files (each model is posted and dropped), so most of a large young generation is garbage
 * waiting; on DMF (--jobs 1) 16 MB took 15 MB off the peak RSS for about 2% more CPU.
 */
const ANALYSIS_YOUNG_GENERATION_MB = 16;
/** Files handed to the workers ahead of the project being checked, per worker (models held meanwhile). */
const LOOKAHEAD_PER_JOB = 8;
/** Requests a worker of the files-on-workers way holds at once (the main thread takes back those not started). */
const TAKE_BACK_IN_FLIGHT_PER_WORKER = 16;

export async function lintTreeParallel(
  paths: string[],
  options: LintOptions,
  jobs: number,
  start: StartLintWorker = (data) =>
    startWorker('lintWorker', 'session', data, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }),
): Promise<TreeLint> {
  // The analysis workers start while the tree is read (a worker takes about 0.3 s to load and answer
  // its first file, which the first project would wait for), and stop at once if shares are checked.
  const pool = new AnalysisWorkerPool(
    jobs,
    { roleTypes: roleTypesOf(options.index) },
    {
      takeBack: { inFlightPerWorker: TAKE_BACK_IN_FLIGHT_PER_WORKER },
      resourceLimits: { maxYoungGenerationSizeMb: ANALYSIS_YOUNG_GENERATION_MB },
    },
  );
  let shares = false;
  let plan: LintPlan;
  let ranges: { from: number; to: number }[];
  let closed: Promise<unknown>;
  try {
    plan = await planLint(paths, options.index);
    const sizeOf = fileSizes();
    ranges = splitRuns(runCosts(plan, sizeOf), jobs + 1).filter((r) => r.to > r.from);
    const treeBytes = distinctBytes(plan, { from: 0, to: plan.runs.length }, sizeOf);
    const largest = Math.max(...ranges.map((r) => distinctBytes(plan, r, sizeOf)));
    shares = ranges.length > 1 && largest <= MAX_SHARE_OF_TREE * treeBytes;
    if (!shares) return await filesOnWorkers(plan, options, jobs, pool);
  } finally {
    closed = pool.close();
    if (!shares) await closed;
  }
  const [mine, ...theirs] = ranges;
  const workers = theirs.map((range) => inWorker(paths, options, plan, range, start));
  const own = await lintRuns(plan, options, { ...mine, leftovers: true });
  const parts: RunsLint[] = [own];
  for (const [i, worker] of workers.entries()) {
    const part = await worker;
    // A worker that failed: its share on this thread, the same way.
    parts.push(part ?? (await lintRuns(plan, options, { ...theirs[i], leftovers: false })));
  }
  await closed;
  return combineLint(plan, parts);
}

/** One share on a worker thread; undefined when the worker failed (the caller checks it itself). */
function inWorker(
  paths: string[],
  options: LintOptions,
  plan: LintPlan,
  range: { from: number; to: number },
  start: StartLintWorker,
): Promise<RunsLint | undefined> {
  const { index, rules, ...rest } = options;
  const data: LintWorkerData = {
    paths,
    options: { ...rest, ...(rules ? { ruleIds: rules.map((r) => r.meta.id) } : {}) },
    index: indexData(index),
    range,
    projectIds: plan.runs.slice(range.from, range.to).map((r) => r.project.id),
  };
  return new Promise((resolve) => {
    let settled = false;
    const settle = (part: RunsLint | undefined) => {
      if (settled) return;
      settled = true;
      resolve(part);
      void worker.terminate();
    };
    const worker = start(data);
    worker.on('message', (reply: LintWorkerReply) => settle(reply.kind === 'done' ? reply.part : undefined));
    worker.on('error', () => settle(undefined));
    worker.on('exit', () => settle(undefined));
  });
}

function indexData(index: KnowledgeIndex): LintWorkerData['index'] {
  return { entries: index.all(), sources: [...index.sources] };
}

/**
 * A FileAnalyzer (session/treeAnalysis.ts) over a pool of workers whose requests can be taken back,
 * with the main thread as one more worker: when it would wait for a run's models it analyses those no
 * worker has started (runHere), so it takes whatever share its rules leave it time for. A worker that
 * dies leaves its files to the main thread, which analyses them as one thread would (the same report).
 */
export function sharedAnalyzer(
  pool: Pick<AnalysisWorkerPool, 'submit' | 'failed'>,
  options: AnalysisOptions,
): FileAnalyzer {
  // The main thread's files one after the other: analyses started together would hold their trees at once.
  let mainThread: Promise<unknown> = Promise.resolve();
  const here = (
    uri: string,
    text: string,
    language: GrammarId,
    context: { defines?: MacroTable; macros?: MacroDefinitions },
  ) => {
    const analysed = mainThread.then(() =>
      analyzeText(uri, text, language, {
        ...options,
        ...(context.defines ? { defines: context.defines } : {}),
        ...(context.macros ? { macros: context.macros } : {}),
      }),
    );
    mainThread = analysed.catch(() => undefined);
    return analysed;
  };
  const taken = new WeakMap<Promise<DocumentModel>, () => Promise<void>>();
  const analyzer: FileAnalyzer = (uri, text, language, context) => {
    const job = pool.submit(uri, text, language, context);
    let runHere!: () => Promise<void>;
    const model = new Promise<DocumentModel>((resolve, reject) => {
      const analyseHere = () => here(uri, text, language, context).then(resolve, reject);
      // An analysis error is the file's; a dead worker is the pool's: the main thread takes over.
      job.model.then(resolve, (error: Error) => (pool.failed ? analyseHere() : reject(error)));
      runHere = async () => {
        if (job.takeBack()) await analyseHere();
      };
    });
    taken.set(model, runHere);
    return model;
  };
  analyzer.runHere = async (model) => {
    // Let the workers' answers in first, so that their next requests go out before this thread is busy.
    await new Promise((resolve) => setImmediate(resolve));
    await taken.get(model)?.();
  };
  return analyzer;
}
