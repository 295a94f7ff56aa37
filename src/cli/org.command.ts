import type { Command } from 'commander';
import { createOrganisation } from '../modules/organisations/organisations.service.ts';
import { cliOperator } from '../platform/access/actor.ts';
import { type ConfigLoader, withDatabase } from './support.ts';

export function registerOrgCommands(program: Command, config: ConfigLoader): void {
  const org = program.command('org').description('Manage organisations');

  org
    .command('create')
    .description('Create an organisation, optionally under a parent (a central body)')
    .requiredOption('--slug <slug>', 'short name for web addresses: lower-case letters, numbers and hyphens, like west-shire-council')
    .requiredOption('--name <name>', 'the organisation’s full name')
    .option('--parent <slug>', 'slug of the parent organisation, which gets read-only roll-ups of this one')
    .action(async (options: { slug: string; name: string; parent?: string }) => {
      const created = await withDatabase(config(), (db) =>
        createOrganisation(db, cliOperator(), { slug: options.slug, name: options.name, parentSlug: options.parent }),
      );
      const under = options.parent === undefined ? '' : `, under ${options.parent}`;
      console.log(`Created the organisation ${created.name} (${created.slug})${under}.`);
      console.log(`Next, give it an admin: npx waymark user create --org ${created.slug} --role admin --email <email> --name "<name>"`);
    });
}
