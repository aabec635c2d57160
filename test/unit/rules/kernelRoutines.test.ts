// KMDF2001 on kernel routines (issue 12): the catalog has only the framework's methods, so the
// well-known WDM routines' levels come from knowledge/kernelRoutines.ts.
import { strict as assert } from 'node:assert';
import { kernelRoutine, kernelRoutineNames } from '../../../server/src/knowledge/kernelRoutines';
import { normalizeLevel } from '../../../server/src/knowledge/irql';
import { describeFindings, expectedMarkers, foundAt, lint, loadFixture } from '../../support/ruleHarness';

describe('rules: kernel routines above their maximum IRQL (KMDF2001)', function () {
  this.timeout(60_000);

  it('reports exactly the marked calls: waits for ever, paged pool, registry and property reads at DISPATCH_LEVEL', async () => {
    const files = loadFixture('KMDF2001/kernel.c');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2001');
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'), describeFindings(findings));
    const at = (line: number) => findings.find((f) => f.span.start.line + 1 === line)!;
    assert.equal(
      at(86).message,
      'KeWaitForSingleObject with Timeout = NULL must be called at IRQL ≤ APC_LEVEL, but TourmalineEvtDpc runs at DISPATCH_LEVEL as EVT_WDF_DPC.',
    );
    assert.match(at(96).message, /^ExAllocatePoolWithTag with PoolType = PagedPool must be called at IRQL ≤ APC_LEVEL/);
    assert.match(
      at(144).message,
      /^ZwQueryValueKey must be called at IRQL ≤ PASSIVE_LEVEL, but it is called while the spin lock taken at line 142 /,
    );
    assert.match(at(145).message, /^MmProbeAndLockPages with AccessMode = UserMode must be called at IRQL ≤ APC_LEVEL/);
    // Every one is a warning, and links the routine's reference page.
    assert.deepEqual(
      findings.map((f) => f.severity),
      findings.map(() => 'warning'),
    );
    assert.deepEqual(at(125).references?.[0], {
      title: 'IoGetDeviceProperty',
      url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceproperty',
    });
  });

  it('EvtIoInCallerContext reaches a user buffer at PASSIVE_LEVEL; a lock held, or a call that needs no user buffer, is still reported', async () => {
    const files = loadFixture('KMDF2001/in-caller-context.c');
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2001');
    assert.deepEqual(foundAt(findings, 'KMDF2001'), expectedMarkers(files, 'KMDF2001'), describeFindings(findings));
    assert.match(
      findings[0].message,
      /^ZwQueryValueKey must be called at IRQL ≤ PASSIVE_LEVEL, but GarnetEvtIoInCallerContext runs at up to DISPATCH_LEVEL/,
    );
    assert.match(
      findings[1].message,
      /while the spin lock taken at line \d+ \(WdfSpinLockAcquire\(garnet->Lock\)\) is held/,
    );
  });

  it('a function of the driver with a kernel routine name is the driver’s, not the table’s', async () => {
    const files = {
      'shadow.c': [
        '#include <wdf.h>',
        'EVT_WDF_DPC ShadowEvtDpc;',
        'static VOID ZwClose(HANDLE Handle) { UNREFERENCED_PARAMETER(Handle); }',
        'VOID ShadowEvtDpc(WDFDPC Dpc) { UNREFERENCED_PARAMETER(Dpc); ZwClose(NULL); }',
        '',
      ].join('\n'),
    };
    const findings = (await lint(files)).filter((f) => f.ruleId === 'KMDF2001');
    assert.deepEqual(findings, [], describeFindings(findings));
  });

  it('every table entry has a level below DISPATCH_LEVEL on some branch, and a reference page', () => {
    assert.ok(kernelRoutineNames().length >= 60);
    for (const name of kernelRoutineNames()) {
      const entry = kernelRoutine(name)!;
      const levels = [entry.irql?.max, ...(entry.irql?.when ?? []).map((w) => w.max)].map((l) => normalizeLevel(l));
      assert.ok(
        levels.some((l) => l === 'PASSIVE_LEVEL' || l === 'APC_LEVEL'),
        `${name}: ${levels.join(', ')}`,
      );
      assert.match(
        entry.docsUrl ?? '',
        /^https:\/\/learn\.microsoft\.com\/windows-hardware\/drivers\/ddi\/(wdm|ntddk)\/nf-/,
      );
      // A conditional entry names the parameter each branch reads.
      for (const w of entry.irql?.when ?? []) {
        const param = /^\s*\*?\s*([A-Za-z_]\w*)/.exec(w.condition)![1];
        assert.ok(
          entry.params.some((p) => p.name === param),
          `${name}: ${param}`,
        );
      }
    }
    assert.equal(kernelRoutine('constructor'), undefined);
    assert.equal(kernelRoutine('WdfRequestComplete'), undefined);
  });
});
