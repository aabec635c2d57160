/**
 * "KMDF: Open Reference Page": the public reference page of the identifier at the cursor (a role
 * type, method, structure, or a driver function whose role type is known); otherwise a quick pick.
 */
import * as vscode from 'vscode';
import { ListCallbacksRequest, ReferenceUrlRequest, type CallbackSummary } from '../../../shared/protocol';
import { COMMAND_IDS } from '../commandIds';
import { reportCommandError, type KmdfServer } from '../server';
import { callbackPickEntry } from '../stubText';

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/;

function identifierAtCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !['c', 'cpp'].includes(editor.document.languageId)) return undefined;
  const range = editor.document.getWordRangeAtPosition(editor.selection.active, IDENTIFIER);
  return range && editor.document.getText(range);
}

/** A quick pick of callback role types that also accepts any typed name. */
async function pickName(server: KmdfServer, placeHolder: string): Promise<string | undefined> {
  const callbacks = await server.request<CallbackSummary[]>(ListCallbacksRequest.method);
  const listed: vscode.QuickPickItem[] = callbacks.map((c) => {
    const { label, description, detail } = callbackPickEntry(c);
    return detail === undefined ? { label, description } : { label, description, detail };
  });
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = 'Open Reference Page';
  pick.placeholder = placeHolder;
  pick.matchOnDescription = true;
  pick.items = listed;
  // Methods and structures are not listed; a typed identifier is offered as its own entry.
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    const exact = listed.some((item) => item.label === typed);
    pick.items =
      IDENTIFIER.test(typed) && !exact
        ? [{ label: typed, description: 'look up this name', alwaysShow: true }, ...listed]
        : listed;
  });
  try {
    return await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.label));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}

async function open(server: KmdfServer): Promise<void> {
  let name = identifierAtCursor();
  let url = name ? await server.request<string | null>(ReferenceUrlRequest.method, { name }) : null;
  if (!url) {
    const placeHolder = name
      ? `No reference page is known for "${name}"; type or pick a name`
      : 'Type a WDF name (Wdf… method, EVT_WDF_… role type, WDF_… structure) or pick a callback';
    name = await pickName(server, placeHolder);
    if (!name) return;
    url = await server.request<string | null>(ReferenceUrlRequest.method, { name });
  }
  if (!url) {
    void vscode.window.showWarningMessage(`KMDF Assist: no reference page is known for "${name}".`);
    return;
  }
  const opened = await vscode.env.openExternal(vscode.Uri.parse(url));
  if (!opened) server.output.warn(`Opening ${url} was refused.`);
}

/** Register the command. */
export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_IDS.openReferencePage, async () => {
      try {
        await open(server);
      } catch (error) {
        await reportCommandError(server, 'Open Reference Page failed', error);
      }
    }),
  );
}
