import { describe, expect, it } from 'vitest';
import { KPI_LIBRARY, findLibraryEntry } from './kpis.library.ts';
import { checkKpiInput, KPI_CATEGORIES, type KpiInput, readNumber } from './kpis.ts';
import { KPI_KEY_PATTERN } from './formula.ts';
import { FREQUENCIES } from './periods.ts';
import { POLARITIES } from './status.ts';

const valid: KpiInput = {
  key: 'digital_take_up',
  name: 'Digital take-up',
  polarity: 'higher_is_better',
  frequency: 'monthly',
  baseline: { value: '40', date: '2025-04-01' },
  target: { value: 80, date: '2028-03-31' },
};

describe('the KPI library', () => {
  it('has the five themes and the four service KPIs', () => {
    const keys = KPI_LIBRARY.map((e) => e.key);
    for (const key of ['user_adoption', 'cost_savings', 'citizen_satisfaction', 'digital_inclusion', 'cost_per_transaction', 'user_satisfaction', 'completion_rate', 'digital_take_up']) {
      expect(keys).toContain(key);
    }
    expect(KPI_LIBRARY.some((e) => e.category === 'service_delivery')).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every entry a valid key, polarity, frequency and category and a real definition', () => {
    for (const entry of KPI_LIBRARY) {
      expect(entry.key).toMatch(KPI_KEY_PATTERN);
      expect(POLARITIES).toContain(entry.polarity);
      expect(FREQUENCIES).toContain(entry.frequency);
      expect(KPI_CATEGORIES).toContain(entry.category);
      expect(entry.definition.length).toBeGreaterThan(40);
      const checked = checkKpiInput({ ...entry, baseline: valid.baseline, target: valid.target });
      expect(checked.problems, entry.key).toEqual([]);
    }
  });

  it('defines the four service KPIs with the right direction and frequency', () => {
    expect(findLibraryEntry('cost_per_transaction')).toMatchObject({ unit: '£', polarity: 'lower_is_better', frequency: 'quarterly' });
    expect(findLibraryEntry('user_satisfaction')).toMatchObject({ unit: '%', polarity: 'higher_is_better', frequency: 'monthly' });
    expect(findLibraryEntry('completion_rate')).toMatchObject({ unit: '%', polarity: 'higher_is_better', frequency: 'monthly' });
    expect(findLibraryEntry('digital_take_up')).toMatchObject({ unit: '%', polarity: 'higher_is_better', frequency: 'monthly' });
  });
});

describe('checking a KPI as sent', () => {
  it('normalises a good one, with defaults', () => {
    const { problems, values } = checkKpiInput(valid);
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ baseline: { value: 40, date: '2025-04-01' }, tolerance: 10, category: 'other', ownerId: null, formula: null, isPublic: false, objectiveIds: [] });
  });

  it('names each bad field', () => {
    const { problems, values } = checkKpiInput({
      key: '_bad',
      name: '',
      polarity: 'up',
      frequency: 'fortnightly',
      baseline: { value: 'ten', date: '2025-02-29' },
      target: { value: Number.NaN, date: 'soon' },
      tolerance: -1,
      category: 'misc',
      ownerId: 'me',
      objectiveIds: ['x'],
    });
    expect(values).toBeNull();
    expect(problems.map((p) => p.field).sort()).toEqual(
      ['key', 'name', 'polarity', 'frequency', 'baselineValue', 'baselineDate', 'targetValue', 'targetDate', 'tolerance', 'category', 'ownerId', 'objectiveIds'].sort(),
    );
  });

  it('refuses the keys that name KPI pages, which a KPI could never be opened at', () => {
    for (const key of ['new', 'import']) {
      expect(checkKpiInput({ ...valid, key }).problems).toEqual([
        { field: 'key', message: `“${key}” is the name of a page in Waymark: choose another key, for example ${key}_rate` },
      ]);
    }
  });

  it('wants the target date after the baseline date', () => {
    const { problems } = checkKpiInput({ ...valid, target: { value: 80, date: '2025-04-01' } });
    expect(problems).toEqual([{ field: 'targetDate', message: 'Target date must be after the baseline date' }]);
  });

  it('reads numbers as people type them', () => {
    expect(readNumber(' 1,234.5 ')).toBe(1234.5);
    expect(readNumber('-0.5')).toBe(-0.5);
    expect(readNumber('1e3')).toBe(1000);
    expect(readNumber('')).toBeNull();
    expect(readNumber('12abc')).toBeNull();
    expect(readNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(readNumber('1e999')).toBeNull();
  });
});
