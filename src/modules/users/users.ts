import type { Role } from '../../platform/access/roles.ts';
import type { FieldError } from '../../platform/errors.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  active: boolean;
  mfaEnabled: boolean;
}

export interface Member extends User {
  role: Role;
  deactivated: boolean;
  joinedAt: Date;
}

/** A user's access to one organisation, as the session and the switcher see it. */
export interface MembershipSummary {
  organisationId: string;
  slug: string;
  name: string;
  role: Role;
  requireMfa: boolean;
}

// Deliberately loose: one @, something either side, a dot in the domain. Stricter rules
// reject real addresses; the invitation proves the address works.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailProblems(email: string, field = 'email'): FieldError[] {
  const value = email.trim();
  if (value === '') return [{ field, message: 'Enter an email address' }];
  if (value.length > 254 || !EMAIL_PATTERN.test(value)) {
    return [{ field, message: 'Enter an email address in the correct format, like name@example.org' }];
  }
  return [];
}

export function nameProblems(name: string, field = 'name'): FieldError[] {
  const value = name.trim();
  if (value === '') return [{ field, message: 'Enter the person’s full name' }];
  if (value.length > 200) return [{ field, message: 'Name must be 200 characters or fewer' }];
  return [];
}
