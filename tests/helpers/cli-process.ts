/**
 * Runs the built eid-bridge CLI (dist/eid-bridge.mjs) as a real process, the
 * way a person types it, and collects its exit status and output.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
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

/**
 * `eid-bridge backend <args>` as a long-running process: resolves with its
 * address once it prints "listening on"; the caller ends it.
 */
export async function startBackendProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI_BIN, 'backend', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the backend did not start')), 30_000);
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code}`)));
    lines.on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { child, url };
}

/** How a process ended, once it has. */
export function processExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}
