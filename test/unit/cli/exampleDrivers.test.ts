/**
 * The three example drivers (the code-server workbench test's multi-driver workspace) are correct
 * by every rule: `kmdf lint` of each driver folder, with its own project file, reports nothing.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runLint } from '../../../server/src/cli/lintCommand';
import { repoRoot } from '../../support/paths';

describe('examples: the three drivers of the workspace lint clean', function () {
  this.timeout(60_000);
  for (const driver of ['echo-dma', 'usb-blink', 'soft-tally']) {
    it(`examples/${driver}`, async () => {
      let out = '';
      const code = await runLint(
        [path.join(repoRoot, 'examples', driver)],
        { format: 'json', headers: [], docs: [], rule: [], failOn: 'warning' },
        { out: (s) => (out += s), err: () => undefined, cwd: repoRoot },
      );
      assert.deepEqual(JSON.parse(out), []);
      assert.equal(code, 0);
    });
  }
});
