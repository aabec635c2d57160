/**
 * Navigation on the Harbor workspace (two drivers, Beacon and Tide, each with its own .vcxproj and
 * each with a helper named ResetCounters), through the bundled server and without any WDK include
 * setup: definition and declaration, references, rename, call hierarchy with IRQL, highlights.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir, positionOf, TestClient } from './harness';

const harbor = path.join(fixturesDir, 'harbor');
const file = (rel: string) => path.join(harbor, rel);
const read = (rel: string) => fs.readFileSync(file(rel), 'utf8');

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
interface Location {
  uri: string;
  range: Range;
}

describe('protocol: navigation across the files of a driver project', function () {
  this.timeout(60000);
  let client: TestClient;
  const texts: Record<string, string> = {};
  const uris: Record<string, string> = {};

  /** `rel@line:char` of the `occurrence`-th `needle` in a fixture file (what a Location should point at). */
  const at = (rel: string, needle: string, occurrence = 0, delta = 0) => {
    const p = positionOf(read(rel), needle, delta, occurrence);
    return `${rel}@${p.line}:${p.character}`;
  };
  const show = (l: Location) => {
    const rel = path.relative(harbor, new URL(l.uri).pathname).split(path.sep).join('/');
    return `${rel}@${l.range.start.line}:${l.range.start.character}`;
  };
  const request = <R>(method: string, rel: string, needle: string, occurrence = 0, extra: object = {}) =>
    client.request<R>(method, {
      textDocument: { uri: uris[rel] ?? client.uriOf(file(rel)) },
      position: positionOf(texts[rel] ?? read(rel), needle, 1, occurrence),
      ...extra,
    });

  before(async () => {
    client = await TestClient.start({ workspaceFolder: harbor, settings: { docs: { online: false } } });
    await client.ready();
    await client.scanned();
    for (const rel of ['beacon/driver.c', 'beacon/beacon.h']) {
      texts[rel] = read(rel);
      uris[rel] = await client.open(file(rel), texts[rel]);
    }
  });

  after(async () => {
    await client?.stop();
  });

  describe('definition and declaration', () => {
    it('goes from a registration to the definition in another file', async () => {
      const result = await request<Location[]>('textDocument/definition', 'beacon/driver.c', 'BeaconEvtIoStop;', 0);
      assert.deepEqual(result.map(show), [at('beacon/queue.c', 'BeaconEvtIoStop(')]);
    });

    it('goes from a role-type declaration to the definition', async () => {
      const result = await request<Location[]>('textDocument/definition', 'beacon/beacon.h', 'BeaconEvtIoRead;');
      assert.deepEqual(result.map(show), [at('beacon/queue.c', 'BeaconEvtIoRead(')]);
    });

    it("goes from a call to its own driver's helper, not the other driver's namesake", async () => {
      const result = await request<Location[]>('textDocument/definition', 'beacon/driver.c', 'ResetCounters(context)');
      assert.deepEqual(result.map(show), [at('beacon/queue.c', 'ResetCounters(')]);
    });

    it('goes from an argument registration (WDF_DRIVER_CONFIG_INIT) and from alloc_text', async () => {
      const fromInit = await request<Location[]>(
        'textDocument/definition',
        'beacon/driver.c',
        'BeaconEvtDeviceAdd)',
        1,
      );
      const fromPragma = await request<Location[]>('textDocument/definition', 'beacon/driver.c', 'BeaconEvtDeviceAdd)');
      const definition = at('beacon/driver.c', 'BeaconEvtDeviceAdd(');
      assert.deepEqual(fromInit.map(show), [definition]);
      assert.deepEqual(fromPragma.map(show), [definition]);
    });

    it('on the definition itself goes to the role-type declaration', async () => {
      const result = await request<Location[]>('textDocument/definition', 'beacon/driver.c', 'BeaconEvtDeviceAdd(');
      assert.deepEqual(result.map(show), [at('beacon/beacon.h', 'BeaconEvtDeviceAdd;')]);
    });

    it('declaration gives the role-type declaration, then prototypes', async () => {
      const stop = await request<Location[]>('textDocument/declaration', 'beacon/driver.c', 'BeaconEvtIoStop;');
      assert.deepEqual(stop.map(show), [at('beacon/beacon.h', 'BeaconEvtIoStop;')]);
      const helper = await request<Location[]>('textDocument/declaration', 'beacon/driver.c', 'ResetCounters(context)');
      assert.deepEqual(helper.map(show), [at('beacon/beacon.h', 'ResetCounters(')]);
    });

    it('answers null for WDF names, fields and locals', async () => {
      for (const needle of ['WdfIoQueueCreate', 'EvtIoStop =', 'queueConfig.EvtIoRead'])
        assert.equal(await request('textDocument/definition', 'beacon/driver.c', needle), null, needle);
    });
  });

  describe('references', () => {
    it('lists the declaration, alloc_text, registration and definition in file order', async () => {
      const result = await request<Location[]>('textDocument/references', 'beacon/driver.c', 'BeaconEvtIoStop;', 0, {
        context: { includeDeclaration: true },
      });
      assert.deepEqual(result.map(show), [
        at('beacon/beacon.h', 'BeaconEvtIoStop'),
        at('beacon/driver.c', 'BeaconEvtIoStop'),
        at('beacon/queue.c', 'BeaconEvtIoStop'),
      ]);
      const add = await request<Location[]>('textDocument/references', 'beacon/driver.c', 'BeaconEvtDeviceAdd)', 1, {
        context: { includeDeclaration: true },
      });
      assert.deepEqual(add.map(show), [
        at('beacon/beacon.h', 'BeaconEvtDeviceAdd'),
        at('beacon/driver.c', 'BeaconEvtDeviceAdd', 0),
        at('beacon/driver.c', 'BeaconEvtDeviceAdd', 1),
        at('beacon/driver.c', 'BeaconEvtDeviceAdd', 2),
      ]);
    });

    it('without declarations leaves out the definition and the declarations', async () => {
      const result = await request<Location[]>(
        'textDocument/references',
        'beacon/driver.c',
        'ResetCounters(context)',
        0,
        {
          context: { includeDeclaration: false },
        },
      );
      assert.deepEqual(result.map(show), [
        at('beacon/driver.c', 'ResetCounters(context)'),
        at('beacon/queue.c', 'ResetCounters(context)'),
      ]);
    });
  });

  describe('rename', () => {
    it('prepareRename gives the name and its range', async () => {
      const result = await request<{ range: Range; placeholder: string }>(
        'textDocument/prepareRename',
        'beacon/driver.c',
        'BeaconEvtIoStop;',
      );
      const start = positionOf(texts['beacon/driver.c'], 'BeaconEvtIoStop');
      assert.deepEqual(result, {
        placeholder: 'BeaconEvtIoStop',
        range: { start, end: { line: start.line, character: start.character + 'BeaconEvtIoStop'.length } },
      });
    });

    it('prepareRename refuses WDF names, locals and DriverEntry, saying why', async () => {
      const refusals: string[] = [];
      for (const needle of ['WdfIoQueueCreate', 'queueConfig;', 'DriverEntry(']) {
        await request('textDocument/prepareRename', 'beacon/driver.c', needle).then(
          () => refusals.push(`${needle}: accepted`),
          (error: Error) => refusals.push(`${needle}: ${error.message}`),
        );
      }
      assert.deepEqual(refusals, [
        'WdfIoQueueCreate: WdfIoQueueCreate is a WDF method, not a function of this driver.',
        'queueConfig;: queueConfig is not a function defined or declared in this driver project.',
        'DriverEntry(: DriverEntry is an entry point looked up by name; it keeps its name.',
      ]);
    });

    it('renames the declaration, alloc_text line, registration and definition in one edit', async () => {
      const edit = await request<{ changes: Record<string, { range: Range; newText: string }[]> }>(
        'textDocument/rename',
        'beacon/driver.c',
        'BeaconEvtDeviceAdd(',
        0,
        { newName: 'BeaconEvtAddDevice' },
      );
      const edits = Object.entries(edit.changes).flatMap(([uri, list]) =>
        list.map((e) => `${show({ uri, range: e.range })}-${e.range.end.character} ${e.newText}`),
      );
      const span = (rel: string, occurrence: number) =>
        `${at(rel, 'BeaconEvtDeviceAdd', occurrence)}-${positionOf(read(rel), 'BeaconEvtDeviceAdd', 'BeaconEvtDeviceAdd'.length, occurrence).character} BeaconEvtAddDevice`;
      assert.deepEqual(edits, [
        span('beacon/beacon.h', 0),
        span('beacon/driver.c', 0),
        span('beacon/driver.c', 1),
        span('beacon/driver.c', 2),
      ]);
    });

    it("renames one driver's helper without touching the other driver's namesake", async () => {
      const edit = await request<{ changes: Record<string, unknown[]> }>(
        'textDocument/rename',
        'beacon/driver.c',
        'ResetCounters(context)',
        0,
        { newName: 'BeaconResetCounters' },
      );
      const counts = Object.entries(edit.changes).map(
        ([uri, list]) => `${path.relative(harbor, new URL(uri).pathname)}:${list.length}`,
      );
      assert.deepEqual(counts, ['beacon/beacon.h:1', 'beacon/driver.c:1', 'beacon/queue.c:2']);
    });

    it('refuses a new name that is taken, a keyword or not an identifier', async () => {
      const refusals: string[] = [];
      for (const newName of ['BeaconEvtIoRead', 'switch', '2fast', 'WdfDeviceCreate']) {
        await request('textDocument/rename', 'beacon/driver.c', 'BeaconEvtIoStop;', 0, { newName }).then(
          () => refusals.push(`${newName}: accepted`),
          (error: Error) => refusals.push(error.message),
        );
      }
      assert.deepEqual(refusals, [
        'BeaconEvtIoRead already names a function or variable in this driver.',
        '"switch" is a C/C++ keyword.',
        '"2fast" is not a C identifier.',
        "WdfDeviceCreate is a WDF name; pick a name of the driver's own.",
      ]);
    });
  });

  describe('call hierarchy', () => {
    interface Item {
      name: string;
      detail?: string;
      uri: string;
      range: Range;
      selectionRange: Range;
      data?: unknown;
    }
    const prepare = (rel: string, needle: string, occurrence = 0) =>
      request<Item[]>('textDocument/prepareCallHierarchy', rel, needle, occurrence);

    it("an item's detail gives the role and the IRQL it runs at, a helper's every level and from where", async () => {
      const [stop] = await prepare('beacon/driver.c', 'BeaconEvtIoStop;');
      assert.equal(stop.name, 'BeaconEvtIoStop');
      assert.equal(stop.detail, 'EvtIoStop · IRQL ≤ DISPATCH_LEVEL');
      assert.equal(show({ uri: stop.uri, range: stop.selectionRange }), at('beacon/queue.c', 'BeaconEvtIoStop('));
      const [helper] = await prepare('beacon/driver.c', 'ResetCounters(context)');
      assert.equal(
        helper.detail,
        'IRQL = DISPATCH_LEVEL from BeaconEvtTimerFunc, = PASSIVE_LEVEL from BeaconEvtDeviceAdd',
      );
    });

    it('incoming calls: the callers of a helper and the function that registers a callback', async () => {
      const [helper] = await prepare('beacon/driver.c', 'ResetCounters(context)');
      const incoming = await client.request<{ from: Item; fromRanges: Range[] }[]>('callHierarchy/incomingCalls', {
        item: helper,
      });
      assert.deepEqual(
        incoming.map((c) => `${c.from.name} [${c.from.detail}] ${c.fromRanges.map((r) => r.start.line).join(',')}`),
        [
          `BeaconEvtDeviceAdd [EvtDriverDeviceAdd · IRQL = PASSIVE_LEVEL] ${positionOf(read('beacon/driver.c'), 'ResetCounters(context)').line}`,
          `BeaconEvtTimerFunc [EvtTimerFunc · IRQL = DISPATCH_LEVEL] ${positionOf(read('beacon/queue.c'), 'ResetCounters(context)').line}`,
        ],
      );
      const [stop] = await prepare('beacon/driver.c', 'BeaconEvtIoStop;');
      const registeredBy = await client.request<{ from: Item; fromRanges: Range[] }[]>('callHierarchy/incomingCalls', {
        item: stop,
      });
      assert.deepEqual(
        registeredBy.map((c) => `${c.from.name}@${c.fromRanges[0].start.line}`),
        [`BeaconEvtDeviceAdd@${positionOf(texts['beacon/driver.c'], 'BeaconEvtIoStop;').line}`],
      );
    });

    it('outgoing calls follow registrations: DriverEntry → EvtDriverDeviceAdd → its callbacks and helpers', async () => {
      const [entry] = await prepare('beacon/driver.c', 'DriverEntry(');
      // The root of the chain shows its IRQL too (the system calls DriverEntry at PASSIVE_LEVEL).
      assert.equal(entry.detail, 'DriverEntry · IRQL = PASSIVE_LEVEL');
      const fromEntry = await client.request<{ to: Item }[]>('callHierarchy/outgoingCalls', { item: entry });
      assert.deepEqual(
        fromEntry.map((c) => c.to.name),
        ['BeaconEvtDeviceAdd'],
      );
      const fromAdd = await client.request<{ to: Item }[]>('callHierarchy/outgoingCalls', { item: fromEntry[0].to });
      assert.deepEqual(
        fromAdd.map((c) => c.to.name),
        ['BeaconEvtDeviceD0Entry', 'ResetCounters', 'BeaconEvtIoRead', 'BeaconEvtIoStop', 'BeaconEvtTimerFunc'],
      );
    });
  });

  describe('document highlights', () => {
    it('marks the definition and declarations as writes and uses as reads', async () => {
      const result = await request<{ range: Range; kind: number }[]>(
        'textDocument/documentHighlight',
        'beacon/driver.c',
        'BeaconEvtDeviceAdd(',
      );
      const line = (n: number) => positionOf(texts['beacon/driver.c'], 'BeaconEvtDeviceAdd', 0, n).line;
      assert.deepEqual(
        result.map((h) => `${h.range.start.line}:${h.kind}`),
        [`${line(0)}:1`, `${line(1)}:2`, `${line(2)}:3`],
      );
    });

    it("keeps a parameter's highlights inside its own function", async () => {
      const result = await request<{ range: Range }[]>(
        'textDocument/documentHighlight',
        'beacon/driver.c',
        'DeviceInit',
        0,
      );
      const lines = result.map((h) => h.range.start.line);
      const text = texts['beacon/driver.c'];
      const body = ['DeviceInit\n', '(DeviceInit,', '&DeviceInit'].map((needle) => positionOf(text, needle).line);
      assert.deepEqual(lines, body);
    });
  });
});
