import { describe, expect, it } from 'vitest';
import { boardMemberIds, boardProblems, type DecisionInput, decisionProblems, raciProblems } from './governance.ts';

const alice = '11111111-1111-4111-8111-111111111111';
const bob = '22222222-2222-4222-8222-222222222222';
const carol = '33333333-3333-4333-8333-333333333333';
const stranger = '99999999-9999-4999-8999-999999999999';
const members = new Set([alice, bob, carol]);

const board = { name: 'Digital board', termsOfReference: 'Oversees the strategy', chairId: alice, cadence: 'monthly', memberIds: [bob], oversees: [] };

describe('boards', () => {
  it('accepts a board with a chair and members of the organisation', () => {
    expect(boardProblems(board, members)).toEqual([]);
  });

  it('names every problem: no name, an unknown cadence, a chair and members from elsewhere, odd items', () => {
    const problems = boardProblems(
      { name: ' ', termsOfReference: '', chairId: stranger, cadence: 'daily', memberIds: [stranger], oversees: [{ type: 'kpi', id: alice }] },
      members,
    );
    expect(problems.map((p) => p.field)).toEqual(['name', 'chairId', 'cadence', 'memberIds', 'oversees']);
    expect(problems[0]?.message).toBe('Enter a name for the board');
  });

  it('refuses a name or terms of reference that is too long', () => {
    const problems = boardProblems({ ...board, name: 'x'.repeat(201), termsOfReference: 'y'.repeat(10_001) }, members);
    expect(problems).toEqual([
      { field: 'name', message: 'Name must be 200 characters or fewer' },
      { field: 'termsOfReference', message: 'Terms of reference must be 10,000 characters or fewer' },
    ]);
  });

  it('puts the chair among the members, once', () => {
    expect(boardMemberIds({ chairId: alice, memberIds: [bob, alice] })).toEqual([alice, bob]);
    expect(boardMemberIds({ chairId: '', memberIds: [bob] })).toEqual([bob]);
  });
});

const made: DecisionInput = {
  boardId: alice,
  decidedOn: '2026-11-12',
  title: 'Move the website to the cloud',
  decision: 'Approved',
  rationale: 'Cheaper',
  optionsConsidered: 'Stay; move',
  status: 'made',
  supersededById: '',
  links: [{ type: 'project', id: bob }],
};

describe('decisions', () => {
  it('accepts a made decision with links to projects, objectives and KPIs', () => {
    expect(decisionProblems(made)).toEqual([]);
    expect(decisionProblems({ ...made, links: [{ type: 'objective', id: bob }, { type: 'kpi', id: carol }] })).toEqual([]);
  });

  it('lets a proposed decision leave what was decided empty, but not a made one', () => {
    expect(decisionProblems({ ...made, status: 'proposed', decision: '' })).toEqual([]);
    expect(decisionProblems({ ...made, decision: '' })).toEqual([{ field: 'decision', message: 'Enter what was decided' }]);
  });

  it('needs a real date, a title, a board and a known status', () => {
    const problems = decisionProblems({ ...made, decidedOn: '2026-02-30', title: '', boardId: 'board', status: 'maybe' });
    expect(problems).toEqual([
      { field: 'title', message: 'Enter a title for the decision' },
      { field: 'boardId', message: 'Select the board the decision belongs to' },
      { field: 'decidedOn', message: 'Enter a real date for the decision' },
      { field: 'status', message: 'Select whether the decision is proposed, made or superseded' },
    ]);
    expect(decisionProblems({ ...made, decidedOn: '' })).toEqual([{ field: 'decidedOn', message: 'Enter the date of the decision' }]);
  });

  it('names the successor of a superseded decision, and only then', () => {
    expect(decisionProblems({ ...made, status: 'superseded' })).toEqual([{ field: 'supersededById', message: 'Select the decision that replaced this one' }]);
    expect(decisionProblems({ ...made, status: 'superseded', supersededById: carol })).toEqual([]);
    expect(decisionProblems({ ...made, status: 'superseded', supersededById: carol }, { selfId: carol })).toEqual([
      { field: 'supersededById', message: 'A decision cannot replace itself' },
    ]);
    expect(decisionProblems({ ...made, supersededById: carol })).toEqual([
      { field: 'supersededById', message: 'Only a superseded decision names the decision that replaced it' },
    ]);
  });

  it('links only projects, objectives and KPIs', () => {
    expect(decisionProblems({ ...made, links: [{ type: 'risk', id: bob }] })).toEqual([
      { field: 'links', message: 'Link only projects, objectives and KPIs of your organisation' },
    ]);
    expect(decisionProblems({ ...made, links: [{ type: 'kpi', id: 'not-an-id' }] })).toHaveLength(1);
  });
});

describe('RACI: exactly one accountable person', () => {
  it('accepts one accountable person with others responsible, consulted and informed', () => {
    const entries = [
      { userId: alice, role: 'accountable' },
      { userId: alice, role: 'responsible' },
      { userId: bob, role: 'responsible' },
      { userId: carol, role: 'consulted' },
      { userId: bob, role: 'informed' },
    ];
    expect(raciProblems(entries, members)).toEqual([]);
  });

  it('refuses no accountable person, with a clear message', () => {
    expect(raciProblems([{ userId: bob, role: 'responsible' }], members)).toEqual([
      { field: 'accountable', message: 'Choose the one person who is accountable' },
    ]);
    expect(raciProblems([], members)).toEqual([{ field: 'accountable', message: 'Choose the one person who is accountable' }]);
  });

  it('refuses two accountable people', () => {
    const entries = [
      { userId: alice, role: 'accountable' },
      { userId: bob, role: 'accountable' },
    ];
    expect(raciProblems(entries, members)).toEqual([{ field: 'accountable', message: 'Only one person can be accountable. Choose one' }]);
  });

  it('refuses unknown roles, people from elsewhere and the same person twice in a role', () => {
    const problems = raciProblems(
      [
        { userId: alice, role: 'accountable' },
        { userId: stranger, role: 'informed' },
        { userId: bob, role: 'approver' },
        { userId: carol, role: 'consulted' },
        { userId: carol, role: 'consulted' },
      ],
      members,
    );
    expect(problems.map((p) => p.field)).toEqual(['role', 'userId', 'consulted']);
  });
});
