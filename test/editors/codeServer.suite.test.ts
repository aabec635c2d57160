/**
 * The integration suite of test/vscode/suite, run inside code-server's extension host (VS Code 1.100)
 * with the packaged .vsix installed: a test-runner extension runs the mocha files at start-up and
 * writes JSON results, which these tests read. One `it` per suite group, so a failure names the area.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SUITE_GROUPS } from '../vscode/suite/groups';
import type { SuiteResults } from '../vscode/suite/runner';
import {
  artifactsDir,
  CodeServer,
  createProfile,
  extensionVsix,
  launchChromium,
  openWorkbench,
  requirePrepared,
  runnerVsix,
  runDir,
  waitFor,
} from './codeServer';
import { repoRoot } from '../support/paths';

/** The whole suite, start-up included, must finish within this. */
const SUITE_TIMEOUT_MS = 6 * 60_000;

describe('code-server: the VS Code integration suite in the extension host', function () {
  this.timeout(SUITE_TIMEOUT_MS + 120_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let results: SuiteResults;

  before(async function () {
    requirePrepared();
    // The runner extension is built from the current test sources every time (about a second).
    const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'editors', 'build-vscode-suite.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, `building the suite failed:\n${built.stdout}${built.stderr}`);
    assert.ok(fs.existsSync(runnerVsix), `${path.relative(repoRoot, runnerVsix)} is missing after the build`);
    const profile = createProfile('suite', path.join(repoRoot, 'test', 'vscode', 'fixtures', 'bulb'), [
      extensionVsix,
      runnerVsix,
    ]);
    const resultsFile = path.join(runDir, 'suite', 'results.json');
    server = await CodeServer.start(profile, { KMDF_TEST_RESULTS: resultsFile });
    browser = await launchChromium();
    // The extension host starts when a workbench connects; the runner extension then runs the suite.
    page = await openWorkbench(browser, server);
    try {
      await waitFor('the suite results file', () => fs.existsSync(resultsFile), SUITE_TIMEOUT_MS);
    } catch (error) {
      const progress = fs.existsSync(`${resultsFile}.log`)
        ? fs.readFileSync(`${resultsFile}.log`, 'utf8')
        : '(the runner wrote no progress: did it start?)';
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nprogress of the suite:\n${progress}`,
        {
          cause: error,
        },
      );
    } finally {
      if (fs.existsSync(`${resultsFile}.log`))
        fs.copyFileSync(`${resultsFile}.log`, path.join(artifactsDir, 'suite-progress.log'));
      fs.mkdirSync(artifactsDir, { recursive: true });
      await page.screenshot({ path: path.join(artifactsDir, 'suite-end.png') }).catch(() => undefined);
    }
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
    fs.copyFileSync(resultsFile, path.join(artifactsDir, 'suite-results.json'));
    const summary = `${results.passed} passed, ${results.failed} failed, ${results.pending} pending in VS Code ${results.vscodeVersion}`;
    console.log(`      extension-host suite: ${summary}`);
    for (const test of results.tests.filter((t) => t.state === 'failed'))
      console.log(
        `      ✘ ${test.fullTitle}\n        ${(test.error ?? '').split('\n').slice(0, 6).join('\n        ')}`,
      );
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
  });

  it("ran in code-server's VS Code 1.100 and ran tests", function () {
    assert.equal(results.runner, 'code-server');
    assert.match(results.vscodeVersion, /^1\.100\./);
    assert.equal(results.error, undefined, results.error);
    assert.ok(results.total > 0, 'no tests ran');
    assert.deepEqual([...new Set(results.tests.map((t) => t.group))].sort(), [...SUITE_GROUPS].sort());
  });

  for (const group of SUITE_GROUPS) {
    it(`${group}: every test passed`, function () {
      const tests = results.tests.filter((t) => t.group === group);
      assert.ok(tests.length > 0, `no "${group}" tests ran`);
      const failed = tests.filter((t) => t.state !== 'passed');
      assert.deepEqual(
        failed.map((t) => `${t.state}: ${t.fullTitle}\n${t.error ?? ''}`),
        [],
        `${failed.length} of ${tests.length} "${group}" tests did not pass`,
      );
    });
  }
});
