/**
 * The 'pcsc' backend against the real pcscd with the vpcd virtual reader
 * "Virtual PCD 00 00" (TCP 35963) and the virtual BELPIC card plugged into it.
 * The tests on "Virtual PCD 00 01" belong to the virtual card's own tests.
 */
import { execFileSync } from 'node:child_process';
import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
// The esbuild options of the project's own bins (scripts/build.mjs).
import nodeBundle from '../scripts/node-bundle.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscBackend } from '../native-host/src/backends/pcsc-backend.js';
import type { TokenCertificate } from '../native-host/src/backends/card-backend.js';
import { BelpicCardCache } from '../native-host/src/belpic/certificate-cache.js';
import { PcscContext } from '../native-host/src/pcsc/pcsc.js';
import { createVirtualCard, type VirtualBelpicCard } from '../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdCard, type VpcdConnection } from '../devtools/virtual-card/vpcd-client.js';

const READER = 'Virtual PCD 00 00';
const PORT = 35963;
const pin = () => Buffer.from('1234', 'ascii');

/** The card as vpcd sees it, logging each command's INS byte and letting a test act on a command. */
class ObservedCard implements VpcdCard {
  readonly log: number[] = [];
  onCommand: ((apdu: Uint8Array) => void) | undefined;
  constructor(readonly card: VirtualBelpicCard) {}
  get atr() {
    return this.card.atr;
  }
  reset() {
    this.card.reset();
  }
  transmit(apdu: Uint8Array): Uint8Array {
    this.log.push(apdu[1]!);
    this.onCommand?.(apdu);
    return this.card.transmit(apdu);
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** vpcd serves one card per port: with another program's card in the reader ours would never arrive. */
function assertReaderFree(context: PcscContext): void {
  if (context.reader(READER)?.cardPresent) {
    context.close();
    throw new Error(`"${READER}" already holds a card from another program (port ${PORT} is taken)`);
  }
}

describe('PcscBackend over pcscd and vpcd', () => {
  let card: ObservedCard;
  let vpcd: VpcdConnection;
  let context: PcscContext;
  let backend: PcscBackend;

  beforeAll(async () => {
    context = await PcscContext.open();
    // vpcd serves one card per port: with another program's card in the reader ours would never arrive.
    assertReaderFree(context);
    card = new ObservedCard(await createVirtualCard({ profile: '1.8', pin: '1234' }));
    vpcd = await connectToVpcd(card, { port: PORT, retryForMs: 10_000 });
    await context.waitForCard(READER, 10_000);
    backend = new PcscBackend({ openContext: async () => context, readerFilter: (name) => name === READER, cache: new BelpicCardCache() });
  });

  afterAll(async () => {
    await vpcd?.close();
    // Leave the reader empty for the next tests, as pcscd sees it.
    await until(() => context?.reader(READER)?.cardPresent === false, 5000).catch(() => undefined);
    await backend?.close();
    context?.close();
  });

  async function insert(): Promise<void> {
    await vpcd.insert();
    await context.waitForCard(READER, 5000);
  }

  async function remove(): Promise<void> {
    await vpcd.remove();
    await until(() => context.reader(READER)?.cardPresent === false, 5000);
  }

  it('reports the service available and the virtual card in the reader', async () => {
    expect(await backend.status()).toEqual({ name: 'pcsc', available: true });
    const [reader] = await backend.readers();
    expect(reader).toMatchObject({
      name: READER,
      backend: 'pcsc',
      cardPresent: true,
      cardType: 'eID (applet 1.8)',
      tokenLabel: 'BELPIC',
      tokenId: expect.stringMatching(/^pcsc:[0-9A-F]{32}$/),
      pinTriesLeft: 3,
      pinPad: false,
      virtual: true,
    });
  });

  it('lists both certificates and signs with each key; the signatures verify', async () => {
    const certificates = await backend.certificates();
    expect(certificates.map((c) => c.usage)).toEqual(['authentication', 'signing']);
    expect(Buffer.from(certificates[0]!.der)).toEqual(Buffer.from(card.card.pki.authentication.der));
    for (const certificate of certificates) {
      const digest = createHash('sha384').update(`login ${certificate.usage}`).digest();
      const signature = await backend.sign({ certificate, digest, digestAlgorithm: 'SHA-384', pin: pin() });
      const key = new X509Certificate(certificate.der).publicKey;
      expect(verifySignature('sha384', Buffer.from(`login ${certificate.usage}`), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    }
  });

  it('leaves no verified PIN behind: another application cannot sign without the PIN afterwards', async () => {
    const [certificate] = await backend.certificates();
    await backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() });
    const answer = await context.withCard(READER, async (connection) => {
      await connection.transmit(Uint8Array.from(Buffer.from('002241B6050480028482', 'hex')));
      return connection.transmit(Uint8Array.of(0x00, 0x2a, 0x9e, 0x9a, 0x30, ...new Uint8Array(48)));
    });
    expect(Buffer.from(answer).toString('hex')).toBe('6982');
  });

  it('reads the certificates from the card once; the next listing sends no READ BINARY', async () => {
    await backend.certificates();
    card.log.length = 0;
    await backend.certificates();
    expect(card.log).not.toContain(0xb0);
    expect(card.log.length).toBeGreaterThan(0);
  });

  it('a wrong PIN reports the tries left, and the status shows them', async () => {
    const [certificate] = await backend.certificates();
    const wrong = Buffer.from('9999', 'ascii');
    await expect(
      backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: wrong }),
    ).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
    expect(await backend.pinTriesLeft(READER)).toBe(2);
    expect((await backend.readers())[0]?.pinTriesLeft).toBe(2);
    await backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() });
    expect(await backend.pinTriesLeft()).toBe(3);
  });

  it('changes the PIN; a wrong current PIN changes nothing', async () => {
    const ascii = (text: string) => Buffer.from(text, 'ascii');
    await expect(backend.changePin({ currentPin: ascii('0000'), newPin: ascii('5678') })).rejects.toMatchObject({
      code: 'PIN_INCORRECT',
      details: { triesLeft: 2 },
    });
    await backend.changePin({ reader: READER, currentPin: ascii('1234'), newPin: ascii('5678') });
    expect(card.card.pinTriesLeft()).toBe(3);
    const [certificate] = await backend.certificates();
    await expect(
      backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: ascii('1234') }),
    ).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    await backend.changePin({ currentPin: ascii('5678'), newPin: ascii('1234') });
    await backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: ascii('1234') });
    await expect(backend.changePin({ currentPin: undefined, newPin: undefined })).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
  });

  it('serves two concurrent sign requests one after the other', async () => {
    const certificates = await backend.certificates();
    const signing = certificates.find((c) => c.usage === 'signing')!;
    card.log.length = 0;
    const digests = [createHash('sha384').update('one').digest(), createHash('sha384').update('two').digest()];
    const signatures = await Promise.all(
      digests.map((digest) => backend.sign({ certificate: signing, digest, digestAlgorithm: 'SHA-384', pin: pin() })),
    );
    const key = new X509Certificate(signing.der).publicKey;
    expect(verifySignature('sha384', Buffer.from('one'), { key, dsaEncoding: 'ieee-p1363' }, signatures[0]!)).toBe(true);
    expect(verifySignature('sha384', Buffer.from('two'), { key, dsaEncoding: 'ieee-p1363' }, signatures[1]!)).toBe(true);
    // MSE SET, VERIFY, PSO, GET RESPONSE — twice, never interleaved. The listing just before
    // checked the card (GET CARD DATA) and no card was inserted since; a reset, not LOG OFF, clears the PIN.
    const one = [0x22, 0x20, 0x2a, 0xc0];
    expect(card.log).toEqual([...one, ...one]);
  });

  it('a status query does not wait for a reader busy with a long request (a PIN typed on a pad)', async () => {
    const before = (await backend.readers())[0]!;
    const busy = await context.connect(READER);
    try {
      const started = Date.now();
      const [reader] = await backend.readers();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(reader).toMatchObject({ cardPresent: true, tokenId: before.tokenId, cardType: 'eID (applet 1.8)' });
    } finally {
      await busy.disconnect();
    }
  });

  it('holds the card alone during an operation, waiting briefly for another program that holds it', async () => {
    // A second PC/SC context is another program as far as pcscd is concerned.
    const other = await PcscContext.open();
    try {
      const [certificate] = await backend.certificates();
      const held = await other.connect(READER, { access: 'exclusive' });
      // While we sign, the other program cannot get in between our commands.
      const signing = backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() });
      await new Promise((r) => setTimeout(r, 300));
      await held.disconnect();
      await signing;
      // The other program asks for the card as soon as our signature has begun (MSE SET), and
      // the card takes its time over the signature itself (PSO), as a real chip does: held
      // alone, the card lets the other program in only after our signature is done.
      let attempt: Promise<number> | undefined;
      card.onCommand = (apdu) => {
        if (apdu[1] === 0x22 && !attempt) attempt = other.connect(READER, { timeoutMs: 3000 }).then((c) => c.disconnect().then(() => performance.now()));
        if (apdu[1] === 0x2a) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      };
      let signedAt: number;
      try {
        await backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() });
        signedAt = performance.now();
      } finally {
        card.onCommand = undefined;
      }
      expect(attempt).toBeDefined();
      expect(await attempt!).toBeGreaterThan(signedAt);
      // A program that keeps the card open in shared mode: we settle for shared access and still work.
      const open = await other.connect(READER);
      try {
        const started = Date.now();
        await backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() });
        expect(Date.now() - started).toBeLessThan(4000);
      } finally {
        await open.disconnect();
      }
    } finally {
      other.close();
    }
  });

  it('reads the identity files', async () => {
    const result = await backend.readIdentityFiles(undefined, { photo: true });
    expect(result).toMatchObject({ reader: READER, cardType: 'eID (applet 1.8)', virtual: true });
    expect(Object.keys(result.files).sort()).toEqual(['4031', '4032', '4033', '4034', '4035', '4040', '503C']);
    expect(Buffer.from(result.files['503C']!)).toEqual(Buffer.from(card.card.pki.rrn.der));
  });

  it('a card pulled out in the middle of a read fails with CARD_REMOVED within 2 s', async () => {
    let removedAt = 0;
    let reads = 0;
    card.onCommand = (apdu) => {
      if (apdu[1] === 0xb0 && ++reads === 3) {
        removedAt = Date.now();
        setImmediate(() => void vpcd.remove());
      }
    };
    try {
      await expect(backend.readIdentityFiles(READER, { photo: true })).rejects.toMatchObject({ code: 'CARD_REMOVED' });
      expect(removedAt).toBeGreaterThan(0);
      expect(Date.now() - removedAt).toBeLessThan(2000);
    } finally {
      card.onCommand = undefined;
    }
    await until(() => context.reader(READER)?.cardPresent === false, 5000);
    await insert();
    // The reader works again after the card is back.
    expect((await backend.readers())[0]?.cardType).toBe('eID (applet 1.8)');
  });

  it('a sign request for a card that was removed fails with a clear error, and no card means NO_CARD', async () => {
    const [certificate] = await backend.certificates();
    await remove();
    try {
      await expect(backend.certificates()).rejects.toMatchObject({ code: 'NO_CARD' });
      await expect(backend.readIdentityFiles()).rejects.toMatchObject({ code: 'NO_CARD' });
      await expect(
        backend.sign({ certificate: certificate!, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() }),
      ).rejects.toMatchObject({ code: 'NO_CARD' });
      const [reader] = await backend.readers();
      expect(reader).toMatchObject({ name: READER, cardPresent: false });
      expect(reader?.tokenId).toBeUndefined();
    } finally {
      await insert();
    }
  });

  it('another card in the reader is not signed with by mistake', async () => {
    const [certificate] = await backend.certificates();
    const other = await createVirtualCard({ profile: '1.8', pki: card.card.pki });
    await remove();
    const swapped = await connectToVpcd(other, { port: PORT, retryForMs: 5000 });
    try {
      await until(() => context.reader(READER)?.cardPresent === true, 5000);
      // Same PKI but another chip serial: not the token the certificate was listed from.
      const forged: TokenCertificate = { ...certificate!, tokenId: 'pcsc:00000000000000000000000000000000' };
      await expect(backend.sign({ certificate: forged, digest: new Uint8Array(48), digestAlgorithm: 'SHA-384', pin: pin() })).rejects.toMatchObject({
        code: 'CARD_REMOVED',
      });
      expect(other.pinTriesLeft()).toBe(3);
    } finally {
      await swapped.close();
      await until(() => context.reader(READER)?.cardPresent === false, 5000);
      await insert();
    }
  });
});

describe('cards that are not what they seem', () => {
  it('a card that is not a Belgian eID is listed as unsupported, with its ATR in the error', async () => {
    const atr = Uint8Array.from(Buffer.from('3B8F8001804F0CA000000306030001000000006A', 'hex'));
    const foreign: VpcdCard = { atr, reset: () => undefined, transmit: () => Uint8Array.of(0x6d, 0x00) };
    const context = await PcscContext.open();
    assertReaderFree(context);
    const vpcd = await connectToVpcd(foreign, { port: PORT, retryForMs: 10_000 });
    const backend = new PcscBackend({ openContext: async () => context, readerFilter: (name) => name === READER });
    try {
      await until(() => Buffer.from(context.reader(READER)?.atr ?? []).equals(Buffer.from(atr)), 10_000);
      expect((await backend.readers())[0]).toMatchObject({ name: READER, cardPresent: true, cardType: 'unsupported card' });
      await expect(backend.certificates()).rejects.toMatchObject({ code: 'UNSUPPORTED_CARD', details: { atr: '3B8F8001804F0CA000000306030001000000006A' } });
    } finally {
      await vpcd.close();
      await until(() => context.reader(READER)?.cardPresent === false, 5000).catch(() => undefined);
      await backend.close();
    }
  });

  it('a card that stops answering makes the exchange fail with TIMEOUT, not hang', async () => {
    // A minimal vpcd card that gives its ATR and then never answers an APDU.
    const atr = Buffer.from('3B7F96000080318065B085040120120FFF829000', 'hex');
    const context = await PcscContext.open();
    assertReaderFree(context);
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => socket.once('error', reject).connect(PORT, '127.0.0.1', () => resolve()));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      // Frames: 2-byte length + payload, possibly split over TCP reads. Only the
      // control byte 04 (get ATR) is answered.
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        if (length === 1 && pending[2] === 0x04) {
          const reply = Buffer.alloc(2 + atr.length);
          reply.writeUInt16BE(atr.length, 0);
          atr.copy(reply, 2);
          socket.write(reply);
        }
        pending = pending.subarray(2 + length);
      }
    });
    try {
      await until(() => Buffer.from(context.reader(READER)?.atr ?? []).equals(atr), 10_000);
      const started = Date.now();
      await expect(
        context.withCard(READER, (connection) => connection.transmit(Uint8Array.of(0x80, 0xe4, 0x00, 0x00, 0x1c), { timeoutMs: 1000 })),
      ).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      socket.destroy();
      await until(() => context.reader(READER)?.cardPresent === false, 5000).catch(() => undefined);
      context.close();
    }
  });
});

describe('PcscBackend without a PC/SC service', () => {
  it('reports PCSC_UNAVAILABLE with a hint, and does not crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eid-pcsc-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(
        entry,
        `import { PcscBackend } from ${JSON.stringify(resolve('native-host/src/backends/pcsc-backend.ts'))};
const backend = new PcscBackend();
const status = await backend.status();
let error;
try { await backend.certificates(); } catch (e) { error = { code: e.code, hint: e.details?.hint }; }
await backend.close();
process.stdout.write(JSON.stringify({ status, error }));`,
      );
      const out = join(dir, 'entry.mjs');
      await build({ ...(nodeBundle as BuildOptions), entryPoints: [entry], outfile: out, logLevel: 'silent', nodePaths: [resolve('node_modules')] });
      // libpcsclite finds pcscd through this socket; a path with nothing behind it is "service not running".
      const stdout = execFileSync(process.execPath, [out], {
        cwd: process.cwd(),
        env: { ...process.env, PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd.sock'), NODE_PATH: resolve('node_modules') },
        timeout: 15_000,
      }).toString();
      const result = JSON.parse(stdout) as { status: { available: boolean; reason: string; detail: string }; error: { code: string; hint: string } };
      expect(result.status).toMatchObject({ name: 'pcsc', available: false, reason: 'PCSC_UNAVAILABLE' });
      expect(result.status.detail).toMatch(/pcscd/);
      expect(result.error.code).toBe('PCSC_UNAVAILABLE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
