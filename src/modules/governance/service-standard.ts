import type { FieldError } from '../../platform/errors.ts';
import type { AssessmentOutcome, AssessmentPhase } from './governance.table.ts';
import { isRealDate } from '../../platform/validation.ts';
import { isUuid, TEXT_MAX } from './governance.ts';

export type { AssessmentOutcome, AssessmentPhase };

/**
 * Service Standard assessments: the 14 points a public service is assessed against at alpha,
 * beta and live, with each point met or not met, the evidence seen and the actions agreed, and
 * the overall outcome. The descriptions are our own short summaries of what each point asks.
 */

export const SERVICE_STANDARD_POINTS = [
  { point: 1, title: 'Understand users and their needs', description: 'Research with the people who will use the service, including those who find it hard, shapes what is built.' },
  { point: 2, title: 'Solve a whole problem for users', description: 'The service covers the whole task someone is trying to get done, working across teams and organisations where it has to.' },
  { point: 3, title: 'Provide a joined-up experience across all channels', description: 'Online, phone, paper and face-to-face routes fit together, and the team can change all of them.' },
  { point: 4, title: 'Make the service simple to use', description: 'People succeed first time, without help, and the design is tested with them.' },
  { point: 5, title: 'Make sure everyone can use the service', description: 'It meets accessibility standards and offers help for people who cannot use it unaided.' },
  { point: 6, title: 'Have a multidisciplinary team', description: 'A lasting team with the right mix of skills, and a decision-maker, runs the service.' },
  { point: 7, title: 'Use agile ways of working', description: 'The team works in small steps, learns from users and changes course when evidence says so.' },
  { point: 8, title: 'Iterate and improve frequently', description: 'The service keeps improving after launch, with the capacity to do so.' },
  { point: 9, title: 'Create a secure service which protects users’ privacy', description: 'Risks to information and privacy are understood, managed and kept under review.' },
  { point: 10, title: 'Define what success looks like and publish performance data', description: 'The team measures the service against clear goals and publishes how it is doing.' },
  { point: 11, title: 'Choose the right tools and technology', description: 'Technology choices are justified, affordable to change and avoid being locked in.' },
  { point: 12, title: 'Make new source code open', description: 'Code written for the service is published openly for others to reuse, unless there is a good reason not to.' },
  { point: 13, title: 'Use and contribute to open standards, common components and patterns', description: 'The service reuses shared components and standards, and shares back what it learns.' },
  { point: 14, title: 'Operate a reliable service', description: 'The service is available when people need it, is monitored, and recovers from problems quickly.' },
] as const;

export const POINT_COUNT = SERVICE_STANDARD_POINTS.length;

export const ASSESSMENT_PHASES = ['alpha', 'beta', 'live'] as const satisfies readonly AssessmentPhase[];
export const ASSESSMENT_PHASE_LABELS: Readonly<Record<AssessmentPhase, string>> = { alpha: 'Alpha', beta: 'Beta', live: 'Live' };
export const OUTCOMES = ['met', 'not_met'] as const satisfies readonly AssessmentOutcome[];
export const OUTCOME_LABELS: Readonly<Record<AssessmentOutcome, string>> = { met: 'Met', not_met: 'Not met' };

export interface AssessmentPoint {
  point: number;
  met: boolean;
  evidence: string;
  actions: string;
}

export interface Assessment {
  id: string;
  organisationId: string;
  /** The project assessed, or null when the service is named in `serviceName`. */
  project: { id: string; title: string } | null;
  serviceName: string | null;
  phase: AssessmentPhase;
  /** 'YYYY-MM-DD' */
  assessedOn: string;
  outcome: AssessmentOutcome;
  summary: string;
  /** All 14 points, in order. */
  points: AssessmentPoint[];
  version: number;
}

export interface AssessmentInput {
  /** A project id, or '' when the service is named instead. */
  projectId: string;
  serviceName: string;
  phase: string;
  assessedOn: string;
  outcome: string;
  summary: string;
  /** One answer per point, 1 to 14: met 'met' or 'not_met' ('' when unanswered). */
  points: readonly { point: number; met: string; evidence: string; actions: string }[];
}

/** The field a point's answer is reported on, e.g. `point-3` (its radios), `point-3-actions`. */
export function pointField(point: number, part?: 'evidence' | 'actions'): string {
  return part === undefined ? `point-${point}` : `point-${point}-${part}`;
}

/**
 * What is wrong with an assessment. It is of a project or of a named service (one, not both);
 * every one of the 14 points is answered; a point not met says what will be done about it; and
 * the outcome is "met" only when every point is met, so the record cannot contradict itself.
 */
export function assessmentProblems(input: AssessmentInput): FieldError[] {
  const problems: FieldError[] = [];
  const serviceName = input.serviceName.trim();
  if (input.projectId === '' && serviceName === '') {
    problems.push({ field: 'projectId', message: 'Select the project assessed, or enter the name of the service' });
  } else if (input.projectId !== '' && serviceName !== '') {
    problems.push({ field: 'projectId', message: 'Select a project or enter a service name, not both' });
  } else if (input.projectId !== '' && !isUuid(input.projectId)) {
    problems.push({ field: 'projectId', message: 'Select a project of your organisation' });
  } else if (serviceName.length > 200) {
    problems.push({ field: 'serviceName', message: 'The service name must be 200 characters or fewer' });
  }
  if (!(ASSESSMENT_PHASES as readonly string[]).includes(input.phase)) {
    problems.push({ field: 'phase', message: 'Select the phase assessed: alpha, beta or live' });
  }
  const date = input.assessedOn.trim();
  if (date === '') problems.push({ field: 'assessedOn', message: 'Enter the date of the assessment' });
  else if (!isRealDate(date)) problems.push({ field: 'assessedOn', message: 'Enter a real date for the assessment' });
  if (input.summary.trim().length > TEXT_MAX) problems.push({ field: 'summary', message: `The summary must be ${TEXT_MAX.toLocaleString('en-GB')} characters or fewer` });

  const unknownPoints = input.points.filter((p) => !Number.isInteger(p.point) || p.point < 1 || p.point > POINT_COUNT);
  if (unknownPoints.length > 0) problems.push({ field: 'points', message: `Points are numbered 1 to ${POINT_COUNT}` });
  for (const { point } of SERVICE_STANDARD_POINTS) {
    const answers = input.points.filter((p) => p.point === point);
    const answer = answers[0];
    if (answers.length > 1) {
      problems.push({ field: pointField(point), message: `Point ${point} is answered more than once` });
    } else if (answer === undefined || (answer.met !== 'met' && answer.met !== 'not_met')) {
      problems.push({ field: pointField(point), message: `Select whether point ${point} is met or not met` });
    } else {
      if (answer.evidence.trim().length > TEXT_MAX) problems.push({ field: pointField(point, 'evidence'), message: `The evidence for point ${point} is too long` });
      if (answer.actions.trim().length > TEXT_MAX) problems.push({ field: pointField(point, 'actions'), message: `The actions for point ${point} are too long` });
      if (answer.met === 'not_met' && answer.actions.trim() === '') {
        problems.push({ field: pointField(point, 'actions'), message: `Enter the actions agreed for point ${point}, which is not met` });
      }
    }
  }
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) {
    problems.push({ field: 'outcome', message: 'Select the overall outcome: met or not met' });
  } else if (input.outcome === 'met' && input.points.some((p) => p.met === 'not_met')) {
    problems.push({ field: 'outcome', message: 'The outcome cannot be met while a point is not met' });
  }
  return problems;
}

/** The name an assessment goes by: its project's title or the service's name. */
export function subjectOf(assessment: Pick<Assessment, 'project' | 'serviceName'>): string {
  return assessment.project?.title ?? assessment.serviceName ?? '';
}
