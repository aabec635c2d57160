/**
 * The check of one document just closed (its findings from disk) gives way between slices, so that a
 * document opened meanwhile is checked first (issue 10 §2): it keeps what a run over its project
 * finds in it, and keeps nothing once the document is opened again.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultSettings } from '../../../shared/settings';
import { lampContext, lampDir } from '../features/lampContext';

const settings = { ...defaultSettings, diagnostics: { ...defaultSettings.diagnostics, scope: 'workspace' as const } };
const queue = pathToFileURL(path.join(lampDir, 'queue.c')).href;
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the check of a document closed', () => {
  it('gives way between slices and keeps what the run over its project finds in it', async () => {
    const ctx = await lampContext();
    const run = ctx.session.workspaceChecks(() => undefined);
    await run.run({ settings, pause: immediate, cancelled: () => false });
    const fromRun = run.findingsOf(queue);
    assert.ok(fromRun.length > 0, 'the fixture has findings in queue.c');

    const alone = ctx.session.workspaceChecks(() => undefined);
    let pauses = 0;
    const kept = await alone.checkDocument(queue, settings, {
      pause: () => (pauses++, immediate()),
      sliceMs: 0,
    });
    assert.equal(kept, true);
    assert.ok(pauses > 1, 'it gave way between slices');
    assert.deepEqual(alone.findingsOf(queue), fromRun);
  });

  it('keeps nothing when the document is opened again while it gives way', async () => {
    const ctx = await lampContext();
    const checks = ctx.session.workspaceChecks(() => undefined);
    let open = false;
    const kept = await checks.checkDocument(queue, settings, {
      pause: async () => {
        open = true;
        await immediate();
      },
      wanted: () => !open,
      sliceMs: 0,
    });
    assert.equal(kept, false);
    assert.deepEqual(checks.uris(), []);
  });
});
