import { describe, expect, it } from 'vitest';
import { boardPack, type PackInput, packFileName } from './board-pack.ts';

const board: PackInput['board'] = {
  id: '11111111-1111-4111-8111-111111111111',
  organisationId: '22222222-2222-4222-8222-222222222222',
  name: 'Digital board',
  termsOfReference: '',
  chair: { id: '33333333-3333-4333-8333-333333333333', name: 'Asha Patel', email: 'asha@example.org' },
  cadence: 'monthly',
  members: [],
  oversees: [],
  version: 1,
};

const report = { period: '2026-10-01', overall: 'green', schedule: 'green', budget: 'green', scope: 'green', reason: '', issues: '', nextSteps: '' } as const;

const input: PackInput = {
  board,
  date: '2026-11-12',
  strategies: [{ title: 'Digital strategy', status: 'at_risk', statusLabel: 'At risk', reason: '2 of 3 objectives on track' }],
  kpis: [
    { name: 'Take-up', status: 'on_track', statusLabel: 'On track', reason: '', overdue: false, latest: '80%', ownerName: null },
    { name: 'Satisfaction', status: 'at_risk', statusLabel: 'At risk', reason: 'Behind plan', overdue: true, latest: '70%', ownerName: 'Ben' },
    { name: 'Cost per transaction', status: 'off_track', statusLabel: 'Off track', reason: 'Far behind', overdue: false, latest: '£4.10', ownerName: 'Cat' },
    { name: 'Calls', status: 'overdue', statusLabel: 'Overdue', reason: 'No value for September', overdue: true, latest: 'No value yet', ownerName: null },
  ],
  projects: [
    { title: 'Website', ownerName: 'Dee', report: { ...report, overall: 'amber', schedule: 'amber', reason: 'Supplier late' } },
    { title: 'Payroll', ownerName: null, report: { ...report, overall: 'red', budget: 'red', reason: 'Overspent' } },
    { title: 'Library', ownerName: null, report },
    { title: 'From the future', ownerName: null, report: { ...report, period: '2026-12-01', overall: 'red', reason: 'Not yet' } },
  ],
  decisionsNeeded: [{ projectTitle: 'Website', period: '2026-10-01', decisionsNeeded: 'Choose a supplier' }],
  proposedDecisions: [{ title: 'Approve the beta', decidedOn: '2026-11-12' }],
  risks: [
    { title: 'Cyber attack', category: 'Security', ownerName: 'Eve', currentScore: 16, appetiteLimit: 8, appetiteLevel: 'Averse' },
    { title: 'Supplier fails', category: 'Commercial', ownerName: null, currentScore: 20, appetiteLimit: 12, appetiteLevel: 'Cautious' },
  ],
};

describe('the board pack', () => {
  const pack = boardPack(input);
  const section = (key: string) => pack.sections.find((s) => s.key === key);

  it('has a title, a subtitle with the date and chair, and the five sections in order', () => {
    expect(pack.title).toBe('Digital board: board pack');
    expect(pack.subtitle).toBe('12 November 2026. Monthly board, chaired by Asha Patel.');
    expect(pack.sections.map((s) => s.title)).toEqual([
      'Strategy status',
      'KPIs off track or overdue',
      'Red and amber projects',
      'Decisions needed',
      'Risks outside appetite',
    ]);
  });

  it('lists only KPIs off track or overdue, off track first', () => {
    expect(section('kpis')?.rows.map((r) => [r[0], r[1]])).toEqual([
      ['Cost per transaction', 'Off track'],
      ['Calls', 'Overdue'],
      ['Satisfaction', 'At risk, overdue'],
    ]);
  });

  it('lists red then amber projects from reports up to the meeting, with their RAGs and reasons', () => {
    expect(section('projects')?.rows.map((r) => r.slice(0, 5).concat(r[7] ?? ''))).toEqual([
      ['Payroll', 'Red', 'Green', 'Red', 'Green', 'Overspent'],
      ['Website', 'Amber', 'Amber', 'Green', 'Green', 'Supplier late'],
    ]);
  });

  it('puts decisions needed by projects and proposed decisions together', () => {
    expect(section('decisions')?.rows).toEqual([
      ['Project: Website', 'Report for 1 October 2026', 'Choose a supplier'],
      ['Proposed to the board', '12 November 2026', 'Approve the beta'],
    ]);
  });

  it('lists risks outside appetite, highest score first', () => {
    expect(section('risks')?.rows).toEqual([
      ['Supplier fails', 'Commercial', 'No owner', '20', 'Cautious, up to 12'],
      ['Cyber attack', 'Security', 'Eve', '16', 'Averse, up to 8'],
    ]);
  });

  it('says so when a section is empty', () => {
    const empty = boardPack({ ...input, kpis: [], projects: [], decisionsNeeded: [], proposedDecisions: [], risks: [], strategies: [] });
    expect(empty.sections.every((s) => s.rows.length === 0)).toBe(true);
    expect(empty.sections.find((s) => s.key === 'risks')?.empty).toBe('No open risk is outside its category’s appetite.');
  });

  it('names the download after the board and the date', () => {
    expect(packFileName('Digital & Data Board', '2026-11-12', 'pdf')).toBe('digital-data-board-pack-2026-11-12.pdf');
    expect(packFileName('∑∑∑', '2026-11-12', 'xlsx')).toBe('board-pack-2026-11-12.xlsx');
  });
});
