/**
 * `npm run bench`: speed and memory of the engine, measured in one run so that ratios are
 * comparable on a noisy machine. Prints a table; `--json` prints the figures as JSON.
 *
 *   index   reading ../shared/ddi-docs/current (2018 snapshot too) with the docs parsers
 *   catalog loading the embedded catalog into a KnowledgeIndex
 *   parse   a full parse of a large driver file vs one incremental keystroke on it (ratio), and a
 *           burst of 20 keystrokes sent to the server's document queue at once, answered by one request
 *   lint    analysing and linting a generated tree of driver files (ms per file)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ParsedDocument } from '../server/src/analysis/document';
import { createAnalysisSession } from '../server/src/session/analysisBackend';
import { DriverDocuments } from '../server/src/features/documents';
import { silentLogger } from '../server/src/util/logger';
import { readDocsFolder } from '../server/src/knowledge/docs';
import { KnowledgeIndex } from '../server/src/knowledge/knowledgeIndex';
import { analyzeDriver, lintDriver } from '../server/src/session/treeAnalysis';

const root = path.resolve(__dirname, '..');
const shared = path.resolve(root, '../shared');
const figures: Record<string, number | string> = {};

async function time<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const result = await fn();
  figures[label] = Math.round((performance.now() - started) * 10) / 10;
  return result;
}

function exampleSources(): { name: string; text: string }[] {
  const dir = path.join(root, 'examples/echo-dma');
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(c|h)$/.test(f))
    .map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

async function main(): Promise<void> {
  const asJson = process.argv.includes('--json');
  if (fs.existsSync(shared)) {
    const current = await time('index.currentMs', () => readDocsFolder(path.join(shared, 'ddi-docs/current')));
    figures['index.currentPages'] = current.pages.length;
    const old = await time('index.2018Ms', () => readDocsFolder(path.join(shared, 'ddi-docs/2018')));
    figures['index.2018Pages'] = old.pages.length;
  }
  const index = await time('catalog.loadMs', () => KnowledgeIndex.fromCatalog());
  figures['catalog.entries'] = index.entries.length;

  // One large file: every example file concatenated ten times.
  const sources = exampleSources();
  const big = Array.from({ length: 10 }, () =>
    sources
      .filter((s) => s.name.endsWith('.c'))
      .map((s) => s.text)
      .join('\n'),
  ).join('\n');
  figures['parse.lines'] = big.split('\n').length;
  const doc = await time('parse.fullMs', () => ParsedDocument.create('file:///bench/big.c', big, 1));
  const middle = big.indexOf('{', Math.floor(big.length / 2)) + 1;
  const pos = positionAt(big, middle);
  const keystrokes = 20;
  const started = performance.now();
  for (let i = 0; i < keystrokes; i++) {
    await doc.applyChanges(i + 2, [{ range: { start: pos, end: pos }, text: ' ' }]);
  }
  figures['parse.keystrokeMs'] = Math.round(((performance.now() - started) / keystrokes) * 10) / 10;
  figures['parse.fullOverKeystroke'] =
    Math.round(((figures['parse.fullMs'] as number) / figures['parse.keystrokeMs']) * 10) / 10;
  doc.dispose();

  // The same keystrokes as the server receives them when typed faster than the file parses: one
  // didChange each, then a request. Versions nobody waits on are skipped.
  const session = createAnalysisSession(
    () => index,
    silentLogger,
    () => [],
  );
  const documents = new DriverDocuments(session.backend, session.workspace, silentLogger);
  const uri = 'file:///bench/typed.c';
  documents.didOpen(uri, big, 1, 'c');
  await documents.current(uri);
  const burstStarted = performance.now();
  for (let i = 0; i < keystrokes; i++)
    documents.didChange(uri, [{ range: { start: pos, end: pos }, text: ' ' }], i + 2);
  await documents.current(uri);
  figures['parse.burstOf20Ms'] = Math.round((performance.now() - burstStarted) * 10) / 10;
  documents.didClose(uri);

  // A tree of 50 copies of the example driver (one project each).
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-bench-'));
  for (let i = 0; i < 50; i++) {
    const dir = path.join(tree, `driver${i}`);
    fs.mkdirSync(dir);
    for (const s of sources) fs.writeFileSync(path.join(dir, s.name), s.text);
  }
  const driver = await time('lint.analyzeMs', () => analyzeDriver([tree], index));
  const result = await time('lint.rulesMs', () => lintDriver(driver, { index }));
  figures['lint.files'] = driver.texts.size;
  figures['lint.findings'] = result.findings.length;
  figures['lint.msPerFile'] =
    Math.round(
      (((figures['lint.analyzeMs'] as number) + (figures['lint.rulesMs'] as number)) / driver.texts.size) * 100,
    ) / 100;
  figures['memory.heapUsedMB'] = Math.round(process.memoryUsage().heapUsed / 1e6);
  fs.rmSync(tree, { recursive: true, force: true });

  if (asJson) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  else for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(26)} ${v}\n`);
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
