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
import type { Connection, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { defaultSettings } from '../../../shared/settings';
import { analyzeText, languageOf } from '../../../server/src/analysis';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { DocsTextProvider } from '../../../server/src/docsText/provider';
import { analysisOptions, createAnalysisSession } from '../../../server/src/session/analysisSession';
import type { FeatureContext } from '../../../server/src/session/context';
import { DiagnosticsFeature } from '../../../server/src/features/diagnostics';
import { DriverDocuments } from '../../../server/src/session/documents';
import { positionAt } from '../../../server/src/session/lsp';
import { silentLogger } from '../../../server/src/util/logger';
import { testIndex } from '../../support/testIndex';
import { repoRoot } from '../../support/paths';

const fixtures = [
  'echo/queue.c',
  'echo/driver.c',
  'echo/echo.h',
  'dma/dma.c',
  'legacy/legacy.c',
  'control/control.cpp',
];
const driversDir = path.join(repoRoot, 'test/fixtures/drivers');

/** The server's pieces in-process, with a connection that only records publishDiagnostics. */
function serverFor(folder: string) {
  const index = testIndex();
  const session = createAnalysisSession(
    () => index,
    silentLogger,
    () => [folder],
  );
  const documents = new DriverDocuments(session.fileAnalyzer, session.workspace, silentLogger);
  const ctx: FeatureContext = {
    index: () => index,
    settings: () => defaultSettings,
    documents,
    project: session.view,
    docs: new DocsTextProvider({ online: false, baseUrl: '' }, () => undefined, silentLogger),
    logger: silentLogger,
  };
  const diagnostics = new DiagnosticsFeature(
    ctx,
    session.rulesRunner((uri) => documents.text(uri)),
    (id) => `https://rules.test/${id}`,
  );
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { version: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const connection = {
    sendDiagnostics(p: PublishDiagnosticsParams) {
      published.push(p);
      for (const w of waiters.splice(0)) {
        if ((p.version ?? -1) >= w.version) w.resolve(p);
        else waiters.push(w);
      }
      return Promise.resolve();
    },
    languages: { diagnostics: { on: () => ({ dispose: () => undefined }) } },
  } as unknown as Connection;
  diagnostics.register(connection);
  /** The first publish about `version` or later (the test's timeout catches one that never comes). */
  const publishedFor = (version: number) =>
    new Promise<PublishDiagnosticsParams>((resolve) => {
      const done = published.find((p) => (p.version ?? -1) >= version);
      if (done) resolve(done);
      else waiters.push({ version, resolve });
    });
  return { documents, diagnostics, publishedFor, index };
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
});

/** A step: one didChange with one to three ranged changes, then either wait for its diagnostics or not. */
const step = fc.record({ changes: fc.array(edit, { minLength: 1, maxLength: 3 }), wait: fc.boolean() });

function withoutVersion(model: DocumentModel): unknown {
  return { ...model, version: 0 };
}

describe('incremental analysis and diagnostics equal a fresh analysis', function () {
  this.timeout(180_000);

  it('after random edit sequences on the driver fixtures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        async (fixture, steps) => {
          const file = path.join(driversDir, fixture);
          const uri = pathToFileURL(file).href;
          const languageId = languageOf(file) === 'cpp' ? 'cpp' : 'c';
          let text = fs.readFileSync(file, 'utf8');
          const server = serverFor(path.dirname(file));
          server.documents.didOpen(uri, text, 1, languageId);
          await server.publishedFor(1);
          let version = 1;
          for (const s of steps) {
            const changes: TextDocumentContentChangeEvent[] = [];
            for (const e of s.changes) {
              const start = Math.floor(e.at * text.length);
              const end = Math.min(text.length, start + e.remove);
              changes.push({ range: { start: positionAt(text, start), end: positionAt(text, end) }, text: e.insert });
              text = text.slice(0, start) + e.insert + text.slice(end);
            }
            version++;
            server.documents.didChange(uri, changes, version);
            server.diagnostics.edited(uri, version);
            if (!s.wait) continue;
            // Each version waited for is itself what a fresh analysis of its text gives (the caches
            // of unchanged bodies are used at every step, not only at the last).
            const published = await server.publishedFor(version);
            const reference = serverFor(path.dirname(file));
            reference.documents.didOpen(uri, text, 1, languageId);
            assert.deepEqual(published.diagnostics, (await reference.publishedFor(1)).diagnostics);
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

          const reference = serverFor(path.dirname(file));
          reference.documents.didOpen(uri, text, 1, languageId);
          const expected = await reference.publishedFor(1);
          assert.equal(last.version, version);
          assert.deepEqual(last.diagnostics, expected.diagnostics);
          server.diagnostics.dispose();
          reference.diagnostics.dispose();
          server.documents.didClose(uri);
          reference.documents.didClose(uri);
        },
      ),
      { seed: 20260601, numRuns: 40, endOnFailure: true },
    );
  });
});
