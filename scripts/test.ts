/**
 * `npm test`: every check and test, in order, then one closing line `N passed, N failed`.
 *
 *   npm test                      typecheck, lint, all vitest projects, no secrets in logs
 *   npm test -- <vitest args>     vitest with those arguments (a file, a filter, --project …)
 *                                 and the secrets check; typecheck and lint are skipped
 *
 * N counts vitest's tests plus each other check as one. Exit code 1 when anything failed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkSecretsInLogs } from './secrets-in-logs.ts';
import { addTotals, checkTotals, formatTotalsLine, type Totals, vitestOutcome } from './test-totals.ts';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const resultsDir = path.join(root, 'test-results');
const vitestReport = path.join(resultsDir, 'vitest.json');
const vitestArgs = process.argv.slice(2);
const filtered = vitestArgs.length > 0;

interface Outcome {
  name: string;
  totals: Totals;
  summary: string;
}
const outcomes: Outcome[] = [];

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function heading(name: string, command: string): void {
  console.log(`\n=== ${name}: ${command}`);
}

/** Runs a tool from node_modules/.bin with this same Node, its output passed straight through. */
function runTool(tool: string, args: string[]): number | null {
  const bin = path.join(root, 'node_modules', '.bin', tool);
  if (!fs.existsSync(bin)) {
    console.log(`${bin} is missing: run \`npm ci\` first.`);
    return null;
  }
  const result = spawnSync(process.execPath, [fs.realpathSync(bin), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.error) console.log(`${tool} could not start: ${result.error.message}`);
  if (result.signal) console.log(`${tool} was stopped by ${result.signal}`);
  return result.status;
}

function toolCheck(name: string, tool: string, args: string[]): void {
  heading(name, [tool, ...args].join(' '));
  if (filtered) {
    console.log(`${name}: skipped (arguments were given; run \`npm test\` alone for everything)`);
    return;
  }
  const start = performance.now();
  const code = runTool(tool, args);
  const ok = code === 0;
  const summary = ok ? 'passed' : `FAILED (exit code ${String(code)})`;
  console.log(`${name}: ${summary} in ${seconds(start)}`);
  outcomes.push({ name, totals: checkTotals(ok), summary });
}

function vitestCheck(): void {
  const args = [
    'run',
    ...vitestArgs,
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${path.relative(root, vitestReport)}`,
  ];
  heading('vitest', ['vitest', ...args].join(' '));
  const start = performance.now();
  const code = runTool('vitest', args);
  const report = fs.existsSync(vitestReport) ? fs.readFileSync(vitestReport, 'utf8') : undefined;
  const { totals, problems } = vitestOutcome(code, report);
  for (const problem of problems) console.log(`vitest: ${problem}`);
  const counts = `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
  const summary = totals.failed === 0 ? `passed (${counts})` : `FAILED (${counts})`;
  console.log(`vitest: ${summary} in ${seconds(start)}`);
  outcomes.push({ name: 'vitest', totals, summary });
}

function secretsCheck(): void {
  const name = 'secrets in logs';
  heading(name, 'every remembered secret searched for in test-results/logs/*.log');
  const start = performance.now();
  let ok: boolean;
  let summary: string;
  try {
    const verdict = checkSecretsInLogs(resultsDir, filtered);
    for (const line of verdict.lines) console.log(`${name}: ${line}`);
    ok = verdict.ok;
    summary = `${ok ? 'passed' : 'FAILED'} (${verdict.summary})`;
  } catch (error) {
    console.log(`${name}: could not run: ${(error as Error).stack ?? String(error)}`);
    ok = false;
    summary = 'FAILED (could not run)';
  }
  console.log(`${name}: ${summary} in ${seconds(start)}`);
  outcomes.push({ name, totals: checkTotals(ok), summary });
}

// Old logs and secrets must not leak into this run's check.
fs.rmSync(resultsDir, { recursive: true, force: true });

toolCheck('typecheck', 'tsc', ['--noEmit']);
toolCheck('lint', 'eslint', ['--max-warnings', '0', '.']);
vitestCheck();
secretsCheck();

const width = Math.max(...outcomes.map((o) => o.name.length));
console.log('\n=== summary');
for (const outcome of outcomes) console.log(`${outcome.name.padEnd(width)}  ${outcome.summary}`);
const totals = addTotals(...outcomes.map((o) => o.totals));
console.log(formatTotalsLine(totals));
process.exitCode = totals.failed > 0 ? 1 : 0;
