/** The real eid-bridge-host process, spoken to over its framed stdin/stdout as a browser does. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../shared/version.js';
import { HostProcess } from './helpers/host-process.js';

let host: HostProcess | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe('eid-bridge-host process', () => {
  it('announces its version first, then answers status', async () => {
    host = new HostProcess();
    expect(await host.next()).toEqual({ version: VERSION });
    const reply = await host.request('status', {}, 1);
    expect(reply.result).toMatchObject({ version: VERSION, backends: expect.any(Array), readers: expect.any(Array) });
  });

  it('answers malformed input with typed errors and keeps serving', async () => {
    host = new HostProcess();
    await host.next();
    const header = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n, 0);
      return b;
    };
    host.writeRaw(Buffer.concat([header(4), Buffer.from([0x22, 0xff, 0xfe, 0x22])])); // not UTF-8
    host.writeRaw(Buffer.concat([header(5), Buffer.from('{oops')])); // not JSON
    host.writeRaw(Buffer.concat([header(2 * 1024 * 1024), Buffer.alloc(2 * 1024 * 1024, 0x20)])); // oversized
    host.send({ id: 'x1', command: 'format-disk', arguments: {} });
    host.send({ id: 'x2', command: 'authenticate', arguments: { challengeNonce: 'short', origin: 'https://example.be' } });
    host.send({ id: 'x3', command: 'authenticate', arguments: { challengeNonce: 'A'.repeat(44), origin: 'http://example.be' } });
    host.send({ id: 'x4', command: 'sign', arguments: { certificate: 'AAAA', hash: 'AAAA', hashFunction: 'SHA-256' } });
    host.send({ command: 'status' });
    const errors = [];
    for (let i = 0; i < 8; i++) errors.push(await host.next());
    expect(errors.map((e) => [e.id, (e.error as { code: string }).code])).toEqual([
      [null, 'INVALID_MESSAGE'],
      [null, 'INVALID_MESSAGE'],
      [null, 'MESSAGE_TOO_LARGE'],
      ['x1', 'UNKNOWN_COMMAND'],
      ['x2', 'INVALID_ARGUMENT'],
      ['x3', 'CONTEXT_INSECURE'],
      ['x4', 'INVALID_ARGUMENT'],
      [null, 'INVALID_MESSAGE'],
    ]);
    // Still alive and well.
    expect((await host.request('status', {}, 'after')).result).toMatchObject({ version: VERSION });
  });

  it('never echoes a malformed PIN in its error', async () => {
    host = new HostProcess();
    await host.next();
    const reply = await host.request('authenticate', { challengeNonce: 'A'.repeat(44), origin: 'https://example.be', pin: '12ab5678' });
    expect(reply.error?.code).toBe('PIN_FORMAT');
    expect(JSON.stringify(reply)).not.toContain('12ab5678');
  });

  it('logs error codes but never a PIN, whatever the request carried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eid-host-log-'));
    const logFile = join(dir, 'host.log');
    try {
      host = new HostProcess({
        EID_BRIDGE_LOG_FILE: logFile,
        EID_BRIDGE_LOG_LEVEL: 'debug',
        EID_BRIDGE_BACKENDS: 'pkcs11',
        EID_BRIDGE_PKCS11_MODULE: join(dir, 'no-such-module.so'),
      });
      await host.next();
      // Valid, so the handler runs and fails on the missing module; then refused ones carrying PINs.
      const failed = await host.request('authenticate', { challengeNonce: 'A'.repeat(44), origin: 'https://example.be', pin: '482915' });
      const refused = await host.request('change-pin', { currentPin: '739104' });
      const badPin = await host.request('sign', { certificate: 'AAAA', hash: 'AAAA', hashFunction: 'SHA-256', pin: '5555x' });
      await host.request('quit', {}, 'q');
      await host.exited;
      const log = readFileSync(logFile, 'utf8');
      for (const reply of [failed, refused, badPin]) expect(log).toContain(`code="${reply.error?.code}"`);
      expect(log).not.toMatch(/482915|739104|5555x/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits on quit and when the browser closes the pipe', async () => {
    host = new HostProcess();
    await host.next();
    expect((await host.request('quit', {}, 'q')).result).toEqual({ quitting: true });
    expect(await host.exited).toBe(0);

    host = new HostProcess();
    await host.next();
    host.child.stdin.end();
    expect(await host.exited).toBe(0);
  });

  it('exits by itself after the idle period', async () => {
    host = new HostProcess({ EID_BRIDGE_HOST_IDLE_MS: '300' });
    await host.next();
    expect(await host.exited).toBe(0);
  });
});
