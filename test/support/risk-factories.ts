import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import {
  addRiskAction,
  addRiskCategory,
  createRisk,
  type RiskAction,
  type RiskCategory,
  type RiskDetail,
  type RiskInput,
} from '../../src/modules/risk/risk.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';

/**
 * An open technology-obsolescence risk (inherent 4 × 5, current 3 × 3, target 2 × 2, treat),
 * unless overridden, created through the service as the operator.
 */
export async function makeRisk(
  db: Db,
  organisation: Organisation,
  overrides: Partial<RiskInput> = {},
  options: { today?: string } = {},
): Promise<RiskDetail> {
  return createRisk(
    db,
    cliOperator(),
    organisation.id,
    {
      title: `Legacy case system out of support ${randomBytes(3).toString('hex')}`,
      cause: 'The vendor ends support',
      event: 'An unpatched flaw is exploited',
      consequence: 'The service is down for days',
      category: 'technology_obsolescence',
      proximity: 'within_a_year',
      inherent: { likelihood: 4, impact: 5 },
      current: { likelihood: 3, impact: 3 },
      target: { likelihood: 2, impact: 2 },
      response: 'treat',
      ...overrides,
    },
    options,
  );
}

export async function makeRiskAction(
  db: Db,
  organisation: Organisation,
  risk: { id: string },
  overrides: { description?: string; dueOn?: string; ownerId?: string | null; status?: string } = {},
): Promise<RiskAction> {
  return addRiskAction(db, cliOperator(), organisation.id, risk.id, {
    description: 'Move to the supported version',
    dueOn: '2027-03-31',
    ...overrides,
  });
}

/** A category of the organisation's own, with a key no other organisation has. */
export async function makeRiskCategory(
  db: Db,
  organisation: Organisation,
  overrides: { label?: string; level?: string; maxScore?: number } = {},
): Promise<RiskCategory> {
  return addRiskCategory(db, cliOperator(), organisation.id, {
    key: `own_${randomBytes(4).toString('hex')}`,
    label: overrides.label ?? 'Supply chain',
    level: overrides.level ?? 'cautious',
    maxScore: overrides.maxScore ?? 9,
  });
}
