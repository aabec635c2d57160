import type { Command } from 'commander';
import { startServer } from '../server';
import { createServerConnection } from '../util/transport';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the KMDF Assist language server (for any LSP editor).')
    .option('--stdio', 'talk LSP over stdin/stdout (default)')
    .option('--node-ipc', 'talk LSP over Node IPC (when started by a Node client)')
    .action(() => {
      // vscode-languageserver reads the transport from process.argv (--stdio, --node-ipc, --socket=N).
      if (!process.argv.some((a) => a === '--node-ipc' || a === '--stdio')) process.argv.push('--stdio');
      const { connection, inbound } = createServerConnection();
      startServer(connection, inbound);
    });
}
