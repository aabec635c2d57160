/**
 * Runs the integration suite (the `*.test.js` bundles beside this file, in `tests/`) with mocha
 * inside a VS Code extension host, and writes the results as JSON for the harness to assert on.
 *
 * Two ways in, one suite:
 * - `run()`: the `extensionTestsPath` entry @vscode/test-electron calls (VS Code desktop).
 * - `activate()`: the same code packaged as a small extension ("KMDF Test Runner"), installed into
 *   code-server; it runs the suite at start-up when `KMDF_TEST_RESULTS` names a results file, and
 *   does nothing otherwise.
 *
 * A run with zero tests, or whose files fail to load, counts as a failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** One test's outcome, as written to the results file. */
export interface TestResult {
  fullTitle: string;
  /** Title of the top-level describe block (see SUITE_GROUPS). */
  group: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

/** The results file. */
export interface SuiteResults {
  runner: string;
  vscodeVersion: string;
  startedAt: string;
  finishedAt: string;
  total: number;
  passed: number;
  failed: number;
  pending: number;
  /** A failure outside any test (no test files, a file that does not load, a hook). */
  error?: string;
  tests: TestResult[];
}

function groupOf(test: Mocha.Runnable): string {
  let suite = test.parent;
  while (suite?.parent && !suite.parent.root) suite = suite.parent;
  return suite?.title ?? '';
}

function writeResults(file: string | undefined, results: SuiteResults): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written under a temporary name and renamed, so the harness never reads half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

/** Run the suite; resolves with the results (also written to `resultsFile` when given). */
export async function runSuite(resultsFile: string | undefined, runnerName: string): Promise<SuiteResults> {
  const results: SuiteResults = {
    runner: runnerName,
    vscodeVersion: vscode.version,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    total: 0,
    passed: 0,
    failed: 0,
    pending: 0,
    tests: [],
  };
  const finish = (error?: string) => {
    results.finishedAt = new Date().toISOString();
    results.total = results.tests.length;
    if (error) results.error = error;
    else if (results.total === 0) results.error = 'no tests ran';
    writeResults(resultsFile, results);
    return results;
  };
  try {
    const testsDir = path.join(__dirname, 'tests');
    const files = fs.existsSync(testsDir)
      ? fs
          .readdirSync(testsDir)
          .filter((f) => f.endsWith('.test.js'))
          .sort()
      : [];
    if (!files.length) return finish(`no test files in ${testsDir}`);
    const grep = process.env.KMDF_TEST_GREP;
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec', ...(grep ? { grep } : {}) });
    for (const file of files) mocha.addFile(path.join(testsDir, file));
    // One line per finished test, so a run that hangs still shows how far it got.
    const progress = (line: string) => {
      if (resultsFile) fs.appendFileSync(`${resultsFile}.log`, `${new Date().toISOString()} ${line}\n`);
    };
    progress(`running ${files.length} files in VS Code ${vscode.version}`);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('test', (test) => progress(`… ${test.fullTitle()}`));
      runner.on('test end', (test) =>
        progress(
          `${test.state === 'passed' ? '✔' : test.state === 'failed' ? '✘' : '-'} ${test.fullTitle()} (${test.duration ?? 0} ms)`,
        ),
      );
      runner.on('hook end', (hook) => progress(`hook done: ${hook.fullTitle()}`));
      runner.on('pass', (test) => {
        results.passed++;
        results.tests.push({
          fullTitle: test.fullTitle(),
          group: groupOf(test),
          state: 'passed',
          durationMs: test.duration ?? 0,
        });
      });
      runner.on('fail', (test, error: Error) => {
        progress(`✘ ${test.fullTitle()}: ${error?.message ?? error}`);
        results.failed++;
        results.tests.push({
          fullTitle: test.fullTitle(),
          group: groupOf(test),
          state: 'failed',
          durationMs: test.duration ?? 0,
          error: error?.stack ?? String(error),
        });
      });
      runner.on('pending', (test) => {
        results.pending++;
        results.tests.push({ fullTitle: test.fullTitle(), group: groupOf(test), state: 'pending', durationMs: 0 });
      });
    });
    return finish();
  } catch (error) {
    return finish(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

/** Entry for @vscode/test-electron (`extensionTestsPath`): rejects unless every test passed. */
export async function run(): Promise<void> {
  const results = await runSuite(process.env.KMDF_TEST_RESULTS, 'vscode-electron');
  if (results.error) throw new Error(`KMDF integration suite: ${results.error}`);
  if (results.failed > 0) throw new Error(`KMDF integration suite: ${results.failed} of ${results.total} tests failed`);
}

/** Entry as an extension (code-server): runs the suite once per extension host when asked to. */
export function activate(): void {
  const resultsFile = process.env.KMDF_TEST_RESULTS;
  if (!resultsFile) return;
  // A browser reload starts a new extension host; the suite runs only in the first one.
  if (fs.existsSync(resultsFile) || fs.existsSync(`${resultsFile}.started`)) return;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(`${resultsFile}.started`, new Date().toISOString());
  // Not awaited: activation must return; the harness waits for the results file.
  void runSuite(resultsFile, 'code-server');
}

export function deactivate(): void {}
