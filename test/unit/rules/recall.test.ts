// Recall: bugs seeded in driver-style fixtures come out as warnings (or errors) at the function that
// holds them, not as information.
import { strict as assert } from 'node:assert';
import { lint, loadFixture } from './harness';

describe('recall: seeded bugs are warnings at the right function', () => {
  it('a PASSIVE-only method in a request handler, and PAGED_CODE() in EvtIoStop', async () => {
    const findings = await lint(loadFixture('recall/garnet.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function}`);
    assert.ok(serious.includes('KMDF2001 GarnetEvtIoDeviceControl'), serious.join(', '));
    assert.ok(serious.includes('KMDF2002 GarnetEvtIoStop'), serious.join(', '));
    assert.deepEqual(
      findings.filter((f) => f.function === 'GarnetEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});
