/**
 * Runs the built eid-bridge CLI (dist/eid-bridge.mjs) as a real process, the
 * way a person types it, and collects its exit status and output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './host-process.js';

export const CLI_BIN = join(projectRoot(), 'dist/eid-bridge.mjs');

/** `npm test` builds before the tests; a single test file run on its own builds when the bin is missing. */
export function ensureCliBuilt(): void {
  if (existsSync(CLI_BIN)) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--node-only'], { cwd: projectRoot(), stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing and "npm run build:node" failed`);
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: { ...process.env, EID_BRIDGE_TRUSTED_ROOTS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`eid-bridge ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
