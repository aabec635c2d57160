/** The extension activates on C sources, starts its server and registers its commands. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, openFixture, pollFor, SERVER_TIMEOUT_MS, waitForServer } from './helpers';

// Sorted, as the contributed list is compared sorted.
const CONTRIBUTED_COMMANDS = [
  'kmdf.analyseWorkspace',
  'kmdf.generateCallbackStub',
  'kmdf.generateMissingCallback',
  'kmdf.openReferencePage',
  'kmdf.openWalkthrough',
  'kmdf.rebuildIndex',
  'kmdf.refreshDriverMap',
  'kmdf.restartServer',
  'kmdf.showOutputChannel',
];

describe('activation', function () {
  it('is installed and not active before a C file is opened', function () {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this editor`);
    assert.equal(extension.isActive, false);
  });

  it('activates when a C file opens, and the language server answers', async function () {
    this.timeout(SERVER_TIMEOUT_MS + 60_000);
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const editor = await openFixture('queue.c');
    assert.equal(editor.document.languageId, 'c');
    await pollFor(
      'the extension to activate',
      () => extension.isActive,
      (active) => active,
      30_000,
    );
    await waitForServer();
  });

  it('contributes and registers every command', async function () {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[])
      .map((c) => c.command)
      .sort();
    assert.deepEqual(contributed, CONTRIBUTED_COMMANDS);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      CONTRIBUTED_COMMANDS.filter((c) => !registered.has(c)),
      [],
    );
  });
});
