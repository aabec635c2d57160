/**
 * dist/server.js's code cache (server/src/launch.ts): a file run with a cache folder writes the cache
 * of what it compiled, the next run of the same file uses it, and a changed file, a corrupt cache or
 * a folder that cannot be written leave the file running as without one.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launch, runWithCodeCache } from '../../../server/src/launch';

/**
 * A CommonJS file that reports what its module wrapper gave it, and runs a function (compiled lazily).
 * Each run is of a file of its own name: V8 keeps the scripts a process compiled by source and name,
 * and would answer a second compile of the same one from memory without reading the cache at all.
 */
let runs = 0;
function writeScript(dir: string, marker: string): string {
  const file = path.join(dir, `run${++runs}`, 'entry.js');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(
    file,
    `function square(x) { return x * x; }\n` +
      `globalThis.kmdfLaunchTest = { marker: ${JSON.stringify(marker)}, filename: __filename, dirname: __dirname, ` +
      `sep: require('node:path').sep, square: square(7), exportsIsThis: this === module.exports };\n`,
  );
  return file;
}

function report(): Record<string, unknown> {
  return (globalThis as { kmdfLaunchTest?: Record<string, unknown> }).kmdfLaunchTest ?? {};
}

/** What `run` writes to stderr (none of it reaches the test output). */
function stderrOf(run: () => void): string[] {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk: string) => (written.push(String(chunk)), true);
  try {
    run();
  } finally {
    process.stderr.write = write;
  }
  return written;
}

function caches(folder: string): string[] {
  return fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
}

describe('server launch: V8 code cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-launch-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    delete (globalThis as { kmdfLaunchTest?: unknown }).kmdfLaunchTest;
  });

  it('runs the file as a CommonJS module, writes its cache once, and uses it on the next run', () => {
    const file = writeScript(dir, 'one');
    const folder = path.join(dir, 'cache');
    const first = runWithCodeCache(file, folder, 3_600_000);
    assert.equal(first.cacheUsed, false);
    assert.deepEqual(report(), {
      marker: 'one',
      filename: file,
      dirname: path.dirname(file),
      sep: path.sep,
      square: 49,
      exportsIsThis: true,
    });
    assert.deepEqual(caches(folder), []);
    first.writeNow();
    const written = caches(folder);
    assert.equal(written.length, 1);
    assert.match(written[0], /^entry-[0-9a-f]{32}\.v8cache$/);
    assert.equal((fs.statSync(folder).mode & 0o777).toString(8), '700');

    const second = runWithCodeCache(writeScript(dir, 'one'), folder, 3_600_000);
    assert.equal(second.cacheUsed, true);
    assert.equal(report().square, 49);
    // A cache that was used is not written again.
    const before = fs.readFileSync(path.join(folder, written[0]));
    second.writeNow();
    assert.deepEqual(fs.readFileSync(path.join(folder, written[0])), before);
  });

  it('gives a changed file a cache of its own and removes the old one', () => {
    const folder = path.join(dir, 'cache');
    runWithCodeCache(writeScript(dir, 'one'), folder, 3_600_000).writeNow();
    const old = caches(folder);
    const changed = runWithCodeCache(writeScript(dir, 'two'), folder, 3_600_000);
    assert.equal(changed.cacheUsed, false);
    assert.equal(report().marker, 'two');
    changed.writeNow();
    const now = caches(folder);
    assert.equal(now.length, 1);
    assert.notDeepEqual(now, old);
    assert.equal(runWithCodeCache(writeScript(dir, 'two'), folder, 3_600_000).cacheUsed, true);
  });

  it('runs the file as without a cache when the cache is corrupt, and writes a good one', () => {
    const file = writeScript(dir, 'one');
    const folder = path.join(dir, 'cache');
    runWithCodeCache(file, folder, 3_600_000).writeNow();
    const [name] = caches(folder);
    fs.writeFileSync(path.join(folder, name), Buffer.from('not a V8 code cache at all'));
    const run = runWithCodeCache(writeScript(dir, 'one'), folder, 3_600_000);
    assert.equal(run.cacheUsed, false);
    assert.equal(report().square, 49);
    run.writeNow();
    assert.equal(runWithCodeCache(writeScript(dir, 'one'), folder, 3_600_000).cacheUsed, true);
  });

  it('neither reads nor writes a cache in a folder any user may write, and says so', function () {
    if (process.platform === 'win32') this.skip();
    const folder = path.join(dir, 'shared');
    fs.mkdirSync(folder);
    fs.chmodSync(folder, 0o777);
    const written = stderrOf(() => launch(folder, writeScript(dir, 'one')));
    assert.equal(report().square, 49);
    assert.deepEqual(written, [`kmdf: code cache not used: cache folder ${folder} is writable by every user\n`]);
    assert.deepEqual(caches(folder), []);
    // The user's own folder is taken (on Node 22 and later by Node's own cache, which writes it at exit).
    fs.chmodSync(folder, 0o700);
    let run: ReturnType<typeof launch>;
    assert.deepEqual(
      stderrOf(() => (run = launch(folder, writeScript(dir, 'two')))),
      [],
    );
    assert.equal(report().marker, 'two');
    if (run) {
      run.writeNow();
      assert.equal(caches(folder).length, 1);
    }
  });

  it('runs the file when the folder cannot be made, with one line saying so', () => {
    const file = writeScript(dir, 'one');
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const folder = path.join(blocked, 'cache');
    const run = runWithCodeCache(file, folder, 3_600_000);
    assert.equal(report().square, 49);
    const written = stderrOf(() => run.writeNow());
    assert.equal(written.length, 1);
    assert.match(written[0], /^kmdf: code cache not written to .*a-file.cache: /);
  });
});
