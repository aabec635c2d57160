/** Code actions through `vscode.executeCodeActionProvider`, each applied and checked against the exact text. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { openFixture, positionOf, revert, waitForServer } from './helpers';

async function actionsAt(file: string, needle: string, delta: number) {
  const { document } = await openFixture(file);
  const at = positionOf(document, needle, delta);
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      new vscode.Range(at, at),
    )) ?? [];
  return { document, actions: actions.filter((a): a is vscode.CodeAction => 'edit' in a || 'kind' in a) };
}

async function apply(action: vscode.CodeAction | undefined, titles: string[]): Promise<void> {
  assert.ok(action, `action not offered; offered: ${titles.join(' | ')}`);
  assert.ok(action.edit, `${action.title} has no edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit));
}

describe('code actions', function () {
  before(waitForServer);
  afterEach(async function () {
    for (const document of vscode.workspace.textDocuments) await revert(document);
  });

  it('defines a declared callback that has no body yet', async function () {
    const { document, actions } = await actionsAt('queue.h', 'BulbEvtIoWrite;', 2);
    const before = document.getText();
    const titles = actions.map((a) => a.title);
    await apply(
      actions.find((a) => a.title === 'Define BulbEvtIoWrite (EVT_WDF_IO_QUEUE_IO_WRITE)'),
      titles,
    );
    const after = before.indexOf('BulbEvtIoWrite;\n') + 'BulbEvtIoWrite;\n'.length;
    const definition =
      '\n_Use_decl_annotations_\nVOID\nBulbEvtIoWrite(\n    WDFQUEUE Queue,\n    WDFREQUEST Request,\n    size_t Length\n    )\n{\n' +
      '    UNREFERENCED_PARAMETER(Queue);\n    UNREFERENCED_PARAMETER(Length);\n\n' +
      '    // Not handled yet: fail it as the framework fails a request type without a handler.\n' +
      '    WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);\n}\n';
    assert.equal(document.getText(), before.slice(0, after) + definition + before.slice(after));
  });

  it('declares the role type of a callback that is registered but never declared', async function () {
    const { document, actions } = await actionsAt('queue.c', '= BulbEvtIoRead', 4);
    const before = document.getText();
    await apply(
      actions.find((a) => a.title === 'Declare BulbEvtIoRead as EVT_WDF_IO_QUEUE_IO_READ'),
      actions.map((a) => a.title),
    );
    const at = before.indexOf('NTSTATUS\nBulbQueueInitialize(');
    assert.equal(
      document.getText(),
      before.slice(0, at) + 'EVT_WDF_IO_QUEUE_IO_READ BulbEvtIoRead;\n\n' + before.slice(at),
    );
  });

  it('adds _Use_decl_annotations_ to a callback definition without it', async function () {
    const { document, actions } = await actionsAt('queue.c', 'BulbEvtIoStop(', 3);
    const before = document.getText();
    await apply(
      actions.find((a) => a.title === 'Add _Use_decl_annotations_ to BulbEvtIoStop'),
      actions.map((a) => a.title),
    );
    const at = before.indexOf('VOID\nBulbEvtIoStop(');
    assert.equal(document.getText(), before.slice(0, at) + '_Use_decl_annotations_\n' + before.slice(at));
  });

  it('offers no "Declare" action for a callback that is already declared', async function () {
    const { actions } = await actionsAt('queue.c', '= BulbEvtIoStop', 4);
    assert.deepEqual(
      actions.filter((a) => a.title.startsWith('Declare')).map((a) => a.title),
      [],
    );
  });
});
