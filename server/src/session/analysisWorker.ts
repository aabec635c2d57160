/**
 * The entry of an analysis worker thread (see analysisWorkers.ts): analyse the files the main thread
 * sends, one at a time, and answer with their models.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultIsRoleType } from '../analysis/build';
import { analyzeText } from '../analysis/parse';
import type { AnalyzeReply, AnalysisWorkerData, WorkerMessage } from './analysisWorkers';

let known = new Set((workerData as AnalysisWorkerData).roleTypes);
const isRoleType = (name: string) => defaultIsRoleType(name) || known.has(name);

parentPort?.on('message', (message: WorkerMessage) => {
  if (message.kind === 'roleTypes') {
    known = new Set(message.roleTypes);
    return;
  }
  analyzeText(message.uri, message.text, message.language, {
    isRoleType,
    ...(message.defines ? { defines: message.defines } : {}),
    ...(message.macros ? { macros: message.macros } : {}),
  }).then(
    (model) => parentPort!.postMessage({ id: message.id, model } satisfies AnalyzeReply),
    (error: unknown) =>
      parentPort!.postMessage({
        id: message.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies AnalyzeReply),
  );
});
