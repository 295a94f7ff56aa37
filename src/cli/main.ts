import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import { DatabaseLockedError } from '../db/database.ts';
import { AppError, ValidationError } from '../platform/errors.ts';
import { AuditTrailBrokenError } from './audit.command.ts';
import { registerCommands } from './commands.ts';
import { UsageError } from './support.ts';

/**
 * The `waymark` command. Every failure ends with one line on stderr saying what went wrong
 * and a non-zero exit code; no stack traces.
 */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** The network error code behind a failure to reach the database, however deeply it is wrapped. */
function connectionFailure(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = connectionFailure(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return connectionFailure((error as { cause?: unknown }).cause, depth + 1);
}

function describeFailure(error: unknown): string {
  if (error instanceof ValidationError) return error.errors.map((e) => e.message).join('; ') || error.message;
  if (
    error instanceof AppError ||
    error instanceof ConfigError ||
    error instanceof DatabaseLockedError ||
    error instanceof UsageError ||
    error instanceof AuditTrailBrokenError
  ) {
    return error.message;
  }
  const code = connectionFailure(error);
  if (code !== undefined) {
    return `Cannot reach the PostgreSQL server named in DATABASE_URL (${code}). Check that it is running and the address is right.`;
  }
  if (error instanceof AggregateError && error.message === '') return describeFailure(error.errors[0]);
  if (error instanceof Error) return `Unexpected error: ${error.message || error.name}`;
  return 'Unexpected error';
}

const program = new Command();
program
  .name('waymark')
  .description('Waymark: run a digital strategy end to end')
  .exitOverride()
  .configureOutput({
    // Usage mistakes as one line, like every other failure.
    outputError: (message, write) => {
      write(`waymark: ${message.replace(/^error: /, '').trim().split('\n')[0] ?? ''} (run with --help for usage)\n`);
    },
  });

registerCommands(program, () => loadConfig());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    console.error(`waymark: ${describeFailure(error).split('\n')[0] ?? ''}`);
    process.exitCode = 1;
  }
}
