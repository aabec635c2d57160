/**
 * A minimal LSP client over stdio for `npm run bench`: spawns a server (our bundle or clangd), times
 * `initialize`, and waits for each publishDiagnostics as it arrives (no polling, so the figures are
 * the server's and not the client's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

/** How long `stop()` waits for the server to exit after `exit` before killing it (a large profile takes a few seconds to write). */
const EXIT_WAIT_MS = 10_000;

interface Waiter {
  uri: string;
  minVersion: number;
  resolve: (p: PublishDiagnosticsParams) => void;
}

export class LspSession {
  /** Milliseconds from spawn to the initialize result. */
  coldStartMs = 0;
  private readonly versions = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private readonly logListeners: ((message: string) => void)[] = [];
  private stderr = '';

  private constructor(
    readonly name: string,
    readonly connection: ProtocolConnection,
    readonly proc: ChildProcess,
  ) {}

  /** Start `command args` and initialize it (workspace folder optional). */
  static async start(name: string, command: string, args: string[], workspaceFolder?: string): Promise<LspSession> {
    const started = performance.now();
    const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(
      new StreamMessageReader(proc.stdout),
      new StreamMessageWriter(proc.stdin),
    );
    const session = new LspSession(name, connection, proc);
    proc.stderr.on('data', (d: Buffer) => {
      session.stderr = (session.stderr + d.toString()).slice(-20000);
    });
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) =>
      session.onDiagnostics(p),
    );
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      for (const l of session.logListeners) l(p.message);
    });
    connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.listen();
    const folderUri = workspaceFolder ? pathToFileURL(workspaceFolder).href : null;
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folderUri,
      workspaceFolders: folderUri ? [{ uri: folderUri, name: path.basename(workspaceFolder!) }] : null,
      initializationOptions: {},
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true } },
          publishDiagnostics: { versionSupport: true, relatedInformation: true },
          synchronization: { didSave: false },
        },
      },
    });
    session.coldStartMs = performance.now() - started;
    await connection.sendNotification('initialized', {});
    return session;
  }

  /** The last 20,000 characters the server wrote to stderr. */
  stderrTail(): string {
    return this.stderr;
  }

  onLog(listener: (message: string) => void): void {
    this.logListeners.push(listener);
  }

  private onDiagnostics(p: PublishDiagnosticsParams): void {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      // Servers that send no version (or an older one) are answering an earlier text: keep waiting.
      if (w.uri !== p.uri || (p.version ?? -1) < w.minVersion) continue;
      this.waiters.splice(i--, 1);
      w.resolve(p);
    }
  }

  /** The next publishDiagnostics for `uri` with a version of at least `minVersion`. */
  nextDiagnostics(uri: string, minVersion: number, timeoutMs = 60000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(`${this.name}: no diagnostics for ${uri} v${minVersion} within ${timeoutMs} ms\n${this.stderr}`),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        uri,
        minVersion,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async open(file: string, text: string): Promise<{ uri: string; version: number }> {
    const uri = pathToFileURL(file).href;
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'c', version: 1, text },
    });
    return { uri, version: 1 };
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

  /** The last version sent for a document. */
  versionOf(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    // Wait for the process to leave on its own: a server run with --cpu-prof or --heap-prof writes its
    // profile on the way out, and a kill would lose it. Bounded, so a server that hangs cannot stall the run.
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise<boolean>((r) => this.proc.once('exit', () => r(true)));
      const gone = await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), EXIT_WAIT_MS))]);
      if (!gone) this.proc.kill();
    }
    this.connection.dispose();
  }
}
