// `kmdf lint` over a tree holding several drivers: each project (a folder with a .vcxproj, a `sources`
// file or a .kmdf.json; else the loose files of one folder) is analysed with its own call graph, so one
// driver's callbacks, helpers and DMA or cancel facts never leak into another's findings.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeDriver, lintDriver } from '../../../server/src/session/treeAnalysis';
import { testIndex } from '../../support/testIndex';

/** Driver one: a timer callback that calls a helper it only declares (defined by no file of this driver). */
const GARNET = `#include <ntddk.h>
#include <wdf.h>

EVT_WDF_DRIVER_DEVICE_ADD GarnetEvtDeviceAdd;
EVT_WDF_TIMER GarnetEvtTimer;
VOID ReadTuning(WDFDEVICE Device);

_Use_decl_annotations_
NTSTATUS
GarnetEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_TIMER_CONFIG timerConfig;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDFDEVICE device;
    WDFTIMER timer;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Driver);
    status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_TIMER_CONFIG_INIT(&timerConfig, GarnetEvtTimer);
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    return WdfTimerCreate(&timerConfig, &attributes, &timer);
}

_Use_decl_annotations_
VOID
GarnetEvtTimer(WDFTIMER Timer)
{
    ReadTuning((WDFDEVICE)WdfTimerGetParentObject(Timer));
}
`;

/** Driver two: a helper of the same name that reads the registry (PASSIVE_LEVEL only), called from a passive callback. */
const BASALT = `#include <ntddk.h>
#include <wdf.h>

EVT_WDF_DEVICE_PREPARE_HARDWARE BasaltEvtPrepareHardware;

VOID
ReadTuning(WDFDEVICE Device)
{
    WDFKEY key;
    ULONG value;
    if (NT_SUCCESS(WdfDeviceOpenRegistryKey(Device, PLUGPLAY_REGKEY_DEVICE, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key))) {
        (VOID)WdfRegistryQueryULong(key, NULL, &value);
        WdfRegistryClose(key);
    }
}

_Use_decl_annotations_
NTSTATUS
BasaltEvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    UNREFERENCED_PARAMETER(Raw);
    UNREFERENCED_PARAMETER(Translated);
    ReadTuning(Device);
    return STATUS_SUCCESS;
}
`;

const VCXPROJ = `<?xml version="1.0" encoding="utf-8"?>
<Project DefaultTargets="Build" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup Label="Configuration"><DriverType>KMDF</DriverType></PropertyGroup>
</Project>
`;

describe('projects: one call graph per driver in a tree', function () {
  this.timeout(60_000);
  let dir: string;

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const lintTree = async (paths: string[]) => {
    const index = testIndex();
    const driver = await analyzeDriver(paths, index);
    const result = lintDriver(driver, { index });
    return {
      projects: driver.projects.map(
        (p) =>
          `${path.relative(dir, p.root) || '.'} ${p.marker ? path.relative(dir, p.marker) : '-'} ${p.project.sources.map((f) => path.relative(p.root, f)).join(',')}`,
      ),
      own: result.findings
        .filter((f) => !/^KMDF3/.test(f.ruleId))
        .map((f) => `${path.basename(f.uri)}:${f.span.start.line + 1} ${f.ruleId}`),
    };
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-projects-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the two drivers in one folder share a call graph: the timer reaches the other helper (the cross-talk the split prevents)', async () => {
    write('garnet.c', GARNET);
    write('basalt.c', BASALT);
    const r = await lintTree([dir]);
    assert.deepEqual(r.projects, ['. - basalt.c,garnet.c']);
    assert.deepEqual(r.own, [
      'basalt.c:7 KMDF2007',
      'basalt.c:11 KMDF2001',
      'basalt.c:12 KMDF2001',
      'basalt.c:13 KMDF2001',
    ]);
  });

  it('split by .vcxproj and sources file, the same two drivers give no finding', async () => {
    write('garnet/garnet.vcxproj', VCXPROJ);
    write('garnet/src/garnet.c', GARNET);
    write('basalt/sources', 'TARGETNAME=basalt\nTARGETTYPE=DRIVER\nKMDF_VERSION_MAJOR=1\n');
    write('basalt/basalt.c', BASALT);
    const r = await lintTree([dir]);
    assert.deepEqual(r.projects, [
      `basalt ${path.join('basalt', 'sources')} basalt.c`,
      `garnet ${path.join('garnet', 'garnet.vcxproj')} ${path.join('src', 'garnet.c')}`,
    ]);
    assert.deepEqual(r.own, []);
  });

  it('loose files form one project per folder, apart from a project folder below them', async () => {
    write('garnet.c', GARNET);
    write('tools/basalt.c', BASALT);
    write('nested/.kmdf.json', '{}');
    write('nested/deeper/basalt.c', BASALT);
    const r = await lintTree([dir]);
    assert.deepEqual(r.projects, [
      '. - garnet.c',
      `nested ${path.join('nested', '.kmdf.json')} ${path.join('deeper', 'basalt.c')}`,
      `tools - basalt.c`,
    ]);
    assert.deepEqual(r.own, []);
  });
});

describe('projects: kmdf callbacks reads each driver on its own', function () {
  this.timeout(60_000);
  it("lists a function name used by two drivers once per driver, with each driver's role", async () => {
    const { listCallbacks } = await import('../../../server/src/cli/callbacksCommand');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-callbacks-'));
    try {
      const driver = (role: string, field: string, config: string) =>
        `${role} CommonHandler;\n\nVOID Setup(${config} *Config)\n{\n    Config->${field} = CommonHandler;\n}\n`;
      fs.mkdirSync(path.join(dir, 'quartz'));
      fs.writeFileSync(path.join(dir, 'quartz/quartz.vcxproj'), VCXPROJ);
      fs.writeFileSync(
        path.join(dir, 'quartz/quartz.c'),
        driver('EVT_WDF_IO_QUEUE_IO_STOP', 'EvtIoStop', 'WDF_IO_QUEUE_CONFIG'),
      );
      fs.mkdirSync(path.join(dir, 'slate'));
      fs.writeFileSync(path.join(dir, 'slate/slate.vcxproj'), VCXPROJ);
      fs.writeFileSync(path.join(dir, 'slate/slate.c'), driver('EVT_WDF_TIMER', 'EvtTimerFunc', 'WDF_TIMER_CONFIG'));
      const index = testIndex();
      const list = listCallbacks(await analyzeDriver([dir], index), index, dir);
      assert.deepEqual(
        list.map((c) => `${c.file}:${c.line} ${c.function} ${c.roleType} ${c.irql}`),
        [
          `${path.join('quartz', 'quartz.c')}:1 CommonHandler EVT_WDF_IO_QUEUE_IO_STOP ≤ DISPATCH_LEVEL`,
          `${path.join('slate', 'slate.c')}:1 CommonHandler EVT_WDF_TIMER = DISPATCH_LEVEL`,
        ],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
