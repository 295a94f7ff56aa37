/** Roles a user holds per organisation, from least to most privileged. */
export const ROLES = ['viewer', 'contributor', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  viewer: 'Viewer',
  contributor: 'Contributor',
  manager: 'Manager',
  admin: 'Admin',
};

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  viewer: 'Reads status, decisions and reports; cannot change anything',
  contributor: 'Records measurements, status reports and risk reviews for the items they own',
  manager: 'Writes the strategy, objectives and KPIs and runs boards',
  admin: 'Manages users, roles, sign-in policy, API tokens and settings',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
