import { describe, expect, it } from 'vitest';
import { type AssessmentInput, assessmentProblems, SERVICE_STANDARD_POINTS, subjectOf } from './service-standard.ts';

const project = '11111111-1111-4111-8111-111111111111';

function allMet(): AssessmentInput['points'] {
  return SERVICE_STANDARD_POINTS.map((p) => ({ point: p.point, met: 'met', evidence: 'Seen in research', actions: '' }));
}

const valid: AssessmentInput = { projectId: project, serviceName: '', phase: 'beta', assessedOn: '2026-10-14', outcome: 'met', summary: 'Ready for public beta', points: allMet() };

describe('Service Standard assessments', () => {
  it('has the 14 points, numbered in order', () => {
    expect(SERVICE_STANDARD_POINTS.map((p) => p.point)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(SERVICE_STANDARD_POINTS[0].title).toBe('Understand users and their needs');
    expect(SERVICE_STANDARD_POINTS[13].title).toBe('Operate a reliable service');
  });

  it('accepts an assessment of a project, or of a named service, with every point answered', () => {
    expect(assessmentProblems(valid)).toEqual([]);
    expect(assessmentProblems({ ...valid, projectId: '', serviceName: 'Apply for a parking permit' })).toEqual([]);
  });

  it('needs a project or a service name, not both and not neither', () => {
    expect(assessmentProblems({ ...valid, projectId: '' })).toEqual([{ field: 'projectId', message: 'Select the project assessed, or enter the name of the service' }]);
    expect(assessmentProblems({ ...valid, serviceName: 'Both' })).toEqual([{ field: 'projectId', message: 'Select a project or enter a service name, not both' }]);
  });

  it('needs a phase of alpha, beta or live, and a real date', () => {
    const problems = assessmentProblems({ ...valid, phase: 'discovery', assessedOn: '2026-02-29' });
    expect(problems).toEqual([
      { field: 'phase', message: 'Select the phase assessed: alpha, beta or live' },
      { field: 'assessedOn', message: 'Enter a real date for the assessment' },
    ]);
  });

  it('needs every point answered, and actions for a point not met', () => {
    const points = allMet().filter((p) => p.point !== 4).map((p) => (p.point === 9 ? { ...p, met: 'not_met' } : p));
    const problems = assessmentProblems({ ...valid, outcome: 'not_met', points });
    expect(problems).toEqual([
      { field: 'point-4', message: 'Select whether point 4 is met or not met' },
      { field: 'point-9-actions', message: 'Enter the actions agreed for point 9, which is not met' },
    ]);
  });

  it('refuses an outcome of met while a point is not met', () => {
    const points = allMet().map((p) => (p.point === 2 ? { ...p, met: 'not_met', actions: 'Map the whole journey' } : p));
    expect(assessmentProblems({ ...valid, points })).toEqual([{ field: 'outcome', message: 'The outcome cannot be met while a point is not met' }]);
    expect(assessmentProblems({ ...valid, points, outcome: 'not_met' })).toEqual([]);
    expect(assessmentProblems({ ...valid, outcome: '' })).toEqual([{ field: 'outcome', message: 'Select the overall outcome: met or not met' }]);
  });

  it('refuses points outside 1 to 14 and points answered twice', () => {
    expect(assessmentProblems({ ...valid, points: [...allMet(), { point: 15, met: 'met', evidence: '', actions: '' }] })).toEqual([
      { field: 'points', message: 'Points are numbered 1 to 14' },
    ]);
    expect(assessmentProblems({ ...valid, points: [...allMet(), { point: 3, met: 'met', evidence: '', actions: '' }] })).toEqual([
      { field: 'point-3', message: 'Point 3 is answered more than once' },
    ]);
  });

  it('names the subject: the project’s title or the service’s name', () => {
    expect(subjectOf({ project: { id: project, title: 'New website' }, serviceName: null })).toBe('New website');
    expect(subjectOf({ project: null, serviceName: 'Parking permits' })).toBe('Parking permits');
  });
});
