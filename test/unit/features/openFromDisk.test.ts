/**
 * A document opened with the text the workspace scan read from disk takes the scan's model instead of
 * being analysed again (issue 10 §2, didOpen → first diagnostics), and is parsed for its edits after
 * its first check. What is published must be what the plain path (every open analysed) publishes:
 * on open, and after edits.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { lampContext, lampDir, publishingDiagnostics, type LampContext } from './lampContext';

const files = fs.readdirSync(lampDir).filter((f) => /\.[ch]$/.test(f));

/** Open every Lamp file as on disk, then edit each; every publication, by URI and version. */
async function openAndEdit(ctx: LampContext): Promise<Map<string, PublishDiagnosticsParams>> {
  const runner = ctx.session.rulesRunner((u) => ctx.documents.text(u));
  const { diagnostics, published, whenPublished } = publishingDiagnostics(ctx, runner);
  const uris: string[] = [];
  for (const file of files) {
    const { uri } = ctx.open(file);
    diagnostics.opened(uri, 1);
    uris.push(uri);
    await whenPublished((p) => p.uri === uri && p.version === 1);
  }
  for (const uri of uris) {
    // A call that is a finding in any callback (a wait at the top of a function body) and a new line.
    const text = ctx.documents.text(uri)!;
    const line = text.split('\n').findIndex((l) => /^\{/.test(l));
    const at = { line: Math.max(0, line + 1), character: 0 };
    ctx.documents.didChange(
      uri,
      [{ range: { start: at, end: at }, text: '    KeWaitForSingleObject(0, 0, 0, 0, 0);\n' }],
      2,
    );
    diagnostics.edited(uri, 2);
    await whenPublished((p) => p.uri === uri && p.version === 2);
  }
  diagnostics.dispose();
  return new Map(published.map((p) => [`${p.uri} v${p.version}`, p]));
}

describe('a document opened with its text on disk', () => {
  it('takes the scan’s model and publishes what analysing it again publishes, on open and after an edit', async () => {
    const reusing = await lampContext();
    const plain = await lampContext({ reuseDiskModels: false });
    const reused = await openAndEdit(reusing);
    const analysed = await openAndEdit(plain);

    assert.equal(reusing.session.fileAnalyzer.reusedDiskModels, files.length, 'every open took the disk model');
    assert.equal(plain.session.fileAnalyzer.reusedDiskModels, 0);
    assert.deepEqual([...reused.keys()].sort(), [...analysed.keys()].sort());
    for (const [key, p] of analysed) assert.deepEqual(reused.get(key), p, key);
    const count = (v: number) =>
      [...analysed.values()].filter((p) => p.version === v).reduce((n, p) => n + p.diagnostics.length, 0);
    assert.ok(count(1) > 0 && count(2) > count(1), 'the fixture has findings, and the edit adds some');
  });

  it('takes a model the scan made on a worker thread (as the server does) and publishes the same', async () => {
    const reusing = await lampContext({ jobs: 1 });
    const plain = await lampContext({ reuseDiskModels: false });
    try {
      const reused = await openAndEdit(reusing);
      const analysed = await openAndEdit(plain);
      assert.equal(reusing.session.fileAnalyzer.reusedDiskModels, files.length);
      assert.deepEqual(reused, analysed);
    } finally {
      await reusing.session.dispose();
    }
  });

  it('is analysed when its text differs from the disk’s', async () => {
    const ctx = await lampContext();
    const { uri } = ctx.open('queue.c', fs.readFileSync(`${lampDir}/queue.c`, 'utf8') + '\n');
    await ctx.documents.current(uri);
    assert.equal(ctx.session.fileAnalyzer.reusedDiskModels, 0);
  });
});
