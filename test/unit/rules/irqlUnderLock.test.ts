// The IRQL while a lock is held or the IRQL is raised (issue 12, family 4): KMDF2001 and KMDF2002 hold
// the calls made there, and the paged code that runs there, to the lock's level.
import { strict as assert } from 'node:assert';
import { applyFix, describeFindings, expectedMarkers, foundAt, lint, loadFixture } from '../../support/ruleHarness';

const RULES = ['KMDF2001', 'KMDF2002'];

describe('rules: IRQL under a lock or a raise (KMDF2001, KMDF2002)', function () {
  this.timeout(60_000);

  it('reports exactly the marked calls and paged code, each naming the lock and its line', async () => {
    const files = loadFixture('irql-locks/bad.c');
    const findings = (await lint(files)).filter((f) => RULES.includes(f.ruleId));
    for (const id of RULES)
      assert.deepEqual(foundAt(findings, id), expectedMarkers(files, id), describeFindings(findings));
    const at = (line: number) => findings.find((f) => f.span.start.line + 1 === line)!;
    assert.equal(
      at(81).message,
      'WdfRegistryQueryULong must be called at IRQL ≤ PASSIVE_LEVEL, but it is called while the spin lock taken at line 76 (WdfSpinLockAcquire(context->StateLock)) is held, at DISPATCH_LEVEL.',
    );
    assert.equal(
      at(134).message,
      'WdfRegistryQueryULong must be called at IRQL ≤ PASSIVE_LEVEL, but it is called while the fast mutex taken at line 133 (ExAcquireFastMutex(&context->ConfigMutex)) is held, at APC_LEVEL.',
    );
    assert.equal(
      at(138).message,
      'WdfRegistryQueryULong must be called at IRQL ≤ PASSIVE_LEVEL, but it is called after KeRaiseIrql(DISPATCH_LEVEL, &oldIrql) at line 137 raised the IRQL, at DISPATCH_LEVEL.',
    );
    assert.match(
      at(151).message,
      /can run at DIRQL \(JasperEvtD0Exit calls JasperRefreshThreshold while the interrupt lock taken at line 141/,
    );
    assert.match(at(179).message, /JasperEvtFileClose calls JasperTrimList while the spin lock taken at line 171/);
    assert.match(
      at(211).message,
      /JasperResetCounters calls JasperStoreThreshold while the spin lock taken at line 202/,
    );
    // The lock is held on one path to the call only: information, and said so.
    assert.equal(at(115).severity, 'info');
    assert.match(at(115).message, /is held on some paths, so possibly at DISPATCH_LEVEL\.$/);
    assert.deepEqual(
      findings.filter((f) => f.span.start.line + 1 !== 115).map((f) => f.severity),
      findings.filter((f) => f.span.start.line + 1 !== 115).map(() => 'warning'),
    );
    // The acquire, and the call made under it, are the related locations.
    assert.deepEqual(
      at(151).related?.map((r) => `${r.span.start.line + 1} ${r.message}`),
      ['141 the interrupt lock is taken here', '142 JasperEvtD0Exit calls JasperRefreshThreshold'],
    );
  });

  it('a paged function that takes a spin lock is offered to be made resident, and is quiet after it', async () => {
    const files = loadFixture('irql-locks/bad.c');
    const findings = await lint(files);
    const own = findings.find((f) => f.ruleId === 'KMDF2002' && f.span.start.line + 1 === 171)!;
    assert.equal(own.fixes?.[0]?.title, 'Make JasperEvtFileClose resident (remove it from the paged section)');
    const fixed = applyFix(files, own);
    assert.doesNotMatch(fixed['bad.c'], /alloc_text\(PAGE, JasperEvtFileClose\)/);
    const after = (await lint(fixed)).filter((f) => f.ruleId === 'KMDF2002' && f.function === 'JasperEvtFileClose');
    assert.deepEqual(after, []);
  });

  it('stays quiet on the correct patterns: work after the release, _Releases_lock_ helpers, wait and passive object locks', async () => {
    // No rule at all: the lock rules (KMDF3019, KMDF2009) agree that these locks are paired.
    const findings = await lint(loadFixture('irql-locks/good.c'));
    assert.deepEqual(findings, [], describeFindings(findings));
  });
});
