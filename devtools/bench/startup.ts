/**
 * Start-up of the packaged host (the single executable the release ships)
 * against plain node: spawn → the first frame, what a browser waits for on
 * first use. Issue 13's yardstick: the packaged host answers its version in
 * no more time than `node -e` needs to write one frame. The two are started
 * in turn, many times, and compared by their medians: on a busy machine a
 * single run of either says little. Then the warm status round trip of the
 * packaged host.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHostExecutable } from '../../scripts/release/host-executable.mjs';
import { VERSION } from '../../shared/version.js';
import { HostProcess, projectRoot } from '../../tests/helpers/host-process.js';
import { statusRoundTrips } from './host.js';
import { median, ms, percentile, row } from './stats.js';

const ROUNDS = 21;

/** Plain node writing one frame as the host's first message is written: length, then the JSON. */
const ONE_FRAME = `const body = Buffer.from(JSON.stringify({ version: ${JSON.stringify(VERSION)} }));
const header = Buffer.alloc(4);
header.writeUInt32LE(body.length);
process.stdout.write(Buffer.concat([header, body]));`;

/** Milliseconds from spawning `command` to the first bytes on its stdout. */
async function firstFrameMs(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('error', reject);
  });
  const elapsed = performance.now() - started;
  child.stdin.end();
  await exited;
  return elapsed;
}

export async function benchStartup(): Promise<void> {
  console.log('\nPackaged host start-up (single executable application, as released)');
  const work = mkdtempSync(join(tmpdir(), 'eid-bridge-bench-'));
  const cwd = process.cwd();
  try {
    process.chdir(projectRoot());
    const built = performance.now();
    const { host } = await buildHostExecutable({ release: work, staging: work, version: VERSION });
    process.chdir(cwd);
    row('build (bundle, code cache, inject)', ms(performance.now() - built));

    // As a browser starts it: its own environment only, no node needed on PATH.
    const hostEnv = { PATH: '/usr/bin:/bin', EID_BRIDGE_HOST_IDLE_MS: '0' };
    const packaged: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      packaged.push(await firstFrameMs(host, ['chrome-extension://bench/'], hostEnv));
      bare.push(await firstFrameMs(process.execPath, ['-e', ONE_FRAME], { PATH: process.env.PATH }));
    }
    row(`packaged host, spawn → version (median of ${ROUNDS})`, ms(median(packaged)));
    row('packaged host, spawn → version p90', ms(percentile(packaged, 90)));
    row(`node -e writing one frame (median of ${ROUNDS})`, ms(median(bare)));
    row('ratio packaged host / node (goal ≤ 1.00)', (median(packaged) / median(bare)).toFixed(2));

    const warm = new HostProcess({}, { executable: host, cwd: work, env: hostEnv });
    try {
      await warm.next();
      await warm.request('status', {}, 'first');
      row('packaged host, warm status round trip (median of 200)', ms(median(await statusRoundTrips(warm, 200))));
    } finally {
      await warm.close();
    }
  } finally {
    process.chdir(cwd);
    rmSync(work, { recursive: true, force: true });
  }
}
