/** The language status item (C and C++ files): index state from IndexStatusNotification. */
import * as vscode from 'vscode';
import { COMMAND_IDS } from './commandIds';
import type { KmdfServer } from './server';
import { describeIndexStatus, describeServerState, type StatusView } from './statusText';

const SEVERITY: Record<StatusView['severity'], vscode.LanguageStatusSeverity> = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

/** Create the status item and keep it in step with the server. */
export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  const item = vscode.languages.createLanguageStatusItem('kmdf.indexStatus', [{ language: 'c' }, { language: 'cpp' }]);
  item.name = 'KMDF Assist';
  const show = (view: StatusView): void => {
    item.text = view.text;
    item.detail = view.detail;
    item.severity = SEVERITY[view.severity];
    item.busy = view.busy;
    item.command =
      view.severity === 'error' && server.state === 'stopped'
        ? { title: 'Restart Server', command: COMMAND_IDS.restartServer }
        : { title: 'Show Output', command: COMMAND_IDS.showOutputChannel };
  };
  const refresh = (): void => {
    if (server.state === 'running')
      show(server.indexStatus ? describeIndexStatus(server.indexStatus) : describeServerState('starting'));
    else show(describeServerState(server.state));
  };
  refresh();
  context.subscriptions.push(
    item,
    server.onDidChangeState(refresh),
    server.onIndexStatus((status) => show(describeIndexStatus(status))),
  );
}
