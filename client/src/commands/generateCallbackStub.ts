/**
 * "KMDF: Generate Callback Stub": pick a callback role type (ranked by the typed text), confirm the
 * function name the server proposes, and apply the edits the server places in the project.
 */
import * as vscode from 'vscode';
import {
  GenerateStubRequest,
  ListCallbacksRequest,
  type CallbackSummary,
  type GeneratedStub,
  type GenerateStubParams,
  type ListCallbacksParams,
} from '../../../shared/protocol';
import { COMMAND_IDS } from '../commandIds';
import { reportCommandError, type KmdfServer } from '../server';
import { completeStep } from '../walkthroughProgress';
import {
  callbackPickEntry,
  functionNameProblem,
  rankCallbacks,
  stubInsertionText,
  type CallbackPickEntry,
} from '../stubText';

type CallbackItem = vscode.QuickPickItem & Pick<CallbackPickEntry, 'roleType'>;

/** The active editor when it holds C or C++ the user can edit. */
function targetEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !['c', 'cpp'].includes(editor.document.languageId)) return undefined;
  return editor;
}

async function pickCallback(server: KmdfServer, uri: string | undefined): Promise<CallbackSummary | undefined> {
  const params: ListCallbacksParams = uri ? { uri } : {};
  const callbacks = await server.request<CallbackSummary[]>(ListCallbacksRequest.method, params);
  if (!callbacks.length) {
    void vscode.window.showWarningMessage(
      'KMDF Assist: the index has no callback role types yet. Try "KMDF: Rebuild Index".',
    );
    return undefined;
  }
  const pick = vscode.window.createQuickPick<CallbackItem>();
  pick.title = 'Generate Callback Stub';
  pick.placeholder = 'Callback role type (filter by role name such as EvtIoStop, role type, or IRQL)';
  pick.matchOnDescription = true;
  // Re-ranked on each keystroke (role name first, the project's framework first). The quick pick keeps
  // this order for items it matches on the description (the role name) rather than on the label.
  const show = (query: string) => (pick.items = rankCallbacks(callbacks, query).map(callbackPickEntry));
  show('');
  pick.onDidChangeValue(show);
  const picked = await new Promise<CallbackItem | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  return picked && callbacks.find((c) => c.name === picked.roleType);
}

/**
 * Generate a stub for `roleType` (picked when absent). In a C/C++ editor the server places it the way
 * the project is laid out (declaration beside the other role-type declarations, definition after the
 * function that registers it, else at the end) and the cursor lands on the new name; without an
 * editor it goes into a new untitled document.
 */
export async function generate(
  server: KmdfServer,
  preset?: { roleType: string; functionName?: string; uri?: string },
): Promise<void> {
  const editor = targetEditor();
  const uri = preset?.uri ?? editor?.document.uri.toString();
  const roleType = preset?.roleType ?? (await pickCallback(server, uri))?.name;
  if (!roleType) return;
  const params: GenerateStubParams = { roleType, ...(uri ? { uri, place: true } : {}) };
  if (preset?.functionName) params.functionName = preset.functionName;
  // Without functionName the server proposes a name from the driver's own prefix convention.
  const proposal = await server.request<GeneratedStub>(GenerateStubRequest.method, params);
  const name = preset?.functionName
    ? preset.functionName
    : await vscode.window.showInputBox({
        title: `Generate ${roleType}`,
        prompt: `Name of the ${roleType} function`,
        value: proposal.functionName,
        validateInput: (value) => functionNameProblem(value),
      });
  if (name === undefined) return;
  const functionName = name.trim();
  const stub =
    functionName === proposal.functionName
      ? proposal
      : await server.request<GeneratedStub>(GenerateStubRequest.method, {
          ...params,
          functionName,
        } satisfies GenerateStubParams);

  if (stub.placement) {
    const edit = new vscode.WorkspaceEdit();
    for (const [target, edits] of Object.entries(stub.placement.changes))
      for (const e of edits)
        edit.insert(
          vscode.Uri.parse(target),
          new vscode.Position(e.range.start.line, e.range.start.character),
          e.newText,
        );
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the edit was refused (is a file read-only?)');
    completeStep(server.extensionId, 'kmdf.generateStub');
    const { reveal } = stub.placement;
    const shown = await vscode.window.showTextDocument(vscode.Uri.parse(reveal.uri));
    const at = new vscode.Position(reveal.position.line, reveal.position.character);
    shown.selection = new vscode.Selection(at, at.translate(0, functionName.length));
    shown.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return;
  }

  const target =
    editor ??
    (await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'c', content: '' })));
  const document = target.document;
  const position = target.selection.active;
  const line = document.lineAt(position.line).text;
  const text = stubInsertionText(stub, {
    eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
    textBeforeCursor: line.slice(0, position.character).trim().length > 0,
    textAfterCursor: line.slice(position.character).trim().length > 0,
  });
  const inserted = await target.edit((edit) => edit.insert(position, text));
  if (!inserted) throw new Error(`could not edit ${document.uri.fsPath || 'the document'} (is it read-only?)`);
  completeStep(server.extensionId, 'kmdf.generateStub');
  target.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Register the command. */
export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_IDS.generateCallbackStub, async () => {
      try {
        await generate(server);
      } catch (error) {
        await reportCommandError(server, 'Generate Callback Stub failed', error);
      }
    }),
  );
}
