/**
 * The host loop with a fake card backend (the real backends are tested
 * against pcscd and SoftHSM2 elsewhere): cancellation, one card operation at
 * a time, and answers that always carry the request's id.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import type { CardBackend, SignOperation, TokenCertificate } from './backends/card-backend.js';
import { EidBridgeError } from '../../shared/errors.js';
import { FrameDecoder, encodeFrame } from './framing.js';
import { runHost, type HostOptions } from './host.js';
import { silentLogger } from './logger.js';

const pki = await createTestPki({ keyType: 'ec' });

class SlowBackend implements CardBackend {
  readonly name = 'pkcs11' as const;
  readonly events: string[] = [];
  private readonly cert: TokenCertificate = {
    tokenId: 'pkcs11:fake',
    tokenLabel: 'fake',
    reader: 'fake reader',
    usage: 'authentication',
    der: pki.authentication.der,
    keyRef: '02',
  };
  async status() {
    return { name: this.name, available: true };
  }
  async readers() {
    return [{ name: 'fake reader', backend: this.name, cardPresent: true, pinPad: false, tokenId: 'pkcs11:fake' }];
  }
  async certificates() {
    return [this.cert];
  }
  /** Waits until cancelled, like a PIN-pad reader waiting for the person. */
  sign(op: SignOperation): Promise<Uint8Array> {
    this.events.push('sign started');
    return new Promise((_resolve, reject) => {
      op.signal?.addEventListener('abort', () => {
        this.events.push('sign aborted');
        reject(op.signal?.reason);
      });
    });
  }
  async close() {}
}

function startHost(backends: CardBackend | HostOptions['backends']) {
  const input = new PassThrough();
  const output = new PassThrough();
  const decoder = new FrameDecoder();
  const received: Array<Record<string, unknown>> = [];
  output.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) if (f.ok) received.push(f.message as Record<string, unknown>);
  });
  const done = runHost({ input, output, backends: 'name' in backends ? [backends] : backends, log: silentLogger });
  const send = (m: unknown) => input.write(encodeFrame(m));
  const waitFor = async (pred: (m: Record<string, unknown>) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = received.find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no such message; got ${JSON.stringify(received)}`);
  };
  return { input, send, waitFor, received, done };
}

const authArgs = { challengeNonce: 'N'.repeat(44), origin: 'https://www.belgium.be', pin: '1234' };

describe('host loop', () => {
  it('cancels a running request: it answers USER_CANCELLED and the card operation is aborted', async () => {
    const backend = new SlowBackend();
    const h = startHost(backend);
    h.send({ id: 'auth', command: 'authenticate', arguments: authArgs });
    // The first request of a host also waits for the command handlers, loaded after the version message.
    await vi.waitFor(() => expect(backend.events).toEqual(['sign started']), { timeout: 5000 });
    h.send({ id: 'c', command: 'cancel', arguments: { requestId: 'auth' } });
    expect(await h.waitFor((m) => m.id === 'c')).toEqual({ id: 'c', result: { cancelled: true } });
    expect(await h.waitFor((m) => m.id === 'auth')).toMatchObject({ error: { code: 'USER_CANCELLED' } });
    expect(backend.events).toEqual(['sign started', 'sign aborted']);
    h.input.end();
    await h.done;
  });

  it('runs card requests one at a time: a second waits, and is answered after the first', async () => {
    const backend = new SlowBackend();
    const h = startHost(backend);
    h.send({ id: 'first', command: 'authenticate', arguments: authArgs });
    h.send({ id: 'second', command: 'list-certificates', arguments: {} });
    await new Promise((r) => setTimeout(r, 100));
    // The second has not run while the first holds the card.
    expect(h.received.some((m) => m.id === 'second')).toBe(false);
    h.send({ id: 'c', command: 'cancel', arguments: { requestId: 'first' } });
    await h.waitFor((m) => m.id === 'second');
    const order = h.received.filter((m) => m.id === 'first' || m.id === 'second').map((m) => m.id);
    expect(order).toEqual(['first', 'second']);
    h.input.end();
    await h.done;
  });

  it('refuses a second request with the id of one still running', async () => {
    const backend = new SlowBackend();
    const h = startHost(backend);
    h.send({ id: 7, command: 'authenticate', arguments: authArgs });
    h.send({ id: 7, command: 'status', arguments: {} });
    expect(await h.waitFor((m) => m.id === 7)).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    h.send({ id: 'c', command: 'cancel', arguments: {} });
    await h.waitFor((m) => m.id === 7 && (m.error as { code: string }).code === 'USER_CANCELLED');
    h.input.end();
    await h.done;
  });

  it('answers version before its backends are ready, and a backend configuration that cannot be made fails card requests with its reason, not quit', async () => {
    const h = startHost(Promise.reject(new EidBridgeError('INVALID_ARGUMENT', 'Unknown card backends: nonsense (known: pcsc, pkcs11)')));
    expect(await h.waitFor(() => true)).toEqual({ version: expect.any(String) });
    h.send({ id: 's', command: 'status', arguments: {} });
    expect(await h.waitFor((m) => m.id === 's')).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/nonsense/) } });
    h.send({ id: 'q', command: 'quit', arguments: {} });
    expect(await h.waitFor((m) => m.id === 'q')).toEqual({ id: 'q', result: { quitting: true } });
    await h.done;
  });
});
