import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { verifyAuditTrail } from '../platform/audit/audit.service.ts';
import { type ConfigLoader, withDatabase } from './support.ts';
import { plural } from '../platform/text.ts';

export class AuditTrailBrokenError extends Error {
  override name = 'AuditTrailBrokenError';
}

/** Progress on stderr, only on a terminal and only once a trail turns out to be long. */
function progressReporter(): { update(events: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(events) {
      if (bar === undefined) {
        bar = new cliProgress.SingleBar(
          { format: 'Verifying the audit trail: {value} events checked', stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.legacy,
        );
        bar.start(0, events);
      }
      bar.update(events);
    },
    stop() {
      bar?.stop();
    },
  };
}

export function registerAuditCommands(program: Command, config: ConfigLoader): void {
  const audit = program.command('audit').description('Check the audit trail');

  audit
    .command('verify')
    .description('Check every audit event against its hash chain; exits 1 naming the first event that was changed or removed')
    .addHelpText('after', '\nPrints "Audit trail verified: N events in M chains" when nothing was altered.')
    .action(async () => {
      const progress = progressReporter();
      const result = await withDatabase(config(), async (db) => {
        try {
          return await verifyAuditTrail(db, (events) => {
            progress.update(events);
          });
        } finally {
          progress.stop();
        }
      });
      if (!result.ok) throw new AuditTrailBrokenError(`The audit trail has been tampered with: ${result.problem ?? 'unknown problem'}`);
      console.log(`Audit trail verified: ${plural(result.events, 'event')} in ${plural(result.chains, 'chain')}`);
    });
}
