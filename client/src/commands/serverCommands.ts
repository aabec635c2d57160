/** "KMDF: Rebuild Index", "KMDF: Restart Server" and "KMDF: Show Output". */
import * as vscode from 'vscode';
import { RebuildIndexRequest, type IndexStatus } from '../../../shared/protocol';
import { COMMAND_IDS } from '../commandIds';
import { reportCommandError, type KmdfServer } from '../server';
import { describeIndexStatus, rebuildMessage } from '../statusText';

async function rebuild(server: KmdfServer): Promise<void> {
  const status = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'KMDF Assist: rebuilding the index' },
    () => server.request<IndexStatus>(RebuildIndexRequest.method),
  );
  server.publishIndexStatus(status);
  if (status.state === 'error') throw new Error(describeIndexStatus(status).detail);
  void vscode.window.showInformationMessage(rebuildMessage(status));
}

async function restart(server: KmdfServer): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'KMDF Assist: restarting the language server' },
    () => server.restart(),
  );
  // start() never rejects; a failed start leaves the state 'stopped' and has already been shown.
  if (server.state === 'running') server.output.info('Language server restarted.');
}

/** Register the three commands. */
export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_IDS.rebuildIndex, async () => {
      try {
        await rebuild(server);
      } catch (error) {
        await reportCommandError(server, 'Rebuild Index failed', error);
      }
    }),
    vscode.commands.registerCommand(COMMAND_IDS.restartServer, async () => {
      try {
        await restart(server);
      } catch (error) {
        await reportCommandError(server, 'Restart Server failed', error);
      }
    }),
    vscode.commands.registerCommand(COMMAND_IDS.showOutputChannel, () => server.output.show(true)),
  );
}
