/**
 * The README's main job, headless, as CI and a person without a display run
 * it: a whole eID login with the virtual card, twice in a row, leaving
 * nothing running, and refusing to run twice at once; and the login via the
 * stand-in itsme provider.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers/host-process.js';

const ROOT = projectRoot();
const PORT = 18443;

function runDemo(browser = 'chromium', extraArgs: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/eid-bridge.mjs', 'demo', '--headless', '--browser', browser, '--port', String(PORT), ...extraArgs], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // A demo that hangs is a failure with its output, not a test timeout without one.
    const timer = setTimeout(() => child.kill('SIGINT'), 100_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Processes started from the demo's own folder (backend, virtual card, browser profile). */
function leftovers(): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes('.tmp/demo') && !l.includes('ps -eo'));
}

describe('eid-bridge demo --headless', () => {
  it('logs in with the virtual card, twice in a row, then in Firefox, and leaves nothing running', async () => {
    for (const [round, browser] of [[1, 'chromium'], [2, 'chromium'], [3, 'firefox']] as const) {
      const { code, output } = await runDemo(browser);
      expect(output, `round ${round}`).toContain('Logged in: Alice Marie Peeters');
      expect(output).toContain('national number   85.07.30-002.59');
      expect(output).toMatch(/digital key .*500/);
      expect(output).toContain('token algorithm   ES384');
      expect(code, output).toBe(0);
      expect(await portOpen(PORT)).toBe(false);
      expect(leftovers()).toEqual([]);
    }
  }, 180_000);

  it('--key itsme logs in through the stand-in provider and prints the person and the level', async () => {
    const { code, output } = await runDemo('chromium', ['--key', 'itsme']);
    expect(output).toContain('Logged in: Jan Janssens');
    expect(output).toContain('national number   85.07.30-001.60');
    expect(output).toMatch(/digital key .*itsme.*500/);
    expect(code, output).toBe(0);
    expect(await portOpen(PORT)).toBe(false);
    expect(leftovers()).toEqual([]);
  }, 120_000);

  it('says so when another demo is already running', async () => {
    const first = spawn(process.execPath, ['dist/eid-bridge.mjs', 'demo', '--headless', '--port', String(PORT)], { cwd: ROOT });
    let firstOutput = '';
    first.stdout.on('data', (c: Buffer) => (firstOutput += c.toString()));
    first.stderr.on('data', (c: Buffer) => (firstOutput += c.toString()));
    const firstExit = new Promise<number | null>((resolve) => first.on('exit', resolve));
    // Wait until the first run holds the lock (its first step has started).
    const deadline = Date.now() + 20_000;
    while (!firstOutput.includes('[1/') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = await runDemo();
    expect(second.code).toBe(1);
    expect(second.output).toContain('another demo is running');
    expect(await firstExit, firstOutput).toBe(0);
    expect(leftovers()).toEqual([]);
  }, 180_000);
});
