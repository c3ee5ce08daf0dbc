#!/usr/bin/env node
// npm run reliability: runs every check in this folder at its full count
// (the same tests the suite runs small) and prints one line per check, then
//   reliability: N checks, N held, N fell short
// A check held when none of its cases fell short. A name picks checks (card-data,
// browser); options go to vitest, written --name=value. RELIABILITY_SEED repeats a run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const results = join(here, '..', '..', 'test-artifacts', 'reliability');
rmSync(results, { recursive: true, force: true });

const started = Date.now();
// The browser checks load the extension from .output: build it from the sources being checked.
for (const browser of ['chrome', 'firefox']) {
  const build = spawnSync('npx', ['wxt', 'build', '-b', browser], { cwd: join(here, '..', '..'), encoding: 'utf8' });
  if (build.status !== 0) {
    console.log(`${build.stdout}${build.stderr}reliability: building the ${browser} extension failed`);
    process.exit(1);
  }
}
// A name given (e.g. card-data) picks the checks whose file starts with it; vitest would run
// every file matching any one filter, so the folder itself is only the filter when none is given.
const extra = process.argv.slice(2);
const picked = extra.filter((a) => !a.startsWith('-')).map((a) => (a.includes('/') ? a : `tests/reliability/${a}`));
const options = extra.filter((a) => a.startsWith('-'));
const run = spawnSync('npx', ['vitest', 'run', '--reporter=dot', ...(picked.length ? picked : ['tests/reliability/']), ...options], {
  cwd: join(here, '..', '..'),
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, RELIABILITY_SIZE: 'full' },
});

let checks = [];
try {
  checks = readdirSync(results)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')));
} catch {
  // No check wrote a result: vitest's own output says why.
}
console.log('');
for (const check of checks) console.log(check.line);
const held = checks.filter((c) => c.fellShort === 0 && c.tried > 0).length;
const short = checks.length - held;
console.log(`reliability: ${checks.length} checks, ${held} held, ${short} fell short (${Math.round((Date.now() - started) / 1000)} s)`);
if (run.status !== 0) console.log('vitest reported a failure: see its output above');
process.exit(short === 0 && checks.length > 0 && run.status === 0 ? 0 : 1);
