#!/usr/bin/env node
// npm run reliability: runs every check in this folder at its full count
// (the same tests the suite runs small) and prints one line per check, then
//   reliability: N checks, N held, N fell short
// A check held when none of its cases fell short. A name picks checks (card-data,
// browser); options go to vitest, written --name=value. RELIABILITY_SEED repeats a run.
//
// The checks run in two lanes at once, each lane one file after another:
// - computation: generated input through code in this process or a host of its
//   own (no card service, browser or shared port); they keep one core busy.
// - machine: the checks that use pcscd and the virtual reader, browsers,
//   PostgreSQL or timed process faults; they mostly wait for pcscd's polling,
//   a browser or a restart, and must not share the reader with each other.
// Side by side they use both cores of a small machine instead of one.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

const here = import.meta.dirname;
const root = join(here, '..', '..');
const results = join(root, 'test-artifacts', 'reliability');
rmSync(results, { recursive: true, force: true });

/** Checks that touch nothing machine-wide: safe to run beside the machine lane. */
const COMPUTATION = new Set(['card-data', 'card-responses', 'native-messages', 'backend-input']);

// A name given (e.g. card-data) picks the checks whose file starts with it.
const extra = process.argv.slice(2);
const names = extra.filter((a) => !a.startsWith('-'));
const options = extra.filter((a) => a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => names.length === 0 || names.some((n) => f.startsWith(basename(n).replace(/\.test\.ts$/, ''))));
if (files.length === 0) {
  console.log(`reliability: no check file starts with ${names.join(' or ')}`);
  process.exit(1);
}
const lanes = {
  computation: files.filter((f) => COMPUTATION.has(f.replace(/\.test\.ts$/, ''))),
  machine: files.filter((f) => !COMPUTATION.has(f.replace(/\.test\.ts$/, ''))),
};

const started = Date.now();
// The browser checks load the extension from .output: build it from the sources being checked.
for (const browser of ['chrome', 'firefox']) {
  const build = spawnSync('npx', ['wxt', 'build', '-b', browser], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) {
    console.log(`${build.stdout}${build.stderr}reliability: building the ${browser} extension failed`);
    process.exit(1);
  }
}

/** Runs one lane's files in one vitest, its output lines prefixed with the lane's name. */
function runLane(name, laneFiles) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--reporter=dot', ...laneFiles.map((f) => `tests/reliability/${f}`), ...options], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RELIABILITY_SIZE: 'full' },
    });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop();
        for (const line of lines) if (line.trim()) console.log(`[${name}] ${line}`);
      });
      stream.on('end', () => pending.trim() && console.log(`[${name}] ${pending}`));
    }
    child.on('close', (code) => resolve(code));
  });
}

const running = Object.entries(lanes).filter(([, laneFiles]) => laneFiles.length > 0);
for (const [name, laneFiles] of running) console.log(`[${name}] ${laneFiles.join(', ')}`);
const codes = await Promise.all(running.map(([name, laneFiles]) => runLane(name, laneFiles)));

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
const failed = codes.some((code) => code !== 0);
if (failed) console.log('vitest reported a failure: see its output above');
process.exit(short === 0 && checks.length > 0 && !failed ? 0 : 1);
