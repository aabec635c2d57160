/**
 * DriverDocuments: versions are analysed in order, a request gets the model of the version it was
 * made on, and versions nobody waits on are skipped when a newer one is queued.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationToken, type CompletionList, type CompletionParams, type Connection } from 'vscode-languageserver';
import { defaultSettings } from '../../../shared/settings';
import { analyzeText } from '../../../server/src/analysis/parse';
import { DocsTextProvider } from '../../../server/src/docsText/provider';
import { CompletionFeature } from '../../../server/src/features/completion';
import { createAnalysisSession } from '../../../server/src/session/analysisSession';
import { withCancellation } from '../../../server/src/util/requestScope';
import { lampDir, positionOf } from './lampContext';
import { testIndex } from '../../support/testIndex';
import { WorkspaceModel } from '../../../server/src/analysis/workspace';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { DriverDocuments, type FileAnalyzer } from '../../../server/src/session/documents';
import { silentLogger } from '../../../server/src/util/logger';

/** A file analyzer that analyses for real but only when the test releases it, and records each call. */
class GatedAnalyzer implements FileAnalyzer {
  readonly calls: { version: number; text: string; withChanges: boolean }[] = [];
  private gates: (() => void)[] = [];

  async analyze(
    uri: string,
    text: string,
    version: number,
    _language: 'c' | 'cpp',
    changes?: unknown[],
  ): Promise<DocumentModel> {
    this.calls.push({ version, text, withChanges: !!changes?.length });
    await new Promise<void>((resolve) => this.gates.push(resolve));
    return analyzeText(uri, text, 'c', { version });
  }

  /** Open the gates as analyses arrive until `until` settles; yields to the event loop, never sleeps. */
  async drain<T>(until: Promise<T>): Promise<T> {
    let settled = false;
    void until.finally(() => (settled = true));
    while (!settled) {
      while (this.gates.length) this.gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
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

const uri = 'file:///drv/queue.c';
const insertAtEnd = (text: string, added: string) => {
  const lines = text.split('\n');
  const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
  return [{ range: { start: end, end }, text: added }];
};

describe('DriverDocuments: analysis queue', () => {
  it('skips versions typed while an analysis ran, and analyses the newest with the whole text', async () => {
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger);
    let text = 'void A(void) {}\n';
    documents.didOpen(uri, text, 1, 'c');
    for (let v = 2; v <= 6; v++) {
      const added = `void F${v}(void) {}\n`;
      documents.didChange(uri, insertAtEnd(text, added), v);
      text += added;
    }
    const current = await analyzer.drain(documents.current(uri));
    // Even the opening version was superseded before its turn came.
    assert.deepEqual(
      analyzer.calls.map((c) => [c.version, c.withChanges]),
      [[6, false]],
    );
    assert.equal(current?.version, 6);
    assert.deepEqual(
      current?.model.functions.map((f) => f.name),
      ['A', 'F2', 'F3', 'F4', 'F5', 'F6'],
    );
  });

  it('still analyses a version a request waits on, and passes the edits when nothing was skipped', async () => {
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, new WorkspaceModel(), silentLogger);
    let text = 'void A(void) {}\n';
    documents.didOpen(uri, text, 1, 'c');
    assert.deepEqual(
      (await analyzer.drain(documents.current(uri)))?.model.functions.map((f) => f.name),
      ['A'],
    );
    documents.didChange(uri, insertAtEnd(text, 'void B(void) {}\n'), 2);
    text += 'void B(void) {}\n';
    const atTwo = documents.current(uri);
    documents.didChange(uri, insertAtEnd(text, 'void C(void) {}\n'), 3);
    documents.didChange(uri, insertAtEnd(text + 'void C(void) {}\n', 'void D(void) {}\n'), 4);
    const atFour = documents.current(uri);
    assert.deepEqual(
      (await analyzer.drain(atTwo))?.model.functions.map((f) => f.name),
      ['A', 'B'],
    );
    assert.deepEqual(
      (await analyzer.drain(atFour))?.model.functions.map((f) => f.name),
      ['A', 'B', 'C', 'D'],
    );
    assert.deepEqual(
      analyzer.calls.map((c) => [c.version, c.withChanges]),
      [
        [1, false],
        [2, true],
        [4, false],
      ],
    );
  });
});

describe('DriverDocuments: requests answered from the ready model', () => {
  /** Event-loop turns a request may take without any analysis being let through (no clock involved). */
  const TURNS = 50;
  const notAnswered = Symbol('not answered');
  async function within<T>(answer: Promise<T>): Promise<T | typeof notAnswered> {
    let turns = 0;
    const stalled = new Promise<typeof notAnswered>((resolve) => {
      const turn = () => (++turns >= TURNS ? resolve(notAnswered) : setImmediate(turn));
      setImmediate(turn);
    });
    return Promise.race([answer, stalled]);
  }

  /** The completion feature over Lamp, its document's analyses gated, its requests through the server's request scope. */
  async function gatedCompletion() {
    const index = testIndex();
    const session = createAnalysisSession(
      () => index,
      silentLogger,
      () => [lampDir],
    );
    const analyzer = new GatedAnalyzer();
    const documents = new DriverDocuments(analyzer, session.workspace, silentLogger);
    const feature = new CompletionFeature({
      index: () => index,
      settings: () => defaultSettings,
      documents,
      project: session.view,
      docs: new DocsTextProvider({ online: false, baseUrl: '' }, () => undefined, silentLogger),
      logger: silentLogger,
    });
    let handler: ((params: CompletionParams, token: CancellationToken) => Promise<CompletionList | null>) | undefined;
    feature.register(withCancellation({ onCompletion: (h: typeof handler) => (handler = h) } as unknown as Connection));
    const complete = (params: CompletionParams) => handler!(params, CancellationToken.None);
    return { analyzer, documents, complete };
  }

  const file = path.join(lampDir, 'queue.c');
  const lampUri = pathToFileURL(file).href;
  const text = fs
    .readFileSync(file, 'utf8')
    .replace('    queueConfig.EvtIoStop = LampEvtIoStop;\n', '    queueConfig.EvtIoStop = \n');
  const at = positionOf(text, 'queueConfig.EvtIoStop = \n', 24);

  it('answers a completion while the same text is analysed again (an edit undone), without waiting for it', async () => {
    const { analyzer, documents, complete } = await gatedCompletion();
    documents.didOpen(lampUri, text, 1, 'c');
    await analyzer.drain(documents.current(lampUri));
    const end = positionOf(text, 'queueConfig.EvtIoStop = \n', 24);
    documents.didChange(lampUri, [{ range: { start: end, end }, text: 'x' }], 2);
    documents.didChange(
      lampUri,
      [{ range: { start: end, end: { ...end, character: end.character + 1 } }, text: '' }],
      3,
    );
    assert.equal(documents.text(lampUri), text);
    // No gate is opened: an answer that waited for version 3's analysis would never come.
    const answer = await within(complete({ textDocument: { uri: lampUri }, position: at }));
    assert.notEqual(answer, notAnswered);
    assert.deepEqual(
      (answer as CompletionList).items.map((i) => i.label),
      ['new EvtIoStop callback…'],
    );
    assert.deepEqual(
      analyzer.calls.map((c) => c.version),
      [1],
    );
  });

  it('still waits when the text differs from the ready model', async () => {
    const { analyzer, documents, complete } = await gatedCompletion();
    documents.didOpen(lampUri, text, 1, 'c');
    await analyzer.drain(documents.current(lampUri));
    const end = positionOf(text, 'queueConfig.EvtIoStop = \n', 24);
    documents.didChange(lampUri, [{ range: { start: end, end }, text: 'L' }], 2);
    const answer = complete({ textDocument: { uri: lampUri }, position: { ...at, character: at.character + 1 } });
    assert.equal(await within(answer), notAnswered);
    const list = await analyzer.drain(answer);
    assert.deepEqual(
      list?.items.map((i) => i.label),
      ['new EvtIoStop callback…'],
    );
    assert.deepEqual(
      analyzer.calls.map((c) => c.version),
      [1, 2],
    );
  });
});

describe('DriverDocuments.whenScanned: answers about the whole project wait for the start-up scan', () => {
  /** A file analyzer whose scan ends when the test says, with one header model. */
  class SlowScanAnalyzer extends GatedAnalyzer {
    private finish?: () => void;
    override async scan(): Promise<DocumentModel[]> {
      await new Promise<void>((resolve) => (this.finish = resolve));
      return [await analyzeText('file:///drv/driver.h', 'EVT_WDF_DRIVER_DEVICE_ADD DrvEvtDeviceAdd;\n', 'c')];
    }
    end(): void {
      this.finish?.();
    }
  }
  const state = (p: Promise<void>) =>
    Promise.race([p.then(() => 'resolved'), new Promise((resolve) => setImmediate(() => resolve('pending')))]);

  it('stays pending while the scan reads, and resolves once its models are in the workspace', async () => {
    const analyzer = new SlowScanAnalyzer();
    const workspace = new WorkspaceModel();
    const documents = new DriverDocuments(analyzer, workspace, silentLogger);
    const scanned = documents.whenScanned();
    const scan = documents.scan(['/drv']);
    assert.equal(await state(scanned), 'pending');
    analyzer.end();
    await scanned;
    assert.ok(workspace.get('file:///drv/driver.h'), 'the header is in the workspace when whenScanned resolves');
    assert.equal(await scan, 1);
    assert.equal(await state(documents.whenScanned()), 'resolved', 'later calls do not wait');
  });

  it('gives up waiting after its bound, so a scan that never ends holds no request forever', async () => {
    const documents = new DriverDocuments(new SlowScanAnalyzer(), new WorkspaceModel(), silentLogger);
    void documents.scan(['/drv']);
    await documents.whenScanned(1);
  });
});
