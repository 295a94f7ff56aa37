import type { FieldError } from '../../platform/errors.ts';

export interface Organisation {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  requireMfa: boolean;
}

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function organisationProblems(input: { slug: string; name: string }): FieldError[] {
  const problems: FieldError[] = [];
  const slug = input.slug.trim();
  if (slug === '') problems.push({ field: 'slug', message: 'Enter a short name for web addresses (the slug)' });
  else if (slug.length > 60) problems.push({ field: 'slug', message: 'Slug must be 60 characters or fewer' });
  else if (!SLUG_PATTERN.test(slug)) {
    problems.push({
      field: 'slug',
      message: 'Slug must use lower-case letters, numbers and single hyphens only, like west-shire-council',
    });
  }
  const name = input.name.trim();
  if (name === '') problems.push({ field: 'name', message: 'Enter the organisation’s name' });
  else if (name.length > 200) problems.push({ field: 'name', message: 'Name must be 200 characters or fewer' });
  return problems;
}
