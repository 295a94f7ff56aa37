import type { Config } from '../config/config.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { findOrganisationBySlug, type Organisation } from '../modules/organisations/organisations.service.ts';
import { ValidationError } from '../platform/errors.ts';

/** Reads the configuration when a command runs (not when `--help` is asked for). */
export type ConfigLoader = () => Config;

/**
 * A mistake in how a command was called. main.ts prints its message as one line and exits 1,
 * like every other failure.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Opens the database, brings its schema up to date (as `serve` does, so a command works on a
 * fresh data folder), runs `fn` and closes it again, releasing the embedded data folder. When a
 * running server holds the folder, opening fails at once with a DatabaseLockedError saying what
 * to do.
 */
export async function withDatabase<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const database = await openDatabase(config);
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) console.error(`Brought the database up to date (${applied.length} migration(s)).`);
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

/** The organisation with this slug, or a one-line error naming the slug. */
export async function organisationBySlug(db: Db, slug: string): Promise<Organisation> {
  const organisation = await findOrganisationBySlug(db, slug.trim());
  if (organisation === undefined) throw ValidationError.of('org', `There is no organisation with the slug "${slug}"`);
  return organisation;
}

/** Removes the one line ending a piped value usually has (`echo`), and nothing else. */
export function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads a secret piped to the command. A terminal on stdin would leave the command waiting
 * with no prompt, so that is refused with a line saying how to pipe it.
 */
export async function readSecretFromStdin(option: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError(`${option} reads from a pipe, for example: printf '%s' "$PASSWORD" | npx waymark … ${option}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return withoutFinalNewline(Buffer.concat(chunks).toString('utf8'));
}

/** Formats a list of rows as aligned columns. */
export function columns(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('   '));
}
