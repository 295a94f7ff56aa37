import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import { recomputeDerivedKpis } from '../kpis/kpis.service.ts';
import {
  deleteMeasurements,
  listMeasurementsOfKpi,
  type MeasurementWrite,
  upsertMeasurements,
} from '../measurements/measurements.service.ts';
import {
  type Benefit,
  type BenefitInput,
  benefitProblems,
  benefitSeries,
  type BenefitType,
  parseAmount,
} from './delivery.ts';
import * as repo from './delivery.repository.ts';

export type { Benefit, BenefitInput };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertId(id: string): void {
  if (!UUID.test(id)) throw new NotFoundError();
}

/** A period's change to a KPI fed by benefits, for the audit trail. */
interface FedChange {
  kpi: string;
  period: string;
  value: number | null;
}

/**
 * Brings the values of KPIs fed by benefits in line with their benefits, in the caller's
 * transaction: each period's value becomes the sum of the realised cash savings in it (source
 * `benefits`, replacing a value of that period from anywhere else), periods whose savings have
 * all gone lose their `benefits` value, and the derived KPIs that read these KPIs are recomputed.
 * Returns what changed.
 */
export async function refeedKpis(
  trx: Db,
  organisationId: string,
  kpiIds: readonly string[],
): Promise<FedChange[]> {
  const changes: FedChange[] = [];
  for (const kpiId of [...new Set(kpiIds)].sort()) {
    await repo.lockKpi(trx, organisationId, kpiId);
    const kpi = await repo.findKpiRef(trx, organisationId, kpiId);
    // A KPI deleted meanwhile, or turned into a formula, takes nothing from benefits.
    if (kpi?.formula !== null) continue;
    const series = benefitSeries(await repo.listBenefitsFeeding(trx, organisationId, kpiId), kpi.frequency);
    const existing = await listMeasurementsOfKpi(trx, organisationId, kpiId);
    const current = new Map(existing.map((m) => [m.period, m]));
    const writes: MeasurementWrite[] = [];
    for (const [period, value] of series) {
      const before = current.get(period);
      if (before?.value === value && before.source === 'benefits') continue;
      writes.push({ organisationId, kpiId, period, value, note: null, source: 'benefits', recordedBy: null });
      changes.push({ kpi: kpi.key, period, value });
    }
    const gone = existing
      .filter((m) => m.source === 'benefits' && !series.has(m.period))
      .map((m) => m.period);
    for (const period of gone) changes.push({ kpi: kpi.key, period, value: null });
    await upsertMeasurements(trx, writes);
    await deleteMeasurements(trx, organisationId, kpiId, gone);
    if (writes.length > 0 || gone.length > 0) await recomputeDerivedKpis(trx, organisationId, [kpiId]);
  }
  return changes;
}

function benefitValues(input: BenefitInput): repo.BenefitValues {
  const optional = (value: string | null): string | null =>
    value === null || value.trim() === '' ? null : value.trim();
  const amount = (text: string): string | null => {
    const parsed = parseAmount(text);
    return parsed === null || parsed === '' ? null : parsed;
  };
  return {
    type: input.type as BenefitType,
    description: input.description.trim(),
    plannedValue: amount(input.plannedValue),
    plannedOn: optional(input.plannedOn),
    realisedValue: amount(input.realisedValue),
    realisedOn: optional(input.realisedOn),
    kpiId: optional(input.kpiId),
  };
}

function benefitRecord(b: repo.BenefitValues) {
  return {
    type: b.type,
    description: b.description,
    plannedValue: b.plannedValue,
    plannedOn: b.plannedOn,
    realisedValue: b.realisedValue,
    realisedOn: b.realisedOn,
    kpiId: b.kpiId,
  };
}

async function checkKpi(trx: Db, organisationId: string, kpiId: string | null): Promise<void> {
  if (kpiId === null) return;
  const kpi = UUID.test(kpiId) ? await repo.findKpiRef(trx, organisationId, kpiId) : undefined;
  if (kpi === undefined) throw ValidationError.of('kpiId', 'Choose a KPI of this organisation');
  if (kpi.formula !== null)
    throw ValidationError.of(
      'kpiId',
      `${kpi.name} is calculated by a formula, so benefits cannot feed it. Choose another KPI`,
    );
}

export async function listBenefits(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
): Promise<Benefit[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(projectId);
  if ((await repo.findProject(db, organisationId, projectId)) === undefined) throw new NotFoundError();
  return repo.listBenefits(db, organisationId, projectId);
}

export async function getBenefit(
  db: Db,
  actor: Actor,
  organisationId: string,
  benefitId: string,
): Promise<Benefit> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(benefitId);
  const benefit = await repo.findBenefit(db, organisationId, benefitId);
  if (benefit === undefined) throw new NotFoundError();
  return benefit;
}

/** The KPIs a benefit can feed: those not calculated by a formula. */
export async function feedableKpis(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<{ id: string; key: string; name: string }[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  return (await repo.listFeedableKpis(db, organisationId)).map((k) => ({
    id: k.id,
    key: k.key,
    name: k.name,
  }));
}

/** Records a planned (and perhaps realised) benefit; a realised cash saving feeding a KPI updates its values at once. */
export async function createBenefit(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  input: BenefitInput,
): Promise<Benefit> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(projectId);
  const problems = benefitProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const values = benefitValues(input);
  return inTransaction(db, async (trx) => {
    if ((await repo.findProject(trx, organisationId, projectId)) === undefined) throw new NotFoundError();
    await checkKpi(trx, organisationId, values.kpiId);
    const benefit = await repo.insertBenefit(trx, organisationId, projectId, values);
    const fed = await refeedKpis(trx, organisationId, values.kpiId === null ? [] : [values.kpiId]);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'benefit.created',
      entityType: 'benefit',
      entityId: benefit.id,
      after: { projectId, ...benefitRecord(values), fed },
    });
    return benefit;
  });
}

export async function updateBenefit(
  db: Db,
  actor: Actor,
  organisationId: string,
  benefitId: string,
  input: BenefitInput,
  options: { expectedVersion?: number | undefined } = {},
): Promise<Benefit> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(benefitId);
  const problems = benefitProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const values = benefitValues(input);
  return inTransaction(db, async (trx) => {
    const current = await repo.findBenefit(trx, organisationId, benefitId);
    if (current === undefined) throw new NotFoundError();
    if (values.kpiId !== current.kpiId) await checkKpi(trx, organisationId, values.kpiId);
    const benefit = await repo.updateBenefit(
      trx,
      organisationId,
      benefitId,
      options.expectedVersion ?? current.version,
      values,
    );
    if (benefit === undefined) throw new PreconditionFailedError();
    const fed = await refeedKpis(
      trx,
      organisationId,
      [current.kpiId, values.kpiId].filter((id) => id !== null),
    );
    await recordAudit(trx, actor, {
      organisationId,
      action: 'benefit.updated',
      entityType: 'benefit',
      entityId: benefitId,
      before: benefitRecord(current),
      after: { ...benefitRecord(values), fed },
    });
    return benefit;
  });
}

export async function deleteBenefit(
  db: Db,
  actor: Actor,
  organisationId: string,
  benefitId: string,
): Promise<void> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(benefitId);
  await inTransaction(db, async (trx) => {
    const current = await repo.findBenefit(trx, organisationId, benefitId);
    if (current === undefined) throw new NotFoundError();
    await repo.deleteBenefit(trx, organisationId, benefitId);
    const fed = await refeedKpis(trx, organisationId, current.kpiId === null ? [] : [current.kpiId]);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'benefit.deleted',
      entityType: 'benefit',
      entityId: benefitId,
      before: { projectId: current.projectId, ...benefitRecord(current) },
      after: fed.length > 0 ? { fed } : null,
    });
  });
}
