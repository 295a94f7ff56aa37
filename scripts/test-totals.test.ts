import { describe, expect, it } from 'vitest';
import { addTotals, checkTotals, formatTotalsLine, parseVitestReport, vitestOutcome } from './test-totals.ts';

function report(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    numTotalTests: 0,
    numPassedTests: 0,
    numFailedTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    numFailedTestSuites: 0,
    success: true,
    testResults: [],
    ...overrides,
  });
}

describe('parseVitestReport', () => {
  it('takes passed and failed from vitest and counts skipped and todo tests as skipped', () => {
    const totals = parseVitestReport(
      report({ numPassedTests: 40, numFailedTests: 2, numPendingTests: 3, numTodoTests: 1 }),
    );
    expect(totals).toEqual({ passed: 40, failed: 2, skipped: 4, brokenFiles: [] });
  });

  it('counts a failed file with no failed test in it as one more failure', () => {
    const totals = parseVitestReport(
      report({
        numPassedTests: 1,
        testResults: [
          {
            name: '/repo/a.test.ts',
            status: 'failed',
            message: "Cannot find module './x.ts'",
            assertionResults: [],
          },
          {
            name: '/repo/b.test.ts',
            status: 'failed',
            message: '',
            assertionResults: [{ status: 'skipped' }],
          },
          {
            name: '/repo/c.test.ts',
            status: 'passed',
            message: '',
            assertionResults: [{ status: 'passed' }],
          },
        ],
      }),
    );
    expect(totals.failed).toBe(2);
    expect(totals.brokenFiles.map((f) => f.name)).toEqual(['/repo/a.test.ts', '/repo/b.test.ts']);
  });

  it('does not count a failed file twice when a test in it failed', () => {
    const totals = parseVitestReport(
      report({
        numFailedTests: 1,
        testResults: [
          { name: '/repo/a.test.ts', status: 'failed', assertionResults: [{ status: 'failed' }] },
        ],
      }),
    );
    expect(totals.failed).toBe(1);
  });

  it('refuses text that is not a vitest report', () => {
    expect(() => parseVitestReport('{"numPassedTests":')).toThrow(/not valid JSON/);
    expect(() => parseVitestReport('[]')).toThrow(/not an object/);
    expect(() => parseVitestReport('{"numPassedTests": 1}')).toThrow(/numFailedTests/);
  });
});

describe('vitestOutcome', () => {
  it('counts a run that wrote no report as one failure', () => {
    const outcome = vitestOutcome(1, undefined);
    expect(outcome.totals).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(outcome.problems[0]).toMatch(/no JSON report/);
  });

  it('counts an unreadable report as one failure', () => {
    expect(vitestOutcome(0, 'garbage').totals).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it('adds a failure when vitest failed but its report shows none', () => {
    const outcome = vitestOutcome(1, report({ numPassedTests: 5 }));
    expect(outcome.totals).toEqual({ passed: 5, failed: 1, skipped: 0 });
    expect(outcome.problems[0]).toMatch(/exited with code 1/);
  });

  it('passes the report through when vitest succeeded', () => {
    expect(vitestOutcome(0, report({ numPassedTests: 5, numTodoTests: 2 }))).toEqual({
      totals: { passed: 5, failed: 0, skipped: 2 },
      problems: [],
    });
  });
});

describe('totals', () => {
  it('adds the vitest tests and each other check as one', () => {
    const totals = addTotals(
      checkTotals(true),
      checkTotals(false),
      { passed: 10, failed: 2, skipped: 1 },
      checkTotals(true),
    );
    expect(totals).toEqual({ passed: 12, failed: 3, skipped: 1 });
  });

  it('writes the closing line, with skipped only when some were skipped', () => {
    expect(formatTotalsLine({ passed: 12, failed: 0, skipped: 0 })).toBe('12 passed, 0 failed');
    expect(formatTotalsLine({ passed: 12, failed: 3, skipped: 4 })).toBe('12 passed, 3 failed, 4 skipped');
    expect(formatTotalsLine(addTotals())).toBe('0 passed, 0 failed');
  });
});
