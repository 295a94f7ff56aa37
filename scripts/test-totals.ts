/**
 * Pure helpers for scripts/test.ts: turning vitest's JSON report into totals, adding up the
 * checks, and writing the one closing line `N passed, N failed[, N skipped]`.
 */

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

export interface VitestTotals extends Totals {
  /** Test files that failed without a failing test (did not load, a hook threw, a worker died). */
  brokenFiles: { name: string; message: string }[];
}

export const zeroTotals: Totals = Object.freeze({ passed: 0, failed: 0, skipped: 0 });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(report: Record<string, unknown>, key: string): number {
  const value = report[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`The vitest JSON report has no valid "${key}"`);
  }
  return value;
}

/**
 * Totals from the text of vitest's JSON report (`--reporter=json`). Passed and failed are
 * vitest's own test counts; skipped adds pending (skipped) and todo tests. A test file marked
 * failed with no failed test in it counts as one more failure, so a file that failed to load
 * or whose `beforeAll` threw can never leave the run green. Throws when the text is not a report.
 */
export function parseVitestReport(text: string): VitestTotals {
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    throw new Error(`The vitest JSON report is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isRecord(report)) throw new Error('The vitest JSON report is not an object');
  const passed = count(report, 'numPassedTests');
  const failedTests = count(report, 'numFailedTests');
  const skipped = count(report, 'numPendingTests') + count(report, 'numTodoTests');

  const brokenFiles: VitestTotals['brokenFiles'] = [];
  const files = Array.isArray(report.testResults) ? (report.testResults as unknown[]) : [];
  for (const file of files) {
    if (!isRecord(file) || file.status !== 'failed') continue;
    const assertions = Array.isArray(file.assertionResults) ? (file.assertionResults as unknown[]) : [];
    const hasFailedTest = assertions.some((a) => isRecord(a) && a.status === 'failed');
    if (!hasFailedTest) {
      brokenFiles.push({
        name: typeof file.name === 'string' ? file.name : '(unnamed test file)',
        message: typeof file.message === 'string' ? file.message : '',
      });
    }
  }
  return { passed, failed: failedTests + brokenFiles.length, skipped, brokenFiles };
}

/** Adds totals together. */
export function addTotals(...parts: Totals[]): Totals {
  return parts.reduce<Totals>(
    (sum, part) => ({
      passed: sum.passed + part.passed,
      failed: sum.failed + part.failed,
      skipped: sum.skipped + part.skipped,
    }),
    zeroTotals,
  );
}

/** A non-vitest check (typecheck, lint, secrets in logs) counts as one passed or one failed. */
export function checkTotals(ok: boolean): Totals {
  return ok ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

/** The closing line: `N passed, N failed`, with `, N skipped` only when some were skipped. */
export function formatTotalsLine(totals: Totals): string {
  const line = `${totals.passed} passed, ${totals.failed} failed`;
  return totals.skipped > 0 ? `${line}, ${totals.skipped} skipped` : line;
}

/**
 * What the vitest step contributes, from its exit code and its JSON report (undefined when no
 * report was written). No report counts as one failure; so does a non-zero exit code while the
 * report shows no failure (an unhandled error, no test files found).
 */
export function vitestOutcome(
  exitCode: number | null,
  reportText: string | undefined,
): { totals: Totals; problems: string[] } {
  if (reportText === undefined) {
    return {
      totals: checkTotals(false),
      problems: [`vitest exited with code ${String(exitCode)} and wrote no JSON report`],
    };
  }
  let parsed: VitestTotals;
  try {
    parsed = parseVitestReport(reportText);
  } catch (error) {
    return { totals: checkTotals(false), problems: [(error as Error).message] };
  }
  const problems = parsed.brokenFiles.map(
    (f) => `${f.name} failed outside any test${f.message ? `: ${f.message}` : ''}`,
  );
  const totals: Totals = { passed: parsed.passed, failed: parsed.failed, skipped: parsed.skipped };
  if (exitCode !== 0 && totals.failed === 0) {
    problems.push(
      `vitest exited with code ${String(exitCode)} although no test failed (see its output above)`,
    );
    totals.failed += 1;
  }
  return { totals, problems };
}
