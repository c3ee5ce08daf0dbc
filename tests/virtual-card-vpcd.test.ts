/**
 * The virtual card behind the real vpcd reader driver in the real pcscd:
 * inserted, answering APDUs through PC/SC, and removed.
 * Uses "Virtual PCD 00 01" (TCP 35964); "Virtual PCD 00 00" is left to the
 * other tests and to a developer's running virtual card.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBelpicTlv, belpicTlvText } from '../shared/tlv.js';
import { createVirtualCard, encodePinBlock, type VirtualBelpicCard } from '../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../devtools/virtual-card/vpcd-client.js';

const READER = 'Virtual PCD 00 01';
const PORT = 35964;

interface Reader {
  name: string;
  SCARD_STATE_PRESENT: number;
  SCARD_SHARE_SHARED: number;
  SCARD_LEAVE_CARD: number;
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(options: { share_mode: number }, cb: (err: unknown, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, data: Buffer) => void): void;
  close(): void;
}
interface Pcsc {
  on(event: 'reader', listener: (reader: Reader) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): void;
}

const pcsclite = createRequire(import.meta.url)('pcsclite') as () => Pcsc;

/** Watches one reader's state through pcscd. */
class ReaderWatch {
  reader: Reader | undefined;
  present = false;
  atr: Buffer | undefined;
  private readonly waiters: Array<() => void> = [];
  private readonly pcsc = pcsclite();
  private closing = false;

  constructor(name: string) {
    // Closing the context cancels its pending status wait: that error is expected.
    this.pcsc.on('error', (e) => {
      if (!this.closing) console.error('pcsc error', e);
    });
    this.pcsc.on('reader', (reader) => {
      if (reader.name !== name) return;
      this.reader = reader;
      reader.on('error', (e) => console.error('reader error', e));
      reader.on('status', (status) => {
        this.present = (status.state & reader.SCARD_STATE_PRESENT) !== 0;
        this.atr = status.atr;
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): void {
    this.closing = true;
    this.pcsc.close();
  }
}

function connect(reader: Reader): Promise<number> {
  return new Promise((resolve, reject) => reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, protocol) => (err ? reject(err) : resolve(protocol))));
}

function transmit(reader: Reader, protocol: number, apdu: string | Buffer): Promise<Buffer> {
  const data = typeof apdu === 'string' ? Buffer.from(apdu, 'hex') : apdu;
  return new Promise((resolve, reject) => reader.transmit(data, 258, protocol, (err, response) => (err ? reject(err) : resolve(response))));
}

function disconnect(reader: Reader): Promise<void> {
  return new Promise((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => resolve()));
}

describe('virtual card in the vpcd reader of the real pcscd', () => {
  let card: VirtualBelpicCard;
  let connection: VpcdConnection | undefined;
  let watch: ReaderWatch;

  beforeAll(async () => {
    card = await createVirtualCard({ profile: '1.7' });
    watch = new ReaderWatch(READER);
  });

  afterAll(async () => {
    await connection?.close();
    watch?.close();
  });

  it('is seen inserted with its ATR, answers SELECT + READ BINARY and a signature with GET RESPONSE, and is seen removed', async () => {
    await watch.until(() => watch.reader !== undefined, 10_000, `reader "${READER}"`);
    connection = await connectToVpcd(card, { port: PORT, retryForMs: 10_000 });
    expect(connection.connected).toBe(true);
    await watch.until(() => watch.present, 10_000, 'the card to be inserted');
    expect(watch.atr?.toString('hex')).toBe(Buffer.from(card.atr).toString('hex'));

    const reader = watch.reader!;
    const protocol = await connect(reader);
    const before = card.apduCount;
    expect((await transmit(reader, protocol, '00A4080C063F00DF014031')).toString('hex')).toBe('9000');
    const identity = card.getFile('4031');
    const chunks: Buffer[] = [];
    for (let offset = 0; ; ) {
      let r = await transmit(reader, protocol, Buffer.from([0x00, 0xb0, offset >> 8, offset & 0xff, 0xfc]));
      const sw = r.subarray(-2);
      if (sw[0] === 0x6b) break;
      if (sw[0] === 0x6c) r = await transmit(reader, protocol, Buffer.from([0x00, 0xb0, offset >> 8, offset & 0xff, sw[1]!]));
      expect(r.subarray(-2).toString('hex')).toBe('9000');
      chunks.push(r.subarray(0, -2));
      offset += r.length - 2;
      if (r.length - 2 < 0xfc) break;
    }
    const read = Buffer.concat(chunks);
    expect(read.equals(Buffer.from(identity))).toBe(true);
    const surname = decodeBelpicTlv(read).find((e) => e.tag === 0x07)!;
    expect(belpicTlvText(surname.value)).toBe(card.pki.person.surname);
    expect(card.apduCount).toBeGreaterThan(before);

    // Signing through the reader: MSE SET, VERIFY, PSO → 61 00, GET RESPONSE → 256 bytes.
    expect((await transmit(reader, protocol, '002241B6050480088482')).toString('hex')).toBe('9000');
    expect((await transmit(reader, protocol, Buffer.concat([Buffer.from('0020000108', 'hex'), Buffer.from(encodePinBlock('1234'))]))).toString('hex')).toBe('9000');
    const challenge = Buffer.from('signed through pcscd');
    const digest = createHash('sha256').update(challenge).digest();
    expect((await transmit(reader, protocol, Buffer.concat([Buffer.from('002A9E9A20', 'hex'), digest]))).toString('hex')).toBe('6100');
    const response = await transmit(reader, protocol, '00C0000000');
    expect(response.subarray(-2).toString('hex')).toBe('9000');
    const authKey = createPublicKey({ key: Buffer.from(card.pki.authentication.certificate.publicKey.rawData), format: 'der', type: 'spki' });
    expect(verify('sha256', challenge, authKey, response.subarray(0, -2))).toBe(true);
    await disconnect(reader);

    await connection.remove();
    expect(connection.connected).toBe(false);
    await watch.until(() => !watch.present, 10_000, 'the card to be removed');

    await connection.insert();
    await watch.until(() => watch.present, 10_000, 'the card to be inserted again');
  });
});
