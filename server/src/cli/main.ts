/**
 * `kmdf`: the KMDF Assist engine on the command line (index, show, lint, callbacks, serve).
 * Exit codes: 0 success, 1 a finding / unknown name, 2 bad arguments, unreadable paths or nothing to lint.
 */
import { Command, CommanderError } from 'commander';
import { registerCallbacksCommand } from './callbacksCommand';
import { registerIndexCommand } from './indexCommand';
import { registerLintCommand } from './lintCommand';
import { registerServeCommand } from './serveCommand';
import { registerShowCommand } from './showCommand';
import { UsageError } from './usage';
import { stripControlCharacters } from '../docsText/sanitize';

const program = new Command('kmdf')
  .description('KMDF Assist: index the documented WDF callbacks and methods, look them up, lint drivers, serve LSP.')
  .version(process.env.KMDF_ASSIST_VERSION ?? '0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerIndexCommand(program);
registerShowCommand(program);
registerLintCommand(program);
registerCallbacksCommand(program);
registerServeCommand(program);

program.commands.forEach((c) => c.exitOverride());

// Names and docs text printed by the commands come from files anyone can write: no terminal control
// sequences reach the terminal. `serve` speaks JSON-RPC on stdout (JSON escapes them) and is left alone.
program.hook('preAction', (_program, command) => {
  if (command.name() === 'serve') return;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) =>
      write(
        typeof chunk === 'string'
          ? stripControlCharacters(chunk)
          : chunk instanceof Uint8Array
            ? stripControlCharacters(Buffer.from(chunk).toString('utf8'))
            : chunk,
        ...rest,
      );
  }
});

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other parse error is a usage error (2). Commander printed it.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof UsageError) {
    process.stderr.write(`kmdf: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`kmdf: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
