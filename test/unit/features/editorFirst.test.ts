/**
 * The edited document first (issue 10 §2, latency): the workspace-wide checks give way through
 * `editorChecksDone`, which waits while a document just edited has its newest version to check, so
 * they do not take turns with the check the user is waiting for.
 */
import { strict as assert } from 'node:assert';
import type { RulesRunner } from '../../../server/src/session/analysisSession';
import { lampContext, publishingDiagnostics } from './lampContext';

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
    const { diagnostics, whenPublished } = publishingDiagnostics(ctx, runner);

    const { uri } = ctx.open('queue.c');
    await whenPublished(() => true);
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
    const second = whenPublished((p) => p.version === 2);
    release();
    await second;
    await waiting;
    assert.equal(done, true);
    diagnostics.dispose();
  });

  it('background work waits from the open of a document until its first check is published', async () => {
    const ctx = await lampContext();
    const real = ctx.session.rulesRunner((u) => ctx.documents.text(u));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const runner: RulesRunner = async (uris, settings, token) => {
      await held;
      return real(uris, settings, token);
    };
    const { diagnostics, whenPublished } = publishingDiagnostics(ctx, runner);

    // As documentSync.ts does on didOpen: the feature hears of the document before its model is in.
    const { uri } = ctx.open('queue.c');
    diagnostics.opened(uri, 1);
    let done = false;
    const waiting = diagnostics.editorChecksDone().then(() => (done = true));
    await ctx.documents.current(uri);
    await turns(20);
    assert.equal(done, false, 'the background waits while the opened document is analysed and checked');
    const first = whenPublished((p) => p.uri === uri && p.version === 1);
    release();
    await first;
    await waiting;
    assert.equal(done, true);
    diagnostics.dispose();
  });
});
