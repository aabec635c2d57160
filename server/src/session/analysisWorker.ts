/**
 * The entry of an analysis worker thread (see analysisWorkers.ts): analyse the files the main thread
 * sends, one at a time, and answer with their models.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultIsRoleType } from '../analysis/build';
import { analyzeText } from '../analysis/parse';
import { CLAIMED, type AnalyzeReply, type AnalysisWorkerData, type WorkerMessage } from './analysisWorkers';

const data = workerData as AnalysisWorkerData;
let known = new Set(data.roleTypes);
const claims = data.claims ? new Int32Array(data.claims) : undefined;
const isRoleType = (name: string) => defaultIsRoleType(name) || known.has(name);

parentPort?.on('message', (message: WorkerMessage) => {
  if (message.kind === 'roleTypes') {
    known = new Set(message.roleTypes);
    return;
  }
  if (message.kind === 'warmUp') {
    void analyzeText('kmdf-warm-up:', message.text, message.language, { isRoleType }).catch(() => undefined);
    return;
  }
  // Taken back by the main thread, which analyses the file itself: no answer.
  if (
    claims &&
    message.slot !== undefined &&
    Atomics.compareExchange(claims, message.slot, message.id, CLAIMED) !== message.id
  )
    return;
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
