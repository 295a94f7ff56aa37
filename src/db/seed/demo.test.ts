import { describe, expect, it } from 'vitest';
import { passwordProblems } from '../../modules/auth/passwords.ts';
import { organisationProblems } from '../../modules/organisations/organisations.ts';
import { emailProblems } from '../../modules/users/users.ts';
import { ROLES } from '../../platform/access/roles.ts';
import { DEMO_CENTRAL_BODY, DEMO_COUNCIL, DEMO_PASSWORD, DEMO_STEPS, DEMO_USERS } from './demo.ts';

describe('demo data', () => {
  it('has a password every demo person may use', () => {
    for (const user of DEMO_USERS) expect(passwordProblems(DEMO_PASSWORD, { email: user.email, name: user.name })).toEqual([]);
  });

  it('has valid organisations and emails on reserved example domains', () => {
    expect(organisationProblems(DEMO_CENTRAL_BODY)).toEqual([]);
    expect(organisationProblems(DEMO_COUNCIL)).toEqual([]);
    for (const user of DEMO_USERS) {
      expect(emailProblems(user.email)).toEqual([]);
      expect(user.email).toMatch(/\.example$/);
    }
  });

  it('gives the council one person per role, and the central body an admin who can also see the council', () => {
    const councilRoles = DEMO_USERS.flatMap((u) => u.roles.filter((r) => r.organisation === DEMO_COUNCIL.slug).map((r) => r.role));
    expect(new Set(councilRoles)).toEqual(new Set(ROLES));
    const central = DEMO_USERS.filter((u) => u.roles.some((r) => r.organisation === DEMO_CENTRAL_BODY.slug));
    expect(central).toHaveLength(1);
    expect(central[0]?.roles).toEqual([
      { organisation: DEMO_CENTRAL_BODY.slug, role: 'admin' },
      { organisation: DEMO_COUNCIL.slug, role: 'viewer' },
    ]);
  });

  it('creates organisations before the people who belong to them', () => {
    expect(DEMO_STEPS.map((s) => s.name).slice(0, 2)).toEqual(['organisations', 'users']);
  });
});
