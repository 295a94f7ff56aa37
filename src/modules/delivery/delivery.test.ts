import { describe, expect, it } from 'vitest';
import {
  benefitProblems,
  benefitSeries,
  isMilestoneOverdue,
  lateReport,
  monthFromText,
  parseMoney,
  type ProjectInput,
  projectProblems,
  projectRag,
  projectRollupStatus,
  type StatusReportInput,
  statusReportProblems,
} from './delivery.ts';
import { renderTimeline } from './timeline.ts';

const project: ProjectInput = {
  title: 'Digital front door',
  description: '',
  ownerId: null,
  type: 'project',
  programmeId: null,
  phase: 'alpha',
  plannedStart: '2026-04-01',
  plannedEnd: '2027-03-31',
  budgetPlanned: { capital: '1000', resource: '' },
  budgetActual: { capital: '', resource: '' },
  deliveryApproach: '',
  reportFrequency: 'monthly',
  objectives: [],
};

const fields = (problems: readonly { field: string }[]) => problems.map((p) => p.field);

describe('project validation', () => {
  it('accepts a complete project', () => {
    expect(projectProblems(project)).toEqual([]);
  });

  it('names every problem against its field', () => {
    const problems = projectProblems({
      ...project,
      title: ' ',
      type: 'rocket',
      phase: 'gamma',
      plannedStart: '2026-02-30',
      plannedEnd: '2026-01-01',
      budgetActual: { capital: '1.234', resource: 'ten' },
      reportFrequency: 'daily',
    });
    expect(fields(problems)).toEqual([
      'title',
      'type',
      'phase',
      'plannedStart',
      'budgetActualCapital',
      'budgetActualResource',
      'reportFrequency',
    ]);
  });

  it('refuses an end before the start, a programme inside a programme and bad weights', () => {
    expect(fields(projectProblems({ ...project, plannedEnd: '2026-03-31' }))).toEqual(['plannedEnd']);
    expect(fields(projectProblems({ ...project, type: 'programme', programmeId: 'p' }))).toEqual([
      'programmeId',
    ]);
    const id = '11111111-1111-4111-8111-111111111111';
    expect(fields(projectProblems({ ...project, objectives: [{ objectiveId: id, weight: 0 }] }))).toEqual([
      `weight-${id}`,
    ]);
    expect(
      fields(
        projectProblems({
          ...project,
          objectives: [
            { objectiveId: id, weight: '2.5' },
            { objectiveId: id, weight: 1 },
          ],
        }),
      ),
    ).toEqual(['objectives']);
  });

  it('reads money as people type it', () => {
    expect(parseMoney('£12,500.50')).toBe('12500.50');
    expect(parseMoney('')).toBe('0');
    expect(parseMoney('-5')).toBeNull();
    expect(parseMoney('1.234')).toBeNull();
  });
});

const report: StatusReportInput = {
  period: '2026-03-01',
  overall: 'green',
  schedule: 'green',
  budget: 'green',
  scope: 'green',
  reason: '',
  achievements: '',
  nextSteps: '',
  issues: '',
  decisionsNeeded: '',
};

describe('status report validation', () => {
  it('needs no reason when everything is green', () => {
    expect(statusReportProblems(report, '2026-04-15')).toEqual([]);
  });

  it('requires a reason as soon as any RAG is amber or red', () => {
    for (const part of ['overall', 'schedule', 'budget', 'scope'] as const) {
      for (const rag of ['amber', 'red']) {
        expect(fields(statusReportProblems({ ...report, [part]: rag }, '2026-04-15'))).toEqual(['reason']);
        expect(
          statusReportProblems({ ...report, [part]: rag, reason: 'Supplier late' }, '2026-04-15'),
        ).toEqual([]);
      }
    }
  });

  it('refuses unknown RAGs, a month not yet started and a period that is not a month', () => {
    expect(fields(statusReportProblems({ ...report, overall: 'blue' }, '2026-04-15'))).toEqual(['overall']);
    expect(fields(statusReportProblems({ ...report, period: '2026-05-01' }, '2026-04-15'))).toEqual([
      'period',
    ]);
    expect(fields(statusReportProblems({ ...report, period: '2026-03-15' }, '2026-04-15'))).toEqual([
      'period',
    ]);
    expect(fields(statusReportProblems({ ...report, period: '' }, '2026-04-15'))).toEqual(['period']);
    expect(statusReportProblems({ ...report, period: '2026-04-01' }, '2026-04-01')).toEqual([]);
  });

  it('reads months as people write them', () => {
    expect(monthFromText('2026-3')).toBe('2026-03-01');
    expect(monthFromText('2026-03-01')).toBe('2026-03-01');
    expect(monthFromText('March 2026')).toBe('2026-03-01');
    expect(monthFromText('soon')).toBe('soon');
  });
});

describe('RAG and roll-up', () => {
  it('takes the latest report’s overall RAG, whatever order the reports come in', () => {
    expect(projectRag([])).toBeNull();
    expect(
      projectRag([
        { period: '2026-02-01', overall: 'red' },
        { period: '2026-03-01', overall: 'green' },
        { period: '2026-01-01', overall: 'amber' },
      ]),
    ).toBe('green');
  });

  it('maps RAG onto roll-up statuses, stale colours counting as overdue', () => {
    expect(projectRollupStatus('green', false)).toBe('on_track');
    expect(projectRollupStatus('amber', false)).toBe('at_risk');
    expect(projectRollupStatus('red', false)).toBe('off_track');
    expect(projectRollupStatus(null, false)).toBe('no_data');
    expect(projectRollupStatus('green', true)).toBe('overdue');
  });
});

describe('overdue milestones', () => {
  it('are due before today and not completed', () => {
    expect(isMilestoneOverdue({ dueOn: '2026-03-31', completedOn: null }, '2026-04-01')).toBe(true);
    expect(isMilestoneOverdue({ dueOn: '2026-04-01', completedOn: null }, '2026-04-01')).toBe(false);
    expect(isMilestoneOverdue({ dueOn: '2026-03-31', completedOn: '2026-04-01' }, '2026-04-02')).toBe(false);
  });
});

describe('late status reports', () => {
  const monthly = {
    reportFrequency: 'monthly' as const,
    phase: 'beta' as const,
    plannedStart: '2025-06-01',
    plannedEnd: null,
    startedOn: '2025-05-20',
  };

  it('expects last month’s report by the 10th, and it is late from the 11th', () => {
    expect(lateReport(monthly, '2026-01-01', '2026-03-10')).toBeNull();
    expect(lateReport(monthly, '2026-01-01', '2026-03-11')).toEqual({
      period: '2026-02-01',
      dueBy: '2026-03-10',
    });
    expect(lateReport(monthly, '2026-02-01', '2026-03-11')).toBeNull();
  });

  it('crosses the year boundary', () => {
    expect(lateReport(monthly, '2025-11-01', '2026-01-10')).toBeNull();
    expect(lateReport(monthly, '2025-11-01', '2026-01-11')).toEqual({
      period: '2025-12-01',
      dueBy: '2026-01-10',
    });
    expect(lateReport(monthly, '2025-12-01', '2026-01-31')).toBeNull();
  });

  it('handles short months: February’s report is due by 10 March, in leap years too', () => {
    expect(lateReport(monthly, '2028-01-01', '2028-03-10')).toBeNull();
    expect(lateReport(monthly, '2028-01-01', '2028-03-11')?.period).toBe('2028-02-01');
    expect(lateReport(monthly, '2025-12-01', '2026-02-28')?.period).toBe('2026-01-01');
    expect(lateReport(monthly, '2026-01-01', '2026-02-28')).toBeNull();
  });

  it('reports on quarters with 20 days’ grace', () => {
    const quarterly = { ...monthly, reportFrequency: 'quarterly' as const };
    expect(lateReport(quarterly, '2025-07-01', '2026-01-20')).toBeNull();
    expect(lateReport(quarterly, '2025-07-01', '2026-01-21')).toEqual({
      period: '2025-10-01',
      dueBy: '2026-01-20',
    });
  });

  it('expects nothing before the project starts, after retirement, or after its planned end', () => {
    expect(lateReport({ ...monthly, plannedStart: '2026-03-05' }, null, '2026-03-20')).toBeNull();
    expect(
      lateReport({ ...monthly, plannedStart: null, startedOn: '2026-02-27' }, null, '2026-03-11')?.period,
    ).toBe('2026-02-01');
    expect(lateReport({ ...monthly, phase: 'retirement' }, null, '2026-03-20')).toBeNull();
    expect(lateReport({ ...monthly, plannedEnd: '2025-12-15' }, '2025-12-01', '2026-03-20')).toBeNull();
    expect(lateReport({ ...monthly, plannedEnd: '2025-12-15' }, '2025-11-01', '2026-03-20')?.period).toBe(
      '2025-12-01',
    );
  });

  it('counts a project that never reported as late once its first period is due', () => {
    expect(lateReport(monthly, null, '2025-07-10')).toBeNull();
    expect(lateReport(monthly, null, '2025-07-11')?.period).toBe('2025-06-01');
  });
});

describe('the timeline', () => {
  it('draws one labelled bar per project, escapes titles and names the RAG in words', () => {
    const svg = renderTimeline({
      label: 'Timeline',
      today: '2026-06-01',
      rows: [
        { title: 'Tax <online> & more', start: '2026-01-01', end: '2026-12-31', rag: 'amber' },
        { title: 'Bins', start: '2025-04-01', end: '2027-03-31', rag: null },
      ],
    });
    expect(svg).toContain('role="img"');
    expect(svg).toContain('Tax &lt;online&gt; &amp; more');
    expect(svg).toContain('amber');
    expect(svg).toContain('no report yet');
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).not.toContain('style=');
  });

  it('is empty when no project has dates', () => {
    expect(renderTimeline({ label: 'Timeline', today: '2026-06-01', rows: [] })).toBe('');
  });
});

describe('benefits', () => {
  const benefit = {
    type: 'cash_saving',
    description: 'Fewer letters',
    plannedValue: '5,000',
    plannedOn: '2026-12-31',
    realisedValue: '',
    realisedOn: null,
    kpiId: null,
  };

  it('accept a planned saving, and a realised one with its date', () => {
    expect(benefitProblems(benefit)).toEqual([]);
    expect(
      benefitProblems({ ...benefit, realisedValue: '£1,200.50', realisedOn: '2026-02-03', kpiId: 'k' }),
    ).toEqual([]);
  });

  it('need the realised value and its date together, and only cash savings feed KPIs', () => {
    expect(fields(benefitProblems({ ...benefit, realisedValue: '10' }))).toEqual(['realisedOn']);
    expect(fields(benefitProblems({ ...benefit, realisedOn: '2026-02-03' }))).toEqual(['realisedValue']);
    expect(fields(benefitProblems({ ...benefit, type: 'quality', kpiId: 'k' }))).toEqual(['kpiId']);
    expect(
      fields(
        benefitProblems({
          ...benefit,
          type: 'x',
          description: '',
          plannedValue: 'ten',
          plannedOn: '2026-02-30',
        }),
      ),
    ).toEqual(['type', 'description', 'plannedOn', 'plannedValue']);
  });

  it('sum realised cash savings per period of the KPI, in pence', () => {
    const realised = (value: string, on: string, type = 'cash_saving' as const) => ({
      type,
      realisedValue: value,
      realisedOn: on,
    });
    const series = benefitSeries(
      [
        realised('0.10', '2026-01-31'),
        realised('0.20', '2026-01-01'),
        realised('5', '2026-02-01'),
        { type: 'quality', realisedValue: '9', realisedOn: '2026-01-05' },
        { type: 'cash_saving', realisedValue: null, realisedOn: null },
      ],
      'monthly',
    );
    expect([...series]).toEqual([
      ['2026-01-01', 0.3],
      ['2026-02-01', 5],
    ]);
    expect([
      ...benefitSeries([realised('1', '2026-03-31'), realised('2', '2026-01-01')], 'quarterly'),
    ]).toEqual([['2026-01-01', 3]]);
  });
});
