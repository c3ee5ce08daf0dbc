#!/usr/bin/env node
// Runs vitest and ends with one plain summary line ("N passed, N failed"),
// keeping vitest's exit status. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = 'test-artifacts/vitest-results.json';
mkdirSync('test-artifacts', { recursive: true });
rmSync(results, { force: true });
const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let summary = 'tests: no results were written';
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : '');
} catch {
  // vitest failed before writing results; its own output says why.
}
console.log(summary);
process.exit(run.status ?? 1);
