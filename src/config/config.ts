import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** The one configuration object, read once from the environment and frozen. */
export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  /** PostgreSQL connection string; undefined means the embedded database. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly sessionSecret: string;
  readonly logLevel: string;
  /** Seconds of inactivity after which a session ends. */
  readonly sessionIdleSeconds: number;
  /** Seconds after sign-in after which a session ends whatever the activity. */
  readonly sessionAbsoluteSeconds: number;
  readonly publicUrl: string;
  /** Which proxies in front (a load balancer) to trust for X-Forwarded-For, so throttling sees real client addresses. */
  readonly trustProxy: boolean | string[];
  /** SMTP server for reminders, e.g. smtp://user:password@mail.example:587; unset turns email off. */
  readonly smtpUrl: string | undefined;
  /** The From address of Waymark's emails. */
  readonly mailFrom: string;
  /** Minutes between runs of the overdue-KPI reminders in `serve` (when SMTP is configured); 0 turns them off. */
  readonly reminderIntervalMinutes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, not "${raw}"`);
  }
  return port;
}

function parseTrustProxy(raw: string | undefined): boolean | string[] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  const addresses = raw.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (addresses.some((a) => !/^[0-9a-fA-F:./]+$|^(loopback|linklocal|uniquelocal)$/.test(a))) {
    throw new ConfigError(`TRUST_PROXY must be true, false or a comma-separated list of proxy addresses or CIDR ranges, not "${raw}"`);
  }
  return addresses;
}

function parseSmtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^smtps?:\/\/[^\s]+$/.test(raw)) throw new ConfigError('SMTP_URL must look like smtp://user:password@host:587 or smtps://…');
  return raw;
}

/** At most a week between checks: a weekly KPI's value is due days after its week ends, and reminders should not lag far behind. */
export const MAX_REMINDER_INTERVAL_MINUTES = 7 * 24 * 60;

function parseReminderInterval(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 60;
  const minutes = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(minutes) || minutes > MAX_REMINDER_INTERVAL_MINUTES) {
    throw new ConfigError(`REMINDER_INTERVAL_MINUTES must be a whole number of minutes from 0 (off) to ${MAX_REMINDER_INTERVAL_MINUTES}, not "${raw}"`);
  }
  return minutes;
}

function parseEnvName(raw: string | undefined): Config['env'] {
  if (raw === undefined || raw === '' || raw === 'development') return 'development';
  if (raw === 'production' || raw === 'test') return raw;
  throw new ConfigError(`NODE_ENV must be development, test or production, not "${raw}"`);
}

/**
 * Builds the configuration from environment variables. Production refuses to start without
 * its secrets; development gets a random session secret per process, which is safe because
 * development sessions are not expected to survive a restart.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const name = parseEnvName(env.NODE_ENV);
  const secret = env.SESSION_SECRET;
  if (name === 'production') {
    if (secret === undefined || secret.length < 32) {
      throw new ConfigError('SESSION_SECRET must be set to at least 32 random characters in production');
    }
  }
  // Development keeps the terminal readable (the start-up message, not a line per request);
  // LOG_LEVEL=info brings the request logs back.
  const logLevel = env.LOG_LEVEL ?? { test: 'silent', development: 'warn', production: 'info' }[name];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const host = env.HOST ?? (name === 'production' ? '0.0.0.0' : '127.0.0.1');
  const port = parsePort(env.PORT, 3000);
  const databaseUrl = env.DATABASE_URL === '' ? undefined : env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return Object.freeze({
    env: name,
    host,
    port,
    databaseUrl,
    dataDir: path.resolve(env.WAYMARK_DATA_DIR ?? './data'),
    sessionSecret: secret ?? randomBytes(32).toString('hex'),
    logLevel,
    sessionIdleSeconds: 30 * 60,
    sessionAbsoluteSeconds: 12 * 60 * 60,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    smtpUrl: parseSmtpUrl(env.SMTP_URL),
    mailFrom: env.MAIL_FROM ?? 'Waymark <waymark@localhost>',
    reminderIntervalMinutes: parseReminderInterval(env.REMINDER_INTERVAL_MINUTES),
  });
}
