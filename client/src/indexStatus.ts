/**
 * The language status items (C and C++ files): the index (versions, sources) and the reference text
 * (folder / online / cached / facts only, as the server saw its reads and fetches), from
 * IndexStatusNotification; and a warning when the reference text gets worse than the settings ask for.
 */
import * as vscode from 'vscode';
import type { DocsStatus } from '../../shared/protocol';
import { COMMAND_IDS } from './commandIds';
import type { KmdfServer } from './server';
import {
  describeDocsStatus,
  describeIndexStatus,
  describeServerState,
  docsWorseNotice,
  type StatusView,
} from './statusText';

const SEVERITY: Record<StatusView['severity'], vscode.LanguageStatusSeverity> = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

const SELECTOR = [{ language: 'c' }, { language: 'cpp' }];
/** Opens the settings editor on the docs settings. */
const DOCS_SETTINGS: vscode.Command = {
  title: 'Docs Settings',
  command: 'workbench.action.openSettings',
  arguments: ['kmdf.docs'],
};

function apply(item: vscode.LanguageStatusItem, view: StatusView): void {
  item.text = view.text;
  item.detail = view.detail;
  item.severity = SEVERITY[view.severity];
  item.busy = view.busy;
}

/** Create the status items and keep them in step with the server. */
export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  const item = vscode.languages.createLanguageStatusItem('kmdf.indexStatus', SELECTOR);
  item.name = 'KMDF Assist';
  const docsItem = vscode.languages.createLanguageStatusItem('kmdf.docsStatus', SELECTOR);
  docsItem.name = 'KMDF reference text';
  docsItem.command = DOCS_SETTINGS;
  let lastDocs: DocsStatus | undefined;
  const show = (view: StatusView): void => {
    apply(item, view);
    item.command =
      view.severity === 'error' && server.state === 'stopped'
        ? { title: 'Restart Server', command: COMMAND_IDS.restartServer }
        : { title: 'Show Output', command: COMMAND_IDS.showOutputChannel };
  };
  const showDocs = (docs: DocsStatus | undefined): void => {
    if (!docs) {
      apply(docsItem, {
        text: 'Docs: …',
        detail: 'waiting for the language server',
        severity: 'information',
        busy: true,
      });
      return;
    }
    apply(docsItem, describeDocsStatus(docs));
    const notice = docsWorseNotice(lastDocs, docs);
    lastDocs = docs;
    if (notice)
      void vscode.window.showWarningMessage(notice, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'kmdf.docs.path');
      });
  };
  const refresh = (): void => {
    if (server.state === 'running')
      show(server.indexStatus ? describeIndexStatus(server.indexStatus) : describeServerState('starting'));
    else show(describeServerState(server.state));
    showDocs(server.state === 'running' ? server.indexStatus?.docs : undefined);
  };
  refresh();
  context.subscriptions.push(
    item,
    docsItem,
    server.onDidChangeState(refresh),
    server.onIndexStatus((status) => {
      show(describeIndexStatus(status));
      showDocs(status.docs);
    }),
  );
}
