/**
 * The driver map's object nodes that the protocol fixtures (harbor) do not hold: a framework DPC
 * object (WdfDpcCreate), hung under the EvtDriverDeviceAdd that creates it, with its callback's IRQL.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectNode } from '../../../server/src/features/driverMap';
import { createAnalysisSession } from '../../../server/src/session/analysisSession';
import { DriverDocuments } from '../../../server/src/session/documents';
import { silentLogger } from '../../../server/src/util/logger';
import type { DriverMapNode } from '../../../shared/protocol';
import { testIndex } from '../../support/testIndex';

const SKIFF = `#include <ntddk.h>
#include <wdf.h>

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD SkiffEvtDeviceAdd;
EVT_WDF_DPC SkiffEvtDpc;

NTSTATUS
DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, SkiffEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

_Use_decl_annotations_
NTSTATUS
SkiffEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    NTSTATUS status;
    WDFDEVICE device;
    WDFDPC dpc;
    WDF_DPC_CONFIG dpcConfig;
    WDF_OBJECT_ATTRIBUTES dpcAttributes;

    UNREFERENCED_PARAMETER(Driver);
    status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_DPC_CONFIG_INIT(&dpcConfig, SkiffEvtDpc);
    WDF_OBJECT_ATTRIBUTES_INIT(&dpcAttributes);
    dpcAttributes.ParentObject = device;
    return WdfDpcCreate(&dpcConfig, &dpcAttributes, &dpc);
}

_Use_decl_annotations_
VOID
SkiffEvtDpc(WDFDPC Dpc)
{
    UNREFERENCED_PARAMETER(Dpc);
}
`;

function render(nodes: DriverMapNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.label}${n.description ? ` — ${n.description}` : ''}`,
    ...render(n.children ?? [], depth + 1),
  ]);
}

describe('driver map: a DPC object', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-skiff-'));
    fs.writeFileSync(path.join(dir, 'skiff.c'), SKIFF);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the DPC under the EvtDriverDeviceAdd that creates it, with its callback at DISPATCH_LEVEL', async () => {
    const index = testIndex();
    const session = createAnalysisSession(
      () => index,
      silentLogger,
      () => [dir],
    );
    await new DriverDocuments(session.fileAnalyzer, session.workspace, silentLogger).scan([dir]);
    const node = projectNode(
      { id: path.join(dir, 'skiff.vcxproj'), root: dir, kind: 'vcxproj' },
      session.workspace,
      index,
      [],
      {
        label: 'KMDF 1.33',
        source: 'test',
      },
    );
    assert.deepEqual(render(node.children ?? []), [
      'KMDF 1.33 — from test',
      'DriverEntry — DRIVER_INITIALIZE · IRQL = PASSIVE_LEVEL',
      '  SkiffEvtDeviceAdd — EvtDriverDeviceAdd · IRQL = PASSIVE_LEVEL',
      '    DPC — in SkiffEvtDeviceAdd',
      '      SkiffEvtDpc — EvtDpcFunc · IRQL = DISPATCH_LEVEL',
    ]);
    // Its registration site is the config init that names the callback; a click goes to the definition.
    const dpc = node.children?.[1].children?.[0].children?.[0];
    const callback = dpc?.children?.[0];
    const lineOf = (needle: string) => SKIFF.slice(0, SKIFF.indexOf(needle)).split('\n').length - 1;
    assert.equal(dpc?.registeredAt?.range.start.line, lineOf('WDF_DPC_CONFIG_INIT('));
    assert.equal(callback?.definition?.range.start.line, lineOf('SkiffEvtDpc(WDFDPC'));
    assert.equal(callback?.registeredAt?.range.start.line, lineOf('WDF_DPC_CONFIG_INIT('));
  });
});
