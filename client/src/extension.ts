/**
 * Extension entry: registers every contributed command and the status item first (so commands
 * answer, with "the server is starting", even before the server is up), then starts the server.
 */
import * as vscode from 'vscode';
import * as analyseWorkspace from './commands/analyseWorkspace';
import * as generateCallbackStub from './commands/generateCallbackStub';
import * as driverMap from './driverMap';
import * as openReferencePage from './commands/openReferencePage';
import * as openWalkthrough from './commands/openWalkthrough';
import * as serverCommands from './commands/serverCommands';
import { CONTEXT_KEYS } from './commandIds';
import * as indexStatus from './indexStatus';
import { KmdfServer } from './server';

let server: KmdfServer | undefined;

/** Feature modules, each registering its disposables in the context. */
const FEATURES: ReadonlyArray<{ activate(context: vscode.ExtensionContext, server: KmdfServer): void }> = [
  analyseWorkspace,
  generateCallbackStub,
  openReferencePage,
  openWalkthrough,
  serverCommands,
  indexStatus,
  driverMap,
];

/** What the extension returns from `activate` (read by the integration suite; not a stable API). */
export interface KmdfAssistApi {
  /** The server as the client sees it: state, process id, the last "stopped" notice. */
  readonly server: Pick<KmdfServer, 'state' | 'processId' | 'stoppedNotice'>;
}

export async function activate(context: vscode.ExtensionContext): Promise<KmdfAssistApi> {
  try {
    server = new KmdfServer(context);
    const current = server;
    context.subscriptions.push({ dispose: () => void current.dispose() });
    for (const feature of FEATURES) feature.activate(context, current);
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.activated, true);
    // Not awaited: activation must not wait for the index; start() reports its own failures.
    void current.start();
    return { server: current };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    server?.output.error(`Activation failed: ${error instanceof Error && error.stack ? error.stack : message}`);
    void vscode.window.showErrorMessage(`KMDF Assist could not activate: ${message}`, 'Show Output').then((choice) => {
      if (choice === 'Show Output') server?.output.show(true);
    });
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  const current = server;
  server = undefined;
  await current?.dispose();
}
