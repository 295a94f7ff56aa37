import { describe, expect, it } from 'vitest';
import { exportFileName, KPI_EXPORT_HEADER, kpiExportRow, MEASUREMENT_EXPORT_HEADER, measurementExportRow } from './kpis.export.ts';
import type { KpiWithStatus } from './kpis.ts';

const kpi: KpiWithStatus = {
  id: 'id',
  organisationId: 'org',
  key: 'take_up',
  name: '=cmd',
  definition: 'Share online',
  unit: '%',
  polarity: 'higher_is_better',
  frequency: 'monthly',
  baseline: { value: 50, date: '2025-01-01' },
  target: { value: 80, date: '2027-01-01' },
  tolerance: 10,
  ownerId: 'u',
  ownerName: 'Ann',
  category: 'adoption',
  formula: null,
  objectiveIds: [],
  isPublic: true,
  version: 1,
  status: 'at_risk',
  statusReason: 'At risk: 60% in October 2026 against a planned 62%, behind but within tolerance',
  latest: { period: '2026-10-01', value: 60 },
  previous: { period: '2026-09-01', value: 58 },
  planned: 62,
  forecast: { value: 75, low: 70, high: 80, meetsTarget: 'uncertain' },
  overdue: false,
  expectedPeriod: '2026-10-01',
};

describe('the KPI export row', () => {
  it('has one cell per header column, numbers as numbers and dates as YYYY-MM-DD', () => {
    const row = kpiExportRow(kpi);
    expect(row).toHaveLength(KPI_EXPORT_HEADER.length);
    const cell = (name: (typeof KPI_EXPORT_HEADER)[number]) => row[KPI_EXPORT_HEADER.indexOf(name)];
    expect(cell('key')).toBe('take_up');
    expect(cell('name')).toBe('=cmd'); // neutralised by the writer, not here
    expect(cell('status')).toBe('at_risk');
    expect(cell('latest_period')).toBe('2026-10-01');
    expect(cell('latest_value')).toBe(60);
    expect(cell('planned_value')).toBe(62);
    expect(cell('target_value')).toBe(80);
    expect(cell('forecast_meets_target')).toBe('uncertain');
    expect(cell('owner')).toBe('Ann');
    expect(cell('public')).toBe('yes');
  });

  it('leaves cells empty when there is no value, forecast or owner', () => {
    const row = kpiExportRow({ ...kpi, latest: null, planned: null, forecast: null, ownerName: null, expectedPeriod: null });
    for (const name of ['latest_period', 'latest_value', 'planned_value', 'forecast_value', 'forecast_low', 'forecast_high', 'forecast_meets_target', 'owner', 'expected_period'] as const) {
      expect(row[KPI_EXPORT_HEADER.indexOf(name)]).toBeNull();
    }
  });
});

describe('the measurement export row', () => {
  it('follows the import’s columns, with the source added', () => {
    expect(MEASUREMENT_EXPORT_HEADER).toEqual(['kpi', 'period', 'value', 'note', 'source']);
    expect(measurementExportRow({ kpi: 'take_up', period: '2026-10-01', value: -2.5, note: null, source: 'api' })).toEqual(['take_up', '2026-10-01', -2.5, null, 'api']);
  });
});

describe('exportFileName', () => {
  it('names the organisation, the contents and the day', () => {
    expect(exportFileName('east-fen', 'kpis', '2026-12-01', 'csv')).toBe('east-fen-kpis-2026-12-01.csv');
    expect(exportFileName('east-fen', 'measurements', '2026-12-01', 'xlsx')).toBe('east-fen-measurements-2026-12-01.xlsx');
    expect(exportFileName('we"ird/..', 'kpis', '2026-12-01', 'csv')).toBe('weird-kpis-2026-12-01.csv');
  });
});
