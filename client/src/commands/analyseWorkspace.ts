/**
 * "KMDF: Analyse Workspace": the server checks every file of every driver project again now (its
 * work-done progress shows while it runs, and can be cancelled there); the findings land in the
 * Problems view, and a message says what was checked.
 */
import * as vscode from 'vscode';
import { AnalyseWorkspaceRequest, type AnalyseWorkspaceResult } from '../../../shared/protocol';
import { describeWorkspaceAnalysis } from '../analysisText';
import { COMMAND_IDS } from '../commandIds';
import { reportCommandError, type KmdfServer } from '../server';

/** Register the command; it resolves to the server's result (the integration suite reads it). */
export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_IDS.analyseWorkspace, async () => {
      try {
        const result = await server.request<AnalyseWorkspaceResult>(AnalyseWorkspaceRequest.method);
        const message = describeWorkspaceAnalysis(result);
        server.output.info(message);
        if (result.enabled) void vscode.window.showInformationMessage(message);
        else
          void vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
            if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'kmdf.diagnostics.scope');
          });
        return result;
      } catch (error) {
        await reportCommandError(server, 'Analyse Workspace failed', error);
        return undefined;
      }
    }),
  );
}
