import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import { DatabaseLockedError } from '../db/database.ts';
import { AppError, ValidationError } from '../platform/errors.ts';
import { registerCommands } from './commands.ts';

/**
 * The `waymark` command. Every failure ends with one line on stderr saying what went wrong
 * and a non-zero exit code; no stack traces.
 */
function describeFailure(error: unknown): string {
  if (error instanceof ValidationError) return error.errors.map((e) => e.message).join('; ');
  if (error instanceof AppError || error instanceof ConfigError || error instanceof DatabaseLockedError) return error.message;
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return 'Unexpected error';
}

const program = new Command();
program
  .name('waymark')
  .description('Waymark: run a digital strategy end to end')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerCommands(program, () => loadConfig());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    console.error(`waymark: ${describeFailure(error).split('\n')[0]}`);
    process.exitCode = 1;
  }
}
