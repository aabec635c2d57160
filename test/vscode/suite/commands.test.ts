/** The KMDF commands, run through `vscode.commands.executeCommand`. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { AnalyseWorkspaceResult } from '../../../shared/protocol';
import {
  diagnosticCode,
  fixtureUri,
  kmdfDiagnostics,
  kmdfHover,
  openFixture,
  pollFor,
  positionOf,
  revert,
  waitForServer,
} from './helpers';

/** Run a command that opens quick inputs, accepting the highlighted entry of each until it finishes. */
async function runAcceptingQuickInputs(command: string, timeoutMs = 30_000): Promise<void> {
  let settled = false;
  let failure: unknown;
  const running = Promise.resolve(vscode.commands.executeCommand(command)).then(
    () => void (settled = true),
    (error: unknown) => {
      settled = true;
      failure = error;
    },
  );
  await pollFor(
    `${command} to finish`,
    async () => {
      // Accepting when no quick input is open does nothing; the command's own pick and input box open one after the other.
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled;
    },
    (done) => done,
    timeoutMs,
  );
  await running;
  if (failure) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
}

describe('commands', function () {
  before(waitForServer);
  afterEach(async function () {
    for (const document of vscode.workspace.textDocuments) await revert(document);
  });

  it('KMDF: Show Output opens the "KMDF Assist" output channel', async function () {
    await vscode.commands.executeCommand('kmdf.showOutputChannel');
    const outputs = await pollFor(
      'the KMDF Assist output document',
      () =>
        vscode.workspace.textDocuments
          .filter((d) => d.uri.scheme === 'output')
          .map((d) => decodeURIComponent(d.uri.toString())),
      (uris) => uris.some((uri) => uri.includes('KMDF Assist')),
      10_000,
    );
    assert.ok(outputs.some((uri) => uri.includes('KMDF Assist')));
  });

  it('KMDF: Analyse Workspace checks every file of the fixture and the Problems view has the closed files too', async function () {
    this.timeout(60_000);
    const result = await vscode.commands.executeCommand<AnalyseWorkspaceResult>('kmdf.analyseWorkspace');
    assert.deepEqual(result, {
      enabled: true,
      // The fixture keeps no project file: its six files are loose files, checked but no driver project.
      projects: 0,
      files: 6,
      looseFiles: 6,
      findings: { error: 0, warning: 1, info: 1, hint: 1 },
      cancelled: false,
    });
    // queue.h declares BulbEvtIoWrite, defined nowhere: a hint there whether or not a test opened it.
    const found = await pollFor(
      'KMDF1007 on queue.h',
      () => kmdfDiagnostics(fixtureUri('queue.h')).map(diagnosticCode),
      (codes) => codes.includes('KMDF1007'),
    );
    assert.deepEqual(found, ['KMDF1007']);
  });

  it('KMDF: Rebuild Index rebuilds, and hovers still answer', async function () {
    await vscode.commands.executeCommand('kmdf.rebuildIndex');
    const { document } = await openFixture('queue.h');
    const markdown = await kmdfHover(document.uri, positionOf(document, 'EVT_WDF_IO_QUEUE_IO_STOP', 4));
    assert.ok(markdown.startsWith('```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP('), markdown);
  });

  it('KMDF: Restart Server brings a new server up that answers hovers', async function () {
    await vscode.commands.executeCommand('kmdf.restartServer');
    const { document } = await openFixture('queue.c');
    const markdown = await kmdfHover(document.uri, positionOf(document, 'WdfIoQueueCreate(Device', 3));
    assert.ok(markdown.startsWith('```c\nNTSTATUS\nWdfIoQueueCreate('), markdown);
  });

  it('KMDF: Generate Callback Stub places the stub in the project and puts the cursor on its name', async function () {
    const editor = await openFixture('read.c');
    const before = editor.document.getText();
    await runAcceptingQuickInputs('kmdf.generateCallbackStub');
    // A pageable role's `#pragma alloc_text` line goes after read.c's includes (it has none of its own).
    const after = editor.document.getText().replace(/\n#pragma alloc_text\(PAGE, Bulb\w+\)\n/, '');
    assert.ok(after.startsWith(before), 'nothing registers the new name in read.c: the definition goes at its end');
    // The first role type in the list is picked; whichever it is, the definition has this shape.
    const match = /^\n_Use_decl_annotations_\n\w+\n(Bulb\w+)\(\n[\s\S]*\n\{\n[\s\S]*\n\}\n$/.exec(
      after.slice(before.length),
    );
    assert.ok(match, `unexpected stub:\n${after.slice(before.length)}`);
    const name = match[1];
    // The declaration joins the others in the header read.c includes (driver.h and queue.h declare two each).
    const header = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('/driver.h'));
    assert.ok(header && new RegExp(`^EVT_\\w+ ${name};$`, 'm').test(header.getText()), header?.getText());
    const active = vscode.window.activeTextEditor;
    assert.equal(active?.document.uri.toString(), editor.document.uri.toString());
    assert.equal(active?.document.getText(active.selection), name);
    // The new function is known to the server as a callback of that role.
    const hover = await kmdfHover(editor.document.uri, positionOf(editor.document, `${name}(`, 1), (m) =>
      m.startsWith(`**${name}**`),
    );
    assert.ok(/\(`EVT_\w+`\)/.test(hover), hover);
  });

  it('KMDF: Generate Missing Callback defines the registered but undefined BulbEvtIoWrite after the function that registers it', async function () {
    const editor = await openFixture('queue.c');
    const before = editor.document.getText();
    // The palette form: a pick of the driver map's missing callbacks (BulbEvtIoWrite is the only one).
    await runAcceptingQuickInputs('kmdf.generateMissingCallback');
    const after = editor.document.getText();
    const definition = after.indexOf('\nBulbEvtIoWrite(\n');
    assert.ok(definition > 0, `no definition of BulbEvtIoWrite:\n${after.slice(before.length - 200)}`);
    // After BulbQueueInitialize (which registers it), before BulbEvtIoStop, which followed it.
    assert.ok(definition > after.indexOf('BulbQueueInitialize(') && definition < after.indexOf('\nBulbEvtIoStop('));
    assert.match(after.slice(definition - 40, definition), /_Use_decl_annotations_\nVOID$/);
    // Already declared in queue.h: no second declaration.
    const header = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('/queue.h'));
    assert.equal(header?.getText().match(/EVT_WDF_IO_QUEUE_IO_WRITE BulbEvtIoWrite;/g)?.length ?? 1, 1);
    assert.equal(
      vscode.window.activeTextEditor?.document.getText(vscode.window.activeTextEditor.selection),
      'BulbEvtIoWrite',
    );
  });

  it('KMDF: Open Reference Page is available in C editors', async function () {
    // Running it would open a browser on the public reference site; here we only check the command is registered.
    assert.ok((await vscode.commands.getCommands(true)).includes('kmdf.openReferencePage'));
  });
});
