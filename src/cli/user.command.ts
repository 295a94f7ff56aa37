import { type Command, Option } from 'commander';
import { addUser } from '../modules/users/users.service.ts';
import { cliOperator } from '../platform/access/actor.ts';
import { ROLES } from '../platform/access/roles.ts';
import { generateOneTimePassword } from './one-time-password.ts';
import { type ConfigLoader, organisationBySlug, readSecretFromStdin, withDatabase } from './support.ts';

interface UserCreateOptions {
  email: string;
  name: string;
  org: string;
  role: string;
  passwordStdin?: boolean;
}

export function registerUserCommands(program: Command, config: ConfigLoader): void {
  const user = program.command('user').description('Manage people and their access');

  user
    .command('create')
    .description('Create an account (or give an existing one access) in an organisation with a role')
    .requiredOption('--email <email>', 'their email address, which they sign in with')
    .requiredOption('--name <name>', 'their full name')
    .requiredOption('--org <slug>', 'slug of the organisation')
    .addOption(new Option('--role <role>', 'what they may do there').choices(ROLES).makeOptionMandatory())
    .option('--password-stdin', 'read their password from standard input (one trailing newline is removed)')
    .addHelpText(
      'after',
      [
        '',
        'Without --password-stdin a one-time password is generated and printed once; they change it',
        'after signing in, under "Your account". An email that already has an account keeps its',
        'password and just gains access to the organisation.',
        '',
        'Example:',
        `  printf '%s' "$PASSWORD" | npx waymark user create --org west-shire --role admin \\`,
        '      --email ann@west-shire.gov.example --name "Ann Example" --password-stdin',
      ].join('\n'),
    )
    .action(async (options: UserCreateOptions) => {
      const cfg = config();
      const chosen = options.passwordStdin === true ? await readSecretFromStdin('--password-stdin') : undefined;
      const password = chosen ?? generateOneTimePassword(options.email.trim().toLowerCase());
      const { result, organisation } = await withDatabase(cfg, async (db) => {
        const organisation = await organisationBySlug(db, options.org);
        const result = await addUser(db, cliOperator(), organisation.id, {
          email: options.email,
          name: options.name,
          role: options.role,
          password,
        });
        return { result, organisation };
      });
      const who = `${result.user.name} <${result.user.email}>`;
      const where = `${organisation.name} (${organisation.slug})`;
      if (result.existingAccount) {
        console.log(`${who} already had an account: they now have access to ${where} as ${options.role}. Their password is unchanged.`);
        return;
      }
      console.log(`Created the account for ${who} in ${where} as ${options.role}.`);
      if (chosen === undefined) {
        console.log('One-time password (shown only now; ask them to change it under "Your account" after signing in):');
        console.log(password);
      }
    });
}
