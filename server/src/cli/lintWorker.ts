/**
 * The entry of a `kmdf lint --jobs N` worker thread (see lintWorkers.ts): analyse the files the main
 * thread sends, one at a time, and answer with their models.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultIsRoleType } from '../analysis/build';
import { analyzeText } from '../analysis/parse';
import type { AnalyzeReply, AnalyzeRequest, LintWorkerData } from './lintWorkers';

const { roleTypes } = workerData as LintWorkerData;
const known = new Set(roleTypes);
const isRoleType = (name: string) => defaultIsRoleType(name) || known.has(name);

parentPort?.on('message', (request: AnalyzeRequest) => {
  analyzeText(request.uri, request.text, request.language, {
    isRoleType,
    ...(request.defines ? { defines: request.defines } : {}),
    ...(request.macros ? { macros: request.macros } : {}),
  }).then(
    (model) => parentPort!.postMessage({ id: request.id, model } satisfies AnalyzeReply),
    (error: unknown) =>
      parentPort!.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies AnalyzeReply),
  );
});
