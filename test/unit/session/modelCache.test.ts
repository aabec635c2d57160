/**
 * The on-disk model cache (session/modelCache.ts, issue 10 §2): a scan that reads its models back
 * gives what a fresh analysis gives; a corrupt or foreign entry is ignored with a log line, never a
 * crash; another server build (version or code) reads none of this one's entries.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSettings } from '../../../shared/settings';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { createAnalysisSession } from '../../../server/src/session/analysisSession';
import { DriverDocuments } from '../../../server/src/session/documents';
import { ModelCache } from '../../../server/src/session/modelCache';
import { Logger, silentLogger } from '../../../server/src/util/logger';
import { testIndex } from '../../support/testIndex';
import { lampDir } from '../features/lampContext';

/** Scan the Lamp driver with a cache; the models by URI and every file's findings. */
async function scanWith(cache: ModelCache | undefined) {
  const index = testIndex();
  const session = createAnalysisSession(
    () => index,
    silentLogger,
    () => [lampDir],
    { modelCache: () => cache },
  );
  const documents = new DriverDocuments(session.fileAnalyzer, session.workspace, silentLogger);
  await documents.scan([lampDir]);
  const models = new Map<string, DocumentModel>();
  for (const model of session.workspace.models()) models.set(model.uri, model);
  const run = session.rulesRunner((uri) => fs.readFileSync(fileURLToPath(uri), 'utf8'));
  const findings = await run([...models.keys()].sort(), defaultSettings);
  assert.ok(findings && findings.length > 0);
  return { models, findings };
}

describe('model cache on disk', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-model-cache-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a scan that reads its models back equals a fresh analysis, model for model and finding for finding', async () => {
    const fresh = await scanWith(undefined);
    const first = new ModelCache(dir, 'test build 1', silentLogger);
    await scanWith(first);
    assert.equal(first.hits, 0);
    assert.ok(first.misses >= 6, `misses ${first.misses}`);
    const second = new ModelCache(dir, 'test build 1', silentLogger);
    const cached = await scanWith(second);
    assert.equal(second.hits, first.misses, 'every file read back');
    assert.deepEqual([...cached.models.keys()].sort(), [...fresh.models.keys()].sort());
    for (const [uri, model] of fresh.models) assert.deepEqual(cached.models.get(uri), model, uri);
    assert.deepEqual(cached.findings, fresh.findings);
  });

  it("a corrupt entry is ignored and removed with a log line, another text's entry is a miss; the file is analysed", async () => {
    await scanWith(new ModelCache(dir, 'test build 1', silentLogger));
    const folder = fs.readdirSync(dir).map((n) => path.join(dir, n))[0];
    const entries = fs.readdirSync(folder).map((n) => path.join(folder, n));
    fs.writeFileSync(entries[0], 'not a model');
    fs.writeFileSync(entries[1], fs.readFileSync(entries[2])); // another file's entry in this file's slot
    const lines: string[] = [];
    const cache = new ModelCache(dir, 'test build 1', new Logger((_type, message) => lines.push(message), 'info'));
    const fresh = await scanWith(undefined);
    const scanned = await scanWith(cache);
    assert.equal(cache.hits, entries.length - 2);
    assert.equal(lines.filter((l) => /Model cache: .* ignored and removed/.test(l)).length, 1, lines.join('\n'));
    for (const [uri, model] of fresh.models) assert.deepEqual(scanned.models.get(uri), model, uri);
    assert.deepEqual(scanned.findings, fresh.findings);
  });

  it("another server build reads none of this one's entries, and its folder replaces theirs", async () => {
    await scanWith(new ModelCache(dir, 'kmdf-assist 0.1.0 aaaa', silentLogger));
    const other = new ModelCache(dir, 'kmdf-assist 0.1.1 aaaa', silentLogger);
    assert.equal(fs.readdirSync(dir).length, 1, 'the older build folder is gone');
    await scanWith(other);
    assert.equal(other.hits, 0);
  });

  it('keeps one entry per file: a new text replaces the entry of the old one', () => {
    const cache = new ModelCache(dir, 'test build 1', silentLogger);
    const parts = { uri: 'file:///drv/queue.c', language: 'c', context: '', roleTypes: '' };
    const before = cache.keyOf({ ...parts, text: 'int a;\n' });
    const after = cache.keyOf({ ...parts, text: 'int b;\n' });
    const model = (name: string) => ({ uri: parts.uri, name }) as unknown as DocumentModel;
    cache.put(before, model('before'));
    cache.put(after, model('after'));
    const folder = fs.readdirSync(dir).map((n) => path.join(dir, n))[0];
    assert.equal(fs.readdirSync(folder).length, 1);
    assert.equal(cache.get(before), undefined);
    assert.deepEqual(cache.get(after), model('after'));
    assert.ok(cache.get(cache.keyOf({ ...parts, uri: 'file:///drv/other.c', text: 'int b;\n' })) === undefined);
  });
});
