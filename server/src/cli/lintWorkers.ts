/**
 * `kmdf lint --jobs N`: the per-file analysis (blanking, parse, model) on N worker threads. The main
 * thread keeps everything that needs the whole tree (project model, workspaces, rules); a worker gets
 * one file's text and defines and answers with its DocumentModel, which is plain data (structured clone).
 * Each worker keeps its own parser; no tree ever leaves a worker.
 *
 * The worker's entry is ./lintWorker.ts (dist/lintWorker.js in the bundle).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisOptions } from '../analysis/build';
import type { MacroTable } from '../analysis/conditionals';
import type { MacroDefinitions } from '../analysis/macros';
import type { DocumentModel } from '../analysis/model';
import type { GrammarId } from '../syntax/treeSitter';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { analyzeText } from '../analysis/parse';
import type { FileAnalyzer } from '../session/treeAnalysis';

/** What a worker is told once: the index's callback role types (the analysis needs no more of the index). */
export interface LintWorkerData {
  roleTypes: string[];
}

export interface AnalyzeRequest {
  id: number;
  uri: string;
  text: string;
  language: GrammarId;
  defines?: MacroTable;
  /** Macros from the file's headers (session/headerMacros.ts). */
  macros?: MacroDefinitions;
}

export type AnalyzeReply = { id: number; model: DocumentModel } | { id: number; error: string };

/** The default --jobs: one worker per core beyond the first, at least one. */
export function defaultJobs(): number {
  return Math.max(1, os.cpus().length - 1);
}

/** The worker script: beside the bundle, or the TypeScript source when running from sources (tsx). */
function workerScript(): string {
  const bundled = path.join(__dirname, 'lintWorker.js');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'lintWorker.ts');
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

interface Pending {
  resolve: (model: DocumentModel) => void;
  reject: (error: Error) => void;
  worker: Worker;
}

/** A fixed pool of analysis workers; requests go to the worker with the fewest in flight. */
export class LintWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly load = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure?: Error;

  constructor(jobs: number, data: LintWorkerData) {
    for (let i = 0; i < Math.max(1, jobs); i++) {
      const script = workerScript();
      // From sources (tests, tsx) the worker registers tsx's CommonJS hook before loading the entry.
      const worker = script.endsWith('.ts')
        ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(script)});`, {
            eval: true,
            workerData: data,
          })
        : new Worker(script, { workerData: data });
      worker.on('message', (reply: AnalyzeReply) => this.onReply(worker, reply));
      // A worker that dies fails what it was doing and everything after: the lint must not hang.
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`lint worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.set(worker, 0);
    }
  }

  /** The model of one file, analysed on a worker. Rejects with the analysis error (the file is then skipped). */
  analyze(
    uri: string,
    text: string,
    language: GrammarId,
    context: { defines?: MacroTable; macros?: MacroDefinitions } = {},
  ): Promise<DocumentModel> {
    const { defines, macros } = context;
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a));
    const id = this.nextId++;
    this.load.set(worker, this.load.get(worker)! + 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({
        id,
        uri,
        text,
        language,
        ...(defines ? { defines } : {}),
        ...(macros ? { macros } : {}),
      } satisfies AnalyzeRequest);
    });
  }

  private onReply(worker: Worker, reply: AnalyzeReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    this.load.set(worker, this.load.get(worker)! - 1);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve(reply.model);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A FileAnalyzer (session/treeAnalysis.ts) over a pool of `jobs` workers plus the main thread, which
 * takes every (jobs + 1)-th file itself: the first core is busy too while the workers run.
 */
export function sharedAnalyzer(pool: LintWorkerPool, jobs: number, options: AnalysisOptions): FileAnalyzer {
  let n = 0;
  return (uri, text, language, context) =>
    n++ % (jobs + 1) === jobs
      ? analyzeText(uri, text, language, {
          ...options,
          ...(context.defines ? { defines: context.defines } : {}),
          ...(context.macros ? { macros: context.macros } : {}),
        })
      : pool.analyze(uri, text, language, context);
}
