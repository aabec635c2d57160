/** "KMDF: Get Started": the walkthrough of package.json `contributes.walkthroughs`. */
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';

/** The walkthrough's id in package.json; VS Code names it `<publisher>.<name>#<id>`. */
export const WALKTHROUGH_ID = 'kmdf.gettingStarted';

export function activate(context: vscode.ExtensionContext): void {
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
