/**
 * The edited document first (issue 10 §2, latency): the workspace-wide checks give way through
 * `editorChecksDone`, which waits while a document just edited has its newest version to check, so
 * they do not take turns with the check the user is waiting for.
 */
import { strict as assert } from 'node:assert';
import type { Connection, PublishDiagnosticsParams } from 'vscode-languageserver';
import { DiagnosticsFeature } from '../../../server/src/features/diagnostics';
import type { RulesRunner } from '../../../server/src/session/analysisSession';
import { lampContext } from './lampContext';

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the edited document first', () => {
  it('background work waits for the check of an edit, and goes on once it is published', async () => {
    const ctx = await lampContext();
    const real = ctx.session.rulesRunner((u) => ctx.documents.text(u));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let checkOfEditStarted!: () => void;
    const started = new Promise<void>((resolve) => (checkOfEditStarted = resolve));
    let calls = 0;
    const runner: RulesRunner = async (uris, settings, token) => {
      if (++calls === 2) {
        checkOfEditStarted();
        await held;
      }
      return real(uris, settings, token);
    };
    const diagnostics = new DiagnosticsFeature(ctx, runner);
    const published: PublishDiagnosticsParams[] = [];
    let onPublish = () => undefined as void;
    diagnostics.register({
      sendDiagnostics(p: PublishDiagnosticsParams) {
        published.push(p);
        onPublish();
        return Promise.resolve();
      },
      languages: { diagnostics: { on: () => ({ dispose: () => undefined }) } },
    } as unknown as Connection);

    const { uri } = ctx.open('queue.c');
    const first = new Promise<void>((resolve) => (onPublish = () => void (published.length && resolve())));
    await first;
    // Nothing edited is waiting: background work goes on at once.
    await diagnostics.editorChecksDone();

    const at = { line: 0, character: 0 };
    ctx.documents.didChange(uri, [{ range: { start: at, end: at }, text: ' ' }], 2);
    diagnostics.edited(uri, 2);
    let done = false;
    const waiting = diagnostics.editorChecksDone().then(() => (done = true));
    await started;
    await turns(20);
    assert.equal(done, false, 'the background waits while the edit is checked');
    const second = new Promise<void>(
      (resolve) => (onPublish = () => void (published.some((p) => p.version === 2) && resolve())),
    );
    release();
    await second;
    await waiting;
    assert.equal(done, true);
    diagnostics.dispose();
  });
});
