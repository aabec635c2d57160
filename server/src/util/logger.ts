/**
 * A levelled logger over `window/logMessage`. The level comes from `kmdf.logLevel`; before
 * `initialize` (and before settings arrive) the environment variable KMDF_ASSIST_LOG decides, so
 * start-up problems can be traced too. Messages below the level are dropped on the server side.
 */
import { MessageType, type Connection } from 'vscode-languageserver';

export const LOG_LEVELS = ['error', 'warning', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where messages go; the connection in the server, an array in tests. */
export type LogSink = (type: MessageType, message: string) => void;

/** A level name from text ("debug", "WARNING"), or undefined when it is not one. */
export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  const t = text?.trim().toLowerCase();
  if (t === 'warn') return 'warning';
  return (LOG_LEVELS as readonly string[]).includes(t ?? '') ? (t as LogLevel) : undefined;
}

const TYPE_OF: Record<LogLevel, MessageType> = {
  error: MessageType.Error,
  warning: MessageType.Warning,
  info: MessageType.Info,
  debug: MessageType.Log,
};

export class Logger {
  private level: LogLevel;
  /** Keys of messages already logged by `once`. */
  private readonly seen = new Set<string>();
  /** Whether each line carries our time and level (off when the client stamps lines itself). */
  private stamped = true;

  constructor(
    private sink: LogSink,
    level: LogLevel = parseLogLevel(process.env.KMDF_ASSIST_LOG) ?? 'info',
  ) {
    this.level = level;
  }

  /** A logger that sends to a connection's `window/logMessage`. */
  static forConnection(connection: Connection, level?: LogLevel): Logger {
    return new Logger((type, message) => {
      void connection.sendNotification('window/logMessage', { type, message });
    }, level);
  }

  /** The level set by the user; KMDF_ASSIST_LOG still wins when set, so a debugging session is not silenced by settings. */
  setLevel(level: LogLevel): void {
    this.level = parseLogLevel(process.env.KMDF_ASSIST_LOG) ?? level;
  }

  /**
   * Whether lines carry our `[time] [level]` prefix. A client that stamps each message with its own
   * time and level (VS Code's log output channel) turns it off, so a line has one timestamp; debug
   * lines keep `[debug]`, since such a client shows them at its info level.
   */
  setStamped(stamped: boolean): void {
    this.stamped = stamped;
  }

  getLevel(): LogLevel {
    return this.level;
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(this.level);
  }

  error(message: string, error?: unknown): void {
    this.log('error', error === undefined ? message : `${message}: ${describeError(error)}`);
  }
  warn(message: string): void {
    this.log('warning', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  debug(message: string | (() => string)): void {
    if (this.enabled('debug')) this.log('debug', typeof message === 'function' ? message() : message);
  }

  /** Log a message only the first time `key` is seen (e.g. "docs offline"), so failures repeat silently. */
  once(level: LogLevel, key: string, message: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.log(level, message);
  }

  log(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    if (!this.stamped) {
      this.sink(TYPE_OF[level], level === 'debug' ? `[debug] ${message}` : message);
      return;
    }
    const time = new Date().toISOString().slice(11, 23);
    this.sink(TYPE_OF[level], `[${time}] [${level}] ${message}`);
  }
}

/** "TypeError: x is undefined" from anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** A logger that drops everything (for library code called outside the server). */
export const silentLogger = new Logger(() => undefined, 'error');
