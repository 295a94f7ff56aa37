import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAction,
  checkAppetite,
  checkContingencyPlan,
  checkRiskInput,
  DEFAULT_RISK_CATEGORIES,
  heatMapOf,
  isActionOverdue,
  isOutsideAppetite,
  isReviewOverdue,
  LEVEL_BANDS,
  levelOfScore,
  needsContingencyPlan,
  nextReviewDate,
  readScale,
  type RiskInput,
  riskScore,
  type ScaleValue,
  scored,
  topRisks,
} from './risk.ts';

const scale = fc.integer({ min: 1, max: 5 }) as fc.Arbitrary<ScaleValue>;

describe('scores and level bands', () => {
  it('scores likelihood × impact', () => {
    expect(riskScore({ likelihood: 1, impact: 1 })).toBe(1);
    expect(riskScore({ likelihood: 3, impact: 4 })).toBe(12);
    expect(riskScore({ likelihood: 5, impact: 5 })).toBe(25);
  });

  it('puts each score in its documented band: low 1–4, medium 5–9, high 10–15, very high 16–25', () => {
    expect([1, 4].map(levelOfScore)).toEqual(['low', 'low']);
    expect([5, 9].map(levelOfScore)).toEqual(['medium', 'medium']);
    expect([10, 15].map(levelOfScore)).toEqual(['high', 'high']);
    expect([16, 25].map(levelOfScore)).toEqual(['very_high', 'very_high']);
    expect(() => levelOfScore(0)).toThrow(RangeError);
    expect(() => levelOfScore(26)).toThrow(RangeError);
  });

  it('covers every score from 1 to 25 with exactly one band', () => {
    for (let s = 1; s <= 25; s += 1)
      expect(LEVEL_BANDS.filter((b) => s >= b.min && s <= b.max)).toHaveLength(1);
  });

  it('never lowers the level when likelihood or impact rises (property)', () => {
    const order = ['low', 'medium', 'high', 'very_high'];
    fc.assert(
      fc.property(scale, scale, (likelihood, impact) => {
        const base = order.indexOf(scored({ likelihood, impact }).level);
        if (likelihood < 5)
          expect(
            order.indexOf(scored({ likelihood: (likelihood + 1) as ScaleValue, impact }).level),
          ).toBeGreaterThanOrEqual(base);
        if (impact < 5)
          expect(
            order.indexOf(scored({ likelihood, impact: (impact + 1) as ScaleValue }).level),
          ).toBeGreaterThanOrEqual(base);
      }),
    );
  });

  it('reads 1–5 and the words very low … very high, and nothing else', () => {
    expect(
      ['1', ' 5 ', 'very low', 'Very High', 'very_high', 'medium', 'LOW', 'high'].map(readScale),
    ).toEqual([1, 5, 1, 5, 5, 3, 2, 4]);
    expect(['0', '6', '', 'huge', '2.5', '1.0'].map(readScale)).toEqual([null, null, null, null, null, null]);
    expect([0, 6, 3, 2.5].map(readScale)).toEqual([null, null, 3, null]);
  });
});

describe('appetite', () => {
  it('is breached only when the current score exceeds the maximum', () => {
    expect(isOutsideAppetite({ likelihood: 3, impact: 3 }, { maxScore: 9 })).toBe(false);
    expect(isOutsideAppetite({ likelihood: 2, impact: 5 }, { maxScore: 9 })).toBe(true);
    expect(isOutsideAppetite({ likelihood: 5, impact: 5 }, { maxScore: 25 })).toBe(false);
  });

  it('agrees with the score for every assessment and maximum (property)', () => {
    fc.assert(
      fc.property(scale, scale, fc.integer({ min: 1, max: 25 }), (likelihood, impact, maxScore) => {
        expect(isOutsideAppetite({ likelihood, impact }, { maxScore })).toBe(likelihood * impact > maxScore);
      }),
    );
  });

  it('accepts a level and a whole maximum from 1 to 25', () => {
    expect(checkAppetite({ level: 'open', maxScore: '12' }).value).toEqual({ level: 'open', maxScore: 12 });
    expect(checkAppetite({ level: 'averse', maxScore: 4 }).value).toEqual({ level: 'averse', maxScore: 4 });
    expect(checkAppetite({ level: 'bold', maxScore: 0 }).problems.map((p) => p.field)).toEqual([
      'level',
      'maxScore',
    ]);
    expect(checkAppetite({ level: 'open', maxScore: 26 }).value).toBeNull();
    expect(checkAppetite({ level: 'open', maxScore: '7.5' }).value).toBeNull();
  });

  it('gives the four digital-strategy categories beside the Orange Book ones, with keys unique', () => {
    const keys = DEFAULT_RISK_CATEGORIES.map((c) => c.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'strategy',
        'financial',
        'security',
        'cybersecurity',
        'data_privacy',
        'technology_obsolescence',
        'workforce_skills',
      ]),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the contingency-plan rule', () => {
  it('asks for a plan when the current impact is 4 or 5, whatever the likelihood', () => {
    expect(needsContingencyPlan({ likelihood: 1, impact: 4 })).toBe(true);
    expect(needsContingencyPlan({ likelihood: 1, impact: 5 })).toBe(true);
    expect(needsContingencyPlan({ likelihood: 5, impact: 3 })).toBe(false);
  });

  it('needs both a trigger and a plan', () => {
    expect(checkContingencyPlan({ trigger: ' ', plan: 'x' }).problems.map((p) => p.field)).toEqual([
      'trigger',
    ]);
    expect(
      checkContingencyPlan({ trigger: 'Outage over 4 hours', plan: 'Switch to paper forms' }).value,
    ).toEqual({ trigger: 'Outage over 4 hours', plan: 'Switch to paper forms' });
  });
});

describe('review scheduling', () => {
  it('moves on by the frequency, keeping the day of the month', () => {
    expect(nextReviewDate('2026-03-15', 'monthly')).toBe('2026-04-15');
    expect(nextReviewDate('2026-11-30', 'quarterly')).toBe('2027-02-28');
    expect(nextReviewDate('2026-08-31', 'half_yearly')).toBe('2027-02-28');
    expect(nextReviewDate('2026-12-10', 'monthly')).toBe('2027-01-10');
    expect(nextReviewDate('2026-05-01', 'annual')).toBe('2027-05-01');
  });

  it('ends on the last day of a shorter month: monthly from 31 January → 28 or 29 February', () => {
    expect(nextReviewDate('2027-01-31', 'monthly')).toBe('2027-02-28');
    expect(nextReviewDate('2028-01-31', 'monthly')).toBe('2028-02-29');
    expect(nextReviewDate('2026-03-31', 'monthly')).toBe('2026-04-30');
    expect(nextReviewDate('2100-01-31', 'monthly')).toBe('2100-02-28');
    expect(nextReviewDate('2000-01-31', 'monthly')).toBe('2000-02-29');
  });

  it('moves a review on 29 February a year on to 28 February, and back to the 29th in a leap year', () => {
    expect(nextReviewDate('2028-02-29', 'annual')).toBe('2029-02-28');
    expect(nextReviewDate('2027-11-29', 'quarterly')).toBe('2028-02-29');
  });

  it('is always a real date after the last review, within the frequency (property)', () => {
    const day = fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        day,
        fc.constantFrom<('monthly' | 'quarterly' | 'half_yearly' | 'annual')[]>(
          'monthly',
          'quarterly',
          'half_yearly',
          'annual',
        ),
        (last, frequency) => {
          const next = nextReviewDate(last, frequency);
          expect(new Date(`${next}T00:00:00Z`).toISOString().slice(0, 10)).toBe(next);
          expect(next > last).toBe(true);
          const days = (Date.parse(next) - Date.parse(last)) / 86_400_000;
          const months = { monthly: 1, quarterly: 3, half_yearly: 6, annual: 12 }[frequency];
          expect(days).toBeGreaterThanOrEqual(months * 28 - 3);
          expect(days).toBeLessThanOrEqual(months * 31);
        },
      ),
    );
  });

  it('is overdue from the day after the review date', () => {
    expect(isReviewOverdue('2026-03-01', '2026-03-01')).toBe(false);
    expect(isReviewOverdue('2026-03-01', '2026-03-02')).toBe(true);
  });
});

describe('checking a risk', () => {
  const valid: RiskInput = {
    title: ' Legacy case system out of support ',
    cause: 'Vendor ends support',
    event: 'Unpatched vulnerability exploited',
    consequence: 'Service outage',
    category: 'technology_obsolescence',
    ownerId: '',
    proximity: 'within_a_year',
    inherent: { likelihood: '4', impact: 'very high' },
    current: { likelihood: 3, impact: 4 },
    target: { likelihood: 'low', impact: 'medium' },
    response: 'treat',
  };

  it('normalises a valid risk, with open status and quarterly reviews by default', () => {
    const { problems, values } = checkRiskInput(valid);
    expect(problems).toEqual([]);
    expect(values).toMatchObject({
      title: 'Legacy case system out of support',
      ownerId: null,
      status: 'open',
      reviewFrequency: 'quarterly',
      inherent: { likelihood: 4, impact: 5 },
      target: { likelihood: 2, impact: 3 },
    });
  });

  it('reports every problem at once, each on its field', () => {
    const { problems, values } = checkRiskInput({
      ...valid,
      title: '',
      category: '',
      proximity: 'soon',
      inherent: { likelihood: 0, impact: 6 },
      response: 'ignore',
      objectiveIds: ['not-an-id'],
    });
    expect(values).toBeNull();
    expect(problems.map((p) => p.field)).toEqual([
      'title',
      'category',
      'proximity',
      'inherentLikelihood',
      'inherentImpact',
      'response',
      'objectiveIds',
    ]);
  });
});

describe('actions and heat maps', () => {
  it('counts an action overdue when not done and past its due date', () => {
    expect(isActionOverdue({ status: 'planned', dueOn: '2026-01-01' }, '2026-01-02')).toBe(true);
    expect(isActionOverdue({ status: 'done', dueOn: '2026-01-01' }, '2026-01-02')).toBe(false);
    expect(isActionOverdue({ status: 'in_progress', dueOn: '2026-01-02' }, '2026-01-02')).toBe(false);
  });

  it('checks an action: description, real due date, known status', () => {
    expect(
      checkAction({ description: '', dueOn: '2026-02-30', status: 'later' }).problems.map((p) => p.field),
    ).toEqual(['description', 'dueOn', 'status']);
    expect(checkAction({ description: 'Patch', dueOn: '2026-02-28' }).value).toEqual({
      description: 'Patch',
      ownerId: null,
      dueOn: '2026-02-28',
      status: 'planned',
    });
  });

  it('counts risks per cell of the heat map, the total matching (property)', () => {
    const assessment = fc.record({ likelihood: scale, impact: scale });
    fc.assert(
      fc.property(
        fc.array(fc.record({ inherent: assessment, current: assessment }), { maxLength: 40 }),
        (risks) => {
          const map = heatMapOf(risks, 'current');
          expect(map.counts.flat().reduce((a, b) => a + b, 0)).toBe(risks.length);
          for (const r of risks)
            expect(map.counts[r.current.likelihood - 1]?.[r.current.impact - 1]).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('top risks', () => {
  it('puts risks outside appetite first, then the highest current scores, at most five', () => {
    const risk = (title: string, score: number, outsideAppetite = false) => ({
      title,
      outsideAppetite,
      current: { score },
    });
    const list = [
      risk('a', 20),
      risk('b', 4, true),
      risk('c', 25),
      risk('d', 12),
      risk('e', 12),
      risk('f', 1),
      risk('g', 2),
    ];
    expect(topRisks(list).map((r) => r.title)).toEqual(['b', 'c', 'a', 'd', 'e']);
  });
});
