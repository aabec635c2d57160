/**
 * Issue 11, items 3, 4 and 9 on DriverDocuments (the request path), with a file analyzer that analyses for
 * real only when the test lets it: the size limit, cancellation, answering an older request from a
 * newer analysis, abandoning an analysis a queued edit makes stale, and versions that go down.
 */
import { strict as assert } from 'node:assert';
import { CancellationTokenSource } from 'vscode-languageserver';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { analyzeText } from '../../../server/src/analysis/parse';
import { WorkspaceModel } from '../../../server/src/analysis/workspace';
import { DriverDocuments, type FileAnalyzer } from '../../../server/src/session/documents';
import { silentLogger } from '../../../server/src/util/logger';
import { withCancellation } from '../../../server/src/util/requestScope';
import { InboundMessages } from '../../../server/src/util/transport';

/** Analyses for real, but each call waits until the test opens its gate; records each call. */
class GatedAnalyzer implements FileAnalyzer {
  readonly calls: number[] = [];
  private gates: (() => void)[] = [];

  async analyze(uri: string, text: string, version: number): Promise<DocumentModel> {
    this.calls.push(version);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    return analyzeText(uri, text, 'c', { version });
  }

  /** Open the gates as analyses arrive until `until` settles (yields to the event loop, never sleeps). */
  async drain<T>(until: Promise<T>): Promise<T> {
    let settled = false;
    void until.finally(() => (settled = true));
    while (!settled) {
      while (this.gates.length) this.gates.shift()!();
      await ticks(1);
    }
    return until;
  }

  close(): void {}
  async scan(): Promise<DocumentModel[]> {
    return [];
  }
  async reload(): Promise<DocumentModel | undefined> {
    return undefined;
  }
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

const uri = 'file:///drv/queue.c';
const names = (model: DocumentModel | undefined) => model?.functions.map((f) => f.name);
const full = (text: string) => [{ text }];

/**
 * A request handler as the server registers it (through withCancellation), asking DriverDocuments
 * for the document at `position`: what the hover and completion features do.
 */
function requestHandler(documents: DriverDocuments) {
  type Handler = (params: { textDocument: { uri: string } }, token: unknown) => unknown;
  let registered: Handler | undefined;
  const connection = withCancellation({
    onRequest: (_method: string, handler: Handler) => void (registered = handler),
  });
  connection.onRequest('test/current', async (params: { textDocument: { uri: string } }) => {
    const current = await documents.current(params.textDocument.uri);
    return current ? { version: current.version, functions: names(current.model) } : null;
  });
  return (line: number, token = new CancellationTokenSource().token) =>
    registered!({ textDocument: { uri }, position: { line, character: 0 } } as never, token) as Promise<unknown>;
}

describe('robustness: the analysis queue of an open document', () => {
  it('a request on an older version is answered from the newer analysis when the text up to its line is unchanged', async () => {
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger);
    const hover = requestHandler(documents);
    const v1 = 'void A(void) {}\nvoid B(void) {}\n';
    documents.didOpen(uri, v1, 1, 'c');
    const onLineZero = hover(0);
    documents.didChange(uri, full(v1 + 'void C(void) {}\n'), 2);
    assert.deepEqual(await analyzer.drain(onLineZero), { version: 2, functions: ['A', 'B', 'C'] });
    assert.deepEqual(analyzer.calls, [2], 'version 1 was never analysed');
  });

  it('a request whose line changed still gets the model of its own version', async () => {
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger);
    const hover = requestHandler(documents);
    documents.didOpen(uri, 'void A(void) {}\n', 1, 'c');
    const onLineZero = hover(0);
    documents.didChange(uri, full('void Z(void) {}\n'), 2);
    assert.deepEqual(await analyzer.drain(onLineZero), { version: 1, functions: ['A'] });
    await analyzer.drain(documents.current(uri));
    assert.deepEqual(analyzer.calls, [1, 2]);
  });

  it('a cancelled request is answered RequestCancelled at once and no longer holds its version for analysis', async () => {
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger);
    const hover = requestHandler(documents);
    documents.didOpen(uri, 'void A(void) {}\n', 1, 'c');
    const source = new CancellationTokenSource();
    const pending = hover(0, source.token);
    source.cancel();
    await assert.rejects(pending, (error: { code?: number }) => error.code === -32800);
    documents.didChange(uri, full('void Z(void) {}\n'), 2);
    assert.deepEqual(names((await analyzer.drain(documents.current(uri)))?.model), ['Z']);
    assert.deepEqual(analyzer.calls, [2], 'the cancelled request did not force version 1');
  });

  it('a request already cancelled when it starts is answered RequestCancelled without running', async () => {
    const documents = new DriverDocuments(new GatedAnalyzer(), new WorkspaceModel(), silentLogger);
    const source = new CancellationTokenSource();
    source.cancel();
    const answer = await requestHandler(documents)(0, source.token);
    assert.equal((answer as { code?: number }).code, -32800);
  });

  it('an analysis is abandoned when a newer version of the document is already read from the client', async () => {
    const analyzer = new GatedAnalyzer();
    const inbound = new InboundMessages();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger, { inbound });
    documents.didOpen(uri, 'void A(void) {}\n', 1, 'c');
    const change = {
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: { textDocument: { uri, version: 2 }, contentChanges: full('void B(void) {}\n') },
    };
    inbound.arrived(change); // read, not yet handled
    await ticks(5);
    assert.deepEqual(analyzer.calls, [], 'version 1 is not analysed while version 2 waits in the queue');
    inbound.dispatched(change);
    documents.didChange(uri, change.params.contentChanges, 2);
    assert.deepEqual(names((await analyzer.drain(documents.current(uri)))?.model), ['B']);
    assert.deepEqual(analyzer.calls, [2]);
  });

  it('queued requests of other documents are handed over before an analysis starts', async () => {
    const analyzer = new GatedAnalyzer();
    const inbound = new InboundMessages();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger, { inbound });
    const request = { jsonrpc: '2.0', id: 7, method: 'textDocument/hover', params: {} };
    inbound.arrived(request);
    documents.didOpen(uri, 'void A(void) {}\n', 1, 'c');
    await ticks(5);
    assert.deepEqual(analyzer.calls, [], 'no analysis while a request waits to be dispatched');
    inbound.dispatched(request);
    await ticks(2);
    assert.deepEqual(analyzer.calls, [1]);
  });

  it('follows the text of a didChange whose version is lower than the current one', async () => {
    const analyzer = new GatedAnalyzer();
    const workspace = new WorkspaceModel();
    const documents = new DriverDocuments(analyzer, workspace, silentLogger);
    documents.didOpen(uri, 'void A(void) {}\n', 5, 'c');
    await analyzer.drain(documents.current(uri));
    documents.didChange(uri, full('void B(void) {}\n'), 3);
    const current = await analyzer.drain(documents.current(uri));
    assert.deepEqual([current?.version, names(current?.model)], [3, ['B']]);
    assert.deepEqual(
      workspace.get(uri)?.functions.map((f) => f.name),
      ['B'],
      'the workspace (what the rules read) holds the newest text',
    );
  });
});

describe('robustness: the size limit of an open document', () => {
  const big = 'void A(void) {}\n' + '/* padding */\n'.repeat(100); // 1,416 bytes

  it('above the limit nothing is analysed, requests answer nothing, and it is said once', async () => {
    const analyzer = new GatedAnalyzer();
    const workspace = new WorkspaceModel();
    const reports: [string, number, number][] = [];
    const documents = new DriverDocuments(analyzer, workspace, silentLogger, {
      maxBytes: () => 1024,
      onTooLarge: (u, bytes, max) => reports.push([u, bytes, max]),
    });
    documents.didOpen(uri, big, 1, 'c');
    documents.didChange(uri, full(big + '\n'), 2);
    assert.equal(await analyzer.drain(documents.current(uri)), undefined);
    assert.deepEqual(analyzer.calls, []);
    assert.deepEqual(reports, [[uri, 1416, 1024]]);
    assert.equal(workspace.get(uri), undefined);
  });

  it('a document that shrinks below the limit is analysed again; growing past it drops its model', async () => {
    const analyzer = new GatedAnalyzer();
    const workspace = new WorkspaceModel();
    let limit = 1024;
    const documents = new DriverDocuments(analyzer, workspace, silentLogger, { maxBytes: () => limit });
    documents.didOpen(uri, 'void A(void) {}\n', 1, 'c');
    await analyzer.drain(documents.current(uri));
    assert.deepEqual(names(workspace.get(uri)), ['A']);
    documents.didChange(uri, full(big), 2);
    assert.equal(await analyzer.drain(documents.current(uri)), undefined);
    assert.equal(workspace.get(uri), undefined, 'the model of the small text no longer stands for the document');
    limit = 4096;
    documents.sizeLimitChanged();
    assert.deepEqual(names((await analyzer.drain(documents.current(uri)))?.model), ['A']);
    assert.deepEqual(analyzer.calls, [1, 2]);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger, { maxBytes: () => 1024 });
    const text = 'void A(void) {}\n// ' + 'é'.repeat(600) + '\n'; // 620 characters, 1,220 bytes
    documents.didOpen(uri, text, 1, 'c');
    assert.equal(await analyzer.drain(documents.current(uri)), undefined);
    assert.deepEqual(analyzer.calls, []);
  });
});
