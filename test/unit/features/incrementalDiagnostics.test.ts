/**
 * The incremental path gives what a fresh analysis gives: random edit sequences (fast-check, fixed
 * seed, bounded) on the driver fixtures, sent as the server receives them (ranged didChange events,
 * some waited for and some in bursts that skip versions), must publish, for each version waited
 * for, the diagnostics of a fresh analysis of its text, and end with the published diagnostics and
 * the document model of a fresh analysis of the final text.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { analyzeText, languageOf } from '../../../server/src/analysis';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { analysisOptions } from '../../../server/src/session/analysisSession';
import { positionAt } from '../../../server/src/session/lsp';
import { diagnosticsServer } from '../../support/diagnosticsServer';
import { repoRoot } from '../../support/paths';

/**
 * The driver fixtures, and files with findings in many functions (those are what reuse moves): the
 * examples of violations, and the findings-reuse fixture.
 */
const fixtures = [
  'test/fixtures/drivers/echo/queue.c',
  'test/fixtures/drivers/echo/driver.c',
  'test/fixtures/drivers/echo/echo.h',
  'test/fixtures/drivers/dma/dma.c',
  'test/fixtures/drivers/legacy/legacy.c',
  'test/fixtures/drivers/control/control.cpp',
  ...['examples/violations-contracts.c', 'examples/violations-irql.c', 'test/fixtures/reuse/queue.c'].flatMap((f) => [
    f,
    f,
  ]),
];

/**
 * `scanned`: the folder is scanned first, as a workspace folder is, so the document opens with the
 * model the scan read from disk (its first check and edits take the path of such a document); the
 * reference then analyses every open document (the plain path).
 */
async function serverFor(folder: string, scanned = false, reference = false) {
  const server = diagnosticsServer(
    folder,
    (id) => `https://rules.test/${id}`,
    scanned && reference ? { reuseDiskModels: false } : undefined,
  );
  if (scanned) await server.documents.scan([folder]);
  return server;
}

/** Inserted text: tokens that move braces, comments, conditionals, annotations and calls around. */
const insertion = fc.constantFrom(
  '',
  ' ',
  '\n',
  'x',
  ';',
  '{',
  '}',
  '(',
  ')',
  '/*',
  '*/',
  '//',
  '"',
  '#if 0\n',
  '#endif\n',
  '#ifdef DBG\n',
  '#else\n',
  'PAGED_CODE();\n',
  'WdfRequestComplete(Request, STATUS_SUCCESS);\n',
  '_IRQL_requires_max_(DISPATCH_LEVEL)\n',
  'return;',
  'if (x) ',
  'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;\n',
);

const edit = fc.record({
  /** Where, as a fraction of the text length (so it fits whatever the text is by then). */
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.nat({ max: 8 }),
  insert: insertion,
  /** For a step of `line` edits: put before the line, or the line removed when ''. */
  line: fc.constantFrom('', '\n', '// a comment\n', '\t/* here */ x++;\n', '#define MOVED 1\n'),
});

/**
 * A step: one didChange with one to three ranged changes, then either wait for its diagnostics or
 * not. Its changes are of one `shape`: `text`, as drawn; `indent`, a space added at or removed from
 * a line's start (the other functions' findings are then reused, at other offsets); `line`, a whole
 * line added or removed (in a body, the functions after it move to other lines and the findings of
 * rules that read only their function are reused there, moved).
 */
const step = fc.record({
  changes: fc.array(edit, { minLength: 1, maxLength: 3 }),
  shape: fc.constantFrom('text', 'indent', 'line'),
  wait: fc.boolean(),
});

function withoutVersion(model: DocumentModel): unknown {
  return { ...model, version: 0 };
}

describe('incremental analysis and diagnostics equal a fresh analysis', function () {
  this.timeout(180_000);

  it('after random edit sequences on the driver fixtures', async () => {
    await randomEdits(false);
  });

  it('after random edit sequences on a document opened with the model its folder’s scan read from disk', async () => {
    const { firstEditReused, diskModels } = await randomEdits(true);
    assert.ok(diskModels > 0, 'documents opened with their disk model');
    // The check on open keeps its findings for the first edit, as after an open that was analysed.
    assert.ok(firstEditReused > 0, `findings reused by first edits: ${firstEditReused}`);
  });

  async function randomEdits(scanned: boolean) {
    // Findings of functions (findingsReuse.ts) taken from the check before, over all runs.
    let reused = 0;
    // Of those, the ones a first edit waited for took from the check on open; and how many opens took the disk model.
    let firstEditReused = 0;
    let diskModels = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        async (fixture, steps) => {
          const file = path.join(repoRoot, fixture);
          const uri = pathToFileURL(file).href;
          const languageId = languageOf(file) === 'cpp' ? 'cpp' : 'c';
          let text = fs.readFileSync(file, 'utf8');
          const server = await serverFor(path.dirname(file), scanned);
          const reusedBefore = server.runRules.findingsReuse?.reused ?? 0;
          server.documents.didOpen(uri, text, 1, languageId);
          await server.publishedFor(1);
          diskModels += server.session.fileAnalyzer.reusedDiskModels ?? 0;
          let version = 1;
          for (const s of steps) {
            const changes: TextDocumentContentChangeEvent[] = [];
            for (const e of s.changes) {
              let start = Math.floor(e.at * text.length);
              let end = Math.min(text.length, start + e.remove);
              let insert: string = e.insert;
              if (s.shape !== 'text') {
                // A line that starts a statement (it follows a `;`, `{` or `}` at a line's end), for
                // `line` an indented one (mostly in a body).
                const starts = [
                  ...text.matchAll(s.shape === 'line' ? /[;{}][ \t]*\r?\n(?=[ \t])/g : /[;{}][ \t]*\r?\n/g),
                ].map((m) => m.index + m[0].length);
                start = starts.length ? starts[Math.floor(e.at * starts.length)] : 0;
              }
              if (s.shape === 'indent') {
                end = e.remove % 2 && text[start] === ' ' ? start + 1 : start;
                insert = end > start ? '' : ' ';
              } else if (s.shape === 'line') {
                const next = text.indexOf('\n', start);
                end = e.line || next < 0 ? start : next + 1;
                insert = e.line;
              }
              changes.push({ range: { start: positionAt(text, start), end: positionAt(text, end) }, text: insert });
              text = text.slice(0, start) + insert + text.slice(end);
            }
            version++;
            server.documents.didChange(uri, changes, version);
            server.diagnostics.edited(uri, version);
            if (!s.wait) continue;
            // Each version waited for is itself what a fresh analysis of its text gives (the caches
            // of unchanged bodies are used at every step, not only at the last).
            const reusedBeforeEdit = server.runRules.findingsReuse?.reused ?? 0;
            const published = await server.publishedFor(version);
            if (version === 2) firstEditReused += (server.runRules.findingsReuse?.reused ?? 0) - reusedBeforeEdit;
            const reference = await serverFor(path.dirname(file), scanned, true);
            reference.documents.didOpen(uri, text, 1, languageId);
            assert.deepEqual(published.diagnostics, (await reference.publishedFor(1)).diagnostics);
            // The findings too, with the offsets of their places (reused ones moved by offset and line).
            assert.deepEqual(server.checked.findings, reference.checked.findings);
            reference.diagnostics.dispose();
            reference.documents.didClose(uri);
          }
          const last = await server.publishedFor(version);
          assert.equal(server.documents.text(uri), text);
          const current = await server.documents.current(uri);
          const fresh = await analyzeText(
            uri,
            text,
            languageOf(file),
            analysisOptions(() => server.index),
          );
          assert.deepEqual(withoutVersion(current!.model), withoutVersion(fresh));

          const reference = await serverFor(path.dirname(file), scanned, true);
          reference.documents.didOpen(uri, text, 1, languageId);
          const expected = await reference.publishedFor(1);
          assert.equal(last.version, version);
          assert.deepEqual(last.diagnostics, expected.diagnostics);
          assert.deepEqual(server.checked.findings, reference.checked.findings);
          reused += (server.runRules.findingsReuse?.reused ?? 0) - reusedBefore;
          server.diagnostics.dispose();
          reference.diagnostics.dispose();
          server.documents.didClose(uri);
          reference.documents.didClose(uri);
        },
      ),
      { seed: 20260601, numRuns: 40, endOnFailure: true },
    );
    // Not vacuous: the indentation edits had findings reused.
    assert.ok(reused > 50, `findings reused: ${reused}`);
    return { firstEditReused, diskModels };
  }
});
