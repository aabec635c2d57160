/**
 * The entry of a lint worker thread (see parallelLint.ts): read the plan of the paths, check the share
 * of runs it was given, answer with that part of the report.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { allRules } from '../rules/registry';
import { limitHeapGrowth } from '../util/heapRelease';
import type { LintWorkerData, LintWorkerReply } from './parallelLint';
import { lintRuns, planLint } from './treeAnalysis';

async function main(data: LintWorkerData): Promise<LintWorkerReply> {
  limitHeapGrowth();
  const index = new KnowledgeIndex(data.index.entries, data.index.sources);
  const { ruleIds, ...options } = data.options;
  const rules = ruleIds ? allRules.filter((r) => ruleIds.includes(r.meta.id)) : undefined;
  const plan = await planLint(data.paths, index);
  const ids = plan.runs.slice(data.range.from, data.range.to).map((r) => r.project.id);
  if (ids.join('\n') !== data.projectIds.join('\n'))
    return { kind: 'failed', error: 'the worker read the tree differently (files changed while linting?)' };
  const part = await lintRuns(
    plan,
    { ...options, index, ...(rules ? { rules } : {}) },
    { ...data.range, leftovers: false },
  );
  return { kind: 'done', part };
}

main(workerData as LintWorkerData).then(
  (reply) => parentPort!.postMessage(reply),
  (error: unknown) =>
    parentPort!.postMessage({
      kind: 'failed',
      error: error instanceof Error ? error.message : String(error),
    } satisfies LintWorkerReply),
);
