/**
 * The columns of the KPI and measurement exports (CSV and XLSX), as pure functions: one row per
 * KPI or measurement, numbers as numbers, dates as YYYY-MM-DD. Text is neutralised against
 * formula injection by the writers in platform/export/spreadsheet.ts.
 */
import type { Cell } from '../../platform/export/spreadsheet.ts';
import type { KpiWithStatus } from './kpis.ts';

export const KPI_EXPORT_HEADER = [
  'key',
  'name',
  'status',
  'status_reason',
  'latest_period',
  'latest_value',
  'planned_value',
  'unit',
  'polarity',
  'frequency',
  'baseline_date',
  'baseline_value',
  'target_date',
  'target_value',
  'tolerance',
  'forecast_value',
  'forecast_low',
  'forecast_high',
  'forecast_meets_target',
  'overdue',
  'expected_period',
  'owner',
  'category',
  'formula',
  'public',
  'definition',
] as const;

/** One KPI as an export row, in KPI_EXPORT_HEADER's order. */
export function kpiExportRow(kpi: KpiWithStatus): Cell[] {
  return [
    kpi.key,
    kpi.name,
    kpi.status,
    kpi.statusReason,
    kpi.latest?.period ?? null,
    kpi.latest?.value ?? null,
    kpi.planned,
    kpi.unit,
    kpi.polarity,
    kpi.frequency,
    kpi.baseline.date,
    kpi.baseline.value,
    kpi.target.date,
    kpi.target.value,
    kpi.tolerance,
    kpi.forecast?.value ?? null,
    kpi.forecast?.low ?? null,
    kpi.forecast?.high ?? null,
    kpi.forecast?.meetsTarget ?? null,
    kpi.overdue ? 'yes' : 'no',
    kpi.expectedPeriod,
    kpi.ownerName,
    kpi.category,
    kpi.formula,
    kpi.isPublic ? 'yes' : 'no',
    kpi.definition,
  ];
}

/** The measurement export's columns: the import's `kpi, period, value, note`, plus where each value came from. */
export const MEASUREMENT_EXPORT_HEADER = ['kpi', 'period', 'value', 'note', 'source'] as const;

export function measurementExportRow(m: { kpi: string; period: string; value: number; note: string | null; source: string }): Cell[] {
  return [m.kpi, m.period, m.value, m.note, m.source];
}

/** A download's file name: the organisation, what it holds and the day, e.g. `east-fen-kpis-2026-12-01.csv` (only letters, digits, - and _). */
export function exportFileName(organisationSlug: string, what: string, today: string, extension: 'csv' | 'xlsx'): string {
  const safe = (text: string): string => text.replace(/[^a-z0-9_-]/gi, '');
  return `${safe(organisationSlug) || 'organisation'}-${safe(what) || 'export'}-${today}.${extension}`;
}
