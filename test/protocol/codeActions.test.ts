/**
 * Code actions on the Harbor workspace through the bundled server: a registered but undefined
 * callback gets "Declare" and "Declare and define", no two actions make the same edit, and
 * `source.fixAll.kmdf` applies every mechanical fix of a file in one edit.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFixture, fixturesDir, positionOf, TestClient } from './harness';

const harbor = path.join(fixturesDir, 'harbor');
const device = path.join(harbor, 'tide/device.c');

interface Action {
  title: string;
  kind?: string;
  edit?: { changes?: Record<string, { range: unknown; newText: string }[]>; documentChanges?: unknown[] };
}

describe('protocol: code actions in a driver project', function () {
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

  it('offers "Declare" and "Declare and define" for a registered callback defined nowhere, without duplicates', async () => {
    const text = fs.readFileSync(device, 'utf8');
    const uri = await client.open(device, text);
    const at = positionOf(text, 'TideEvtIoStop;', 2);
    const actions = await client.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: at, end: at },
      context: { diagnostics: [] },
    });
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Declare TideEvtIoStop as EVT_WDF_IO_QUEUE_IO_STOP',
        'Declare and define TideEvtIoStop (EVT_WDF_IO_QUEUE_IO_STOP)',
      ],
    );
    const edits = new Set(actions.map((a) => JSON.stringify(a.edit)));
    assert.equal(edits.size, actions.length);
    const define = actions[1].edit!.changes![uri].map((e) => e.newText).join('');
    assert.ok(define.includes('EVT_WDF_IO_QUEUE_IO_STOP TideEvtIoStop;'), define);
    assert.ok(define.includes('WdfRequestStopAcknowledge(Request, TRUE);'), define);
  });

  it('source.fixAll.kmdf adds every missing _Use_decl_annotations_ in one edit', async () => {
    const text = fs
      .readFileSync(device, 'utf8')
      .replace('_Use_decl_annotations_\nVOID\nTideEvtIoWrite(', 'VOID\nTideEvtIoWrite(')
      .replace('_Use_decl_annotations_\nVOID\nTideEvtResetWork(', 'VOID\nTideEvtResetWork(');
    const uri = await client.open(device, text);
    const end = { line: text.split('\n').length, character: 0 };
    const actions = await client.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind]),
      [['Fix all KMDF problems in this file', 'source.fixAll.kmdf']],
    );
    assert.deepEqual(
      actions[0].edit!.changes![uri].map((e) => [e.range, e.newText]),
      [
        [
          { start: positionOf(text, 'VOID\nTideEvtIoWrite('), end: positionOf(text, 'VOID\nTideEvtIoWrite(') },
          '_Use_decl_annotations_\n',
        ],
        [
          { start: positionOf(text, 'VOID\nTideEvtResetWork('), end: positionOf(text, 'VOID\nTideEvtResetWork(') },
          '_Use_decl_annotations_\n',
        ],
      ],
    );
  });
});

describe('protocol: "Set the target KMDF version" writes .kmdf.json (KMDF4001)', function () {
  this.timeout(60000);
  let folder: string;
  let client: TestClient;
  const tide = (name: string) => path.join(folder, 'tide', name);

  /**
   * Tide calls a KMDF 1.31 method; `minor` is what its .vcxproj names (undefined: none, 1.15 implied),
   * `config` the text of its .kmdf.json (undefined: none).
   */
  async function start(minor?: string, config?: string): Promise<string> {
    folder = copyFixture('harbor');
    if (config !== undefined) fs.writeFileSync(tide('.kmdf.json'), config);
    const project = fs.readFileSync(tide('tide.vcxproj'), 'utf8');
    fs.writeFileSync(
      tide('tide.vcxproj'),
      minor === undefined
        ? project.replace(/ *<KMDF_VERSION_MINOR>33<\/KMDF_VERSION_MINOR>\n/, '')
        : project.replace('>33<', `>${minor}<`),
    );
    const text = fs
      .readFileSync(tide('device.c'), 'utf8')
      .replace(
        '    ResetCounters(tide);\n',
        '    ResetCounters(tide);\n    WdfDeviceSetDeviceInterfaceStateEx(device, &GUID_DEVINTERFACE_TIDE, NULL, TRUE);\n',
      );
    fs.writeFileSync(tide('device.c'), text);
    client = await TestClient.start({
      workspaceFolder: folder,
      settings: { docs: { online: false } },
      capabilities: {
        workspace: {
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
        },
      },
    });
    await client.ready();
    await client.waitFor(() => client.logs.some((l) => /\] Scanned \d+ C/.test(l.message)), 20000, 'workspace scan');
    const uri = await client.open(tide('device.c'), text);
    // Checked with the scanned workspace (tide.h declares the callbacks device.c registers).
    await client.waitFor(
      () =>
        !!client.diagnostics.get(uri) && !client.diagnostics.get(uri)!.diagnostics.some((d) => d.code === 'KMDF1001'),
      20000,
      'device.c checked with its header',
    );
    return uri;
  }

  const targetFinding = (uri: string) => client.diagnostics.get(uri)?.diagnostics.find((d) => d.code === 'KMDF4001');

  async function setTargetAction(uri: string): Promise<Action> {
    await client.waitFor(() => !!targetFinding(uri), 20000, 'KMDF4001 on device.c');
    const diagnostic = targetFinding(uri)!;
    const actions = await client.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    const found = actions.filter((a) => a.title.startsWith('Set the target'));
    assert.deepEqual(
      found.map((a) => [a.title, a.kind]),
      [['Set the target KMDF version to 1.31 (.kmdf.json)', 'quickfix']],
    );
    return found[0];
  }

  /** Write what the edit writes, tell the server, and wait for the finding to go. */
  async function applied(uri: string, content: string, type: number): Promise<void> {
    fs.writeFileSync(tide('.kmdf.json'), content);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: client.uriOf(tide('.kmdf.json')), type }],
    });
    await client.waitFor(() => !targetFinding(uri), 20000, 'KMDF4001 gone after the .kmdf.json edit');
  }

  afterEach(async () => {
    await client?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('creates .kmdf.json beside the .vcxproj when the project only implies its version', async () => {
    const uri = await start();
    const action = await setTargetAction(uri);
    assert.match(targetFinding(uri)?.message as string, /targets KMDF 1\.15 .*sets no minor version/);
    const config = client.uriOf(tide('.kmdf.json'));
    const content = '{\n  "target": {\n    "kmdfVersion": "1.31"\n  }\n}\n';
    assert.deepEqual(action.edit, {
      documentChanges: [
        { kind: 'create', uri: config, options: { ignoreIfExists: true } },
        {
          textDocument: { uri: config, version: null },
          edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: content }],
        },
      ],
    });
    await applied(uri, content, 1);
  });

  it("edits the version in the .kmdf.json the target came from, keeping the file's other settings", async () => {
    const text = '{\n  "rules": { "KMDF3006": "off" },\n  "target": { "kmdfVersion": "1.21" }\n}\n';
    const uri = await start('33', text);
    const action = await setTargetAction(uri);
    const at = positionOf(text, '21"');
    assert.deepEqual(action.edit, {
      changes: {
        [client.uriOf(tide('.kmdf.json'))]: [
          { range: { start: at, end: { ...at, character: at.character + 1 } }, newText: '3' },
        ],
      },
    });
    await applied(uri, text.replace('1.21', '1.31'), 2);
    assert.deepEqual(
      client.diagnostics.get(uri)?.diagnostics.map((d) => d.code),
      ['KMDF1005'],
    );
  });

  it('offers nothing to write when the .vcxproj names the version (the build uses that one)', async () => {
    const uri = await start('21');
    await client.waitFor(() => !!targetFinding(uri), 20000, 'KMDF4001 on device.c');
    const diagnostic = targetFinding(uri)!;
    const actions = await client.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    assert.deepEqual(
      actions.filter((a) => a.title.startsWith('Set the target')),
      [],
    );
  });
});

describe('protocol: no two code actions make the same edit, anywhere in examples/', function () {
  this.timeout(60000);

  it('at every line of the violations-*.c files, with the diagnostics there', async () => {
    const examples = path.join(fixturesDir, '../../../examples');
    const client = await TestClient.start({ workspaceFolder: examples, settings: { docs: { online: false } } });
    try {
      await client.ready();
      const duplicates: string[] = [];
      let offered = 0;
      for (const name of ['violations-contracts.c', 'violations-irql.c', 'violations-roles.c']) {
        const file = path.join(examples, name);
        const text = fs.readFileSync(file, 'utf8');
        const uri = await client.open(file, text);
        await client.waitFor(() => !!client.diagnostics.get(uri)?.diagnostics.length, 20000, `findings of ${name}`);
        const diagnostics = client.diagnostics.get(uri)!.diagnostics;
        const lines = text.split('\n');
        for (let line = 0; line < lines.length; line++) {
          const range = { start: { line, character: 0 }, end: { line, character: lines[line].length } };
          const here = diagnostics.filter((d) => d.range.start.line <= line && d.range.end.line >= line);
          const actions = await client.request<Action[]>('textDocument/codeAction', {
            textDocument: { uri },
            range,
            context: { diagnostics: here },
          });
          offered += actions.length;
          const seen = new Map<string, string>();
          for (const action of actions) {
            if (!action.edit) continue;
            const key = JSON.stringify(action.edit);
            const other = seen.get(key);
            if (other) duplicates.push(`${name}:${line + 1}: "${other}" and "${action.title}"`);
            else seen.set(key, action.title);
          }
        }
      }
      assert.ok(offered > 10, `only ${offered} actions offered: the check saw nothing`);
      assert.deepEqual(duplicates, []);
    } finally {
      await client.stop();
    }
  });
});
