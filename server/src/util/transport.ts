/**
 * The server's connection, built here rather than by vscode-languageserver from the command line,
 * for three reasons:
 * - a framing error on stdio (`Content-Length: abc`) leaves the stream out of step for good, and the
 *   library then silently answers nothing again: we log it and exit non-zero, so the client restarts us;
 * - a request cancelled while still queued is answered RequestCancelled without running it;
 * - the server can tell which messages were read from the client but not yet handled (`InboundMessages`),
 *   so an analysis that a queued edit already makes stale is not started, and queued requests of other
 *   documents are answered before a long analysis begins.
 */
import {
  createConnection,
  IPCMessageReader,
  IPCMessageWriter,
  Message,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  type Connection,
  type ConnectionOptions,
  type DataCallback,
  type MessageReader,
  type MessageWriter,
  type NotificationMessage,
  type RequestMessage,
  type ResponseMessage,
} from 'vscode-languageserver/node';
import { requestCancelled } from './requestScope';

/** Messages read from the client and not yet handed to their handlers. */
export class InboundMessages {
  private readonly requests = new Set<string>();
  private readonly changes = new Map<string, number>();
  private lastActivity = -Infinity;

  /**
   * When the client's last request or document notification arrived (performance.now()): background
   * work waits for a quiet moment after it (BackgroundGate). A workspace/diagnostic pull is not
   * counted: a pulling client sends the next one as soon as one is answered, user or not.
   */
  lastActivityAt(): number {
    return this.lastActivity;
  }

  /** didChange notifications of `uri` read but not yet applied: the document's newest analysis would be stale. */
  changesWaiting(uri: string): number {
    return this.changes.get(uri) ?? 0;
  }

  /** Requests read but not yet started. */
  requestsWaiting(): number {
    return this.requests.size;
  }

  /** A message was read from the stream. */
  arrived(message: Message): void {
    if (isEditorActivity(message)) this.lastActivity = performance.now();
    if (Message.isRequest(message)) this.requests.add(String(message.id));
    else if (changedUri(message)) {
      const uri = changedUri(message)!;
      this.changes.set(uri, this.changesWaiting(uri) + 1);
    }
  }

  /** A message is being handed to its handler (or a queued request was cancelled). */
  dispatched(message: Message): void {
    if (Message.isRequest(message)) this.requests.delete(String(message.id));
    else if (changedUri(message)) {
      const uri = changedUri(message)!;
      const left = this.changesWaiting(uri) - 1;
      if (left > 0) this.changes.set(uri, left);
      else this.changes.delete(uri);
    }
  }

  /** Connection options that report dispatching here and answer a queued request's cancellation. */
  connectionOptions(): ConnectionOptions {
    return {
      messageStrategy: {
        handleMessage: (message, next) => {
          this.dispatched(message);
          return next(message);
        },
      },
      connectionStrategy: {
        cancelUndispatched: (message: Message): ResponseMessage | undefined => {
          this.dispatched(message);
          const id = (message as RequestMessage).id;
          return { jsonrpc: '2.0', id, error: requestCancelled().toJson() };
        },
      },
    };
  }
}

function isEditorActivity(message: Message): boolean {
  if (Message.isRequest(message)) return message.method !== 'workspace/diagnostic';
  return Message.isNotification(message) && message.method.startsWith('textDocument/');
}

function changedUri(message: Message): string | undefined {
  if (!Message.isNotification(message) || message.method !== 'textDocument/didChange') return undefined;
  const uri = (message as NotificationMessage & { params?: { textDocument?: { uri?: unknown } } }).params?.textDocument
    ?.uri;
  return typeof uri === 'string' ? uri : undefined;
}

/** A reader that reports each message to `inbound` before the connection queues it. */
class ObservedReader implements MessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly inbound: InboundMessages,
  ) {}
  get onError() {
    return this.inner.onError;
  }
  get onClose() {
    return this.inner.onClose;
  }
  get onPartialMessage() {
    return this.inner.onPartialMessage;
  }
  listen(callback: DataCallback) {
    return this.inner.listen((message) => {
      this.inbound.arrived(message);
      callback(message);
    });
  }
  dispose(): void {
    this.inner.dispose();
  }
}

export interface ServerConnection {
  connection: Connection;
  inbound: InboundMessages;
}

/** How the process ends; a test double in unit tests. */
export interface ProcessExit {
  stderr(text: string): void;
  exit(code: number): void;
}

const realExit: ProcessExit = {
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * The connection over the transport the command line names (`--stdio`, `--node-ipc`; other transports
 * are left to vscode-languageserver, without the inbound bookkeeping).
 */
export function createServerConnection(argv: readonly string[] = process.argv, exit = realExit): ServerConnection {
  const inbound = new InboundMessages();
  const options = inbound.connectionOptions();
  let reader: MessageReader;
  let writer: MessageWriter;
  if (argv.includes('--node-ipc')) {
    reader = new IPCMessageReader(process);
    writer = new IPCMessageWriter(process);
  } else if (argv.includes('--stdio')) {
    reader = new StreamMessageReader(process.stdin);
    writer = new StreamMessageWriter(process.stdout);
    exitOnStreamEnd(reader, exit);
  } else {
    return { connection: createConnection(ProposedFeatures.all, options), inbound };
  }
  exitOnReadError(reader, writer, exit);
  return {
    connection: createConnection(ProposedFeatures.all, new ObservedReader(reader, inbound), writer, options),
    inbound,
  };
}

/**
 * A read error means the stream is out of step (bad header, a body that is not JSON after a wrong
 * length): nothing later can be trusted. Say so on stderr and in the client's log, and exit 1.
 */
export function exitOnReadError(reader: MessageReader, writer: MessageWriter, exit: ProcessExit): void {
  let exiting = false;
  reader.onError((error) => {
    if (exiting) return;
    exiting = true;
    const message = `KMDF Assist: protocol error from the client, exiting so that it restarts the server: ${error.message}`;
    exit.stderr(`${message}\n`);
    const logged = writer
      .write({ jsonrpc: '2.0', method: 'window/logMessage', params: { type: 1, message } } as NotificationMessage)
      .catch(() => undefined);
    // Give the log message a moment to leave; never wait on a client that stopped reading.
    void Promise.race([logged, new Promise((resolve) => setTimeout(resolve, 200))]).then(() => exit.exit(1));
  });
}

/** As vscode-languageserver does for a stdio stream it opens itself: the client closed stdin, so the server ends. */
function exitOnStreamEnd(reader: MessageReader, exit: ProcessExit): void {
  let shutdown = false;
  const inner = reader.listen.bind(reader);
  reader.listen = (callback) =>
    inner((message) => {
      if (Message.isRequest(message) && message.method === 'shutdown') shutdown = true;
      callback(message);
    });
  reader.onClose(() => exit.exit(shutdown ? 0 : 1));
}
