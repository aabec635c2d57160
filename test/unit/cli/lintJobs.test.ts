import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runLint, type LintOptions } from '../../../server/src/cli/lintCommand';
import { roleTypesOf } from '../../../server/src/session/analysisWorkers';
import { UsageError } from '../../../server/src/cli/usage';
import { analyzeDriver, lintDriver, lintTree } from '../../../server/src/session/treeAnalysis';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { repoRoot } from '../../support/paths';

const trees = [
  path.join(repoRoot, 'test/fixtures/projects'),
  path.join(repoRoot, 'test/fixtures/drivers'),
  path.join(repoRoot, 'examples'),
];
const options = (jobs: string | undefined): LintOptions => ({
  format: 'json',
  headers: [],
  docs: [],
  rule: [],
  failOn: 'error',
  ...(jobs !== undefined ? { jobs } : {}),
});

async function lint(jobs: string | undefined): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runLint(trees, options(jobs), {
    out: (s) => (out += s),
    err: (s) => (err += s),
    cwd: repoRoot,
  });
  return { code, out, err };
}

describe('kmdf lint --jobs: per-file analysis on worker threads', function () {
  this.timeout(120_000);

  it('finds exactly what the single-threaded run finds, in the same order', async () => {
    const single = await lint(undefined);
    const findings = JSON.parse(single.out) as unknown[];
    assert.ok(findings.length > 10, `expected findings on the fixtures, got ${findings.length}`);
    for (const jobs of ['0', '1', '3']) {
      const parallel = await lint(jobs);
      assert.equal(parallel.out, single.out, `--jobs ${jobs}`);
      assert.equal(parallel.err, single.err, `--jobs ${jobs}`);
      assert.equal(parallel.code, single.code);
    }
  });

  it('checking project by project (models let go after their last project) finds what analysing the whole tree first finds', async () => {
    const index = KnowledgeIndex.fromCatalog();
    for (const tree of trees) {
      const whole = await analyzeDriver([tree], index);
      const expected = lintDriver(whole, { index });
      const streamed = await lintTree([tree], { index });
      assert.ok(expected.findings.length > 0, tree);
      assert.equal(JSON.stringify(streamed.findings), JSON.stringify(expected.findings), tree);
      assert.deepEqual(streamed.configProblems, expected.configProblems, tree);
      assert.deepEqual(streamed.ruleErrors, expected.ruleErrors, tree);
      assert.deepEqual(streamed.skipped, whole.skipped, tree);
      assert.deepEqual(streamed.paths, whole.paths, tree);
      assert.equal(streamed.analysed, whole.texts.size, tree);
      assert.equal(streamed.outside, whole.outside.size, tree);
    }
  });

  it('gives the workers every name the index reads as a callback role type, PFN_ aliases included', () => {
    const index = KnowledgeIndex.fromCatalog();
    const names = new Set(roleTypesOf(index));
    assert.ok(names.has('EVT_WDF_IO_QUEUE_IO_STOP'));
    assert.ok(names.has('PFN_WDF_IO_QUEUE_IO_STOP'));
    assert.ok(!names.has('WdfIoQueueCreate'));
    for (const n of names) assert.equal(index.get(n)?.kind, 'callback', n);
  });

  it('rejects a --jobs that is not a number', async () => {
    await assert.rejects(lint('many'), (e: unknown) => e instanceof UsageError && /--jobs many/.test(e.message));
  });
});
