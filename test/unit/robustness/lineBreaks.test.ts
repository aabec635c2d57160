/**
 * Issue 11, item 10: lone "\r" line breaks. The text is normalised for parsing and positions stay
 * those of the original, so a file with lone CRs gets exactly the findings of the same file with LF
 * (`kmdf lint`, in process), and the server's incremental path reads it the same way.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentStore } from '../../../server/src/analysis/document';
import { runLint, type LintOptions } from '../../../server/src/cli/lintCommand';
import { repoRoot } from '../../support/paths';

const defaults: LintOptions = { format: 'json', headers: [], docs: [], rule: [], failOn: 'error' };

/** `kmdf lint --format json` of one file written with the given line break, in its own folder. */
async function lintWith(source: string, lineBreak: string): Promise<unknown[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-linebreaks-'));
  fs.writeFileSync(path.join(dir, 'driver.c'), source.replace(/\r\n/g, '\n').replace(/\n/g, lineBreak));
  let stdout = '';
  try {
    await runLint([path.join(dir, 'driver.c')], defaults, {
      out: (s) => (stdout += s),
      err: () => undefined,
      cwd: dir,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return JSON.parse(stdout) as unknown[];
}

describe('robustness: lone CR line breaks', function () {
  this.timeout(60_000);

  for (const example of ['violations-irql.c', 'violations-roles.c']) {
    it(`examples/${example}: the same findings, at the same lines and columns, with CR as with LF`, async () => {
      const source = fs.readFileSync(path.join(repoRoot, 'examples', example), 'utf8');
      const lf = await lintWith(source, '\n');
      assert.ok(lf.length >= 5, `${example} has findings to compare (${lf.length})`);
      assert.deepEqual(await lintWith(source, '\r'), lf);
    });
  }

  it('a // comment ends at a lone CR: the function after it is seen, by a fresh and by an incremental parse', async () => {
    const store = new DocumentStore();
    const text = '// one\rvoid A(void) {}\r// two\rvoid B(void) {}\r';
    const opened = await store.open('file:///cr.c', text, 1, 'c');
    assert.deepEqual(
      opened.functions.map((f) => [f.name, f.span.start.line]),
      [
        ['A', 1],
        ['B', 3],
      ],
    );
    const edited = text + '// three\rvoid C(void) {}\r';
    const end = { line: 4, character: 0 };
    const updated = await store.update('file:///cr.c', edited, 2, 'c', [
      { range: { start: end, end }, text: '// three\rvoid C(void) {}\r' },
    ]);
    assert.deepEqual(
      updated.functions.map((f) => [f.name, f.span.start.line]),
      [
        ['A', 1],
        ['B', 3],
        ['C', 5],
      ],
    );
    store.dispose();
  });
});
