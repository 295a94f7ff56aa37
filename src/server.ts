import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config/config.ts';
import { type DatabaseHandle, type Db, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { pruneKpiChangeNotes } from './modules/kpis/kpis.service.ts';
import { createMailer, type Mailer } from './platform/email/mailer.ts';
import { REMINDER_RUNS } from './reminder-kinds.ts';
import { createLogger, type Logger } from './platform/logger.ts';

export interface RunningServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  url: string;
  /** Whether this instance emails the owners of overdue KPIs, in words for the start-up message. */
  reminders: { on: boolean; description: string };
  close(): Promise<void>;
}

export interface ReminderSchedule {
  /** Stops the timer and waits (briefly) for a run in progress to finish. */
  stop(): Promise<void>;
}

/** How long closing waits for a reminder run in progress before closing the database anyway. */
const REMINDER_STOP_WAIT_MS = 10_000;

/**
 * Runs every kind of reminder (overdue KPI values, risk reviews, late status reports) every `intervalMinutes`, the first run `firstRunDelayMs`
 * after start. Runs never overlap; a failed run is logged and the next one tries again. The
 * timers are unref'd, so they never keep the process alive. Several instances may all run it:
 * each reminder is claimed in the database before it is sent.
 */
export function startReminderSchedule(options: {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  intervalMinutes: number;
  logger: Logger;
  firstRunDelayMs?: number;
}): ReminderSchedule {
  const { db, mailer, logger } = options;
  const controller = new AbortController();
  let running: Promise<void> | null = null;
  const stopped = (): boolean => controller.signal.aborted;
  /** Each kind in turn; one that fails is logged and the others still go. */
  const runAll = async (): Promise<void> => {
    for (const kind of REMINDER_RUNS) {
      if (stopped()) return;
      try {
        const result = await kind.send(db, mailer, { publicUrl: options.publicUrl, logger, signal: controller.signal });
        if (result.sent > 0 || result.failed > 0) logger.info(result, `${kind.label} run finished`);
      } catch (error) {
        if (!stopped()) logger.error({ err: error }, `The ${kind.label} run failed; the next run tries again`);
      }
    }
  };
  const run = (): void => {
    if (running !== null || controller.signal.aborted) return;
    running = runAll().finally(() => {
      running = null;
    });
  };
  const first = setTimeout(run, options.firstRunDelayMs ?? 10_000);
  const every = setInterval(run, options.intervalMinutes * 60_000);
  first.unref();
  every.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      controller.abort();
      if (running !== null) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, REMINDER_STOP_WAIT_MS)))]);
        clearTimeout(timer);
      }
      mailer.close();
    },
  };
}

/** How often the server tidies up after itself. */
const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Hourly tidying that keeps tables from growing without end: the notes of KPI data changes older
 * than any kept KPI list can need. A failure is logged and the next hour tries again; the timer
 * is unref'd.
 */
export function startHousekeeping(db: Db, logger: Logger): { stop(): void } {
  const tidy = (): void => {
    pruneKpiChangeNotes(db)
      .then((deleted) => {
        if (deleted > 0) logger.debug({ deleted }, 'Old KPI change notes deleted');
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'Housekeeping failed; the next hour tries again');
      });
  };
  const every = setInterval(tidy, HOUSEKEEPING_INTERVAL_MS);
  every.unref();
  return {
    stop() {
      clearInterval(every);
    },
  };
}

/**
 * config → database → migrate → app → listen. `beforeListen` runs on the migrated database
 * (the CLI seeds demo data there on a first run). Closing stops taking requests, lets those
 * in flight finish, then closes the database (and releases the embedded data folder).
 */
export async function startServer(
  config: Config,
  options: {
    logger?: Logger;
    beforeListen?: (database: DatabaseHandle, logger: Logger) => Promise<void>;
    /** The mailer for reminders; default: from SMTP_URL (none when it is unset). */
    mailer?: Mailer | null;
  } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config);
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    await options.beforeListen?.(database, logger);
    const app = await buildApp({ config, database, logger });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${shownHost}:${port}`;
    const housekeeping = startHousekeeping(database.db, logger);
    const mailer = options.mailer === undefined ? createMailer(config) : options.mailer;
    let schedule: ReminderSchedule | null = null;
    let reminders: RunningServer['reminders'];
    if (mailer === null) {
      reminders = { on: false, description: 'Reminder emails are off: set SMTP_URL to email the owners of overdue KPIs, risk reviews and status reports.' };
    } else if (config.reminderIntervalMinutes === 0) {
      mailer.close();
      reminders = { on: false, description: 'Reminder emails are off (REMINDER_INTERVAL_MINUTES is 0).' };
    } else {
      schedule = startReminderSchedule({ db: database.db, mailer, publicUrl: config.publicUrl, intervalMinutes: config.reminderIntervalMinutes, logger });
      reminders = { on: true, description: `Reminder emails are on: owners of overdue KPIs, risk reviews and status reports are emailed (checked every ${config.reminderIntervalMinutes} minutes).` };
    }
    logger.info({ reminders: reminders.on, intervalMinutes: reminders.on ? config.reminderIntervalMinutes : null }, reminders.description);
    let closing: Promise<void> | undefined;
    return {
      app,
      database,
      url,
      reminders,
      close: () => {
        closing ??= (async () => {
          housekeeping.stop();
          await schedule?.stop();
          await app.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
