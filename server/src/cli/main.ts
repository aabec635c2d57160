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
