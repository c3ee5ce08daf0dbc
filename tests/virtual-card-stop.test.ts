/**
 * `eid-bridge virtual-card` (the built CLI, as a person runs it) ends within a
 * second of SIGTERM or SIGINT, also while another program holds the card
 * open through pcscd. Uses "Virtual PCD 00 01" (TCP 35964).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscContext, type CardConnection } from '../native-host/src/pcsc/pcsc.js';
import { CLI_BIN, ensureCliBuilt } from './helpers/cli-process.js';

const READER = 'Virtual PCD 00 01';
const PORT = 35964;

describe('eid-bridge virtual-card stops promptly', () => {
  let context: PcscContext;
  let pkiDir: string;

  beforeAll(async () => {
    ensureCliBuilt();
    context = await PcscContext.open();
    if (context.reader(READER)?.cardPresent) {
      context.close();
      throw new Error(`"${READER}" already holds a card from another program (port ${PORT} is taken)`);
    }
    pkiDir = mkdtempSync(join(tmpdir(), 'eid-bridge-stop-'));
  });

  afterAll(() => {
    context?.close();
    if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
  });

  /** Starts the card and resolves once it says it is in the reader. */
  function start(): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, [CLI_BIN, 'virtual-card', '--reader-port', String(PORT), '--pki-dir', pkiDir], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the virtual card did not start: ${output}`)), 30_000);
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Virtual Belgian eID card in reader')) {
          clearTimeout(timer);
          resolve({ child, output: () => output });
        }
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.on('exit', () => reject(new Error(`the virtual card ended early: ${output}`)));
    });
  }

  function exitTime(child: ChildProcess, signal: NodeJS.Signals): Promise<{ ms: number; code: number | null }> {
    return new Promise((resolve) => {
      const sent = performance.now();
      child.once('exit', (code) => resolve({ ms: performance.now() - sent, code }));
      child.kill(signal);
    });
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`ends within 1 s of ${signal} while another program holds the card`, async () => {
      const { child, output } = await start();
      let held: CardConnection | undefined;
      try {
        await context.waitForCard(READER, 10_000);
        held = await context.connect(READER, { access: 'exclusive' });
        // The other program is using the card right now.
        expect((await held.transmit(Uint8Array.of(0x80, 0xe4, 0x00, 0x00, 0x1c))).length).toBe(30);
        const { ms, code } = await exitTime(child, signal);
        expect(ms, output()).toBeLessThan(1000);
        expect(code).toBe(0);
        expect(output()).toContain('virtual card stopped');
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await held?.disconnect().catch(() => undefined);
      }
      const deadline = Date.now() + 5000;
      while (context.reader(READER)?.cardPresent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(context.reader(READER)?.cardPresent).toBe(false);
    });
  }
});
