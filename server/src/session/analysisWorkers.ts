/**
 * The per-file analysis (blanking, parse, model) on worker threads, for the server's workspace scan
 * (`kmdf lint --jobs N` checks whole shares of projects on its own workers: parallelLint.ts). The main thread keeps everything that needs the whole tree (project
 * model, workspaces, rules); a worker gets one file's text and context and answers with its
 * DocumentModel, which is plain data (structured clone). Each worker keeps its own parser; no tree
 * ever leaves a worker.
 *
 * The worker's entry is ./analysisWorker.ts (dist/analysisWorker.js in the bundle).
 */
import * as os from 'node:os';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { MacroTable } from '../analysis/conditionals';
import type { MacroDefinitions } from '../analysis/macros';
import type { DocumentModel } from '../analysis/model';
import type { GrammarId } from '../syntax/treeSitter';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { startWorker } from '../util/workerThread';

/** What a worker is told at start: the index's callback role types (the analysis needs no more of the index). */
export interface AnalysisWorkerData {
  roleTypes: string[];
  /** The claims of a pool whose requests can be taken back (AnalysisWorkerPoolOptions.takeBack): an Int32Array's memory. */
  claims?: SharedArrayBuffer;
}

/**
 * A claim slot's value once a worker has started its request. While the request waits, the slot holds
 * its id (ids are positive and never reused); a request taken back leaves the slot free (0). A worker
 * starts a request only if it turns the slot from the request's id to CLAIMED, so that exactly one
 * side analyses each file even when a slot has been given to a later request meanwhile.
 */
export const CLAIMED = -1;

export interface AnalyzeRequest {
  kind: 'analyze';
  id: number;
  uri: string;
  text: string;
  language: GrammarId;
  defines?: MacroTable;
  /** Macros from the file's headers (session/headerMacros.ts). */
  macros?: MacroDefinitions;
  /** The request's claim slot, in a pool whose requests can be taken back. */
  slot?: number;
}

/** The index changed (the server read WDK headers): the requests after this one use these role types. */
export interface RoleTypesMessage {
  kind: 'roleTypes';
  roleTypes: string[];
}

/** A text to analyse with nothing sent back: it makes the worker's code hot before the real files come. */
export interface WarmUpMessage {
  kind: 'warmUp';
  text: string;
  language: GrammarId;
}

export type WorkerMessage = AnalyzeRequest | RoleTypesMessage | WarmUpMessage;

export type AnalyzeReply = { id: number; model: DocumentModel } | { id: number; error: string };

/** The default number of workers: one per core beyond the first, at least one. */
export function defaultJobs(): number {
  return Math.max(1, os.cpus().length - 1);
}

/**
 * Every name the index resolves to a callback role type (names, `pfn` and `PFN_` aliases), so that a
 * worker's `isRoleType` answers as analysisOptions' `index.get(name)?.kind === 'callback'` does.
 */
export function roleTypesOf(index: KnowledgeIndex): string[] {
  const names = new Set<string>();
  for (const e of index.entries) {
    if (e.kind !== 'callback') continue;
    for (const n of [e.name, e.pfn, e.name.replace(/^EVT_/, 'PFN_')])
      if (n && index.get(n)?.kind === 'callback') names.add(n);
  }
  return [...names];
}

interface Job {
  request: AnalyzeRequest;
  resolve: (model: DocumentModel) => void;
  reject: (error: Error) => void;
}

/** A request handed to the pool: its model, and a way to take it back before a worker starts it. */
export interface PoolJob {
  /** The model; never settles once the job was taken back. */
  model: Promise<DocumentModel>;
  /**
   * Take the request back if no worker has started it (the caller analyses the file then): true when
   * taken back. Always false in a pool without `takeBack`, unless the request still waits in the pool.
   */
  takeBack(): boolean;
}

/**
 * Requests a worker holds at once: one running, one waiting so that it never idles between files.
 * More would only copy texts into workers ahead of time (and keep them in memory twice).
 */
const IN_FLIGHT_PER_WORKER = 2;

export interface AnalysisWorkerPoolOptions {
  /** Do not keep the process alive for the workers (the server, which exits on `exit`). */
  unref?: boolean;
  /**
   * Requests handed to a worker may be taken back until it starts them (a shared claim per request),
   * and each worker holds up to this many at once: enough to keep it busy while the main thread runs
   * rules, and still none analysed twice.
   */
  takeBack?: { inFlightPerWorker: number };
  /** The workers' heap limits (node:worker_threads `resourceLimits`). */
  resourceLimits?: ResourceLimits;
}

/**
 * A fixed pool of analysis workers. Requests wait in one queue, in the order asked, and go to the
 * worker with the fewest in flight, at most IN_FLIGHT_PER_WORKER each (or takeBack's number). A
 * request still in the queue can always be taken back; with takeBack, one sent to a worker too, until
 * the worker starts it.
 */
export class AnalysisWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly load = new Map<Worker, number>();
  private readonly running = new Map<number, Job & { worker: Worker }>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private failure?: Error;
  private readonly inFlight: number;
  /** With takeBack: a claim slot per request in flight (as many as the workers hold at most), and the slots free. */
  private readonly claims?: Int32Array;
  private readonly freeSlots: number[] = [];

  constructor(jobs: number, data: AnalysisWorkerData, options: AnalysisWorkerPoolOptions = {}) {
    const workers = Math.max(1, jobs);
    this.inFlight = Math.max(1, options.takeBack?.inFlightPerWorker ?? IN_FLIGHT_PER_WORKER);
    if (options.takeBack) {
      const slots = this.inFlight * workers;
      this.claims = new Int32Array(new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
      for (let slot = slots - 1; slot >= 0; slot--) this.freeSlots.push(slot);
      data = { ...data, claims: this.claims.buffer as SharedArrayBuffer };
    }
    for (let i = 0; i < workers; i++) {
      const worker = startWorker(
        'analysisWorker',
        'session',
        data,
        options.resourceLimits ? { resourceLimits: options.resourceLimits } : {},
      );
      if (options.unref) worker.unref();
      worker.on('message', (reply: AnalyzeReply) => this.onReply(worker, reply));
      // A worker that dies fails what it was doing and everything after: nothing may hang on it.
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`analysis worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.set(worker, 0);
    }
  }

  /** Why the pool no longer works (a worker died), else undefined. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** The model of one file, analysed on a worker. Rejects with the analysis error (the file is then skipped). */
  analyze(
    uri: string,
    text: string,
    language: GrammarId,
    context: { defines?: MacroTable; macros?: MacroDefinitions } = {},
  ): Promise<DocumentModel> {
    return this.submit(uri, text, language, context).model;
  }

  /** `analyze`, with a way to take the request back before a worker starts it. */
  submit(
    uri: string,
    text: string,
    language: GrammarId,
    context: { defines?: MacroTable; macros?: MacroDefinitions } = {},
  ): PoolJob {
    const { defines, macros } = context;
    if (this.failure) return { model: Promise.reject(this.failure), takeBack: () => false };
    let job!: Job;
    const model = new Promise<DocumentModel>((resolve, reject) => {
      const request: AnalyzeRequest = {
        kind: 'analyze',
        id: this.nextId++,
        uri,
        text,
        language,
        ...(defines ? { defines } : {}),
        ...(macros ? { macros } : {}),
      };
      job = { request, resolve, reject };
    });
    this.queue.push(job);
    this.dispatch();
    return { model, takeBack: () => this.takeBack(job) };
  }

  private takeBack(job: Job): boolean {
    const { id, slot } = job.request;
    const waiting = this.queue.indexOf(job);
    if (waiting >= 0) {
      this.queue.splice(waiting, 1);
      return true;
    }
    const running = this.running.get(id);
    if (!running || !this.claims || slot === undefined) return false;
    if (Atomics.compareExchange(this.claims, slot, id, 0) !== id) return false;
    // No worker will start it (the one it was sent to skips it): its place goes to the next request.
    this.settle(running);
    this.dispatch();
    return true;
  }

  /** New role types for every request not yet handed to a worker (messages reach a worker in order). */
  setRoleTypes(roleTypes: string[]): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'roleTypes', roleTypes } satisfies RoleTypesMessage);
  }

  /**
   * Have every worker analyse `text` and drop the result: while the main thread still reads a scan's
   * files, the workers would be idle, and the first real files would then run on cold code (on the
   * bench's tree, a worker's first 31 files took 2.8 times as long as the same files again).
   */
  warmUp(text: string, language: GrammarId): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'warmUp', text, language } satisfies WarmUpMessage);
  }

  private dispatch(): void {
    while (this.queue.length && !this.failure) {
      const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a));
      if (this.load.get(worker)! >= this.inFlight) return;
      const job = this.queue.shift()!;
      if (this.claims) {
        const slot = this.freeSlots.pop()!;
        job.request.slot = slot;
        Atomics.store(this.claims, slot, job.request.id);
      }
      this.load.set(worker, this.load.get(worker)! + 1);
      this.running.set(job.request.id, { ...job, worker });
      worker.postMessage(job.request satisfies WorkerMessage);
    }
  }

  /** A request in flight is done with (answered, or taken back): its worker's load and its slot go. */
  private settle(job: Job & { worker: Worker }): void {
    this.running.delete(job.request.id);
    this.load.set(job.worker, this.load.get(job.worker)! - 1);
    if (job.request.slot !== undefined) this.freeSlots.push(job.request.slot);
  }

  private onReply(worker: Worker, reply: AnalyzeReply): void {
    const job = this.running.get(reply.id);
    if (!job) return;
    this.settle(job);
    this.dispatch();
    if ('error' in reply) job.reject(new Error(reply.error));
    else job.resolve(reply.model);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const jobs = [...this.running.values(), ...this.queue];
    this.running.clear();
    this.queue.length = 0;
    for (const job of jobs) job.reject(error);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
