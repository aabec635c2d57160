// `npm run test:vscode`: the integration suite of test/vscode/suite in VS Code desktop through
// @vscode/test-electron. Uses the VS Code at $VSCODE_EXECUTABLE when set, otherwise downloads one
// (which needs access to VS Code's download site; CI has none and runs the same suite in code-server
// instead: `npm test -- code-server`).
//
// The extension is loaded from this checkout (extensionDevelopmentPath, so `node esbuild.mjs` first),
// the workspace is a scratch copy of test/vscode/fixtures/bulb, and the results are written to
// test/artifacts/vscode-electron/results.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { buildVscodeSuite, runnerEntry } from './build-vscode-suite.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = path.join(repoRoot, 'test', 'artifacts', 'vscode-electron');

const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
await buildVscodeSuite({ vsix: false });

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-vscode-'));
const workspace = path.join(scratch, 'bulb');
fs.cpSync(path.join(repoRoot, 'test', 'vscode', 'fixtures', 'bulb'), workspace, { recursive: true });
const userData = path.join(scratch, 'user-data');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify(
    {
      'kmdf.docs.online': false,
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'extensions.autoUpdate': false,
      'update.mode': 'none',
    },
    null,
    2,
  ),
);
fs.rmSync(artifacts, { recursive: true, force: true });
const resultsFile = path.join(artifacts, 'results.json');

try {
  await runTests({
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : {}),
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: runnerEntry,
    extensionTestsEnv: {
      KMDF_TEST_RESULTS: resultsFile,
      KMDF_REPO_ROOT: repoRoot,
      KMDF_SHARED_DIR: path.resolve(repoRoot, '../shared'),
    },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${userData}`,
    ],
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (!process.env.VSCODE_EXECUTABLE && !fs.existsSync(resultsFile)) {
    console.error(
      `test:vscode could not run VS Code (${message}).\n` +
        'Without network access to VS Code downloads, point VSCODE_EXECUTABLE at an installed VS Code, ' +
        'or run the same suite in code-server: npm test -- code-server-prepare package code-server',
    );
  } else {
    console.error(
      `test:vscode failed: ${message}${fs.existsSync(resultsFile) ? ` (results: ${path.relative(repoRoot, resultsFile)})` : ''}`,
    );
  }
  process.exit(1);
}
const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 && results.total > 0 && !results.error ? 0 : 1);
