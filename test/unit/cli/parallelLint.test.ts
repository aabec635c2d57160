import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { lintTreeParallel, splitRuns } from '../../../server/src/session/parallelLint';
import { lintTree } from '../../../server/src/session/treeAnalysis';
import { repoRoot } from '../../support/paths';

describe('kmdf lint --jobs: shares of the projects on worker threads', function () {
  this.timeout(120_000);

  it('splits the runs into contiguous shares of about equal cost, none empty while there are runs enough', () => {
    const costs = [5, 1, 1, 1, 8, 2, 2, 2, 9, 1];
    for (const parts of [1, 2, 3, 4, 10, 12]) {
      const ranges = splitRuns(costs, parts);
      assert.equal(ranges.length, parts);
      assert.equal(ranges[0].from, 0);
      assert.equal(ranges[parts - 1].to, costs.length);
      for (let i = 1; i < parts; i++) assert.equal(ranges[i].from, ranges[i - 1].to, `parts ${parts}`);
      const nonEmpty = ranges.filter((r) => r.to > r.from).length;
      assert.equal(nonEmpty, Math.min(parts, costs.length), `parts ${parts}`);
    }
    const [a, b] = splitRuns(costs, 2).map((r) => costs.slice(r.from, r.to).reduce((x, y) => x + y, 0));
    // The total is 32: 5+1+1+1+8 and 2+2+2+9+1.
    assert.deepEqual([a, b], [16, 16]);
  });

  it('reports what one thread reports when a worker fails: its share is checked on the main thread', async () => {
    const index = KnowledgeIndex.fromCatalog();
    const tree = path.join(repoRoot, 'test/fixtures/projects');
    const single = await lintTree([tree], { index });
    assert.ok(single.findings.length > 0);
    let started = 0;
    const failing = () => {
      started++;
      return new Worker('process.exit(3)', { eval: true });
    };
    const parallel = await lintTreeParallel([tree], { index }, 2, failing);
    assert.ok(started > 0, 'the fixture tree has projects enough for a worker');
    assert.equal(JSON.stringify(parallel.findings), JSON.stringify(single.findings));
    assert.deepEqual(parallel.skipped, single.skipped);
    assert.deepEqual([...parallel.paths].sort(), [...single.paths].sort());
    assert.equal(parallel.analysed, single.analysed);
  });

  it('analyses files on the workers for one project, with the rules on the main thread: no share is started', async () => {
    const index = KnowledgeIndex.fromCatalog();
    const tree = path.join(repoRoot, 'test/fixtures/drivers/echo');
    const single = await lintTree([tree], { index });
    assert.ok(single.findings.length > 0);
    let started = 0;
    const counting = () => {
      started++;
      return new Worker('process.exit(3)', { eval: true });
    };
    const parallel = await lintTreeParallel([tree], { index }, 1, counting);
    assert.equal(started, 0);
    assert.equal(JSON.stringify(parallel.findings), JSON.stringify(single.findings));
    assert.equal(parallel.analysed, single.analysed);
  });
});
