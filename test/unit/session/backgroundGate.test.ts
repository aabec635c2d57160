/**
 * When the workspace re-check takes its next slice (util/backgroundGate.ts), with explicit times: a
 * quiet moment after the editor's requests and edits first, never held for ever under requests that
 * do not pause, and which client messages count as the editor's (util/transport.ts).
 */
import { strict as assert } from 'node:assert';
import { BackgroundGate } from '../../../server/src/util/backgroundGate';
import { InboundMessages } from '../../../server/src/util/transport';

/**
 * A re-check of `work` slices of 1 ms, against requests arriving every `everyMs` from 0 (none when
 * undefined), on a simulated clock: the time it ends at and the slices run while a request was less
 * than the quiet period old.
 */
function simulate(gate: BackgroundGate, work: number, quietMs: number, everyMs?: number) {
  let now = 0;
  let done = 0;
  let duringActivity = 0;
  const lastActivity = () => (everyMs === undefined ? -Infinity : Math.floor(now / everyMs) * everyMs);
  while (done < work) {
    const wait = gate.wait(now, lastActivity());
    if (wait > 0) {
      now += wait;
      continue;
    }
    if (now - lastActivity() < quietMs) duringActivity++;
    now += 1;
    done++;
  }
  return { endsAt: now, duringActivity };
}

describe('background work gate', () => {
  it('goes on at once when the editor has been quiet', () => {
    const gate = new BackgroundGate(50, 1000, 100);
    assert.equal(gate.wait(0, -Infinity), 0);
    assert.equal(gate.wait(500, 400), 0);
  });

  it('waits for the quiet period after a request, asking again when it ends', () => {
    const gate = new BackgroundGate(50, 1000, 100);
    assert.equal(gate.wait(1000, 990), 40);
    // Another request meanwhile: the wait starts over from it.
    assert.equal(gate.wait(1040, 1030), 40);
    assert.equal(gate.wait(1080, 1030), 0);
  });

  it('is held at most the longest hold, then runs for its turn whatever arrives', () => {
    const gate = new BackgroundGate(50, 1000, 100);
    assert.equal(gate.wait(0, 0), 50);
    assert.equal(gate.wait(990, 980), 10);
    assert.equal(gate.wait(1000, 995), 0);
    assert.equal(gate.wait(1050, 1049), 0);
    assert.equal(gate.wait(1099, 1098), 0);
    // The turn is over: held again, counted from now.
    assert.equal(gate.wait(1100, 1099), 49);
    assert.equal(gate.wait(2099, 2098), 1);
    assert.equal(gate.wait(2100, 2099), 0);
  });

  it('a quiet moment ends the hold: the next one is counted afresh', () => {
    const gate = new BackgroundGate(50, 1000, 100);
    assert.equal(gate.wait(0, 0), 50);
    assert.equal(gate.wait(900, 899), 49);
    assert.equal(gate.wait(950, 899), 0);
    assert.equal(gate.wait(1500, 1499), 49);
    // Held since 1500, not since 0.
    assert.equal(gate.wait(2000, 1999), 49);
    assert.equal(gate.wait(2500, 2499), 0);
  });

  it('runs between requests a person sends (100 ms apart), for more than half the time', () => {
    const { endsAt, duringActivity } = simulate(new BackgroundGate(50, 1000, 100), 2000, 50, 100);
    assert.equal(duringActivity, 0);
    assert.ok(endsAt <= 4000 + 100, `ended at ${endsAt}`);
  });

  it('is not starved by requests that never pause: a turn after each longest hold', () => {
    const { endsAt, duringActivity } = simulate(new BackgroundGate(50, 1000, 100), 1000, 50, 10);
    // 10 turns of 100 slices, each after a hold of 1000 ms.
    assert.equal(duringActivity, 1000);
    assert.equal(endsAt, 10 * 1100);
  });

  it('counts the editor’s requests and document notifications, not pulls of workspace diagnostics', () => {
    const inbound = new InboundMessages();
    assert.equal(inbound.lastActivityAt(), -Infinity);
    inbound.arrived({ jsonrpc: '2.0', id: 1, method: 'workspace/diagnostic', params: {} } as never);
    inbound.arrived({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } } as never);
    inbound.arrived({ jsonrpc: '2.0', id: 2, result: null } as never);
    assert.equal(inbound.lastActivityAt(), -Infinity);
    inbound.arrived({ jsonrpc: '2.0', id: 3, method: 'textDocument/hover', params: {} } as never);
    const afterHover = inbound.lastActivityAt();
    assert.ok(afterHover > -Infinity);
    inbound.arrived({
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: { textDocument: { uri: 'file:///d/a.c', version: 2 }, contentChanges: [] },
    } as never);
    assert.ok(inbound.lastActivityAt() >= afterHover);
  });
});
