/** The bundles the protocol and CLI tests run, built from the sources under test. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './paths';

/** The bundle under test: dist/, or KMDF_TEST_DIST (a bundle built elsewhere; then nothing is rebuilt). */
export const distDir = process.env.KMDF_TEST_DIST
  ? path.resolve(process.env.KMDF_TEST_DIST)
  : path.join(repoRoot, 'dist');

let built = !!process.env.KMDF_TEST_DIST;

/**
 * Build dist/ once per process, so that a test never runs a bundle older than the sources (the suite's
 * `build` stage does the same; this keeps a test file runnable alone).
 */
export function ensureBundle(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node esbuild.mjs failed:\n${result.stdout}\n${result.stderr}`);
  built = true;
}
