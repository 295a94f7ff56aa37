import {
  createAssessment,
  createBoard,
  createDecision,
  listLinkableItems,
  SERVICE_STANDARD_POINTS,
  setRaci,
  updateDecision,
  type AssessmentInput,
  type DecisionInput,
  type ItemRef,
} from '../../modules/governance/governance.service.ts';
import type { DemoSeedContext } from './demo.ts';

/**
 * The demo council's governance: two boards with members, what they oversee and a decision log
 * (made, superseded and proposed decisions), RACI on a few objectives, KPIs and projects, and
 * Service Standard assessments across phases. Everything is fixed text and dates relative to the
 * seeding day; projects are picked by title, objectives and KPIs in title order, so every run is the same.
 */

/** 'YYYY-MM-DD' plus `days` (negative: before). */
function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function refs(items: readonly (ItemRef | undefined)[]): { type: ItemRef['type']; id: string }[] {
  return items.filter((i): i is ItemRef => i !== undefined).map((i) => ({ type: i.type, id: i.id }));
}

/** Every point met, with the evidence a panel would cite; `notMet` lists points not met, with their actions. */
function points(notMet: Readonly<Record<number, string>> = {}): AssessmentInput['points'] {
  return SERVICE_STANDARD_POINTS.map((p) => {
    const action = notMet[p.point];
    return action === undefined
      ? { point: p.point, met: 'met', evidence: `The team showed how it meets “${p.title.toLowerCase()}” with research, designs and data.`, actions: '' }
      : { point: p.point, met: 'not_met', evidence: 'The panel did not see enough evidence yet.', actions: action };
  });
}

export async function seedGovernance(context: DemoSeedContext, councilId: string, people: { chair: string; admin: string; contributor: string; viewer: string }): Promise<void> {
  const { db, actor, today } = context;
  const items = await listLinkableItems(db, actor, councilId);
  const objectives = items.filter((i) => i.type === 'objective');
  const kpis = items.filter((i) => i.type === 'kpi');
  // The delivery step's projects, by title; one it no longer has is simply left out.
  const project = (title: string): ItemRef | undefined => items.find((i) => i.type === 'project' && i.title === title);
  const councilTax = project('Council tax online account');
  const identity = project('West Marsh ID: one account for residents');
  const dataCentre = project('Data centre exit');
  const revenues = project('Revenues and benefits system to the cloud');
  const planning = project('Retire the old planning system');
  const bins = project('Missed bins and bulky waste online');

  const transformation = await createBoard(db, actor, councilId, {
    name: 'Digital Transformation Board',
    termsOfReference:
      'Owns the digital strategy on behalf of the council’s leadership team. Agrees priorities and funding across the portfolio, ' +
      'takes decisions that projects escalate, and reports progress to the cabinet every quarter.',
    chairId: people.chair,
    cadence: 'monthly',
    memberIds: [people.admin, people.contributor, people.viewer],
    oversees: refs([
      ...objectives.slice(0, 4),
      councilTax,
      identity,
      bins,
      project('Housing repairs reporting'),
      project('Automating supplier invoices'),
      project('Device and data lending pilot'),
      project('Rural gigabit voucher top-up'),
    ]),
  });
  const designAuthority = await createBoard(db, actor, councilId, {
    name: 'Technology Design Authority',
    termsOfReference:
      'Reviews technical designs against the Technology Code of Practice, approves the use of new platforms and suppliers, ' +
      'and keeps the council’s technology estate fit for the future.',
    chairId: people.admin,
    cadence: 'fortnightly',
    memberIds: [people.contributor],
    oversees: refs([
      ...objectives.slice(4, 6),
      dataCentre,
      revenues,
      planning,
      project('Network and Wi-Fi refresh'),
      project('Carbon reporting for cloud services'),
      project('AI triage of resident enquiries'),
    ]),
  });

  const decide = (board: { id: string }, values: Omit<DecisionInput, 'boardId' | 'supersededById'>) =>
    createDecision(db, actor, councilId, { ...values, boardId: board.id, supersededById: '' });

  const hostingReplaced = await decide(transformation, {
    decidedOn: shift(today, -120),
    title: 'Keep the revenues and benefits system in the council’s data centre',
    decision: 'Keep the revenues and benefits system in the council’s data centre for another year.',
    rationale: 'The data centre had spare capacity and the team knew it well.',
    optionsConsidered: 'Own data centre; a public cloud provider; the current supplier’s hosting.',
    status: 'made',
    links: refs([revenues, dataCentre]),
  });
  const cloud = await decide(transformation, {
    decidedOn: shift(today, -45),
    title: 'Move the revenues and benefits system to the cloud',
    decision: 'Move the revenues and benefits system to a supplier-hosted cloud service before the data centre closes.',
    rationale: 'Cloud hosting costs less over three years and copes with peaks such as annual council tax billing.',
    optionsConsidered: 'Stay in the data centre; move to a supplier-hosted cloud service; outsource the whole service.',
    status: 'made',
    links: refs([revenues, dataCentre, kpis[0]]),
  });
  // The first hosting decision was replaced by the move to the cloud.
  await updateDecision(db, actor, councilId, hostingReplaced.id, {
    boardId: transformation.id,
    decidedOn: hostingReplaced.decidedOn,
    title: hostingReplaced.title,
    decision: hostingReplaced.decision,
    rationale: hostingReplaced.rationale,
    optionsConsidered: hostingReplaced.optionsConsidered,
    status: 'superseded',
    supersededById: cloud.id,
    links: refs(hostingReplaced.links),
  });
  await decide(transformation, {
    decidedOn: shift(today, -15),
    title: 'Fund a second user researcher',
    decision: 'Fund a second user researcher for twelve months from the transformation budget.',
    rationale: 'Research is the bottleneck for three projects in discovery and alpha.',
    optionsConsidered: 'Hire; borrow from the central body; do without.',
    status: 'made',
    links: refs([objectives[1]]),
  });
  await decide(transformation, {
    decidedOn: shift(today, 14),
    title: 'Approve the public beta of online council tax',
    decision: '',
    rationale: '',
    optionsConsidered: 'Open the beta to everyone; open it to one district first; wait another quarter.',
    status: 'proposed',
    links: refs([councilTax, kpis[1]]),
  });
  await decide(designAuthority, {
    decidedOn: shift(today, -30),
    title: 'Adopt a common identity service for residents',
    decision: 'Use one sign-in service for every resident-facing service built from now on.',
    rationale: 'Residents asked for one account; each service building its own costs more and is less secure.',
    optionsConsidered: 'One identity service; one per service; the national identity service only.',
    status: 'made',
    links: refs([objectives[4], identity]),
  });
  await decide(designAuthority, {
    decidedOn: shift(today, 7),
    title: 'Switch off the old planning system',
    decision: '',
    rationale: '',
    optionsConsidered: 'Switch off now that applications go through the national portal; keep it read-only for a year; archive the records first.',
    status: 'proposed',
    links: refs([planning]),
  });

  // RACI on the first objectives and KPIs and two projects
  const raciItems = [objectives[0], objectives[1], kpis[0], kpis[1], councilTax, identity].filter((i): i is ItemRef => i !== undefined);
  for (const [index, item] of raciItems.entries()) {
    const accountable = index % 2 === 0 ? people.chair : people.admin;
    await setRaci(db, actor, councilId, item.type, item.id, [
      { userId: accountable, role: 'accountable' },
      { userId: people.contributor, role: 'responsible' },
      { userId: index % 2 === 0 ? people.admin : people.chair, role: 'consulted' },
      { userId: people.viewer, role: 'informed' },
    ]);
  }

  // Service Standard assessments across phases
  const subject = councilTax === undefined ? { projectId: '', serviceName: 'Council tax online account' } : { projectId: councilTax.id, serviceName: '' };
  await createAssessment(db, actor, councilId, {
    ...subject,
    phase: 'alpha',
    assessedOn: shift(today, -300),
    outcome: 'not_met',
    summary: 'A promising alpha, but the team had not tested with people who use assistive technology or planned for the phone channel.',
    points: points({ 3: 'Map the phone and face-to-face routes and test them with call centre staff.', 5: 'Test with screen reader and voice control users before beta.' }),
  });
  await createAssessment(db, actor, councilId, {
    ...subject,
    phase: 'alpha',
    assessedOn: shift(today, -240),
    outcome: 'met',
    summary: 'Reassessment: the team closed both actions and can move to private beta.',
    points: points(),
  });
  await createAssessment(db, actor, councilId, {
    ...subject,
    phase: 'beta',
    assessedOn: shift(today, -60),
    outcome: 'met',
    summary: 'Ready for public beta. Publish the performance data before going live.',
    points: points(),
  });
  await createAssessment(db, actor, councilId, {
    ...(bins === undefined ? { projectId: '', serviceName: 'Report a missed bin collection' } : { projectId: bins.id, serviceName: '' }),
    phase: 'live',
    assessedOn: shift(today, -20),
    outcome: 'not_met',
    summary: 'The service works well for most people, but its performance data is not yet published.',
    points: points({ 10: 'Publish completion rate and satisfaction monthly on the council’s performance pages.' }),
  });
}
