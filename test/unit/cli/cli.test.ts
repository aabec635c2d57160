// Runs the bundled CLI (dist/cli.js, built from the sources under test) as a user would.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distDir, ensureBundle } from '../../support/bundle';
import { repoRoot, sharedDir } from '../../support/paths';

const cli = path.join(distDir, 'cli.js');

function kmdf(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kmdf command line', function () {
  this.timeout(60_000);
  before(() => ensureBundle());

  for (const sub of ['index', 'show', 'lint', 'callbacks', 'serve']) {
    it(`has --help for ${sub}`, () => {
      const r = kmdf(sub, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: kmdf ${sub}`));
    });
  }

  it('exits 2 with a clear message on an unknown option, an unknown command and a missing folder', () => {
    const badOption = kmdf('index', '--frobnicate');
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /unknown option '--frobnicate'/);
    const badCommand = kmdf('frobnicate');
    assert.equal(badCommand.code, 2);
    assert.match(badCommand.stderr, /unknown command 'frobnicate'/);
    const missing = kmdf('index', '--docs', '/nonexistent/docs');
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'kmdf: --docs /nonexistent/docs: no such folder\n');
    const notFolder = kmdf('show', '--headers', path.join(repoRoot, 'package.json'), 'WdfIoQueueCreate');
    assert.equal(notFolder.code, 2);
    assert.match(notFolder.stderr, /--headers .*package\.json: not a folder/);
  });

  it('shows an entry as JSON in the public shape', () => {
    const r = kmdf('show', '--json', 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(r.code, 0, r.stderr);
    const [entry] = JSON.parse(r.stdout);
    assert.equal(entry.name, 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(entry.kind, 'callback');
    assert.equal(entry.header, 'wdfio.h');
    assert.equal(entry.returns, 'VOID');
    assert.deepEqual(
      entry.params.map((p: { name: string; type: string; direction: string }) => [p.name, p.type, p.direction]),
      [
        ['Queue', 'WDFQUEUE', 'in'],
        ['Request', 'WDFREQUEST', 'in'],
        ['ActionFlags', 'ULONG', 'in'],
      ],
    );
    assert.equal(entry.irql.max, 'DISPATCH_LEVEL');
    assert.equal(entry.kmdf, '1.0');
    assert.equal(entry.umdf, '2.0');
    assert.deepEqual(entry.frameworks, ['KMDF', 'UMDF']);
    assert.equal(
      entry.docsUrl,
      'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
    );
    assert.ok(Array.isArray(entry.flags));
    assert.ok(entry.sources.includes('wdf-signatures:kmdf-1.33'));
  });

  it('reads the description from a docs folder with --docs', () => {
    const r = kmdf(
      'show',
      '--json',
      '--docs',
      path.join(sharedDir, 'ddi-docs/current/wdfio'),
      'EVT_WDF_IO_QUEUE_IO_STOP',
    );
    assert.equal(r.code, 0, r.stderr);
    const [entry] = JSON.parse(r.stdout);
    assert.equal(typeof entry.description, 'string');
    assert.match(entry.description, /EvtIoStop/);
  });

  it('prints suggestions and exits 1 for an unknown name', () => {
    const r = kmdf('show', 'WdfIoQueueCreat');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^kmdf: no entry named WdfIoQueueCreat; did you mean: WdfIoQueueCreate/);
  });

  it('indexes a docs folder alone with --no-catalog and lists skipped files with reasons', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-cli-'));
    try {
      fs.copyFileSync(
        path.join(sharedDir, 'ddi-docs/current/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md'),
        path.join(dir, 'nc-wdfio-evt_wdf_io_queue_io_stop.md'),
      );
      fs.writeFileSync(path.join(dir, 'empty.md'), '');
      fs.writeFileSync(path.join(dir, 'binary.md'), Buffer.from([0, 1, 2, 3, 0, 255]));
      const r = kmdf('index', '--json', '--no-catalog', '--docs', dir);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out), ['callbacks', 'methods', 'structs', 'enums', 'skipped', 'ms']);
      assert.equal(out.callbacks, 1);
      assert.equal(out.methods, 0);
      assert.deepEqual(out.skipped.map((s: { file: string }) => path.basename(s.file)).sort(), [
        'binary.md',
        'empty.md',
      ]);
      for (const s of out.skipped) assert.ok(s.reason.length > 5, s.reason);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints no terminal control sequence from a page or a name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-cli-esc-'));
    try {
      const esc = '\u001b';
      fs.writeFileSync(
        path.join(dir, 'nc-wdfio-evt_x.md'),
        `---\nUID: NC:wdfio.EVT_X\nreq.header: wdfio.h\n---\n\n## -description\n\nTurns ${esc}[31mred${esc}[0m and ${esc}]0;a title\u0007 \u009b2J here.\n`,
      );
      const r = kmdf('show', '--docs', dir, '--no-catalog', 'EVT_X');
      assert.equal(r.code, 0);
      assert.equal(
        r.stdout,
        `EVT_X  (callback, wdfio.h)\n  wdfio.h\n\n  Turns [31mred[0m and ]0;a title 2J here.\n\n  docs: https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_x\n  sources: docs:${dir}\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
