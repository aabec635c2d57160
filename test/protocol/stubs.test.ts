/**
 * Stubs in a workspace of two drivers (Harbor: Beacon and Tide, each with its .vcxproj): the name
 * takes the prefix of the document's own project, the picker list puts the project's framework first,
 * and a placed stub goes where the project keeps such code, with the cursor position on the new name.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir, positionOf, TestClient } from './harness';

const harbor = path.join(fixturesDir, 'harbor');
const file = (rel: string) => path.join(harbor, rel);
const read = (rel: string) => fs.readFileSync(file(rel), 'utf8');

interface Edit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}
interface Generated {
  functionName: string;
  declaration: string;
  definition: string;
  allocText?: string;
  placement?: {
    changes: Record<string, Edit[]>;
    reveal: { uri: string; position: { line: number; character: number } };
  };
}

/** Apply insert-only edits to a text (as the client does). */
function apply(text: string, edits: Edit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((sum, l) => sum + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

describe('protocol: stubs right in a workspace of several drivers', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({ workspaceFolder: harbor, settings: { docs: { online: false } } });
    await client.ready();
    await client.scanned();
  });
  after(async () => {
    await client?.stop();
  });

  it("takes the prefix of the document's own driver project", async () => {
    const names: string[] = [];
    for (const rel of ['beacon/queue.c', 'tide/device.c']) {
      const uri = client.uriOf(file(rel));
      const stub = await client.request<Generated>('kmdf/generateStub', {
        roleType: 'EVT_WDF_IO_QUEUE_IO_RESUME',
        uri,
      });
      names.push(stub.functionName);
    }
    assert.deepEqual(names, ['BeaconEvtIoResume', 'TideEvtIoResume']);
  });

  it('places a new callback: declaration after the header’s role-type declarations, definition at the end', async () => {
    const uri = client.uriOf(file('beacon/queue.c'));
    const stub = await client.request<Generated>('kmdf/generateStub', {
      roleType: 'EVT_WDF_IO_QUEUE_IO_RESUME',
      uri,
      place: true,
    });
    const header = client.uriOf(file('beacon/beacon.h'));
    assert.deepEqual(Object.keys(stub.placement!.changes).sort(), [header, uri].sort());
    const headerAfter = apply(read('beacon/beacon.h'), stub.placement!.changes[header]);
    assert.equal(
      headerAfter,
      read('beacon/beacon.h').replace(
        'EVT_WDF_TIMER BeaconEvtTimerFunc;\n',
        'EVT_WDF_TIMER BeaconEvtTimerFunc;\nEVT_WDF_IO_QUEUE_IO_RESUME BeaconEvtIoResume;\n',
      ),
    );
    const source = read('beacon/queue.c');
    const sourceAfter = apply(source, stub.placement!.changes[uri]);
    assert.equal(sourceAfter, `${source}\n${stub.definition}\n`);
    const reveal = stub.placement!.reveal;
    assert.deepEqual(reveal, { uri, position: positionOf(sourceAfter, 'BeaconEvtIoResume(') });
  });

  it('defines a registered but undefined callback after the function that registers it', async () => {
    const uri = client.uriOf(file('tide/device.c'));
    const stub = await client.request<Generated>('kmdf/generateStub', {
      roleType: 'EVT_WDF_IO_QUEUE_IO_STOP',
      functionName: 'TideEvtIoStop',
      uri,
      place: true,
    });
    const header = client.uriOf(file('tide/tide.h'));
    assert.equal(
      apply(read('tide/tide.h'), stub.placement!.changes[header]),
      read('tide/tide.h').replace(
        'EVT_WDF_WORKITEM TideEvtResetWork;\n',
        'EVT_WDF_WORKITEM TideEvtResetWork;\nEVT_WDF_IO_QUEUE_IO_STOP TideEvtIoStop;\n',
      ),
    );
    const source = read('tide/device.c');
    const afterAdd = source.indexOf('\n}\n', source.indexOf('TideEvtDeviceAdd(\n')) + 3;
    const sourceAfter = apply(source, stub.placement!.changes[uri]);
    assert.equal(sourceAfter, `${source.slice(0, afterAdd)}\n${stub.definition}\n${source.slice(afterAdd)}`);
    assert.deepEqual(stub.placement!.reveal.position, positionOf(sourceAfter, 'TideEvtIoStop(\n'));
  });

  it('puts alloc_text beside the file’s other alloc_text lines for a pageable callback', async () => {
    const uri = client.uriOf(file('tide/device.c'));
    const stub = await client.request<Generated>('kmdf/generateStub', {
      roleType: 'EVT_WDF_DEVICE_RELEASE_HARDWARE',
      uri,
      place: true,
    });
    assert.equal(stub.functionName, 'TideEvtDeviceReleaseHardware');
    const source = read('tide/device.c');
    const sourceAfter = apply(source, stub.placement!.changes[uri]);
    assert.ok(
      sourceAfter.includes(
        '#pragma alloc_text (PAGE, TideEvtDevicePrepareHardware)\n#pragma alloc_text(PAGE, TideEvtDeviceReleaseHardware)\n#endif\n',
      ),
      sourceAfter.slice(0, 400),
    );
  });

  it('refuses to place a stub for a name the driver already defines', async () => {
    await assert.rejects(
      client.request('kmdf/generateStub', {
        roleType: 'EVT_WDF_IO_QUEUE_IO_WRITE',
        functionName: 'TideEvtIoWrite',
        uri: client.uriOf(file('tide/device.c')),
        place: true,
      }),
      /TideEvtIoWrite is already defined in this driver\./,
    );
  });

  it("lists the role types of the project's framework first, with no raw SAL as an IRQL", async () => {
    const list = await client.request<{ name: string; irql?: string; forProject?: boolean }[]>('kmdf/listCallbacks', {
      uri: client.uriOf(file('beacon/queue.c')),
    });
    const firstOther = list.findIndex((c) => c.forProject === false);
    assert.ok(firstOther > 100, `${firstOther}`);
    assert.ok(list.slice(firstOther).every((c) => c.forProject === false));
    const irqls = new Set(list.map((c) => c.irql ?? '(none)'));
    assert.deepEqual(
      [...irqls].filter((i) => !/^(= |≤ |≥ )(PASSIVE_LEVEL|APC_LEVEL|DISPATCH_LEVEL|DIRQL)$|^\(none\)$/.test(i)),
      [],
    );
    assert.equal(list.find((c) => c.name === 'EVT_WDF_IO_QUEUE_IO_RESUME')?.irql, '≤ DISPATCH_LEVEL');
  });
});
