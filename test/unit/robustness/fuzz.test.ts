/**
 * Issue 11, "Done means": the fuzz targets of `npm run fuzz` (scripts/fuzzTargets.ts), a few inputs
 * each with a fixed seed, so a change that makes any of them throw fails here too. Untimed: the bound
 * per input is the fuzz script's to report (`npm run fuzz -- --count 100000` for a long run).
 */
import fc from 'fast-check';
import { fuzzTargets, type FuzzTarget } from '../../../scripts/fuzzTargets';

const SEED = 20261201;
/** Inputs per target: a few seconds in all (the C analysis runs every rule, so it gets fewer). */
const RUNS: Record<string, number> = { 'c-analysis': 25, headers: 40, 'docs-markdown': 25, 'docs-markdown-2018': 25 };
const DEFAULT_RUNS = 100;

describe('robustness: fuzz targets, fixed seed (npm run fuzz for long runs)', function () {
  this.timeout(60_000);
  let targets: FuzzTarget[] = [];
  before(async () => {
    targets = await fuzzTargets();
  });

  it('has the eight targets of the issue', () => {
    const names = targets.map((t) => t.name);
    if (
      names.join() !== 'docs-markdown,docs-markdown-2018,docs-rendered,headers,project-files,kmdf-json,c-analysis,stubs'
    )
      throw new Error(`targets: ${names.join(', ')}`);
  });

  for (const name of [
    'docs-markdown',
    'docs-markdown-2018',
    'docs-rendered',
    'headers',
    'project-files',
    'kmdf-json',
    'c-analysis',
    'stubs',
  ]) {
    it(`${name}: no input throws`, async () => {
      const target = targets.find((t) => t.name === name)!;
      await fc.assert(
        fc.asyncProperty(target.arbitrary, async (input) => {
          await target.run(input);
        }),
        { seed: SEED, numRuns: RUNS[name] ?? DEFAULT_RUNS },
      );
    });
  }
});
