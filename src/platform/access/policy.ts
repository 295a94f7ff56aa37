import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Actor } from './actor.ts';
import { type Role, roleAtLeast } from './roles.ts';

/**
 * What each action needs. Reads need `read` scope on a token, changes need `write`; users need
 * at least the role named here in the organisation concerned.
 */
export const PERMISSIONS = {
  'organisation.read': { role: 'viewer', scope: 'read' },
  'organisation.manage': { role: 'admin', scope: 'write' },
  'users.read': { role: 'admin', scope: null },
  'users.manage': { role: 'admin', scope: null },
  'tokens.manage': { role: 'admin', scope: null },
  'audit.read': { role: 'admin', scope: null },
  'strategy.read': { role: 'viewer', scope: 'read' },
  'strategy.manage': { role: 'manager', scope: 'write' },
  'kpis.read': { role: 'viewer', scope: 'read' },
  'kpis.manage': { role: 'manager', scope: 'write' },
  'measurements.record': { role: 'contributor', scope: 'write' },
  'measurements.import': { role: 'contributor', scope: 'write' },
  'projects.read': { role: 'viewer', scope: 'read' },
  'projects.manage': { role: 'manager', scope: 'write' },
  'status_reports.submit': { role: 'contributor', scope: 'write' },
  'governance.read': { role: 'viewer', scope: 'read' },
  'governance.manage': { role: 'manager', scope: 'write' },
  'risks.read': { role: 'viewer', scope: 'read' },
  'risks.manage': { role: 'contributor', scope: 'write' },
  'risks.delete': { role: 'manager', scope: 'write' },
  'risk_appetite.manage': { role: 'manager', scope: 'write' },
} as const satisfies Record<string, { role: Role; scope: 'read' | 'write' | null }>;

export type Permission = keyof typeof PERMISSIONS;

/** True when the actor may do `permission` in `organisationId`. Pure: no I/O. */
export function isAllowed(actor: Actor, permission: Permission, organisationId: string): boolean {
  const rule = PERMISSIONS[permission];
  switch (actor.kind) {
    case 'operator':
      return true;
    case 'token':
      return rule.scope !== null && actor.organisationId === organisationId && actor.scopes.includes(rule.scope);
    case 'user':
      return actor.organisationId === organisationId && actor.role !== null && roleAtLeast(actor.role, rule.role);
  }
}

/**
 * Throws unless allowed. Someone with no access at all to the organisation gets "not found",
 * so the existence of another organisation's resources is never revealed; a member whose role
 * is too low gets "forbidden".
 */
export function assertAllowed(actor: Actor, permission: Permission, organisationId: string): void {
  if (isAllowed(actor, permission, organisationId)) return;
  const isMember = actor.kind !== 'operator' && actor.organisationId === organisationId;
  if (!isMember) throw new NotFoundError();
  throw new ForbiddenError();
}
