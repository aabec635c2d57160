/**
 * The role-based DDI rules (KMDF3030–KMDF3034) over their fixture drivers: each fires exactly on the
 * lines marked `// expect: KMDF30xx` and nowhere in the correct-pattern fixtures; messages,
 * severities and quick fixes as documented; the methods each rule is about come from the catalog.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ddiUseRules } from '../../../server/src/rules/ddiUse';
import type { Finding } from '../../../server/src/rules/types';
import { applyFix, expectedMarkers, fixturesDir, foundAt, lint, loadFixture } from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';

const IDS = [
  'KMDF3030',
  'KMDF3031',
  'KMDF3032',
  'KMDF3033',
  'KMDF3034',
  'KMDF3035',
  'KMDF3036',
  'KMDF3037',
  'KMDF3038',
  'KMDF3039',
];

async function findings(id: string, fixture: string): Promise<Finding[]> {
  return (await lint(loadFixture(`ddiUse/${id}/${fixture}`), { rules: ddiUseRules })).filter((f) => f.ruleId === id);
}

describe('role-based DDI rules: fixtures', () => {
  before(async function () {
    this.timeout(60000); // the first analysis loads the grammar and the index
    await findings('KMDF3030', 'good.c');
  });

  it('has one fixture folder per rule of the family, and a page for each', () => {
    assert.deepEqual(
      ddiUseRules.map((r) => r.meta.id),
      IDS,
    );
    assert.deepEqual(fs.readdirSync(path.join(fixturesDir, 'ddiUse')).sort(), IDS);
    for (const id of IDS) assert.ok(fs.existsSync(path.join(fixturesDir, '../../../docs/rules', `${id}.md`)), id);
  });

  for (const id of IDS) {
    it(`${id}: reports exactly the marked lines of bad.c`, async () => {
      const files = loadFixture(`ddiUse/${id}/bad.c`);
      const found = (await lint(files, { rules: ddiUseRules })).filter((f) => f.ruleId === id);
      assert.ok(expectedMarkers(files, id).length >= 2, 'the bad fixture breaks the rule more than one way');
      assert.deepEqual(foundAt(found, id), expectedMarkers(files, id));
    });

    it(`${id}: no rule of the family fires on good.c`, async () => {
      const all = await lint(loadFixture(`ddiUse/${id}/good.c`), { rules: ddiUseRules });
      assert.deepEqual(
        all.map((f) => `${f.ruleId} ${f.span.start.line + 1}`),
        [],
      );
    });
  }
});

describe('KMDF3030 buffer-wrong-direction', () => {
  it('names the request, the callback and the chain, and renames the call', async () => {
    const found = await findings('KMDF3030', 'bad.c');
    assert.deepEqual(
      found.map((f) => f.severity),
      ['warning', 'warning', 'warning'],
    );
    assert.equal(
      found[1].message,
      "WdfRequestRetrieveOutputMemory is called on Write in LanternCopyIn, which only ever gets the request of the EvtIoWrite callback LanternEvtWrite (LanternEvtWrite → LanternCopyIn). A write request has no output buffer: the framework fails this call with STATUS_INVALID_DEVICE_REQUEST every time. Use WdfRequestRetrieveInputMemory, which returns the request's one buffer.",
    );
    const files = loadFixture('ddiUse/KMDF3030/bad.c');
    let fixed = files;
    for (const f of found) fixed = applyFix(fixed, f);
    assert.match(fixed['bad.c'], /status = WdfRequestRetrieveOutputBuffer\(Request, Length, &buffer, &got\);/);
    assert.deepEqual(foundAt(await lint(fixed, { rules: ddiUseRules }), 'KMDF3030'), []);
  });

  it('takes the methods from the catalog: the four retrievals of each side under InputBufferAPI / OutputBufferAPI', () => {
    const index = testIndex();
    const under = (rule: string) =>
      [
        'WdfRequestRetrieveInputBuffer',
        'WdfRequestRetrieveInputMemory',
        'WdfRequestRetrieveInputWdmMdl',
        'WdfRequestRetrieveUnsafeUserInputBuffer',
        'WdfRequestRetrieveOutputBuffer',
        'WdfRequestRetrieveOutputMemory',
        'WdfRequestRetrieveOutputWdmMdl',
        'WdfRequestRetrieveUnsafeUserOutputBuffer',
      ].filter((m) => index.get(m)?.ddiCompliance?.includes(rule));
    assert.deepEqual(under('InputBufferAPI'), [
      'WdfRequestRetrieveInputBuffer',
      'WdfRequestRetrieveInputMemory',
      'WdfRequestRetrieveInputWdmMdl',
      'WdfRequestRetrieveUnsafeUserInputBuffer',
    ]);
    assert.deepEqual(under('OutputBufferAPI'), [
      'WdfRequestRetrieveOutputBuffer',
      'WdfRequestRetrieveOutputMemory',
      'WdfRequestRetrieveOutputWdmMdl',
      'WdfRequestRetrieveUnsafeUserOutputBuffer',
    ]);
  });
});

describe('KMDF3031 io-stop-get-parameters', () => {
  it('is information, in the callback and in a helper only it calls', async () => {
    const found = await findings('KMDF3031', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity}`),
      ['QuarryEvtIoStop info', 'QuarryIsWrite info'],
    );
    assert.equal(
      found[0].message,
      'WdfRequestGetParameters reads the parameters of Request in the EvtIoStop callback QuarryEvtIoStop. EvtIoStop is also called for requests the driver has sent to an I/O target, whose current stack location then belongs to the lower driver. Read the parameters when the request arrives and keep what is needed in its context.',
    );
  });
});

describe('KMDF3032 device-create-failure-ignored', () => {
  it('warns on the NULL handle, informs on the lost failure, and fixes a literal STATUS_SUCCESS', async () => {
    const found = await findings('KMDF3032', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity}`),
      ['HarborEvtDeviceAdd warning', 'HarborEvtDeviceAddQuiet info', 'HarborCreate info'],
    );
    assert.equal(
      found[0].message,
      'HarborEvtDeviceAdd passes device to HarborGetContext on a path where WdfDeviceCreate failed. The framework sets device to NULL when the create fails, so there is no device to use: return the failure status instead.',
    );
    assert.equal(
      found[2].message,
      'HarborCreate, which creates the device of the EvtDriverDeviceAdd callback HarborEvtDeviceAddHelper (HarborEvtDeviceAddHelper → HarborCreate), returns STATUS_SUCCESS on a path where WdfDeviceCreate failed. The framework takes a successful device add without a device for a driver that chose not to attach, so the failure is lost; return the failure status (status).',
    );
    // Only the literal return is mechanical; `status = STATUS_SUCCESS; … return status;` is not.
    assert.deepEqual(
      found.map((f) => f.fixes?.map((x) => x.title) ?? []),
      [[], ['Return status'], []],
    );
    const fixed = applyFix(loadFixture('ddiUse/KMDF3032/bad.c'), found[1]);
    assert.match(fixed['bad.c'], /if \(status != STATUS_SUCCESS\) \{\n {8}return status; \/\/ expect: KMDF3032\n/);
    assert.deepEqual(foundAt(await lint(fixed, { rules: ddiUseRules }), 'KMDF3032'), [
      'bad.c:28 KMDF3032',
      'bad.c:58 KMDF3032',
    ]);
  });
});

describe('KMDF3033 device-init-not-freed', () => {
  it('reports each exit that drops the structure and inserts the free there', async () => {
    const found = await findings('KMDF3033', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity} ${f.related?.[0]?.span.start.line}`),
      [
        'MeadowCreateChild warning 16',
        'MeadowCreateChild warning 16',
        'MeadowCreateControl warning 38',
        'MeadowCreateSpare warning 72',
      ],
    );
    assert.equal(
      found[2].message,
      'MeadowCreateControl can leave here with controlInit, allocated by WdfControlDeviceInitAllocate, neither passed to a WdfDeviceCreate that succeeded nor freed. The driver owns that structure until a create succeeds: call WdfDeviceInitFree(controlInit) on this path.',
    );
    // No fix where some paths arrive with the structure consumed or never allocated.
    assert.deepEqual(
      found.map((f) => f.fixes?.length ?? 0),
      [1, 1, 0, 1],
    );
    let fixed = loadFixture('ddiUse/KMDF3033/bad.c');
    fixed = applyFix(fixed, found[0]);
    assert.match(fixed['bad.c'], /\{\n {8}WdfDeviceInitFree\(childInit\);\n {8}return status; \/\/ expect: KMDF3033\n/);
    assert.deepEqual(foundAt(await lint(fixed, { rules: ddiUseRules }), 'KMDF3033'), [
      'bad.c:28 KMDF3033',
      'bad.c:51 KMDF3033',
      'bad.c:83 KMDF3033',
    ]);
  });

  it('follows the structure across one call: a helper returning what it allocated, a helper handed one', async () => {
    const files = loadFixture('ddiUse/KMDF3033/bad-helper.c');
    const found = (await lint(files, { rules: ddiUseRules })).filter((f) => f.ruleId === 'KMDF3033');
    assert.deepEqual(foundAt(found, 'KMDF3033'), expectedMarkers(files, 'KMDF3033'));
    assert.match(
      found[0].message,
      /^HeathCreateChild can leave here with childInit, allocated by HeathAllocateChildInit,/,
    );
    assert.match(
      found[1].message,
      /^HeathFinishControl can leave here with ControlInit, which HeathCreateControl allocates and hands over without freeing it,/,
    );
    assert.deepEqual(
      found[1].related?.map((r) => `${r.span.start.line + 1} ${r.message}`),
      ['73 HeathCreateControl hands over the structure it allocated'],
    );
    assert.deepEqual(await lint(loadFixture('ddiUse/KMDF3033/good-helper.c'), { rules: ddiUseRules }), []);
  });

  it('mirrors the SDV init-free rules the catalog lists for the two allocators', () => {
    const index = testIndex();
    const meta = ddiUseRules.find((r) => r.meta.id === 'KMDF3033')!.meta;
    const listed = [
      ...(index.get('WdfPdoInitAllocate')?.ddiCompliance ?? []),
      ...(index.get('WdfControlDeviceInitAllocate')?.ddiCompliance ?? []),
    ];
    for (const rule of meta.mirrors!.sdv!) assert.ok(listed.includes(rule), rule);
  });
});

describe('KMDF3034 power-policy-without-ownership', () => {
  it('names how ownership was given up', async () => {
    const found = await findings('KMDF3034', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity} ${f.related?.[0]?.span.start.line}`),
      ['CisternEvtDeviceAdd warning 18', 'CisternEvtDeviceAdd warning 18', 'CisternEvtFilterAdd warning 39'],
    );
    assert.equal(
      found[2].message,
      'CisternEvtFilterAdd calls WdfDeviceAssignSxWakeSettings on a path where WdfFdoInitSetFilter(DeviceInit) made the device a filter, and a filter is not the power-policy owner of its stack unless it calls WdfDeviceInitSetPowerPolicyOwnership(DeviceInit, TRUE): WdfDeviceAssignSxWakeSettings fails with STATUS_INVALID_DEVICE_REQUEST on a device whose driver is not the power-policy owner.',
    );
  });
});

describe('NoCancelFromEvtSurpriseRemove', () => {
  it('is mirrored by KMDF3016, whose methods are exactly the ones the catalog lists under it', async () => {
    const { QUEUE_STATE_METHODS, COMPLETE } = await import('../../../server/src/rules/facts/wdfNames');
    const { allRules } = await import('../../../server/src/rules/registry');
    const index = testIndex();
    const listed = [...QUEUE_STATE_METHODS, ...COMPLETE].filter((m) =>
      index.get(m)?.ddiCompliance?.includes('NoCancelFromEvtSurpriseRemove'),
    );
    assert.equal(listed.length, QUEUE_STATE_METHODS.size + COMPLETE.size);
    assert.ok(
      allRules.find((r) => r.meta.id === 'KMDF3016')?.meta.mirrors?.sdv?.includes('NoCancelFromEvtSurpriseRemove'),
    );
  });
});

describe('KMDF3035 memory-without-parent-leaked', () => {
  it('reports the exits that drop parentless memory, with a fix only where every path holds it', async () => {
    const found = await findings('KMDF3035', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity} ${f.fixes?.length ?? 0}`),
      ['KilnSendBlock warning 1', 'KilnLogName warning 0'],
    );
    assert.equal(
      found[0].message,
      'KilnSendBlock can leave here with scratch, created by WdfMemoryCreate without a parent object, neither deleted nor kept. Without a parent the memory belongs to the driver object and stays allocated until the driver unloads: call WdfObjectDelete(scratch) on this path, or give it a parent in its attributes.',
    );
    const fixed = applyFix(loadFixture('ddiUse/KMDF3035/bad.c'), found[0]);
    assert.match(fixed['bad.c'], /\n {4}WdfObjectDelete\(scratch\);\n {4}return status; \/\/ expect: KMDF3035\n/);
    assert.deepEqual(foundAt(await lint(fixed, { rules: ddiUseRules }), 'KMDF3035'), ['bad.c:41 KMDF3035']);
  });
});

describe('role-based DDI rules: names from the driver are only names', () => {
  it('a driver function called constructor or valueOf is no allocator', async () => {
    const found = await lint(
      {
        'proto.c': [
          'NTSTATUS ProtoMake(WDFDEVICE Parent)',
          '{',
          '    PWDFDEVICE_INIT init;',
          '    init = constructor(Parent);',
          '    init = valueOf(Parent);',
          '    return STATUS_SUCCESS;',
          '}',
          '',
        ].join('\n'),
      },
      { rules: ddiUseRules },
    );
    assert.deepEqual(found, []);
  });
});

describe('KMDF3036 request-sent-as-other-type', () => {
  it('names the request, its type and the callback, and offers WDF_NO_HANDLE', async () => {
    const found = await findings('KMDF3036', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity}`),
      ['FlintEvtIoRead warning', 'FlintArm warning', 'FlintEvtIoDeviceControl warning'],
    );
    assert.equal(
      found[0].message,
      'WdfUsbTargetPipeWriteSynchronously is handed Request, the read request presented to the EvtIoRead callback ' +
        'FlintEvtIoRead. The method formats the request it is given as a write request, and a request that came in as ' +
        'a read may not be sent as another type. Pass WDF_NO_HANDLE so that the method sends a request of its own (and ' +
        'complete Request afterwards), or pass the read on as it came with WdfRequestFormatRequestUsingCurrentType and ' +
        'WdfRequestSend.',
    );
    assert.match(
      found[1].message,
      /^WdfIoTargetSendIoctlSynchronously is handed Carrier, the write request presented to FlintArm, which only ever gets the request of the EvtIoWrite callback FlintEvtIoWrite \(FlintEvtIoWrite → FlintArm\)\. The method formats the request it is given as a device control request/,
    );
    assert.match(found[2].message, /the device control request presented to the EvtIoDeviceControl callback/);
    assert.deepEqual(
      found.map((f) => [f.fixes?.[0]?.title, f.fixes?.[0]?.preferred]),
      [
        ['Let WdfUsbTargetPipeWriteSynchronously use a request of its own (WDF_NO_HANDLE)', undefined],
        ['Let WdfIoTargetSendIoctlSynchronously use a request of its own (WDF_NO_HANDLE)', undefined],
        ['Let WdfUsbTargetPipeReadSynchronously use a request of its own (WDF_NO_HANDLE)', undefined],
      ],
    );
    let fixed = loadFixture('ddiUse/KMDF3036/bad.c');
    // Last first: each edit moves the offsets after it.
    for (const f of [...found].reverse()) fixed = applyFix(fixed, f);
    assert.match(
      fixed['bad.c'],
      /WdfUsbTargetPipeWriteSynchronously\(flint->BulkOut, WDF_NO_HANDLE, NULL, &out, &written\);/,
    );
    assert.deepEqual(foundAt(await lint(fixed, { rules: ddiUseRules }), 'KMDF3036'), []);
  });

  it('covers internal device controls, and EvtIoDefault requests whose type nothing looks at (information)', async () => {
    const files = loadFixture('ddiUse/KMDF3036/internal.c');
    const found = (await lint(files, { rules: ddiUseRules })).filter((f) => f.ruleId === 'KMDF3036');
    assert.deepEqual(foundAt(found, 'KMDF3036'), expectedMarkers(files, 'KMDF3036'));
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity}`),
      ['SlateEvtIoInternalDeviceControl warning', 'SlateEvtIoDefault info'],
    );
    assert.match(
      found[0].message,
      /the internal device control request presented to the EvtIoInternalDeviceControl callback SlateEvtIoInternalDeviceControl\. The method formats the request it is given as a write request, and a request that came in as an internal device control/,
    );
    assert.match(found[1].message, /which is given requests of every type its queue's other callbacks do not take/);
  });

  it('takes the methods from the catalog: five ruled out for reads and writes, seven for device controls', () => {
    const index = testIndex();
    const under = (rule: string) =>
      index
        .all()
        .filter((e) => (e.ddiCompliance ?? []).some((r) => r.replace(/\(.*\)$/, '').trim() === rule))
        .map((e) => e.name)
        .sort();
    assert.deepEqual(under('ReadReqs'), [
      'WdfIoTargetSendInternalIoctlOthersSynchronously',
      'WdfIoTargetSendInternalIoctlSynchronously',
      'WdfIoTargetSendIoctlSynchronously',
      'WdfIoTargetSendWriteSynchronously',
      'WdfUsbTargetPipeWriteSynchronously',
    ]);
    assert.equal(under('WriteReqs').length, 5);
    assert.deepEqual(under('IoctlReqs').includes('WdfIoTargetSendIoctlSynchronously'), false);
    assert.equal(under('IoctlReqs').length, 7);
  });
});

describe('KMDF3037 file-object-not-configured', () => {
  it('reports each call in a driver that never configures file objects', async () => {
    const found = await findings('KMDF3037', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity}`),
      ['QuillEvtIoRead warning', 'QuillFromApplication warning'],
    );
    assert.equal(
      found[0].message,
      'QuillEvtIoRead calls WdfRequestGetFileObject, but the driver never calls WdfDeviceInitSetFileObjectConfig: ' +
        "without it the framework's file object class stays WdfFileObjectNotRequired, no framework file object is " +
        "created for the driver's devices, and WdfRequestGetFileObject returns NULL for every request. Call " +
        'WdfDeviceInitSetFileObjectConfig (with the WDF_FILEOBJECT_CLASS the driver needs) before WdfDeviceCreate, ' +
        'or keep the per-open state elsewhere.',
    );
    assert.deepEqual(
      found.map((f) => f.fixes),
      [undefined, undefined],
    );
  });

  it('is quiet for a library on its own and for an init handed to a class extension', async () => {
    for (const fixture of ['good-library.c', 'good-extension.c'])
      assert.deepEqual(await findings('KMDF3037', fixture), [], fixture);
  });

  it('does not check UMDF drivers', async () => {
    const found = (
      await lint(loadFixture('ddiUse/KMDF3037/bad.c'), {
        rules: ddiUseRules,
        target: { framework: 'UMDF', umdfVersion: '2.33', source: 'test' },
      })
    ).filter((f) => f.ruleId === 'KMDF3037');
    assert.deepEqual(found, []);
  });
});

describe('KMDF3038 deprecated-pool-allocation', () => {
  it('is information with a KMDF 1.31+ target, and rewrites ExAllocatePoolWithTag for a plain pool type', async () => {
    const found = await findings('KMDF3038', 'bad.c');
    assert.deepEqual(
      found.map((f) => `${f.function} ${f.severity} ${f.fixes?.[0]?.title ?? '-'}`),
      [
        'TernNewSample info Use ExAllocatePool2(POOL_FLAG_NON_PAGED, …)',
        'TernNewScratch info -',
        'TernNewCharged info -',
        'TernNewChargedUntagged info -',
        'TernNewUrgent info -',
      ],
    );
    assert.equal(
      found[0].message,
      'ExAllocatePoolWithTag is deprecated: the memory it returns is not zeroed, so a field the driver forgets to set ' +
        'carries whatever the pool held before (old kernel data that may reach user mode). The driver targets KMDF ' +
        '1.33, which runs on Windows 10, version 2004 and later only, where ExAllocatePool2 is always available and ' +
        'zeroes the allocation: use it instead.',
    );
    assert.match(found[4].message, /where ExAllocatePool3 is always available/);
    const fixed = applyFix(loadFixture('ddiUse/KMDF3038/bad.c'), found[0]);
    assert.match(
      fixed['bad.c'],
      /return \(PTERN_SAMPLE\)ExAllocatePool2\(POOL_FLAG_NON_PAGED, sizeof\(TERN_SAMPLE\), TERN_TAG\); \/\/ expect: KMDF3038/,
    );
    assert.deepEqual(
      (await lint(fixed, { rules: ddiUseRules })).filter((f) => f.ruleId === 'KMDF3038').map((f) => f.function),
      ['TernNewScratch', 'TernNewCharged', 'TernNewChargedUntagged', 'TernNewUrgent'],
    );
  });

  it('is a hint without a fix for a target that also loads before Windows 10, version 2004', async () => {
    const files = loadFixture('ddiUse/KMDF3038/bad.c');
    files['bad.c'] = `// target: KMDF 1.11\n${files['bad.c']}`;
    const found = (await lint(files, { rules: ddiUseRules })).filter((f) => f.ruleId === 'KMDF3038');
    assert.deepEqual(
      found.map((f) => `${f.severity} ${f.fixes === undefined}`),
      ['hint true', 'hint true', 'hint true', 'hint true', 'hint true'],
    );
    assert.match(
      found[0].message,
      /ExAllocatePool2, which zeroes the allocation, exists from Windows 10, version 2004; the driver targets KMDF 1\.11, which also loads on older systems, so move to it when the driver's minimum does\.$/,
    );
  });

  it('a Code Analysis pragma for C28751 silences it', async () => {
    const files = loadFixture('ddiUse/KMDF3038/bad.c');
    files['bad.c'] = files['bad.c'].replace(
      '    return ExAllocatePool(PagedPool, Bytes);',
      '#pragma warning(suppress: 28751)\n    return ExAllocatePool(PagedPool, Bytes);',
    );
    const found = (await lint(files, { rules: ddiUseRules })).filter((f) => f.ruleId === 'KMDF3038');
    assert.deepEqual(
      found.map((f) => f.function),
      ['TernNewSample', 'TernNewCharged', 'TernNewChargedUntagged', 'TernNewUrgent'],
    );
  });
});
