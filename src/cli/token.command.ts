import type { Command } from 'commander';
import { createToken } from '../modules/tokens/tokens.service.ts';
import { MAX_EXPIRY_DAYS } from '../modules/tokens/tokens.ts';
import { cliOperator } from '../platform/access/actor.ts';
import { type ConfigLoader, organisationBySlug, withDatabase } from './support.ts';

interface TokenCreateOptions {
  org: string;
  name: string;
  scope: string;
  expiresDays?: string;
}

export function registerTokenCommands(program: Command, config: ConfigLoader): void {
  const token = program.command('token').description('Manage API tokens');

  token
    .command('create')
    .description('Create an API token for an organisation; prints the token once, alone on the last line of stdout')
    .requiredOption('--org <slug>', 'slug of the organisation the token acts for')
    .requiredOption('--name <name>', 'what the token is for, like "Finance system import"')
    .requiredOption('--scope <scope>', '"read", or "read,write" to also record data')
    .option('--expires-days <days>', `days until it stops working, 1 to ${MAX_EXPIRY_DAYS} (default: never)`)
    .addHelpText(
      'after',
      [
        '',
        'Details go to stderr and only the token to stdout, so it can be captured:',
        '  TOKEN=$(npx waymark token create --org west-shire --name "KPI feed" --scope read,write --expires-days 90)',
        'Send it as "Authorization: Bearer <token>". Only a hash is kept: a lost token cannot be shown again.',
      ].join('\n'),
    )
    .action(async (options: TokenCreateOptions) => {
      const expiresInDays = options.expiresDays === undefined ? null : Number(options.expiresDays);
      const { created, organisation } = await withDatabase(config(), async (db) => {
        const organisation = await organisationBySlug(db, options.org);
        const created = await createToken(db, cliOperator(), organisation.id, { name: options.name, scope: options.scope, expiresInDays });
        return { created, organisation };
      });
      const expiry = created.token.expiresAt === null ? 'it does not expire' : `it expires on ${created.token.expiresAt.toISOString().slice(0, 10)}`;
      console.error(
        `Created the API token "${created.token.name}" (${created.token.scopes.join(', ')}) for ${organisation.name}; ${expiry}. Copy it now: it is shown only once.`,
      );
      console.log(created.secret);
    });
}
