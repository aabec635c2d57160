/**
 * Drives the BUNDLED language server (dist/server.js, or `dist/cli.js serve --stdio`) over stdio,
 * as an editor would: initialize with settings, answer workspace/configuration, open and edit
 * documents, send requests. The bundle is built once per test run from the current sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Position,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { repoRoot } from '../support/paths';

export const fixturesDir = path.join(repoRoot, 'test/fixtures/lsp');

export { distDir, ensureBundle } from '../support/bundle';
import { distDir, ensureBundle } from '../support/bundle';

export interface StartOptions {
  /** The `kmdf` settings object answered to workspace/configuration. */
  settings?: Record<string, unknown>;
  workspaceFolder?: string;
  initializationOptions?: Record<string, unknown>;
  /** Run through the CLI (`kmdf serve --stdio`) instead of dist/server.js. */
  viaCli?: boolean;
  env?: Record<string, string>;
  /** Client capabilities added to the harness's own (`window`, `workspace`, `textDocument` merged one level deep). */
  capabilities?: { window?: object; workspace?: object; textDocument?: object };
}

/** One dynamic registration (client/registerCapability). */
export interface Registration {
  id: string;
  method: string;
  registerOptions?: unknown;
}

export interface LogMessage {
  type: number;
  message: string;
}

export class TestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly logs: LogMessage[] = [];
  readonly warnings: string[] = [];
  readonly indexStatuses: {
    state: string;
    callbacks: number;
    docs: { state: string; detail: string; checked: boolean; degraded: boolean };
    sources: string[];
    message?: string;
  }[] = [];
  readonly configurationRequests: unknown[] = [];
  /** Every publishDiagnostics, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** Capabilities the server registered dynamically (client/registerCapability), in order. */
  readonly registrations: Registration[] = [];
  /** Work-done progress the server created and reported (`$/progress` values by token, in order). */
  readonly progress = new Map<string, { kind: string; title?: string; message?: string; cancellable?: boolean }[]>();
  inlayRefreshes = 0;
  diagnosticRefreshes = 0;
  /** What the server answered to initialize. */
  initializeResult: { capabilities: Record<string, unknown> } = { capabilities: {} };
  private readonly versions = new Map<string, number>();
  private stderr = '';

  private constructor(
    readonly connection: ProtocolConnection,
    readonly proc: ChildProcess,
    public settings: Record<string, unknown>,
  ) {}

  static async start(options: StartOptions = {}): Promise<TestClient> {
    ensureBundle();
    const args = options.viaCli
      ? [path.join(distDir, 'cli.js'), 'serve', '--stdio']
      : [path.join(distDir, 'server.js'), '--stdio'];
    const proc = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const connection = createProtocolConnection(
      new StreamMessageReader(proc.stdout),
      new StreamMessageWriter(proc.stdin),
    );
    const client = new TestClient(connection, proc, options.settings ?? {});
    proc.stderr.on('data', (d: Buffer) => (client.stderr += d.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.diagnostics.set(p.uri, p);
      client.published.push(p);
    });
    connection.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      client.progress.set(String(p.token), []);
      return null;
    });
    connection.onNotification('$/progress', (p: { token: string | number; value: { kind: string } }) => {
      client.progress.get(String(p.token))?.push(p.value);
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      client.diagnosticRefreshes++;
      return null;
    });
    connection.onNotification('window/logMessage', (p: LogMessage) => void client.logs.push(p));
    connection.onNotification('window/showMessage', (p: LogMessage) => void client.warnings.push(p.message));
    connection.onNotification(
      'kmdf/indexStatus',
      (p: TestClient['indexStatuses'][number]) => void client.indexStatuses.push(p),
    );
    connection.onRequest('window/showMessageRequest', (p: LogMessage) => {
      client.warnings.push(p.message);
      return null;
    });
    connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
      client.configurationRequests.push(p);
      return p.items.map((item) => (item.section === 'kmdf' ? client.settings : null));
    });
    connection.onRequest('client/registerCapability', (p: { registrations: Registration[] }) => {
      client.registrations.push(...p.registrations);
      return null;
    });
    connection.onRequest('workspace/inlayHint/refresh', () => {
      client.inlayRefreshes++;
      return null;
    });
    connection.listen();
    const folder = options.workspaceFolder;
    const extra = options.capabilities ?? {};
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folder ? pathToFileURL(folder).href : null,
      workspaceFolders: folder ? [{ uri: pathToFileURL(folder).href, name: path.basename(folder) }] : null,
      initializationOptions: options.initializationOptions ?? {},
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          inlayHint: { refreshSupport: true },
          ...extra.workspace,
        },
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true } },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
          ...extra.textDocument,
        },
        window: { showMessage: {}, ...extra.window },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** Wait until the server has applied its settings and built its index (the first ready status after initialized). */
  async ready(timeoutMs = 20000): Promise<void> {
    await this.waitFor(() => this.indexStatuses.some((s) => s.state !== 'loading'), timeoutMs, 'index status');
  }

  uriOf(file: string): string {
    return pathToFileURL(file).href;
  }

  async open(file: string, text = fs.readFileSync(file, 'utf8'), languageId = 'c'): Promise<string> {
    const uri = this.uriOf(file);
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
    return uri;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return version;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  hover(
    uri: string,
    position: Position,
  ): Promise<{ contents: { kind: string; value: string }; range?: { start: Position; end: Position } } | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position });
  }

  /** Wait for the server's log line that the workspace scan has finished. */
  async scanned(timeoutMs = 20000): Promise<void> {
    await this.waitFor(() => this.logs.some((l) => /\] Scanned \d+ C/.test(l.message)), timeoutMs, 'workspace scan');
  }

  /** Poll `check` every 20 ms until true or the timeout (then fail with the server's stderr). */
  async waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until)
        throw new Error(
          `Timed out waiting for ${what}. Server stderr:\n${this.stderr}\nLogs:\n${this.logs.map((l) => l.message).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kmdf: settings } });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // The process may be gone already.
    }
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    const timer = setTimeout(() => this.proc.kill(), 3000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

/** A temporary copy of a fixture folder (so a test can write files into its workspace). */
export function copyFixture(name: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), `kmdf-lsp-${name}-`));
  fs.cpSync(path.join(fixturesDir, name), target, { recursive: true });
  return target;
}

export { endPosition, positionOf } from '../support/positions';
