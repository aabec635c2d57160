/**
 * The language server as the rest of the client sees it: one LanguageClient started from the
 * bundled dist/server.js, its output channels, its state, and requests that wait until it is up.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  type ErrorHandler,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { IndexStatusNotification, type IndexStatus, type InitializationOptions } from '../../shared/protocol';
import { COMMAND_IDS, CONTEXT_KEYS } from './commandIds';
import { channelClosed } from './connectionErrors';
import { completeStep } from './walkthroughProgress';

/** Where the server is in its life. 'stopped' covers a failed start and giving up after crashes. */
export type ServerState = 'starting' | 'running' | 'stopped';

/** Crashes tolerated (within the window vscode-languageclient uses, 3 minutes) before giving up. */
const MAX_RESTARTS = 4;

/** Raised by `ready()` when the server is not running and will not be without a restart. */
export class ServerUnavailableError extends Error {}

/** Raised by `ready()` when the user cancels waiting for the server. */
export class WaitCancelledError extends Error {}

export class KmdfServer implements vscode.Disposable {
  /** "KMDF Assist": server log (window/logMessage) and client errors. */
  readonly output: vscode.LogOutputChannel;
  /** "KMDF Assist Trace": the protocol trace enabled by `kmdf.trace.server`. */
  readonly traceOutput: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private currentState: ServerState = 'stopped';
  private lastStatus: IndexStatus | undefined;
  private lastStoppedNotice: { message: string; actions: string[] } | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly statusEmitter = new vscode.EventEmitter<IndexStatus>();
  /** Fires when the server starts, comes up or stops. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires on each IndexStatusNotification (and after a rebuild). */
  readonly onIndexStatus = this.statusEmitter.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('KMDF Assist', { log: true });
    this.traceOutput = vscode.window.createOutputChannel('KMDF Assist Trace', { log: true });
  }

  /** The extension's id (`publisher.name`). */
  get extensionId(): string {
    return this.context.extension.id;
  }

  get state(): ServerState {
    return this.currentState;
  }

  /** The process id of the running server (the integration suite kills it to check the restarts). */
  get processId(): number | undefined {
    return this.client?.serverProcess?.pid;
  }

  /** The last "the server stopped" message shown, with its buttons (what the user was told). */
  get stoppedNotice(): { message: string; actions: string[] } | undefined {
    return this.lastStoppedNotice;
  }

  /** The most recent index status, if the server has sent one. */
  get indexStatus(): IndexStatus | undefined {
    return this.lastStatus;
  }

  /** Start the server. Never rejects: a failed start is logged, shown, and leaves the state 'stopped'. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    const client = this.createClient();
    this.client = client;
    this.lastStatus = undefined;
    this.setState('starting');
    this.starting = client.start().then(
      () => {
        if (this.client === client) this.setState('running');
      },
      (error: unknown) => {
        if (this.client !== client) return;
        this.setState('stopped');
        client.error('KMDF Assist: the language server did not start.', error, 'force');
      },
    );
    const done = this.starting;
    void done.finally(() => {
      if (this.starting === done) this.starting = undefined;
    });
    return done;
  }

  /** Stop the server (if any) and start a new one. */
  async restart(): Promise<void> {
    if (this.starting) await this.starting;
    const old = this.client;
    this.client = undefined;
    if (old) {
      try {
        await old.dispose();
      } catch (error) {
        // A client that failed to start cannot be stopped cleanly; a fresh one replaces it anyway.
        this.output.warn(`Stopping the previous server: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await this.start();
  }

  /**
   * The running client. While the server is starting, waits for it with a cancellable progress
   * notification; when it is stopped, throws ServerUnavailableError.
   */
  async ready(): Promise<LanguageClient> {
    if (this.currentState === 'starting' && this.starting) {
      const starting = this.starting;
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'KMDF Assist: waiting for the language server to start…',
          cancellable: true,
        },
        (_progress, token) =>
          new Promise<void>((resolve, reject) => {
            const cancelled = token.onCancellationRequested(() =>
              reject(new WaitCancelledError('Cancelled while the server was starting.')),
            );
            void starting.then(() => {
              cancelled.dispose();
              resolve();
            });
          }),
      );
    }
    if (this.currentState !== 'running' || !this.client) {
      throw new ServerUnavailableError('The KMDF Assist language server is not running.');
    }
    return this.client;
  }

  /** Send a custom request (shared/protocol.ts method name) once the server is running. */
  async request<R>(method: string, params?: unknown): Promise<R> {
    const client = await this.ready();
    return params === undefined ? client.sendRequest<R>(method) : client.sendRequest<R>(method, params);
  }

  /** Record a status the client learnt without a notification (the reply of a rebuild). */
  publishIndexStatus(status: IndexStatus): void {
    this.lastStatus = status;
    this.statusEmitter.fire(status);
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.stateEmitter.dispose();
    this.statusEmitter.dispose();
    try {
      await client?.dispose();
    } finally {
      this.output.dispose();
      this.traceOutput.dispose();
    }
  }

  private setState(state: ServerState): void {
    this.currentState = state;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.serverState, state);
    this.stateEmitter.fire(state);
  }

  private createClient(): LanguageClient {
    const serverModule = this.context.asAbsolutePath('dist/server.js');
    // The server's code is compiled from V8's code cache in the extension's own storage (server/src/launch.ts);
    // the client adds its own environment to what is given here.
    const env = { KMDF_ASSIST_CODE_CACHE: vscode.Uri.joinPath(this.context.globalStorageUri, 'code').fsPath };
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc, options: { env } },
      debug: {
        module: serverModule,
        transport: TransportKind.ipc,
        options: { env, execArgv: ['--nolazy', '--inspect=6009'] },
      },
    };
    const initializationOptions: InitializationOptions = {
      cacheDir: this.context.globalStorageUri.fsPath,
      // The hover may link the docs settings (the only command trusted below), and the log output
      // channel stamps each line with its time and level.
      settingsLinks: true,
      stampsLogLines: true,
    };
    // The default handler restarts a crashed server up to MAX_RESTARTS times; past that it gives
    // up, and the client must say so and reflect it in the state.
    let defaultHandler: ErrorHandler | undefined;
    const handler = (): ErrorHandler => (defaultHandler ??= client.createDefaultErrorHandler(MAX_RESTARTS));
    const errorHandler: ErrorHandler = {
      error: (error, message, count) => {
        // Logged without the default handler's notification: the close that follows says what matters.
        if (channelClosed(client.serverProcess)) return { action: ErrorAction.Continue, handled: true };
        return handler().error(error, message, count);
      },
      closed: async () => {
        const result = await handler().closed();
        if (result.action === CloseAction.DoNotRestart && this.client === client) {
          this.setState('stopped');
          void this.offerRestart(result.message ?? 'The KMDF Assist language server stopped.');
          return { ...result, handled: true };
        }
        return result;
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'c' },
        { scheme: 'file', language: 'cpp' },
        { scheme: 'untitled', language: 'c' },
        { scheme: 'untitled', language: 'cpp' },
      ],
      // The server pulls `kmdf` through workspace/configuration when this notifies a change,
      // so settings apply without a reload.
      synchronize: { configurationSection: 'kmdf' },
      initializationOptions,
      // Hover Markdown is sanitized on the server (only reference-site links); of commands, only
      // opening the settings editor is let through, for the hover's kmdf.docs.path link.
      markdown: { isTrusted: { enabledCommands: ['workbench.action.openSettings'] } },
      outputChannel: this.output,
      traceOutputChannel: this.traceOutput,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // A hover of ours shown (with the mouse too, which runs no command) completes the walkthrough's hover step.
      middleware: {
        provideHover: async (document, position, token, next) => {
          const hover = await next(document, position, token);
          if (hover) completeStep(this.context.extension.id, 'kmdf.hoverRoleType');
          return hover;
        },
      },
      errorHandler,
      initializationFailedHandler: (error) => {
        client.error('KMDF Assist: the language server failed to initialize.', error, 'force');
        // Not retried: an initialize failure (bad bundle, broken catalog) does not heal by itself.
        return false;
      },
    };
    // The id "kmdf" makes vscode-languageclient read `kmdf.trace.server`.
    // The handlers above run only after start, when `client` is set.
    const client = new LanguageClient('kmdf', 'KMDF Assist', serverOptions, clientOptions);
    client.onNotification(IndexStatusNotification.method, (status: IndexStatus) => {
      if (this.client === client) this.publishIndexStatus(status);
    });
    return client;
  }

  private async offerRestart(message: string): Promise<void> {
    const actions = ['Restart Server', 'Show Output'];
    this.lastStoppedNotice = { message, actions };
    this.output.error(message);
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === 'Restart Server') await vscode.commands.executeCommand(COMMAND_IDS.restartServer);
    if (choice === 'Show Output') this.output.show(true);
  }
}

/**
 * Show a command's failure: an error message with "Show Output" (and "Restart Server" when the
 * server is down), and the details in the output channel. Cancelling a wait is silent.
 */
export async function reportCommandError(server: KmdfServer, what: string, error: unknown): Promise<void> {
  if (error instanceof WaitCancelledError) return;
  const detail = error instanceof Error ? error.message : String(error);
  server.output.error(`${what}: ${detail}`);
  const actions = error instanceof ServerUnavailableError ? ['Restart Server', 'Show Output'] : ['Show Output'];
  // Not awaited: the command that failed finishes now; the buttons act whenever the user clicks them.
  void vscode.window.showErrorMessage(`KMDF Assist: ${what}: ${detail}`, ...actions).then(async (choice) => {
    if (choice === 'Restart Server') await vscode.commands.executeCommand(COMMAND_IDS.restartServer);
    if (choice === 'Show Output') server.output.show(true);
  });
}
