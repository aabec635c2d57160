import { strict as assert } from 'node:assert';
import { DiagnosticsPacer } from '../../../server/src/features/diagnostics';
import { KeyedDebouncer } from '../../../server/src/util/debounce';

// The pacing policy with explicit times (pause 100 ms, coalescing at most 1000 ms): no timers, no clocks.
describe('diagnostics pacing', () => {
  const uri = 'file:///d/queue.c';

  it('checks a newly opened document at once', () => {
    assert.equal(new DiagnosticsPacer(100, 1000).delay(uri, 1, 0), 0);
  });

  it('checks at once after a single edit that follows a pause', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.edited(uri, 2, 1000);
    assert.equal(pacer.delay(uri, 2, 1040), 0);
    // The next keystroke comes long after: again at once.
    pacer.edited(uri, 3, 5000);
    assert.equal(pacer.delay(uri, 3, 5020), 0);
  });

  it('waits for the newer model when edits are ahead of the analysed version', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.edited(uri, 2, 1000);
    pacer.edited(uri, 3, 1030);
    assert.equal(pacer.delay(uri, 2, 1050), undefined);
  });

  it('coalesces while keystrokes keep arriving, until the pause would be reached', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.edited(uri, 2, 1000);
    pacer.checked(uri, 1000);
    pacer.edited(uri, 3, 1030);
    // The model of version 3 arrives 20 ms after its keystroke: the pause ends at 1130.
    assert.equal(pacer.delay(uri, 3, 1050), 80);
    // Arriving after the pause: at once.
    assert.equal(pacer.delay(uri, 3, 1200), 0);
  });

  it('checks at once an edit that arrives with every earlier version checked, however soon after the last', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.checked(uri, 0, 1);
    pacer.finished(uri, 1);
    pacer.edited(uri, 2, 1000);
    pacer.checked(uri, 1000, 2);
    pacer.finished(uri, 2);
    // 30 ms after the last edit, but its diagnostics are out: nothing to coalesce with.
    pacer.edited(uri, 3, 1030);
    assert.equal(pacer.delay(uri, 3, 1050), 0);
    // The next edit comes while the check of version 3 runs: that one coalesces.
    pacer.checked(uri, 1050, 3);
    pacer.edited(uri, 4, 1060);
    assert.equal(pacer.delay(uri, 4, 1070), 90);
    // A check dropped for a newer version settles nothing: the edit after it still coalesces.
    pacer.finished(uri);
    pacer.edited(uri, 5, 1080);
    assert.equal(pacer.delay(uri, 5, 1090), 90);
  });

  it('still checks during long typing once the last check is old enough', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.edited(uri, 2, 1000);
    pacer.checked(uri, 1000);
    let version = 2;
    for (let t = 1030; t <= 2030; t += 30) pacer.edited(uri, ++version, t);
    assert.equal(pacer.delay(uri, version, 1990 + 60), 0);
    pacer.checked(uri, 2050);
    pacer.edited(uri, ++version, 2060);
    assert.equal(pacer.delay(uri, version, 2070), 90);
  });

  it('forgets a closed document: its reopened version 1 is checked at once', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.edited(uri, 7, 1000);
    pacer.forget(uri);
    assert.equal(pacer.delay(uri, 1, 1010), 0);
  });

  it('debouncer: cancelPending drops a waiting task and keeps a running one', async () => {
    const debouncer = new KeyedDebouncer(0);
    const runs: string[] = [];
    debouncer.schedule('a', () => void runs.push('pending'), 1);
    debouncer.cancelPending('a');
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      debouncer.schedule('b', async (token) => {
        resolve();
        await new Promise<void>((r) => (release = r));
        runs.push(token.cancelled ? 'b cancelled' : 'b done');
      });
    });
    await started;
    debouncer.cancelPending('b');
    release();
    // Long enough for the 1 ms timer of 'a' to have fired had it not been cancelled.
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(runs, ['b done']);
    debouncer.dispose();
  });
});

// Background work (the workspace-wide checks) waits while a document just edited waits for its check.
describe('diagnostics pacing: the editor first', () => {
  const uri = 'file:///d/queue.c';

  it('is busy from an edit until the check of its version finishes', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    assert.equal(pacer.editorBusy(0, 2000), false);
    pacer.edited(uri, 2, 1000);
    assert.equal(pacer.editorBusy(1001, 2000), true);
    pacer.checked(uri, 1010, 2);
    assert.equal(pacer.editorBusy(1020, 2000), true);
    pacer.finished(uri, 2);
    assert.equal(pacer.editorBusy(1030, 2000), false);
  });

  it('stays busy while a newer edit than the one checked waits, and a dropped check settles nothing', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    pacer.edited(uri, 2, 1000);
    pacer.checked(uri, 1010, 2);
    pacer.edited(uri, 3, 1020);
    pacer.finished(uri, 2);
    assert.equal(pacer.editorBusy(1030, 2000), true);
    pacer.checked(uri, 1040, 3);
    pacer.finished(uri, undefined);
    assert.equal(pacer.editorBusy(1050, 2000), true);
    pacer.checked(uri, 1060, 3);
    pacer.finished(uri, 3);
    assert.equal(pacer.editorBusy(1070, 2000), false);
  });

  it('holds background work up for a bounded time only, and not for a closed document', () => {
    const pacer = new DiagnosticsPacer(100, 1000);
    // An edit whose model never comes (the document became too large to analyse).
    pacer.edited(uri, 2, 1000);
    assert.equal(pacer.editorBusy(2999, 2000), true);
    assert.equal(pacer.editorBusy(3000, 2000), false);
    pacer.edited(uri, 3, 4000);
    pacer.forget(uri);
    assert.equal(pacer.editorBusy(4001, 2000), false);
  });
});
