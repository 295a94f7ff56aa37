import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLLUP_RULE, ROLLUP_THRESHOLDS, rollUp, STATUS_SCORES, type RollupChild } from './rollup.ts';
import { KPI_STATUSES, type KpiStatus } from './status.ts';

function children(...statuses: KpiStatus[]): RollupChild[] {
  return statuses.map((status) => ({ status }));
}

describe('rollUp', () => {
  it('is on track when every child is', () => {
    expect(rollUp(children('on_track', 'on_track', 'on_track', 'on_track'))).toEqual({
      status: 'on_track',
      score: 1,
      counts: { on_track: 4, at_risk: 0, off_track: 0, no_data: 0, overdue: 0 },
      reason: '4 of 4 KPIs on track',
    });
  });

  it.each<[KpiStatus[], number, KpiStatus]>([
    [['on_track', 'on_track', 'on_track', 'on_track', 'off_track'], 0.8, 'on_track'],
    [['on_track', 'on_track', 'on_track', 'at_risk', 'off_track'], 0.7, 'at_risk'],
    [['on_track', 'off_track'], 0.5, 'at_risk'],
    [['at_risk', 'at_risk'], 0.5, 'at_risk'],
    [['on_track', 'off_track', 'off_track'], 1 / 3, 'off_track'],
    [['off_track'], 0, 'off_track'],
  ])('scores %j as %s: %s', (statuses, score, status) => {
    const result = rollUp(children(...statuses));
    expect(result.score).toBeCloseTo(score, 12);
    expect(result.status).toBe(status);
  });

  it('weighs children', () => {
    expect(rollUp([{ status: 'on_track', weight: 3 }, { status: 'off_track' }])).toMatchObject({
      score: 0.75,
      status: 'at_risk',
    });
    expect(rollUp([{ status: 'on_track', weight: 4 }, { status: 'off_track' }])).toMatchObject({
      score: 0.8,
      status: 'on_track',
    });
    expect(rollUp([{ status: 'on_track' }, { status: 'off_track', weight: 0 }])).toMatchObject({
      score: 1,
      status: 'on_track',
      counts: { on_track: 1, off_track: 1 },
    });
  });

  it('does not let floating-point sums fall just short of a threshold', () => {
    // Eight weights of 0.1 sum to 0.7999999999999999, not 0.8.
    const eightTenths = [
      ...Array.from({ length: 8 }, () => ({ status: 'on_track' as const, weight: 0.1 })),
      { status: 'off_track' as const, weight: 0.2 },
    ];
    const result = rollUp(eightTenths);
    expect(result.score).toBeLessThan(0.8);
    expect(result.status).toBe('on_track');
  });

  it('holds a parent at risk while any child is overdue, and says why', () => {
    expect(rollUp(children('on_track', 'on_track', 'on_track', 'overdue'))).toEqual({
      status: 'at_risk',
      score: 1,
      counts: { on_track: 3, at_risk: 0, off_track: 0, no_data: 0, overdue: 1 },
      reason: '3 of 4 KPIs on track; 1 overdue; at risk until the overdue values are recorded',
    });
  });

  it('does not improve an off-track parent because a child is overdue', () => {
    expect(rollUp(children('off_track', 'off_track', 'overdue')).status).toBe('off_track');
  });

  it('leaves children without data out of the score, but reports them', () => {
    expect(rollUp(children('on_track', 'on_track', 'on_track', 'no_data'))).toMatchObject({
      status: 'on_track',
      score: 1,
      reason: '3 of 4 KPIs on track; 1 with no data yet',
    });
  });

  it('lists every kind of status in the reason', () => {
    expect(
      rollUp(children('on_track', 'at_risk', 'off_track', 'off_track', 'overdue', 'no_data')).reason,
    ).toBe('1 of 6 KPIs on track; 1 at risk; 2 off track; 1 overdue; 1 with no data yet');
  });

  it('has no data when no child has data, and is overdue when some are overdue', () => {
    expect(rollUp([])).toMatchObject({ status: 'no_data', score: null, reason: 'No KPIs linked yet' });
    expect(rollUp(children('no_data', 'no_data'))).toMatchObject({ status: 'no_data', score: null });
    expect(rollUp(children('no_data', 'overdue'))).toMatchObject({
      status: 'overdue',
      score: null,
      reason: '0 of 2 KPIs on track; 1 overdue; 1 with no data yet',
    });
  });

  it('names the children as asked', () => {
    const noun = { singular: 'objective', plural: 'objectives' };
    expect(rollUp(children('on_track'), { noun }).reason).toBe('1 of 1 objective on track');
    expect(rollUp(children('on_track', 'at_risk'), { noun }).reason).toBe(
      '1 of 2 objectives on track; 1 at risk',
    );
  });

  it('refuses negative or non-numeric weights', () => {
    expect(() => rollUp([{ status: 'on_track', weight: -1 }])).toThrow(RangeError);
    expect(() => rollUp([{ status: 'no_data', weight: Number.NaN }])).toThrow(RangeError);
  });

  it('documents the rule with the same numbers the code uses', () => {
    expect(ROLLUP_RULE).toContain(
      `on track scores ${STATUS_SCORES.on_track}, at risk ${STATUS_SCORES.at_risk}, off track ${STATUS_SCORES.off_track}`,
    );
    expect(ROLLUP_RULE).toContain(
      `${ROLLUP_THRESHOLDS.onTrack} or more is on track, ${ROLLUP_THRESHOLDS.atRisk} or more at risk`,
    );
    expect(ROLLUP_RULE).toContain('green, amber or red counts as on track, at risk or off track');
  });
});

const RANK: Record<'on_track' | 'at_risk' | 'off_track', number> = { off_track: 0, at_risk: 1, on_track: 2 };
const scored = fc.constantFrom('on_track' as const, 'at_risk' as const, 'off_track' as const);
const anyChild = fc.record({
  status: fc.constantFrom(...KPI_STATUSES),
  weight: fc.integer({ min: 0, max: 10 }),
});

describe('rollUp properties', () => {
  it('does not depend on the order of the children', () => {
    fc.assert(
      fc.property(
        fc
          .array(anyChild, { maxLength: 12 })
          .chain((list) =>
            fc.tuple(
              fc.constant(list),
              fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
            ),
          ),
        ([list, shuffled]) => {
          const a = rollUp(list);
          const b = rollUp(shuffled);
          expect(b.status).toBe(a.status);
          expect(b.counts).toEqual(a.counts);
          expect(b.score ?? -1).toBeCloseTo(a.score ?? -1, 12);
        },
      ),
    );
  });

  it('never worsens the parent when one child improves', () => {
    fc.assert(
      fc.property(
        fc.array(anyChild, { maxLength: 10 }),
        scored,
        scored,
        fc.integer({ min: 1, max: 10 }),
        (others, a, b, weight) => {
          const [worse, better] = RANK[a] <= RANK[b] ? [a, b] : [b, a];
          const before = rollUp([...others, { status: worse, weight }]).status;
          const after = rollUp([...others, { status: better, weight }]).status;
          expect(RANK[after as keyof typeof RANK]).toBeGreaterThanOrEqual(RANK[before as keyof typeof RANK]);
        },
      ),
    );
  });

  it('keeps the score between 0 and 1, and never calls a parent with an overdue child on track', () => {
    fc.assert(
      fc.property(fc.array(anyChild, { maxLength: 12 }), (list) => {
        const result = rollUp(list);
        if (result.score !== null) {
          expect(result.score).toBeGreaterThanOrEqual(0);
          expect(result.score).toBeLessThanOrEqual(1);
        }
        if (list.some((child) => child.status === 'overdue')) expect(result.status).not.toBe('on_track');
      }),
    );
  });
});
