/**
 * Connection errors of a server that is already gone. vscode-languageclient's default handler
 * shuts the client down after "more than three" errors, but its IPC writer counts each failed send
 * twice, so two requests sent in the moment between a crash and the close event stopped the client
 * for good: no restart, no message, a server that looked running. Errors on a channel that is
 * already closed belong to the crash; the close that follows decides whether to restart.
 */

/** The parts of a ChildProcess that tell whether its IPC channel is gone. */
export interface ServerProcessState {
  readonly connected: boolean;
  readonly exitCode: number | null;
  readonly signalCode: string | null;
}

export function channelClosed(server: ServerProcessState | undefined): boolean {
  return server !== undefined && (!server.connected || server.exitCode !== null || server.signalCode !== null);
}
