/** "KMDF: Get Started": the walkthrough of package.json `contributes.walkthroughs`. */
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { createWalkthroughService, WALKTHROUGH_ID } from '../walkthroughProgress';

export function activate(context: vscode.ExtensionContext): void {
  createWalkthroughService(context.extension.id);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_IDS.openWalkthrough, () =>
      vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        `${context.extension.id}#${WALKTHROUGH_ID}`,
        false,
      ),
    ),
  );
}
