/**
 * Helpers for the integration suite that runs inside a VS Code extension host (Electron through
 * @vscode/test-electron, or code-server's remote extension host). Nothing here sleeps for a fixed
 * time: every wait polls a condition and fails with a message naming what it waited for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Identifier of the extension under test (publisher.name in package.json). */
export const EXTENSION_ID = 'kmdf-assist.kmdf-assist';

export { SUITE_GROUPS } from './groups';

/** How long to wait for the language server's first answer (index build on a cold start included). */
export const SERVER_TIMEOUT_MS = 60_000;
/** How long to wait for a feature's answer once the server is up (diagnostics are debounced, hovers may read pages). */
export const FEATURE_TIMEOUT_MS = 15_000;

/** The workspace folder the harness opened: a scratch copy of test/vscode/fixtures/bulb. */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs a workspace folder (a copy of test/vscode/fixtures/bulb)');
  return folder.uri.fsPath;
}

/** URI of a file of the fixture workspace. */
export function fixtureUri(file: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceDir(), file));
}

/** The repository's shared data folder (`../shared` beside the repo), as the harness passes it. */
export function sharedDir(): string {
  const dir =
    process.env.KMDF_SHARED_DIR ??
    (process.env.KMDF_REPO_ROOT ? path.resolve(process.env.KMDF_REPO_ROOT, '../shared') : undefined);
  if (!dir || !fs.existsSync(dir))
    throw new Error(`shared data folder not found (KMDF_SHARED_DIR=${process.env.KMDF_SHARED_DIR ?? ''})`);
  return dir;
}

/**
 * Poll `probe` until `accept` holds for its value, then return it. On timeout, throw with the
 * description and the last value seen, so a failure says what the feature answered instead.
 */
export async function pollFor<T>(
  description: string,
  probe: () => Thenable<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = FEATURE_TIMEOUT_MS,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const seen = lastError
    ? `error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`
    : `last value: ${describe(last)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (${seen})`);
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_key, v) => (v instanceof vscode.MarkdownString ? v.value : v));
    return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  } catch {
    return String(value);
  }
}

/** Zero-based position of `needle` (its `occurrence`-th match) plus `delta` characters. */
export function positionOf(document: vscode.TextDocument, needle: string, delta = 0, occurrence = 0): vscode.Position {
  const text = document.getText();
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0)
      throw new Error(`"${needle}" (occurrence ${occurrence}) not found in ${path.basename(document.uri.fsPath)}`);
  }
  return document.positionAt(offset + delta);
}

/** Open a fixture file in an editor (C language mode comes from the .c/.h extension). */
export async function openFixture(file: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(fixtureUri(file));
  return vscode.window.showTextDocument(document, { preview: false });
}

/** The Markdown of every hover at a position, joined in provider order. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const hovers =
    (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers.flatMap((hover) =>
    hover.contents.map((content) => (typeof content === 'string' ? content : content.value)),
  );
}

/** The KMDF hover at a position: the one Markdown block that mentions a WDF role or method, polled until present. */
export async function kmdfHover(
  uri: vscode.Uri,
  position: vscode.Position,
  accept: (markdown: string) => boolean = () => true,
  timeoutMs = FEATURE_TIMEOUT_MS,
): Promise<string> {
  const texts = await pollFor(
    `a KMDF hover at ${path.basename(uri.fsPath)}:${position.line + 1}:${position.character + 1}`,
    () => hoverText(uri, position),
    (values) => values.some((v) => v.includes('```c') && accept(v)),
    timeoutMs,
  );
  return texts.find((v) => v.includes('```c') && accept(v))!;
}

/** Kept on globalThis: each test file is bundled on its own, with its own copy of this module. */
const shared = globalThis as typeof globalThis & { kmdfServerReady?: Promise<void> };

/**
 * Wait until the language server answers: queue.c's document symbols name its callbacks. (Symbols,
 * not hover, so a broken hover fails the hover tests rather than every group.) Waited for once per
 * run: when the server never answers, every later group fails at once instead of waiting again.
 */
export function waitForServer(): Promise<void> {
  shared.kmdfServerReady ??= (async () => {
    const { document } = await openFixture('queue.c');
    await pollFor(
      'the language server (document symbols of queue.c)',
      async () =>
        (
          (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
            'vscode.executeDocumentSymbolProvider',
            document.uri,
          )) ?? []
        ).map((s) => s.name),
      (names) => names.includes('BulbEvtIoStop'),
      SERVER_TIMEOUT_MS,
    );
  })();
  return shared.kmdfServerReady;
}

/** Revert an editor's unsaved changes, so each test starts from the fixture text. */
export async function revert(document: vscode.TextDocument): Promise<void> {
  if (!document.isDirty) return;
  await vscode.window.showTextDocument(document, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await pollFor(
    `${path.basename(document.uri.fsPath)} to be reverted`,
    () => document.isDirty,
    (dirty) => !dirty,
    10_000,
  );
}

/** The label of an inlay hint as plain text. */
export function inlayLabel(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((part) => part.value).join('');
}

/** Set a `kmdf.*` user setting and return a function that puts the previous value back. */
export async function setSetting(key: string, value: unknown): Promise<() => Promise<void>> {
  const configuration = vscode.workspace.getConfiguration('kmdf');
  const previous = configuration.inspect(key)?.globalValue;
  await configuration.update(key, value, vscode.ConfigurationTarget.Global);
  return () =>
    Promise.resolve(vscode.workspace.getConfiguration('kmdf').update(key, previous, vscode.ConfigurationTarget.Global));
}

/** The kmdf diagnostics of a document. */
export function kmdfDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kmdf');
}

/** The `code` of a diagnostic as a string (it may be a `{ value, target }` object). */
export function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}
