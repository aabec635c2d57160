// Builds the integration suite of test/vscode/suite for an extension host:
//   test/.cache/vscode-suite/runner-extension/   the "KMDF Test Runner" extension folder
//     dist/runner.js                              mocha + runner (run() for test-electron, activate() for code-server)
//     dist/tests/*.test.js                        one bundle per test file (`vscode` left external)
//   test/.cache/vscode-suite/kmdf-test-runner.vsix  the same folder packed, for `--install-extension`
// Usage: node scripts/editors/build-vscode-suite.mjs [--no-vsix]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suiteDir = path.join(repoRoot, 'test', 'vscode', 'suite');
const templateDir = path.join(repoRoot, 'test', 'vscode', 'runner-extension');
/** Output folder (git-ignored). */
export const suiteBuildDir = path.join(repoRoot, 'test', '.cache', 'vscode-suite');
export const runnerExtensionDir = path.join(suiteBuildDir, 'runner-extension');
/** The runner's entry: pass as `extensionTestsPath` to @vscode/test-electron. */
export const runnerEntry = path.join(runnerExtensionDir, 'dist', 'runner.js');
export const runnerVsix = path.join(suiteBuildDir, 'kmdf-test-runner.vsix');

/**
 * Bundle the runner and the test files; pack the runner extension unless `vsix` is false.
 * @returns {Promise<{ tests: string[], vsix?: string }>}
 */
export async function buildVscodeSuite({ vsix = true } = {}) {
  const testFiles = fs
    .readdirSync(suiteDir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
  if (!testFiles.length) throw new Error(`no *.test.ts files in ${suiteDir}`);
  fs.rmSync(runnerExtensionDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(runnerExtensionDir, 'dist'), { recursive: true });
  for (const file of ['package.json', 'README.md', '.vscodeignore'])
    fs.copyFileSync(path.join(templateDir, file), path.join(runnerExtensionDir, file));
  fs.copyFileSync(path.join(repoRoot, 'LICENSE'), path.join(runnerExtensionDir, 'LICENSE'));
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
    external: ['vscode'],
  };
  await esbuild.build({
    ...common,
    entryPoints: { runner: path.join(suiteDir, 'runner.ts') },
    outdir: path.join(runnerExtensionDir, 'dist'),
  });
  await esbuild.build({
    ...common,
    entryPoints: testFiles.map((f) => path.join(suiteDir, f)),
    outdir: path.join(runnerExtensionDir, 'dist', 'tests'),
    // Test files use mocha's globals (describe/it), which the runner installs before loading them.
    external: ['vscode', 'mocha'],
  });
  const tests = fs.readdirSync(path.join(runnerExtensionDir, 'dist', 'tests')).filter((f) => f.endsWith('.test.js'));
  if (tests.length !== testFiles.length)
    throw new Error(`built ${tests.length} test bundles for ${testFiles.length} test files`);
  if (!vsix) return { tests };
  fs.rmSync(runnerVsix, { force: true });
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const packed = spawnSync(
    process.execPath,
    // No repository field: the project has no public home yet, so none is named.
    [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', runnerVsix],
    {
      cwd: runnerExtensionDir,
      encoding: 'utf8',
    },
  );
  if (packed.status !== 0 || !fs.existsSync(runnerVsix)) {
    throw new Error(
      `vsce package of the test runner failed (exit ${packed.status}):\n${packed.stdout}\n${packed.stderr}`,
    );
  }
  return { tests, vsix: runnerVsix };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { tests, vsix } = await buildVscodeSuite({ vsix: !process.argv.includes('--no-vsix') });
    console.log(
      `[vscode-suite] ${tests.length} test bundles in ${path.relative(repoRoot, runnerExtensionDir)}${vsix ? `; packed ${path.relative(repoRoot, vsix)}` : ''}`,
    );
  } catch (error) {
    console.error(`[vscode-suite] build failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
