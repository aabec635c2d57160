/**
 * Start a worker thread on one of the bundle's worker entries: `dist/<name>.js` beside the bundle, or
 * the TypeScript source beside this file's folder when running from sources (tests, tsx), where the
 * worker registers tsx's CommonJS hook before loading the entry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `sourceFolder`: where the entry's .ts lives, relative to server/src (e.g. 'session'). */
export function startWorker(
  name: string,
  sourceFolder: string,
  workerData: unknown,
  options: WorkerOptions = {},
): Worker {
  const bundled = path.join(__dirname, `${name}.js`);
  if (fs.existsSync(bundled)) return new Worker(bundled, { ...options, workerData });
  const source = path.join(__dirname, '..', sourceFolder, `${name}.ts`);
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, {
    ...options,
    eval: true,
    workerData,
  });
}
