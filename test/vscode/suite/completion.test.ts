/**
 * Completion through `vscode.executeCompletionItemProvider`: callback fields, existing callbacks,
 * and the callback stubs, whose edits are applied here and compared with the exact resulting text.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { openFixture, pollFor, positionOf, revert, waitForServer } from './helpers';

/** Replace `from` with `to` in the editor's document (unsaved). */
async function replaceInEditor(editor: vscode.TextEditor, from: string, to: string): Promise<void> {
  const { document } = editor;
  const start = positionOf(document, from);
  const ok = await editor.edit((edit) =>
    edit.replace(new vscode.Range(start, document.positionAt(document.offsetAt(start) + from.length)), to),
  );
  assert.ok(ok, `could not edit ${document.fileName}`);
}

async function completionsAt(
  document: vscode.TextDocument,
  position: vscode.Position,
): Promise<vscode.CompletionItem[]> {
  // A large resolve count makes VS Code resolve every item, as accepting one in the editor would.
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    document.uri,
    position,
    undefined,
    1000,
  );
  return list?.items ?? [];
}

const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);
const replacingRange = (item: vscode.CompletionItem, fallback: vscode.Range) =>
  !item.range ? fallback : 'replacing' in item.range ? item.range.replacing : item.range;

const STOP_STUB_BODY =
  '_Use_decl_annotations_\nVOID\nBulbEvtIoStop2(\n    WDFQUEUE Queue,\n    WDFREQUEST Request,\n    ULONG ActionFlags\n    )\n{\n' +
  [
    '    UNREFERENCED_PARAMETER(Queue);',
    '',
    "    // The queue is stopping while this request is still the driver's: settle it for each reason given.",
    '    // Marked cancelable: unmark it first; if it was canceled meanwhile, its cancel routine completes it.',
    '    if ((ActionFlags & WdfRequestStopRequestCancelable) != 0) {',
    '        if (WdfRequestUnmarkCancelable(Request) == STATUS_CANCELLED) {',
    '            return;',
    '        }',
    '    }',
    '',
    '    if ((ActionFlags & WdfRequestStopActionSuspend) != 0) {',
    '        // Leaving D0: hand it back to the queue, which delivers it again after power-up.',
    '        WdfRequestStopAcknowledge(Request, TRUE);',
    '    } else if ((ActionFlags & WdfRequestStopActionPurge) != 0) {',
    '        // The queue is purged (removal or a purge call): finish it now.',
    '        WdfRequestComplete(Request, STATUS_CANCELLED);',
    '    }',
  ].join('\n') +
  '\n}';

describe('completion', function () {
  before(waitForServer);
  afterEach(async function () {
    for (const document of vscode.workspace.textDocuments) await revert(document);
  });

  it('offers the callback fields of a config structure after `queueConfig.`', async function () {
    const editor = await openFixture('queue.c');
    await replaceInEditor(editor, '    queueConfig.EvtIoWrite = BulbEvtIoWrite;\n', '    queueConfig.\n');
    const items = await completionsAt(editor.document, positionOf(editor.document, 'queueConfig.\n', 12));
    const detailOf = new Map(items.map((item) => [labelOf(item), item.detail]));
    assert.equal(detailOf.get('EvtIoStop'), 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(detailOf.get('EvtIoRead'), 'EVT_WDF_IO_QUEUE_IO_READ');
    assert.equal(detailOf.get('EvtIoDeviceControl'), 'EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL');
  });

  it("after `queueConfig.EvtIoStop = ` offers the driver's EvtIoStop functions, then a new stub whose edits write the exact callback", async function () {
    const editor = await openFixture('queue.c');
    await replaceInEditor(editor, '    queueConfig.EvtIoStop = BulbEvtIoStop;\n', '    queueConfig.EvtIoStop = \n');
    const { document } = editor;
    const before = document.getText();
    const at = positionOf(document, 'queueConfig.EvtIoStop = \n', 24);
    // Polled: until the workspace scan has seen power.c, only the open files' callbacks are known.
    const items = await pollFor(
      'three EvtIoStop completions',
      async () =>
        (await completionsAt(document, at)).filter(
          (item) => item.detail === 'EVT_WDF_IO_QUEUE_IO_STOP' || labelOf(item).startsWith('new '),
        ),
      (found) => found.length >= 3,
    );
    const sorted = [...items].sort((a, b) => (a.sortText ?? labelOf(a)).localeCompare(b.sortText ?? labelOf(b)));
    assert.deepEqual(sorted.map(labelOf), ['BulbEvtIoStop', 'BulbEvtPowerQueueIoStop', 'new EvtIoStop callback…']);

    const stub = sorted[2];
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      document.uri,
      replacingRange(stub, new vscode.Range(at, at)),
      typeof stub.insertText === 'string' ? stub.insertText : labelOf(stub),
    );
    for (const extra of stub.additionalTextEdits ?? []) edit.replace(document.uri, extra.range, extra.newText);
    assert.ok(await vscode.workspace.applyEdit(edit));

    const fnStart = before.indexOf('NTSTATUS\nBulbQueueInitialize(');
    const expected =
      before.slice(0, fnStart) +
      'EVT_WDF_IO_QUEUE_IO_STOP BulbEvtIoStop2;\n\n' +
      before.slice(fnStart).replace('queueConfig.EvtIoStop = \n', 'queueConfig.EvtIoStop = BulbEvtIoStop2\n') +
      '\n' +
      STOP_STUB_BODY +
      '\n';
    assert.equal(document.getText(), expected);
  });

  it('where a declaration starts, the "EvtIoStop callback" snippet expands to the exact declaration and stub', async function () {
    const editor = await openFixture('queue.h');
    const { document } = editor;
    const original = document.getText();
    const end = document.positionAt(original.length);
    assert.ok(await editor.edit((edit) => edit.insert(end, 'EVT_WDF_IO_QUEUE_IO_ST')));
    const at = document.positionAt(document.getText().length);
    const items = await completionsAt(document, at);
    assert.ok(
      items.some((item) => labelOf(item) === 'EVT_WDF_IO_QUEUE_IO_STOP'),
      'the role type itself is offered',
    );
    const generator = items.find((item) => labelOf(item) === 'EvtIoStop callback');
    assert.ok(generator, `no "EvtIoStop callback" item among: ${items.map(labelOf).join(', ')}`);
    assert.ok(generator.insertText instanceof vscode.SnippetString, 'the generator is a snippet');
    const range = replacingRange(generator, new vscode.Range(positionOf(document, 'EVT_WDF_IO_QUEUE_IO_ST', 0, 1), at));
    assert.ok(await editor.insertSnippet(generator.insertText, range));
    assert.equal(document.getText(), original + 'EVT_WDF_IO_QUEUE_IO_STOP BulbEvtIoStop2;\n\n' + STOP_STUB_BODY);
  });
});
