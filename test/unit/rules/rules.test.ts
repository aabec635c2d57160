// Each rule: the fixture that breaks it (findings exactly where `// expect: ID` marks them), the
// documented correct pattern (no finding of any of our rules), the first message word for word, and
// each quick fix applied to the text and re-analysed (that finding is gone, the others stay).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../../../server/src/rules/registry';
import {
  applyFix,
  describeFindings,
  expectedMarkers,
  fixturesDir,
  foundAt,
  lint,
  loadFixture,
  ownFindings,
} from '../../support/ruleHarness';

interface Case {
  id: string;
  bad: string;
  good: string[];
  first: { severity: string; message: string };
  /** How many of the bad fixture's findings carry a fix. */
  fixes: number;
}

const CASES: Case[] = [
  {
    id: 'KMDF1001',
    bad: 'KMDF1001/bad.c',
    good: ['KMDF1001/good.c'],
    first: {
      severity: 'info',
      message:
        'PebbleEvtIoRead is registered as EVT_WDF_IO_QUEUE_IO_READ (queueConfig.EvtIoRead) but is not declared with that role type; add `EVT_WDF_IO_QUEUE_IO_READ PebbleEvtIoRead;` before it is defined.',
    },
    fixes: 2,
  },
  {
    id: 'KMDF1002',
    bad: 'KMDF1002/bad.c',
    good: ['KMDF1002/good.c'],
    first: {
      severity: 'error',
      message:
        'SlateEvtIoRead is declared as EVT_WDF_IO_QUEUE_IO_READ but its definition differs: parameter 3 (Length) is ULONG, expected size_t. The role type expects VOID (WDFQUEUE, WDFREQUEST, size_t).',
    },
    fixes: 2,
  },
  {
    id: 'KMDF1003',
    bad: 'KMDF1003/bad.c',
    good: ['KMDF1003/good.c'],
    first: {
      severity: 'error',
      message:
        'FlintEvtD0Entry is declared as EVT_WDF_DEVICE_D0_ENTRY — NTSTATUS (WDFDEVICE, WDF_POWER_DEVICE_STATE) — but pnp.EvtDevicePrepareHardware expects EVT_WDF_DEVICE_PREPARE_HARDWARE — NTSTATUS (WDFDEVICE, WDFCMRESLIST, WDFCMRESLIST).',
    },
    fixes: 0,
  },
  {
    id: 'KMDF1004',
    bad: 'KMDF1004/bad.c',
    good: ['KMDF1004/good.c'],
    first: {
      severity: 'warning',
      message:
        'ShaleEvtSelfManagedIo is declared as EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART and also as EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT; a function has one role type. Keep the one that matches how it is used (registering it for both events is fine).',
    },
    fixes: 1,
  },
  {
    id: 'KMDF1005',
    bad: 'KMDF1005/bad.c',
    good: ['KMDF1005/good.cpp'],
    first: {
      severity: 'warning',
      message:
        'DriverEntry is not declared as DRIVER_INITIALIZE; add `DRIVER_INITIALIZE DriverEntry;` so the compiler and Code Analysis check it against its role type.',
    },
    fixes: 1,
  },
  {
    id: 'KMDF1006',
    bad: 'KMDF1006/bad.c',
    good: ['KMDF1006/good.c'],
    first: {
      severity: 'hint',
      message:
        "QuartzEvtD0Exit is declared as EVT_WDF_DEVICE_D0_EXIT but its definition has no _Use_decl_annotations_, so the role type's annotations are not applied to its body.",
    },
    fixes: 1,
  },
  {
    id: 'KMDF1007',
    bad: 'KMDF1007/bad.c',
    good: ['KMDF1007/good'],
    first: {
      severity: 'hint',
      message: 'GneissEvtIoWrite is declared as EVT_WDF_IO_QUEUE_IO_WRITE but never defined in the workspace.',
    },
    fixes: 1,
  },
  {
    id: 'KMDF1008',
    bad: 'KMDF1008/bad.c',
    good: ['KMDF1008/good.c'],
    first: {
      severity: 'warning',
      message:
        'BasaltEvtIoWrite: _IRQL_requires_max_(PASSIVE_LEVEL) says PASSIVE_LEVEL, but EVT_WDF_IO_QUEUE_IO_WRITE runs at up to DISPATCH_LEVEL. Let the role type speak: remove it and use _Use_decl_annotations_.',
    },
    fixes: 2,
  },
  {
    id: 'KMDF2001',
    bad: 'KMDF2001/bad.c',
    good: ['KMDF2001/good.c'],
    first: {
      severity: 'warning',
      message:
        'WdfIoTargetSendIoctlSynchronously must be called at IRQL ≤ PASSIVE_LEVEL, but OpalForward can run at up to DISPATCH_LEVEL (reached from OpalEvtIoDeviceControl (≤ DISPATCH_LEVEL) via OpalForward).',
    },
    fixes: 0,
  },
  {
    id: 'KMDF2002',
    bad: 'KMDF2002/bad.c',
    good: ['KMDF2002/good.c'],
    first: {
      severity: 'warning',
      message:
        'TopazEvtDpc calls PAGED_CODE() but can run at DISPATCH_LEVEL; pageable code must run below DISPATCH_LEVEL.',
    },
    fixes: 0,
  },
  {
    id: 'KMDF2003',
    bad: 'KMDF2003/bad.c',
    good: ['KMDF2003/good.c'],
    first: {
      severity: 'warning',
      message:
        'JadeEvtD0Entry is EVT_WDF_DEVICE_D0_ENTRY, which should not be pageable (it runs on the power-up path, possibly before the paging device is back), but it is placed in the paged section PAGE.',
    },
    fixes: 2,
  },
  {
    id: 'KMDF2004',
    bad: 'KMDF2004/bad.c',
    good: ['KMDF2004/good.c'],
    first: {
      severity: 'warning',
      message: 'AmberEvtPrepareHardware is in the paged section PAGE but does not call PAGED_CODE().',
    },
    fixes: 3,
  },
  {
    id: 'KMDF2005',
    bad: 'KMDF2005/bad.c',
    good: ['KMDF2005/good.c'],
    first: {
      severity: 'info',
      message:
        'CoralEvtReleaseHardware calls PAGED_CODE() but is not in a paged section (no #pragma alloc_text(PAGE, CoralEvtReleaseHardware) or code_seg("PAGE")).',
    },
    fixes: 1,
  },
  {
    id: 'KMDF2006',
    bad: 'KMDF2006/bad.c',
    good: ['KMDF2006/good.c'],
    first: {
      severity: 'warning',
      message:
        'OnyxEvtReleaseHardware is pageable but calls KeSetEvent with Wait = TRUE, which returns at DISPATCH_LEVEL; pass FALSE, or move the call and the wait that follows into resident code.',
    },
    fixes: 1,
  },
  {
    id: 'KMDF2007',
    bad: 'KMDF2007/bad.c',
    good: ['KMDF2007/good.c'],
    first: {
      severity: 'hint',
      message:
        'GarnetResetCounters is reached at DISPATCH_LEVEL (from GarnetEvtDpc) and at PASSIVE_LEVEL (from GarnetEvtD0Entry) but has no IRQL annotation; annotate it with _IRQL_requires_max_(DISPATCH_LEVEL).',
    },
    fixes: 1,
  },
  {
    id: 'KMDF2008',
    bad: 'KMDF2008/bad.c',
    good: ['KMDF2008/good.c'],
    first: {
      severity: 'error',
      message: '_IRQL_requires_max_(DISPACH_LEVEL): DISPACH_LEVEL is not an IRQL; did you mean DISPATCH_LEVEL?',
    },
    fixes: 1,
  },
  {
    id: 'KMDF2009',
    bad: 'KMDF2009/bad.c',
    good: ['KMDF2009/good.c'],
    first: {
      severity: 'warning',
      message:
        'TopazRingDoorbell can return here with the IRQL still raised by KeRaiseIrql(DISPATCH_LEVEL, &oldIrql): the function lowers it on other paths, but not on this one, so its caller goes on at the raised IRQL (Code Analysis C28167).',
    },
    fixes: 1,
  },
  {
    id: 'KMDF2010',
    bad: 'KMDF2010/bad.c',
    good: ['KMDF2010/good.c'],
    first: {
      severity: 'warning',
      message:
        'KeAcquireSpinLockAtDpcLevel must be called at IRQL ≥ DISPATCH_LEVEL, but PeridotEvtD0Entry runs at PASSIVE_LEVEL as EVT_WDF_DEVICE_D0_ENTRY, and nothing raises the IRQL on the way to this call: call KeAcquireSpinLock, which raises the IRQL itself, instead.',
    },
    fixes: 0,
  },
  {
    id: 'KMDF2011',
    bad: 'KMDF2011/bad.c',
    good: ['KMDF2011/good.c'],
    first: {
      severity: 'warning',
      message:
        'KeLowerIrql restores the IRQL from oldIrql, but nothing in BerylRing saves an IRQL into it: it is a local KIRQL that no KeRaiseIrql(…, &oldIrql), KeAcquireSpinLock(…, &oldIrql) or assignment writes, so the IRQL is set to whatever the variable happens to hold. Restore the value the matching raise or acquire saved.',
    },
    fixes: 0,
  },
  {
    id: 'KMDF4001',
    bad: 'KMDF4001/bad.c',
    good: ['KMDF4001/good.c'],
    first: {
      severity: 'warning',
      message: 'WdfDeviceInitSetIoTypeEx needs KMDF 1.13, but the driver targets KMDF 1.9 (from fixture).',
    },
    fixes: 0,
  },
  {
    id: 'KMDF4002',
    bad: 'KMDF4002/bad.c',
    good: ['KMDF4002/good.c', 'KMDF4002/good-shared-source.c'],
    first: {
      severity: 'error',
      message: 'the callback EVT_WDF_DPC is available to KMDF drivers only, but this is a UMDF driver (from fixture).',
    },
    fixes: 0,
  },
  {
    id: 'KMDF4003',
    bad: 'KMDF4003/bad.c',
    good: ['KMDF4003/good.c'],
    first: {
      severity: 'error',
      message:
        'BerylEvtD0Entry is EVT_WDF_DEVICE_D0_ENTRY, which returns NTSTATUS, but it returns FALSE (0 is STATUS_SUCCESS).',
    },
    fixes: 2,
  },
  {
    id: 'KMDF4004',
    bad: 'KMDF4004/bad.c',
    good: ['KMDF4004/good.c'],
    first: {
      severity: 'warning',
      message:
        'WrenEvtDeviceD0Entry drops the result of WdfObjectAllocateContext, which is marked _Must_inspect_result_: it returns NTSTATUS to say whether it worked, and the code goes on as if it always did (and with (PVOID *)&target, which is not set when it fails). Check it (for an NTSTATUS, `if (!NT_SUCCESS(status))`) and handle the failure.',
    },
    fixes: 0,
  },
];

describe('rules: one fixture that breaks each rule, one that follows it, and its fixes', () => {
  it('covers every rule of the role, IRQL and target families, and only those', () => {
    const ours = allRules.map((r) => r.meta.id).filter((id) => !/^KMDF3/.test(id));
    assert.deepEqual(
      CASES.map((c) => c.id),
      ours,
    );
  });

  for (const c of CASES) {
    describe(c.id, () => {
      it('reports exactly the marked lines, and the first message word for word', async () => {
        const files = loadFixture(c.bad);
        const findings = await lint(files);
        const expected = expectedMarkers(files, c.id);
        assert.ok(expected.length > 0, 'the bad fixture marks at least one finding');
        assert.deepEqual(foundAt(findings, c.id), expected, describeFindings(findings));
        const first = findings.find((f) => f.ruleId === c.id)!;
        assert.equal(first.message, c.first.message);
        assert.equal(first.severity, c.first.severity);
      });

      for (const good of c.good) {
        it(`is quiet on the correct pattern (${good})`, async () => {
          const findings = ownFindings(await lint(loadFixture(good)));
          assert.deepEqual(findings, [], describeFindings(findings));
        });
      }

      it(`offers ${c.fixes} quick fix(es); each, applied and re-analysed, removes its finding`, async () => {
        const files = loadFixture(c.bad);
        const before = (await lint(files)).filter((f) => f.ruleId === c.id);
        const fixable = before.filter((f) => f.fixes?.length);
        assert.equal(fixable.length, c.fixes);
        for (const finding of fixable) {
          const after = (await lint(applyFix(files, finding))).filter((f) => f.ruleId === c.id);
          assert.equal(
            after.length,
            before.length - 1,
            `after "${finding.fixes![0].title}": ${describeFindings(after)}`,
          );
          assert.ok(!after.some((f) => f.message === finding.message), `still reported: ${finding.message}`);
        }
      });
    });
  }

  it('has a rule page for every rule, named by its id', () => {
    for (const rule of allRules.filter((r) => !/^KMDF3/.test(r.meta.id))) {
      const page = path.resolve(fixturesDir, '../../..', rule.meta.helpPage);
      assert.ok(fs.existsSync(page), `missing ${rule.meta.helpPage}`);
      assert.match(fs.readFileSync(page, 'utf8'), new RegExp(`^# ${rule.meta.id}: `));
    }
  });
});
