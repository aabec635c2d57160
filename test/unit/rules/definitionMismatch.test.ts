// KMDF1002's severity follows where the role type's signature comes from: the WDK headers (error) or
// only a reference page (hint).
import { strict as assert } from 'node:assert';
import { hasHeaderFacts } from '../../../server/src/rules/roles/definitionMismatch';
import { expectedMarkers, foundAt, lint, loadFixture } from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';

describe('KMDF1002 severity by the source of the signature', function () {
  this.timeout(30_000);

  it('a role type from the header facts is an error; one known only from its page is a hint', async () => {
    const files = loadFixture('KMDF1002/docs-only.c');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF1002');
    assert.deepEqual(foundAt(findings, 'KMDF1002'), expectedMarkers(files, 'KMDF1002'));
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity}`),
      ['CobaltEvtSpbTargetConnect hint', 'CobaltEvtIoRead error'],
    );
    assert.equal(
      findings[0].message,
      'CobaltEvtSpbTargetConnect is declared as EVT_SPB_TARGET_CONNECT but its definition differs: 1 parameter, expected 2. The role type expects NTSTATUS (WDFDEVICE, SPBTARGET) (as its reference page writes it; no header facts confirm it).',
    );
  });

  it('reads the sources of an entry', () => {
    const index = testIndex();
    assert.equal(hasHeaderFacts(index.get('EVT_WDF_IO_QUEUE_IO_READ')!), true);
    assert.equal(hasHeaderFacts(index.get('EVT_SPB_TARGET_CONNECT')!), false);
    assert.equal(hasHeaderFacts({ ...index.get('EVT_SPB_TARGET_CONNECT')!, sources: ['headers'] }), true);
  });
});
