/**
 * Files on workers for `kmdf lint --jobs N` (session/analysisWorkers.ts, session/parallelLint.ts, issue
 * 10 §2): a request can be taken back until a worker starts it, and then no worker answers it; the
 * main thread analyses the files no worker has started (sharedAnalyzer) or, when a worker dies, every
 * file left, and the report is the one thread's either way.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { analyzeText } from '../../../server/src/analysis/parse';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { analysisOptions } from '../../../server/src/session/analysisOptions';
import { AnalysisWorkerPool, roleTypesOf, type PoolJob } from '../../../server/src/session/analysisWorkers';
import { sharedAnalyzer } from '../../../server/src/session/parallelLint';
import { lintTree, type TreeLint } from '../../../server/src/session/treeAnalysis';
import { repoRoot } from '../../support/paths';

const trees = [path.join(repoRoot, 'test/fixtures/drivers/echo'), path.join(repoRoot, 'test/fixtures/projects')];

/** What the report is made of, in the report's order. */
function reportOf(lint: TreeLint): string {
  const { findings, configProblems, ruleErrors, skipped, analysed, outside } = lint;
  return JSON.stringify({ findings, configProblems, ruleErrors, skipped, analysed, outside });
}

/** Whether a promise is still pending once everything queued before has run (a macrotask later). */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

describe('kmdf lint --jobs: files on workers, taken back by the main thread', function () {
  this.timeout(120_000);

  it('answers requests after warm-ups as without them (a warm-up gets no answer and takes no request)', async () => {
    const pool = new AnalysisWorkerPool(1, { roleTypes: [] });
    try {
      const source = 'EVT_WDF_TIMER OnTimer;\nVOID OnTimer(WDFTIMER Timer) { KeStallExecutionProcessor(1); }\n';
      pool.warmUp(source, 'c');
      pool.warmUp('this is { not C', 'c');
      const model = await pool.analyze('file:///timer.c', source, 'c');
      const direct = await analyzeText('file:///timer.c', source, 'c');
      assert.deepEqual(JSON.parse(JSON.stringify(model)), JSON.parse(JSON.stringify(direct)));
    } finally {
      await pool.close();
    }
  });

  it('answers every request not taken back, and none taken back, though their claims go to later requests', async () => {
    // One worker holding four requests at a time: a request taken back frees its claim for the next
    // one while the worker, busy with the long first file, has not read the first one's message yet.
    const pool = new AnalysisWorkerPool(1, { roleTypes: [] }, { takeBack: { inFlightPerWorker: 4 } });
    try {
      const long = Array.from({ length: 3000 }, (_, i) => `int g${i}(int a) { return a + ${i}; }`).join('\n');
      const first = pool.submit('file:///long.c', long, 'c');
      const jobs: { name: string; job: PoolJob; back: boolean }[] = [];
      for (let i = 0; i < 30; i++) {
        const name = `f${i}`;
        const job = pool.submit(`file:///${name}.c`, `int ${name}(void) { return ${i}; }\n`, 'c');
        // Every other one taken back at once: some still wait in the pool, some are with the worker.
        jobs.push({ name, job, back: i % 2 === 1 && job.takeBack() });
      }
      assert.ok(
        jobs.some((j) => j.back),
        'a request the worker has not started can be taken back',
      );
      assert.equal((await first.model).functions.length, 3000);
      for (const { name, job, back } of jobs) {
        if (back) continue;
        const model: DocumentModel = await job.model;
        assert.deepEqual(
          model.functions.map((f) => f.name),
          [name],
        );
        assert.equal(job.takeBack(), false, `${name} was answered: there is nothing to take back`);
      }
      for (const { name, job, back } of jobs) if (back) assert.ok(await pending(job.model), `${name} was taken back`);
      // The pool still works after all that.
      assert.equal((await pool.analyze('file:///last.c', 'void last(void) {}\n', 'c')).functions[0]?.name, 'last');
    } finally {
      await pool.close();
    }
  });

  it('reports what one thread reports when the main thread takes back every file', async () => {
    const index = KnowledgeIndex.fromCatalog();
    // A pool whose workers never start anything: every model comes from the main thread.
    let submitted = 0;
    const idle = {
      failed: undefined,
      submit: (): PoolJob => {
        submitted++;
        return { model: new Promise<DocumentModel>(() => undefined), takeBack: () => true };
      },
    };
    for (const tree of trees) {
      const single = await lintTree([tree], { index });
      assert.ok(single.findings.length > 0, tree);
      const analyzer = sharedAnalyzer(
        idle,
        analysisOptions(() => index),
      );
      const shared = await lintTree([tree], { index }, analyzer, 4);
      assert.equal(reportOf(shared), reportOf(single), tree);
      assert.deepEqual([...shared.paths].sort(), [...single.paths].sort(), tree);
    }
    assert.ok(submitted > 0);
  });

  it('analyses the files after the handed-out ones while a worker has a file of the run started', async () => {
    const index = KnowledgeIndex.fromCatalog();
    const options = analysisOptions(() => index);
    const tree = path.join(repoRoot, 'test/fixtures/projects');
    const single = await lintTree([tree], { index });
    // The first file is started on a "worker" that answers only once the main thread has taken back
    // three files after it (or after two seconds, so that a main thread waiting idle is seen failing).
    let submitted = 0;
    let takenBackMeanwhile = 0;
    let firstDone = false;
    const slowFirst = {
      failed: undefined,
      submit: (...[uri, text, language, context]: Parameters<AnalysisWorkerPool['submit']>): PoolJob => {
        if (submitted++ > 0)
          return {
            model: new Promise<DocumentModel>(() => undefined),
            takeBack: () => {
              if (!firstDone) takenBackMeanwhile++;
              return true;
            },
          };
        const model = new Promise<void>((resolve) => {
          const started = Date.now();
          const timer = setInterval(() => {
            if (takenBackMeanwhile < 3 && Date.now() - started < 2000) return;
            clearInterval(timer);
            resolve();
          }, 5);
        }).then(() => {
          firstDone = true;
          return analyzeText(uri, text, language, { ...options, ...context });
        });
        return { model, takeBack: () => false };
      },
    };
    const shared = await lintTree([tree], { index }, sharedAnalyzer(slowFirst, options), 2);
    assert.equal(reportOf(shared), reportOf(single));
    assert.ok(takenBackMeanwhile >= 3, `${takenBackMeanwhile} files analysed while the first was on the worker`);
  });

  it('reports what one thread reports when a worker dies with requests in its queue', async () => {
    const index = KnowledgeIndex.fromCatalog();
    const tree = path.join(repoRoot, 'test/fixtures/projects');
    const single = await lintTree([tree], { index });
    const pool = new AnalysisWorkerPool(1, { roleTypes: roleTypesOf(index) }, { takeBack: { inFlightPerWorker: 4 } });
    try {
      // The worker dies once it has answered one request, and the main thread takes nothing back: it
      // waits for the worker, so every file after the first few is failed by the pool's death.
      const worker = (pool as unknown as { workers: Worker[] }).workers[0];
      worker.once('message', () => void worker.terminate());
      let failedByDeath = 0;
      const waiting = {
        get failed() {
          return pool.failed;
        },
        submit: (...args: Parameters<AnalysisWorkerPool['submit']>): PoolJob => {
          const { model } = pool.submit(...args);
          model.catch(() => failedByDeath++);
          return { model, takeBack: () => false };
        },
      };
      const analyzer = sharedAnalyzer(
        waiting,
        analysisOptions(() => index),
      );
      const shared = await lintTree([tree], { index }, analyzer, 8);
      assert.ok(pool.failed, 'the worker died');
      assert.ok(failedByDeath > 0, 'requests were left when it died');
      assert.equal(reportOf(shared), reportOf(single));
      assert.deepEqual([...shared.paths].sort(), [...single.paths].sort());
    } finally {
      await pool.close();
    }
  });

  it('starts its workers with the resource limits it is given, and they answer as the main thread does', async () => {
    // kmdf lint gives its analysis workers a small young generation (parallelLint.ts).
    const pool = new AnalysisWorkerPool(1, { roleTypes: [] }, { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    try {
      const text =
        'NTSTATUS Fn(WDFDEVICE device)\n{\n    if (device == NULL) { return STATUS_INVALID_PARAMETER; }\n    return WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &device);\n}\n';
      const model = await pool.analyze('file:///limits.c', text, 'c');
      assert.deepEqual(model, await analyzeText('file:///limits.c', text, 'c'));
      const { workers } = pool as unknown as { workers: Worker[] };
      assert.equal(workers.length, 1);
      assert.equal(workers[0].resourceLimits?.maxYoungGenerationSizeMb, 16);
    } finally {
      await pool.close();
    }
  });
});
