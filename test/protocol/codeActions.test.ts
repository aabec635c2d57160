/**
 * Code actions on the Harbor workspace through the bundled server: a registered but undefined
 * callback gets "Declare" and "Declare and define", no two actions make the same edit, and
 * `source.fixAll.kmdf` applies every mechanical fix of a file in one edit.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir, positionOf, TestClient } from './harness';

const harbor = path.join(fixturesDir, 'harbor');
const device = path.join(harbor, 'tide/device.c');

interface Action {
  title: string;
  kind?: string;
  edit?: { changes?: Record<string, { range: unknown; newText: string }[]> };
}

describe('protocol: code actions in a driver project', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({ workspaceFolder: harbor, settings: { docs: { online: false } } });
    await client.ready();
    await client.waitFor(() => client.logs.some((l) => /\] Scanned \d+ C/.test(l.message)), 20000, 'workspace scan');
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
