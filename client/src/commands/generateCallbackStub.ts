/**
 * "KMDF: Generate Callback Stub": pick a callback role type, confirm the function name the server
 * proposes, and insert declaration, alloc_text and definition at the cursor.
 */
import * as vscode from 'vscode';
import {
  GenerateStubRequest,
  ListCallbacksRequest,
  type CallbackSummary,
  type GeneratedStub,
  type GenerateStubParams,
} from '../../../shared/protocol';
import { COMMAND_IDS } from '../commandIds';
import { reportCommandError, type KmdfServer } from '../server';
import { callbackPickEntry, functionNameProblem, stubInsertionText, type CallbackPickEntry } from '../stubText';

type CallbackItem = vscode.QuickPickItem & Pick<CallbackPickEntry, 'roleType'>;

/** The active editor when it holds C or C++ the user can edit. */
function targetEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !['c', 'cpp'].includes(editor.document.languageId)) return undefined;
  return editor;
}

async function pickCallback(server: KmdfServer): Promise<CallbackSummary | undefined> {
  const callbacks = await server.request<CallbackSummary[]>(ListCallbacksRequest.method);
  if (!callbacks.length) {
    void vscode.window.showWarningMessage(
      'KMDF Assist: the index has no callback role types yet. Try "KMDF: Rebuild Index".',
    );
    return undefined;
  }
  const items: CallbackItem[] = callbacks.map(callbackPickEntry);
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Generate Callback Stub',
    placeHolder: 'Callback role type (filter by role type, role name such as EvtIoStop, or IRQL)',
    matchOnDescription: true,
    matchOnDetail: false,
  });
  return picked && callbacks.find((c) => c.name === picked.roleType);
}

async function generate(server: KmdfServer): Promise<void> {
  const callback = await pickCallback(server);
  if (!callback) return;
  const editor = targetEditor();
  const params: GenerateStubParams = { roleType: callback.name };
  if (editor) params.uri = editor.document.uri.toString();
  // Without functionName the server proposes a name from the driver's own prefix convention.
  const proposal = await server.request<GeneratedStub>(GenerateStubRequest.method, params);
  const name = await vscode.window.showInputBox({
    title: `Generate ${callback.roleName ?? callback.name}`,
    prompt: `Name of the ${callback.name} function`,
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
