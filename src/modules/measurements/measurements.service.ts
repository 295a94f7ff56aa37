/**
 * Storage of measurements for the KPI service (which checks access, validates and audits) and
 * the import (which writes in bulk through `upsertMeasurements`). These functions take the
 * caller's transaction and check nothing themselves.
 */
import type { Db } from '../../db/database.ts';
import * as repo from './measurements.repository.ts';

export type { MeasurementRow, MeasurementSource, MeasurementWrite } from './measurements.repository.ts';
export { UPSERT_BATCH_SIZE } from './measurements.repository.ts';

export const findMeasurement = repo.findMeasurement;
export const listMeasurementsOfKpi = (db: Db, organisationId: string, kpiId: string) => repo.listByKpi(db, organisationId, kpiId);
export const listMeasurementsOfKpiSince = repo.listByKpi;
export const hasMeasurementsBefore = repo.hasBefore;
export const listMeasurementPageOfKpi = repo.listPageOfKpi;
export const listNumberedMeasurementPageOfKpi = repo.listNumberedPageOfKpi;
export const listValuesOfOrganisation = (db: Db, organisationId: string) => repo.listValues(db, organisationId, null);
export const listValuesOfKpis = repo.listValues;
export const listRecentValues = repo.listRecentValues;
export const listRecentValueTexts = repo.listRecentValueTexts;
export const parseValueText = repo.parseValueText;
export const findExistingMeasurements = repo.findExisting;
export const upsertMeasurement = repo.upsertMeasurement;
export const upsertMeasurements = repo.upsertMeasurements;
export const deleteMeasurements = repo.deleteMeasurements;
