// KMDF2009 in detail: which exits are reported at which severity, what the messages name, and what
// the quick fix writes (rules.test.ts checks the marked lines and that each fix removes its finding).
import { strict as assert } from 'node:assert';
import { applyFix, lint, loadFixture } from '../../support/ruleHarness';

describe('KMDF2009 irql-not-restored', () => {
  before(async function () {
    this.timeout(60000); // the first analysis loads the grammar and the index
    await lint(loadFixture('KMDF2009/good.c'));
  });

  it('warns at each exit still raised in a function that lowers elsewhere; a raise helper is information', async () => {
    const findings = (await lint(loadFixture('KMDF2009/bad.c'))).filter((f) => f.ruleId === 'KMDF2009');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity} ${f.span.start.line + 1}`),
      [
        'TopazRingDoorbell warning 20',
        'TopazCountFault warning 39',
        'TopazEnterDevice info 43',
        'TopazReadSequence warning 63',
      ],
    );
    assert.match(
      findings[1].message,
      /^TopazCountFault can reach its end with the IRQL still raised by KeRaiseIrqlToDpcLevel\(\)/,
    );
    assert.equal(
      findings[2].message,
      'TopazEnterDevice raises the IRQL with KeRaiseIrql(DISPATCH_LEVEL, OldIrql) and never lowers it, so it returns at the raised IRQL for its caller. Say so with _IRQL_raises_(…) (and _IRQL_saves_ on the parameter that receives the old IRQL) on its declaration, so Code Analysis (C28167) and callers see it.',
    );
    assert.match(findings[3].message, /still raised by TopazEnterDevice\(&irql\)/);
    assert.deepEqual(
      findings.map((f) => [f.related?.[0] ? f.related[0].span.start.line + 1 : 0, f.related?.[0]?.message]),
      [
        [18, 'the IRQL is raised here'],
        [32, 'the IRQL is raised here'],
        [45, 'the IRQL is raised here'],
        [61, 'the IRQL is raised here'],
      ],
    );
  });

  it('lowers with the saved value before the early return, and only where every path is raised', async () => {
    const files = loadFixture('KMDF2009/bad.c');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2009');
    assert.deepEqual(
      findings.map((f) => f.fixes?.[0]?.title),
      [
        'Lower the IRQL on this path (KeLowerIrql(oldIrql);)',
        // The arm that lowered reaches the same closing brace: a lower there would run twice on it.
        undefined,
        undefined,
        // Raised through a helper: its pair is the driver's own helper, not KeLowerIrql.
        undefined,
      ],
    );
    const fixed = Object.values(applyFix(files, findings[0]))[0];
    assert.match(fixed, /if \(Topaz->Halted\) \{\n {8}KeLowerIrql\(oldIrql\);\n {8}return STATUS_DEVICE_NOT_READY;/);
  });
});

describe('KMDF2011 irql-restore-never-saved, per path', () => {
  it('a restore no path has saved for is a warning, one only some paths saved for is information', async () => {
    const findings = (await lint(loadFixture('KMDF2011/bad.c'))).filter((f) => f.ruleId === 'KMDF2011');
    assert.deepEqual(
      findings.map((f) => `${f.function} ${f.severity} ${f.span.start.line + 1}`),
      ['BerylRing warning 24', 'BerylClear warning 35', 'BerylRingLate warning 57', 'BerylRingMaybe info 73'],
    );
    assert.match(findings[2].message, /on no path to it has BerylRingLate saved an IRQL into oldIrql yet/);
    assert.match(findings[3].message, /on some paths to it nothing in BerylRingMaybe has saved/);
  });
});
