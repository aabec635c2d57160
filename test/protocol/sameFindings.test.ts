/**
 * The editor and `kmdf lint` read a tree through one project model and run the rules the same way, so
 * the bundled server's diagnostics on every file of a tree are exactly the CLI's findings on that tree:
 * the Gauge fixture (two drivers and the static library they link, with a seeded bug reached through
 * the library), the examples folder (one violation per rule), and Ferry's driver folder (its header
 * outside the folder). The same holds with no file open: the findings the workspace scan publishes (its
 * files analysed on the server's worker threads) are the CLI's.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLint, type JsonFinding } from '../../server/src/cli/lintCommand';
import { TestClient } from './harness';
import { repoRoot } from '../support/paths';

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(c|h)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function cliFindings(tree: string): Promise<string[]> {
  let out = '';
  await runLint(
    [tree],
    { format: 'json', headers: [], docs: [], rule: [], failOn: 'error' },
    { out: (s) => (out += s), err: () => {}, cwd: tree },
  );
  return (JSON.parse(out) as JsonFinding[])
    .map((f) => `${f.file.split(path.sep).join('/')}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}`)
    .sort();
}

/** The client's current diagnostics of every file, in the CLI's line format. */
function published(client: TestClient, tree: string): string[] {
  return [...client.diagnostics.values()]
    .flatMap((p) =>
      p.diagnostics.map(
        (d) =>
          `${path.relative(tree, fileURLToPath(p.uri)).split(path.sep).join('/')}:${d.range.start.line + 1}:${d.range.start.character + 1} ${SEVERITY[d.severity ?? 0]} ${String(d.code)} ${typeof d.message === 'string' ? d.message : d.message.value}`,
      ),
    )
    .sort();
}

async function editorFindings(tree: string, expected: string[]): Promise<string[]> {
  const client = await TestClient.start({ workspaceFolder: tree, settings: { docs: { online: false } } });
  try {
    await client.ready();
    const files = sourceFiles(tree);
    for (const file of files) await client.open(file, fs.readFileSync(file, 'utf8'));
    const collect = () => published(client, tree);
    const settled = () => files.every((f) => client.diagnostics.has(client.uriOf(f)));
    // Every file checked, then the findings as the other open files' re-checks leave them.
    await client.waitFor(settled, 30000, 'diagnostics for every file');
    await client
      .waitFor(() => JSON.stringify(collect()) === JSON.stringify(expected), 20000, 'the CLI findings')
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return collect();
  } finally {
    await client.stop();
  }
}

/** What the workspace scan and its first checks run publish, no file opened (the run's progress ends after its last publish). */
async function scanFindings(tree: string): Promise<string[]> {
  const client = await TestClient.start({
    workspaceFolder: tree,
    settings: { docs: { online: false } },
    capabilities: { window: { workDoneProgress: true } },
  });
  try {
    await client.ready();
    await client.waitFor(
      () => [...client.progress.values()].some((p) => p.some((v) => v.kind === 'end')),
      60_000,
      'the first workspace run to end',
    );
    return published(client, tree);
  } finally {
    await client.stop();
  }
}

// ferry/drv: its shared header is outside the workspace folder, reached through the include path.
const TREES = ['test/fixtures/projects/gauge', 'examples', 'test/fixtures/projects/ferry/drv'];

describe('protocol: the editor and kmdf lint report the same findings', function () {
  this.timeout(120000);

  for (const tree of TREES) {
    it(tree, async () => {
      const dir = path.join(repoRoot, tree);
      const expected = await cliFindings(dir);
      assert.ok(expected.length > 0, 'the tree has findings to compare');
      assert.deepEqual(await editorFindings(dir, expected), expected);
    });
  }

  for (const tree of TREES) {
    it(`${tree}, no file open: the workspace scan's findings`, async () => {
      const dir = path.join(repoRoot, tree);
      const expected = await cliFindings(dir);
      assert.ok(expected.length > 0, 'the tree has findings to compare');
      assert.deepEqual(await scanFindings(dir), expected);
    });
  }

  it('the Gauge findings are the seeded bug, at the driver’s call into the library', async () => {
    assert.deepEqual(
      (await cliFindings(path.join(repoRoot, 'test/fixtures/projects/gauge'))).map((f) =>
        f.split(' ').slice(0, 3).join(' '),
      ),
      ['driver/device.c:32:5 error KMDF3011'],
    );
  });

  it('the Ferry findings are its seeded bug, seen through the section macro of a header outside the folder', async () => {
    assert.deepEqual(
      (await cliFindings(path.join(repoRoot, 'test/fixtures/projects/ferry/drv'))).map((f) =>
        f.split(' ').slice(0, 3).join(' '),
      ),
      ['queue.c:45:5 warning KMDF2002'],
    );
  });
});
