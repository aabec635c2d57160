/** Issue 11, item 11 (command-line half): `kmdf lint` that lints nothing says so and fails. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLint, type LintOptions } from '../../../server/src/cli/lintCommand';

const defaults: LintOptions = { format: 'text', headers: [], docs: [], rule: [], failOn: 'error' };

async function lint(dir: string, paths: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runLint(paths, defaults, { out: (s) => (stdout += s), err: (s) => (stderr += s), cwd: dir });
  return { code, stdout, stderr };
}

describe('robustness: kmdf lint with nothing to lint', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-lint-nothing-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not C\n');
    fs.writeFileSync(path.join(dir, 'readme.md'), '# not C\n');
    fs.mkdirSync(path.join(dir, 'empty'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with a message when every input was skipped', async () => {
    const result = await lint(dir, [path.join(dir, 'notes.txt'), path.join(dir, 'readme.md')]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `kmdf: skipped ${path.join(dir, 'notes.txt')}: not a C/C++ source or header\n` +
        `kmdf: skipped ${path.join(dir, 'readme.md')}: not a C/C++ source or header\n` +
        'kmdf: nothing was linted: every input was skipped (2 skipped)\n',
    );
  });

  it('exits 2 with a message for a folder without C/C++ files', async () => {
    const result = await lint(dir, [path.join(dir, 'empty')]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `kmdf: nothing was linted: no C/C++ source or header under ${path.join(dir, 'empty')}\n`,
    );
  });

  it('still exits 0 when one input was linted and another skipped', async () => {
    fs.writeFileSync(path.join(dir, 'ok.c'), 'int Add(int a, int b) { return a + b; }\n');
    const result = await lint(dir, [path.join(dir, 'ok.c'), path.join(dir, 'notes.txt')]);
    assert.equal(result.code, 0, result.stderr);
  });
});
