/**
 * `npm run bench`: every benchmark in turn. Each prints its figures as ratios against a baseline
 * measured in the same run (DESIGN §6); record them in docs/performance.md.
 */
import { runDashboardBench } from './dashboard.ts';
import { runImportBench } from './import.ts';

const benchmarks: [string, () => Promise<void>][] = [
  ['import', runImportBench],
  ['dashboard', runDashboardBench],
];

for (const [name, run] of benchmarks) {
  const started = performance.now();
  await run();
  console.log(`bench/${name} finished in ${((performance.now() - started) / 1000).toFixed(0)}s\n`);
}
