/**
 * The KMDF Driver Map on the Harbor workspace (Beacon: a software driver with a timer; Tide: a PCI
 * driver with an interrupt, DMA enabler, a non-power-managed queue and a work item), through the
 * bundled server: the whole tree as text, and the change notification after an edit.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnalyseWorkspaceResult } from '../../shared/protocol';
import { fixturesDir, positionOf, TestClient } from './harness';

const harbor = path.join(fixturesDir, 'harbor');

interface MapNode {
  kind: string;
  label: string;
  description?: string;
  findings: number;
  missing?: boolean;
  definition?: { uri: string; range: { start: { line: number; character: number } } };
  registeredAt?: { uri: string; range: { start: { line: number; character: number } } };
  children?: MapNode[];
}

/** The tree as indented lines: `label — description [findings] (missing)`. */
function render(nodes: MapNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.label}${n.description ? ` — ${n.description}` : ''}${n.findings ? ` [${n.findings}]` : ''}${n.missing ? ' (missing)' : ''}`,
    ...render(n.children ?? [], depth + 1),
  ]);
}

describe('protocol: the KMDF Driver Map', function () {
  this.timeout(60000);
  let client: TestClient;
  let changes = 0;

  before(async () => {
    client = await TestClient.start({ workspaceFolder: harbor, settings: { docs: { online: false } } });
    client.connection.onNotification('kmdf/driverMapChanged', () => void changes++);
    await client.ready();
    await client.scanned();
  });
  after(async () => {
    await client?.stop();
  });

  it('shows each project: target, DriverEntry → callbacks → EvtDriverDeviceAdd → objects with their callbacks', async () => {
    const map = await client.request<MapNode[]>('kmdf/driverMap', {});
    assert.deepEqual(render(map), [
      'beacon — beacon.vcxproj',
      '  KMDF 1.31 — from beacon.vcxproj',
      '  DriverEntry — DRIVER_INITIALIZE · IRQL = PASSIVE_LEVEL',
      '    BeaconEvtDeviceAdd — EvtDriverDeviceAdd · IRQL = PASSIVE_LEVEL',
      '      Device — in BeaconEvtDeviceAdd',
      '        BeaconEvtDeviceD0Entry — EvtDeviceD0Entry · IRQL = PASSIVE_LEVEL',
      '      Queue — default · sequential · power-managed · in BeaconEvtDeviceAdd',
      '        BeaconEvtIoRead — EvtIoRead · IRQL ≤ DISPATCH_LEVEL',
      '        BeaconEvtIoStop — EvtIoStop · IRQL ≤ DISPATCH_LEVEL',
      '      Timer — periodic, 500 ms · in BeaconEvtDeviceAdd',
      '        BeaconEvtTimerFunc — EvtTimerFunc · IRQL = DISPATCH_LEVEL',
      // KMDF1005 (DriverEntry has no DRIVER_INITIALIZE declaration) and KMDF3006 (EvtIoStop on a queue
      // that is not power-managed, reported in TideEvtDeviceAdd where it is registered).
      'tide — tide.vcxproj [2]',
      '  KMDF 1.33 — from tide.vcxproj',
      '  DriverEntry — DRIVER_INITIALIZE · IRQL = PASSIVE_LEVEL [2]',
      '    TideEvtDeviceAdd — EvtDriverDeviceAdd · IRQL = PASSIVE_LEVEL [1]',
      '      Device — in TideEvtDeviceAdd',
      '        TideEvtDevicePrepareHardware — EvtDevicePrepareHardware · IRQL = PASSIVE_LEVEL',
      '      Queue — sequential · not power-managed · in TideEvtDeviceAdd',
      '        TideEvtIoWrite — EvtIoWrite · IRQL ≤ DISPATCH_LEVEL',
      '        TideEvtIoStop — EvtIoStop · IRQL ≤ DISPATCH_LEVEL · not defined (missing)',
      '      Interrupt — in TideEvtDeviceAdd',
      // An ISR runs at DIRQL: the interrupt is not created with PassiveHandling (knowledge/frameworkFacts.ts).
      '        TideEvtInterruptIsr — EvtInterruptIsr · IRQL = DIRQL',
      '        TideEvtInterruptDpc — EvtInterruptDpc · IRQL = DISPATCH_LEVEL',
      '      Work item — in TideEvtDeviceAdd',
      '        TideEvtResetWork — EvtWorkItem · IRQL = PASSIVE_LEVEL',
      '      DMA enabler — ScatterGather64 · in TideEvtDeviceAdd',
    ]);
  });

  it('gives each callback its registration site and definition; a missing one only its registration', async () => {
    const map = await client.request<MapNode[]>('kmdf/driverMap', {});
    const find = (nodes: MapNode[], label: string): MapNode | undefined =>
      nodes.map((n) => (n.label === label ? n : find(n.children ?? [], label))).find(Boolean);
    const at = (rel: string, needle: string) => {
      const p = positionOf(fs.readFileSync(path.join(harbor, rel), 'utf8'), needle);
      return `${rel}@${p.line}:${p.character}`;
    };
    const show = (l?: { uri: string; range: { start: { line: number; character: number } } }) =>
      l && `${path.relative(harbor, new URL(l.uri).pathname)}@${l.range.start.line}:${l.range.start.character}`;
    const stop = find(map, 'BeaconEvtIoStop')!;
    assert.equal(show(stop.definition), at('beacon/queue.c', 'BeaconEvtIoStop('));
    assert.equal(show(stop.registeredAt), at('beacon/driver.c', 'BeaconEvtIoStop;'));
    const missing = find(map, 'TideEvtIoStop')!;
    assert.equal(missing.missing, true);
    assert.equal(missing.definition, undefined);
    assert.equal(show(missing.registeredAt), at('tide/device.c', 'TideEvtIoStop;'));
    const dma = find(map, 'DMA enabler')!;
    assert.equal(show(dma.registeredAt), at('tide/device.c', 'WDF_DMA_ENABLER_CONFIG_INIT('));
  });

  it('tells the client to refresh after the analysis changes', async () => {
    const file = path.join(harbor, 'beacon/queue.c');
    const uri = await client.open(file);
    const before = changes;
    await client.change(uri, [{ text: fs.readFileSync(file, 'utf8') + '\nstatic VOID BeaconExtra(VOID) { }\n' }]);
    await client.waitFor(() => changes > before, 10000, 'kmdf/driverMapChanged');
  });
});

describe('protocol: examples/ (three drivers and loose files): the driver map and the start-up summary', function () {
  this.timeout(60000);

  it('shows the driver projects, then the files of no project under a node that says so', async () => {
    const examples = path.join(fixturesDir, '../../../examples');
    const client = await TestClient.start({ workspaceFolder: examples, settings: { docs: { online: false } } });
    try {
      await client.ready();
      await client.scanned();
      const map = await client.request<MapNode[]>('kmdf/driverMap', {});
      assert.deepEqual(
        map.map((n) => [n.kind, n.label, n.description]),
        [
          ['project', 'echo-dma', 'echodma.vcxproj'],
          ['project', 'soft-tally', 'softtally.vcxproj'],
          ['project', 'usb-blink', 'usbblink.vcxproj'],
          ['looseFiles', 'Files outside any driver project', 'examples/'],
        ],
      );
      const loose = map[3];
      assert.ok(loose.findings > 10, `${loose.findings} findings in the violations-*.c files`);
      // The loose files are checked and counted as files, never as a driver project (issue 9 §1).
      const analysed = await client.request<AnalyseWorkspaceResult>('kmdf/analyseWorkspace', null);
      assert.deepEqual([analysed.projects, analysed.files, analysed.looseFiles, analysed.cancelled], [3, 14, 3, false]);
      assert.ok(analysed.findings.error > 0, JSON.stringify(analysed.findings));
    } finally {
      await client.stop();
    }
  });

  it('logs a start-up summary: WDK headers or the catalog, the docs source, each project’s target and its origin', async () => {
    const examples = path.join(fixturesDir, '../../../examples');
    const client = await TestClient.start({
      workspaceFolder: examples,
      settings: { docs: { online: false } },
      initializationOptions: { stampsLogLines: true },
    });
    try {
      await client.ready();
      await client.waitFor(
        () => client.logs.some((l) => l.message.startsWith('Loose files (in no driver project)')),
        20000,
        'the summary',
      );
      const messages = client.logs.map((l) => l.message);
      const start = messages.findIndex((m) => m.startsWith('WDK headers:'));
      // No WDK on a CI machine; a Windows machine with a kit installed names its folders instead.
      assert.match(
        messages[start],
        /^WDK headers: (none set or found in the Windows Kits folders; the bundled catalog is used|WDK .*: .* over the bundled catalog:) \(?\d+ callback role types, \d+ methods, \d+ structures, \d+ enumerations\)$/,
      );
      assert.deepEqual(messages.slice(start + 1, start + 7), [
        'Reference text: none, facts only (no kmdf.docs.path, online docs off)',
        'Driver projects: 3',
        '  echo-dma: KMDF 1.33 from the properties of echodma.vcxproj',
        '  soft-tally: UMDF 2.33 from the properties of softtally.vcxproj',
        '  usb-blink: KMDF 1.33 from the properties of usbblink.vcxproj',
        `Loose files (in no driver project): 3 in ${path.resolve(examples)}: KMDF 1.33 by default (nothing names a version: the newest)`,
      ]);
    } finally {
      await client.stop();
    }
  });
});
