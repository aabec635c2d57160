/**
 * A stale check is abandoned (issue 10 §2, cancellation): when a newer model of a document arrives
 * while the rules still run on the older one, the older run is told to stop (it stops at its next
 * break, session/projectRules.ts) and publishes nothing; only the newer text's findings are published.
 */
import { strict as assert } from 'node:assert';
import type { RulesRunner } from '../../../server/src/session/analysisSession';
import { runProjectRulesStepped } from '../../../server/src/session/projectRules';
import type { RunToken } from '../../../server/src/util/debounce';
import { lampContext, openedRulesOptions, publishingDiagnostics } from './lampContext';

describe('stale checks are abandoned', () => {
  it('a stepped rules run stops at the first break after it is abandoned', async () => {
    const { options } = await openedRulesOptions();
    let breaks = 0;
    let abandoned = false;
    const giveWay = () => {
      breaks++;
      abandoned = true; // a newer text arrived during the first break
      return Promise.resolve();
    };
    assert.equal(await runProjectRulesStepped(options, giveWay, 0, () => abandoned), undefined);
    assert.equal(breaks, 1);
    // Not abandoned: the whole run, with findings.
    const whole = await runProjectRulesStepped(
      options,
      () => Promise.resolve(),
      0,
      () => false,
    );
    assert.ok(whole && whole.length > 0);
  });

  it('a newer model cancels the running check of the older one, which publishes nothing', async () => {
    const ctx = await lampContext();
    const real = ctx.session.rulesRunner((u) => ctx.documents.text(u));
    const tokens: (RunToken | undefined)[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const runner: RulesRunner = async (uris, settings, token) => {
      tokens.push(token);
      if (tokens.length === 1) {
        firstStarted();
        await firstHeld;
      }
      return real(uris, settings, token);
    };
    const { diagnostics, published, whenPublished } = publishingDiagnostics(ctx, runner);

    const { uri, text } = ctx.open('queue.c');
    await started; // the check of version 1 is in its rules run
    const end = ctx.documents.text(uri)!.length;
    const at = { line: text.slice(0, end).split('\n').length - 1, character: 0 };
    const newer = whenPublished((p) => p.version === 2);
    ctx.documents.didChange(uri, [{ range: { start: at, end: at }, text: '\n' }], 2);
    diagnostics.edited(uri, 2);
    await ctx.documents.current(uri); // version 2 analysed: its model schedules a check, cancelling the first
    assert.equal(tokens[0]?.cancelled, true, 'the check of version 1 was cancelled by the newer model');
    releaseFirst();
    await newer;
    assert.deepEqual(
      published.map((p) => p.version),
      [2],
      'only the newer version is published',
    );
    diagnostics.dispose();
  });
});
