import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { createDefaultRiskCategories } from '../risk/risk.service.ts';
import { type Organisation, organisationProblems } from './organisations.ts';
import * as repo from './organisations.repository.ts';

export type { Organisation };

/**
 * Creates an organisation, optionally under a parent. Only the installation's operator (CLI,
 * seed) creates organisations: tenants are provisioned, not self-registered.
 */
export async function createOrganisation(
  db: Db,
  actor: Actor,
  input: { slug: string; name: string; parentSlug?: string | undefined },
): Promise<Organisation> {
  if (actor.kind !== 'operator') throw new ForbiddenError('Only the installation’s operator can create organisations');
  const problems = organisationProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const slug = input.slug.trim();
  return inTransaction(db, async (trx) => {
    let parentId: string | null = null;
    if (input.parentSlug !== undefined) {
      const parent = await repo.findOrganisationBySlug(trx, input.parentSlug);
      if (parent === undefined) throw ValidationError.of('parent', `There is no organisation with the slug "${input.parentSlug}"`);
      parentId = parent.id;
    }
    if (await repo.findOrganisationBySlug(trx, slug)) {
      throw new ConflictError(`An organisation with the slug "${slug}" already exists`);
    }
    const organisation = await repo.insertOrganisation(trx, { slug, name: input.name.trim(), parentId });
    await createDefaultRiskCategories(trx, organisation.id);
    await recordAudit(trx, actor, {
      organisationId: organisation.id,
      action: 'organisation.created',
      entityType: 'organisation',
      entityId: organisation.id,
      after: organisation,
    });
    return organisation;
  });
}

/** An organisation by slug, or undefined; for resolving a URL before access checks. */
export function findOrganisationBySlug(db: Db, slug: string): Promise<Organisation | undefined> {
  return repo.findOrganisationBySlug(db, slug);
}

export async function getOrganisationBySlug(db: Db, slug: string): Promise<Organisation> {
  const organisation = await repo.findOrganisationBySlug(db, slug);
  if (organisation === undefined) throw new NotFoundError();
  return organisation;
}

export function findOrganisationById(db: Db, id: string): Promise<Organisation | undefined> {
  return repo.findOrganisationById(db, id);
}

export async function listChildOrganisations(db: Db, actor: Actor, organisationId: string): Promise<Organisation[]> {
  assertAllowed(actor, 'organisation.read', organisationId);
  return repo.findChildren(db, organisationId);
}

export async function setRequireMfa(db: Db, actor: Actor, organisationId: string, requireMfa: boolean): Promise<void> {
  assertAllowed(actor, 'organisation.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const before = await repo.findOrganisationById(trx, organisationId);
    if (before === undefined) throw new NotFoundError();
    if (before.requireMfa === requireMfa) return;
    await repo.updateRequireMfa(trx, organisationId, requireMfa);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'organisation.mfa_policy_changed',
      entityType: 'organisation',
      entityId: organisationId,
      before: { requireMfa: before.requireMfa },
      after: { requireMfa },
    });
  });
}

export function countOrganisations(db: Db): Promise<number> {
  return repo.countOrganisations(db);
}
