import { describe, expect, it } from 'vitest';
import {
  agendaTagProblems,
  canTransition,
  deleteProblem,
  editProblem,
  goalProblems,
  moveItem,
  normaliseTags,
  objectiveProblems,
  STANDARD_AGENDA_AREAS,
  STANDARD_AGENDA_KEYS,
  strategyProblems,
  tagKeyFromLabel,
  transitionProblem,
  weightProblems,
} from './strategy.ts';

const good = { title: 'Digital strategy', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31' };
const messages = (problems: { field: string; message: string }[]) => problems.map((p) => `${p.field}: ${p.message}`);

describe('strategy validation', () => {
  it('accepts a title and a period whose end is after its start', () => {
    expect(strategyProblems(good)).toEqual([]);
  });

  it.each([
    ['no title', { title: '  ' }, 'title: Enter a title for the strategy'],
    ['a title that is too long', { title: 'x'.repeat(201) }, 'title: Title must be 200 characters or fewer'],
    ['a vision that is too long', { vision: 'x'.repeat(5001) }, 'vision: Vision must be 5,000 characters or fewer'],
    ['no start date', { periodStart: '' }, 'periodStart: Enter the start date'],
    ['no end date', { periodEnd: '' }, 'periodEnd: Enter the end date'],
    ['31 February', { periodStart: '2026-02-31' }, 'periodStart: Enter a real date for the start date'],
    ['a month 13', { periodEnd: '2026-13-01' }, 'periodEnd: Enter a real date for the end date'],
    ['words', { periodStart: 'next year' }, 'periodStart: Enter a real date for the start date'],
    ['an end before the start', { periodEnd: '2026-03-31' }, 'periodEnd: The end date must be after the start date'],
    ['an end on the start', { periodEnd: '2026-04-01' }, 'periodEnd: The end date must be after the start date'],
  ])('refuses %s with a clear message', (_case, change, message) => {
    expect(messages(strategyProblems({ ...good, ...change }))).toEqual([message]);
  });

  it('reports every problem at once', () => {
    expect(strategyProblems({ title: '', vision: '', periodStart: 'x', periodEnd: '' }).map((p) => p.field)).toEqual(['title', 'periodStart', 'periodEnd']);
  });
});

describe('status transitions', () => {
  it('goes draft → published → archived, and an archived strategy can be published again', () => {
    expect(canTransition('draft', 'published')).toBe(true);
    expect(canTransition('published', 'archived')).toBe(true);
    expect(canTransition('archived', 'published')).toBe(true);
  });

  it('never goes back to draft, never archives a draft, and says why', () => {
    expect(transitionProblem('published', 'draft')?.message).toBe('A strategy that has been published cannot go back to draft');
    expect(transitionProblem('draft', 'archived')?.message).toBe('Only a published strategy can be archived');
    expect(transitionProblem('published', 'published')?.message).toBe('This strategy is already published');
  });

  it('lets only a draft be deleted and an archived strategy not be changed', () => {
    expect(deleteProblem('draft')).toBeNull();
    expect(deleteProblem('published')?.message).toBe('A published strategy cannot be deleted. Archive it instead');
    expect(deleteProblem('archived')).not.toBeNull();
    expect(editProblem('published')).toBeNull();
    expect(editProblem('archived')?.message).toContain('archived');
  });
});

describe('agenda areas and tags', () => {
  it('has the four standard agenda areas', () => {
    expect(STANDARD_AGENDA_AREAS).toEqual([
      { key: 'economic_growth', label: 'Economic growth' },
      { key: 'social_inclusion', label: 'Social inclusion and accessibility' },
      { key: 'environmental_sustainability', label: 'Environmental sustainability' },
      { key: 'public_sector_efficiency', label: 'Public sector efficiency' },
    ]);
  });

  it('accepts known tags only and keeps them once, in the known order', () => {
    const known = [...STANDARD_AGENDA_KEYS, 'net_zero'];
    const goal = { title: 'Goal', description: '', weight: 1 };
    expect(goalProblems({ ...goal, tags: ['net_zero', 'economic_growth'] }, known)).toEqual([]);
    expect(messages(goalProblems({ ...goal, tags: ['made_up'] }, known))).toEqual(['tags: Choose agenda areas from the list. Not known: made_up']);
    expect(normaliseTags(['net_zero', 'economic_growth', 'net_zero'], known)).toEqual(['economic_growth', 'net_zero']);
  });

  it('makes a tag key from its name', () => {
    expect(tagKeyFromLabel('Net zero by 2030')).toBe('net_zero_by_2030');
    expect(tagKeyFromLabel('  Café & culture! ')).toBe('cafe_culture');
    expect(tagKeyFromLabel('2030 goals')).toBe('goals');
    expect(tagKeyFromLabel('!!!')).toBe('');
  });

  it('refuses an empty, duplicate or standard tag name', () => {
    const own = [{ key: 'net_zero', label: 'Net zero' }];
    expect(agendaTagProblems({ key: 'x', label: ' ' }, own)[0]?.message).toBe('Enter a name for the tag');
    expect(agendaTagProblems({ key: 'net_zero', label: 'NET ZERO' }, own)[0]?.message).toBe('There is already a tag called “NET ZERO”');
    expect(agendaTagProblems({ key: 'economic_growth', label: 'Economic growth' }, own)).toHaveLength(1);
    expect(agendaTagProblems({ key: '', label: '!!!' }, own)[0]?.message).toBe('Tag name must include at least one letter');
    expect(agendaTagProblems({ key: 'Bad Key', label: 'Fine' }, own)[0]?.field).toBe('key');
    expect(agendaTagProblems({ key: 'digital_inclusion', label: 'Digital inclusion' }, own)).toEqual([]);
  });
});

describe('objectives and weights', () => {
  const objective = { title: 'Objective', description: '', ownerId: null, dueDate: null, weight: 1 };
  it('accepts an objective with no owner or due date', () => {
    expect(objectiveProblems(objective)).toEqual([]);
  });
  it('refuses a due date that is not real and a weight out of range', () => {
    expect(messages(objectiveProblems({ ...objective, dueDate: '2026-02-30' }))).toEqual(['dueDate: Enter a real date for the due date']);
    expect(weightProblems('')[0]?.message).toBe('Enter a weight, like 1');
    for (const bad of ['-1', '1001', 'one', '1.234', 'NaN']) expect(weightProblems(bad), bad).toHaveLength(1);
    for (const fine of ['0', '1', '2.5', '1000', 0.25]) expect(weightProblems(fine), String(fine)).toEqual([]);
  });
});

describe('ordering', () => {
  it('moves an item and keeps every other in order', () => {
    expect(moveItem(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, 99)).toEqual(['b', 'c', 'a']);
  });
});
