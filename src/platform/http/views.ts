import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { FieldError } from '../errors.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.resolve(here, '../..');

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export function formatDateTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return `${DATE_TIME.format(new Date(value)).replace(',', ' at')} UTC`;
}

export function formatDate(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return DATE.format(new Date(value));
}

/** The GOV.UK error summary's list: each error links to its field. */
export function errorSummaryList(errors: readonly FieldError[] | undefined): { text: string; href: string }[] {
  return (errors ?? []).map((e) => ({ text: e.message, href: `#${e.field}` }));
}

/** The message for one field, in the shape govuk macros take for `errorMessage`. */
export function fieldError(errors: readonly FieldError[] | undefined, field: string): { text: string } | undefined {
  const found = errors?.find((e) => e.field === field);
  return found ? { text: found.message } : undefined;
}

/**
 * One Nunjucks environment: the platform's layout and partials, every module's views (as
 * "<module>/views/<file>.njk") and govuk-frontend's macros. Autoescaping is on.
 */
export function createViewEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [path.join(srcDir, 'platform/views'), path.join(srcDir, 'modules'), path.join(srcDir, '../node_modules/govuk-frontend/dist')],
      { noCache: false },
    ),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter('dateTime', formatDateTime);
  env.addFilter('date', formatDate);
  env.addGlobal('errorSummaryList', errorSummaryList);
  env.addGlobal('fieldError', fieldError);
  return env;
}
