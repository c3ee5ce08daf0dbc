/**
 * The vpcd wire protocol against a stand-in vpcd (a local TCP server), for the
 * cases the real pcscd cannot be made to produce on demand: vpcd not up yet,
 * frames split across TCP packets, vpcd going away. The real reader is
 * exercised in tests/virtual-card-vpcd.test.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isEidBridgeError } from '../../shared/errors.js';
import { connectToVpcd, type VpcdCard, type VpcdEvent } from './vpcd-client.js';

/** The fake vpcd listens on 127.0.0.1: a host other than the link address, so no test here touches the machine's routes. */
const FAKE_VPCD_HOST = '127.0.0.1';

class RecordingCard implements VpcdCard {
  readonly atr = Uint8Array.from([0x3b, 0x01, 0x02]);
  resets = 0;
  apdus: string[] = [];
  transmit(apdu: Uint8Array): Uint8Array {
    this.apdus.push(Buffer.from(apdu).toString('hex'));
    return Uint8Array.from([...apdu.subarray(0, 2), 0x90, 0x00]);
  }
  reset(): void {
    this.resets += 1;
  }
}

/** A stand-in vpcd: accepts one card connection and exchanges frames with it. */
class FakeVpcd {
  server: Server | undefined;
  socket: Socket | undefined;
  private received = Buffer.alloc(0);
  private readonly connections: Array<() => void> = [];

  /** Real vpcd powers a new card on at once; a silent one plays a reader held by another card. */
  constructor(private readonly silent = false) {}

  async listen(port = 0): Promise<number> {
    this.server = createServer((socket) => {
      this.socket = socket;
      this.received = Buffer.alloc(0);
      if (!this.silent) socket.write(Buffer.from([0x00, 0x01, 0x01]));
      socket.on('data', (d) => {
        this.received = Buffer.concat([this.received, d]);
      });
      for (const wake of this.connections.splice(0)) wake();
    });
    await new Promise<void>((resolve) => this.server!.listen(port, FAKE_VPCD_HOST, resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  connected(): Promise<void> {
    return this.socket && !this.socket.destroyed ? Promise.resolve() : new Promise((resolve) => this.connections.push(resolve));
  }

  send(bytes: number[]): void {
    this.socket!.write(Buffer.from(bytes));
  }

  /** The next reply frame from the card. */
  async reply(): Promise<string> {
    const deadline = Date.now() + 3000;
    for (;;) {
      if (this.received.length >= 2) {
        const length = this.received.readUInt16BE(0);
        if (this.received.length >= 2 + length) {
          const payload = this.received.subarray(2, 2 + length).toString('hex');
          this.received = this.received.subarray(2 + length);
          return payload;
        }
      }
      if (Date.now() > deadline) throw new Error('no reply');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = undefined;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

async function freePort(): Promise<number> {
  const probe = new FakeVpcd();
  const port = await probe.listen();
  await probe.close();
  return port;
}

describe('vpcd client', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('answers control bytes and APDUs, also when frames arrive split or several at once', async () => {
    const vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    cleanups.push(() => vpcd.close());
    const card = new RecordingCard();
    const connection = await connectToVpcd(card, { host: FAKE_VPCD_HOST, port });
    cleanups.push(() => connection.close());
    await vpcd.connected();
    const resetsAfterConnect = card.resets;
    expect(resetsAfterConnect).toBe(2); // connecting, then vpcd's power on
    vpcd.send([0x00, 0x01, 0x04]); // get ATR
    expect(await vpcd.reply()).toBe('3b0102');
    vpcd.send([0x00, 0x01, 0x01, 0x00, 0x01, 0x02]); // power on, reset: no reply
    vpcd.send([0x00, 0x05, 0x00, 0xa4]); // an APDU in two pieces
    await new Promise((r) => setTimeout(r, 20));
    vpcd.send([0x08, 0x0c, 0x00]);
    expect(await vpcd.reply()).toBe('00a49000');
    expect(card.resets).toBe(resetsAfterConnect + 2);
    expect(card.apdus).toEqual(['00a4080c00']);
  });

  it('waits for vpcd to come up, and gives up with NO_READER when it never does', async () => {
    const port = await freePort();
    const vpcd = new FakeVpcd();
    cleanups.push(() => vpcd.close());
    const events: VpcdEvent['type'][] = [];
    const pending = connectToVpcd(new RecordingCard(), { host: FAKE_VPCD_HOST, port, onEvent: (e) => events.push(e.type) });
    await new Promise((r) => setTimeout(r, 400));
    await vpcd.listen(port);
    const connection = await pending;
    cleanups.push(() => connection.close());
    expect(connection.connected).toBe(true);
    expect(events).toContain('retrying');
    expect(events.at(-1)).toBe('connected');

    const unused = await freePort();
    const started = Date.now();
    const error = await connectToVpcd(new RecordingCard(), { host: FAKE_VPCD_HOST, port: unused, retryForMs: 500 }).catch((e: unknown) => e);
    expect(isEidBridgeError(error, 'NO_READER')).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('tells when vpcd does not talk to the card (another card holds the reader)', async () => {
    const vpcd = new FakeVpcd(true);
    const port = await vpcd.listen();
    cleanups.push(() => vpcd.close());
    const events: VpcdEvent['type'][] = [];
    const started = Date.now();
    const connection = await connectToVpcd(new RecordingCard(), { host: FAKE_VPCD_HOST, port, readyTimeoutMs: 300, onEvent: (e) => events.push(e.type) });
    cleanups.push(() => connection.close());
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(events).toEqual(['connected', 'reader-busy']);
    expect(connection.connected).toBe(true);
  });

  it('reconnects when vpcd drops the connection, and stays out after remove()', async () => {
    const vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    cleanups.push(() => vpcd.close());
    const connection = await connectToVpcd(new RecordingCard(), { host: FAKE_VPCD_HOST, port });
    cleanups.push(() => connection.close());
    await vpcd.connected();
    const first = vpcd.socket!;
    first.destroy(); // vpcd side closes (pcscd restarted)
    await new Promise((r) => setTimeout(r, 50));
    await vpcd.connected();
    expect(vpcd.socket).not.toBe(first);
    await new Promise((r) => setTimeout(r, 50));
    expect(connection.connected).toBe(true);

    await connection.remove();
    expect(connection.connected).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(vpcd.socket!.destroyed || vpcd.socket!.readableEnded).toBe(true);
    await connection.insert();
    expect(connection.connected).toBe(true);
  });
});
