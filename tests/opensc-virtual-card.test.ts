/**
 * The virtual card read and used by eID software nobody here wrote: OpenSC's
 * pkcs15-tool and its PKCS#11 module (through pkcs11-tool), over the real
 * pcscd and vpcd, with openssl checking the signatures. Uses "Virtual PCD 00 01"
 * (TCP 35964), like the virtual card's own vpcd test.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../shared/bytes.js';
import { INS, PKCS15_OBJECTS } from '../shared/belpic/card-constants.js';
import { PcscContext } from '../native-host/src/pcsc/pcsc.js';
import { createVirtualCard, type VirtualBelpicCard, type VirtualCardProfile } from '../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../devtools/virtual-card/vpcd-client.js';

const READER = 'Virtual PCD 00 01';
const PORT = 35964;
const OPENSC_PKCS11 = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const PIN = '1234';

interface Run {
  code: number;
  output: string;
}

/** Runs a tool without blocking this process: the card it talks to answers from here. */
function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const pkcs15Tool = (...args: string[]) => run('pkcs15-tool', ['--reader', READER, ...args]);
const pkcs11Tool = (...args: string[]) => run('pkcs11-tool', ['--module', OPENSC_PKCS11, '--slot-description', READER, ...args]);

/** The labels of the objects of one kind in `pkcs11-tool -O` output ("Certificate Object", "Private Key Object"). */
function labelsOf(listing: string, kind: string): string[] {
  const labels: string[] = [];
  let inKind = false;
  for (const line of listing.split('\n')) {
    if (/^\S/.test(line)) inKind = line.startsWith(kind);
    const label = /^\s+label:\s+(.*)$/.exec(line);
    if (inKind && label) labels.push(label[1]!.trim());
  }
  return labels;
}

describe('OpenSC reads the virtual card and signs with it, over pcscd and vpcd', () => {
  let context: PcscContext;
  let dir: string;

  beforeAll(async () => {
    context = await PcscContext.open();
    if (context.reader(READER)?.cardPresent) {
      context.close();
      throw new Error(`"${READER}" already holds a card from another program (port ${PORT} is taken)`);
    }
    dir = mkdtempSync(join(tmpdir(), 'eid-bridge-opensc-'));
  });

  afterAll(() => {
    context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Puts a card of this profile in the reader for the duration of `body`. */
  async function withCard(profile: VirtualCardProfile, body: (card: VirtualBelpicCard) => Promise<void>): Promise<void> {
    const card = await createVirtualCard({ profile, pin: PIN });
    const vpcd: VpcdConnection = await connectToVpcd(card, { port: PORT, retryForMs: 10_000 });
    try {
      await context.waitForCard(READER, 10_000);
      await body(card);
    } finally {
      await vpcd.close();
      const deadline = Date.now() + 5000;
      while (context.reader(READER)?.cardPresent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Reads a certificate through the module and writes its public key as PEM for openssl. */
  async function publicKeyThroughModule(id: number): Promise<string> {
    const der = join(dir, `cert-${id}.der`);
    const read = await pkcs11Tool('--read-object', '--type', 'cert', '--id', id.toString(16).padStart(2, '0'), '--output-file', der);
    expect(read.code, read.output).toBe(0);
    const pem = join(dir, `key-${id}.pem`);
    const extracted = await run('openssl', ['x509', '-inform', 'der', '-in', der, '-pubkey', '-noout', '-out', pem]);
    expect(extracted.code, extracted.output).toBe(0);
    return pem;
  }

  /** A wrong PIN through the module: refused, one try spent, and the card's own answer says how many are left. */
  async function wrongPinSpendsATry(card: VirtualBelpicCard): Promise<void> {
    const answers: string[] = [];
    card.onTransmit = (command, response) => {
      if (command[1] === INS.VERIFY && command.length > 5) answers.push(bytesToHex(response.subarray(-2)));
    };
    const wrong = await pkcs11Tool('--login', '--pin', '9999', '--list-objects');
    card.onTransmit = undefined;
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain('CKR_PIN_INCORRECT');
    expect(answers).toEqual(['63C2']);
    expect(card.pinTriesLeft()).toBe(2);
    // The right PIN afterwards works and gives the tries back.
    const right = await pkcs11Tool('--login', '--pin', PIN, '--list-objects', '--type', 'privkey');
    expect(right.code, right.output).toBe(0);
    expect(card.pinTriesLeft()).toBe(3);
  }

  it('1.7 (RSA-2048): pkcs15-tool lists the PIN, both keys and all certificates; the module signs RSA PKCS#1 v1.5 SHA-256 and openssl verifies', async () => {
    await withCard('1.7', async (card) => {
      const dump = await pkcs15Tool('--dump');
      expect(dump.code, dump.output).toBe(0);
      expect(dump.output).toContain('PKCS#15 Card [BELPIC]');
      expect(dump.output).toContain('PIN [Basic PIN]');
      expect(dump.output).toMatch(/Private RSA Key \[Authentication\][^]*?ModLength\s+: 2048[^]*?Key ref\s+: 130 \(0x82\)/);
      expect(dump.output).toMatch(/Private RSA Key \[Signature\][^]*?ModLength\s+: 2048[^]*?Key ref\s+: 131 \(0x83\)/);
      for (const label of ['Authentication', 'Signature', 'CA', 'Root']) expect(dump.output).toContain(`X.509 Certificate [${label}]`);

      const listing = await pkcs11Tool('--list-objects', '--type', 'cert');
      expect(listing.code, listing.output).toBe(0);
      expect(labelsOf(listing.output, 'Certificate Object')).toEqual(expect.arrayContaining(['Authentication', 'Signature', 'CA', 'Root']));

      const data = join(dir, 'data-17.txt');
      writeFileSync(data, 'signed through OpenSC');
      const signature = join(dir, 'sig-17.bin');
      const id = PKCS15_OBJECTS.authentication.id.toString(16).padStart(2, '0');
      const signed = await pkcs11Tool('--login', '--pin', PIN, '--sign', '--id', id, '--mechanism', 'SHA256-RSA-PKCS', '--input-file', data, '--output-file', signature);
      expect(signed.code, signed.output).toBe(0);
      expect(readFileSync(signature).length).toBe(256);
      const key = await publicKeyThroughModule(PKCS15_OBJECTS.authentication.id);
      const verified = await run('openssl', ['dgst', '-sha256', '-verify', key, '-signature', signature, data]);
      expect(verified.output).toContain('Verified OK');

      await wrongPinSpendsATry(card);
    });
  });

  it('1.8 (EC P-384): pkcs15-tool lists the PIN, both EC keys and all certificates; the module logs in and signs ECDSA over a SHA-384 hash where its BELPIC driver signs EC', async () => {
    await withCard('1.8', async (card) => {
      const dump = await pkcs15Tool('--dump');
      expect(dump.code, dump.output).toBe(0);
      expect(dump.output).toContain('PIN [Basic PIN]');
      expect(dump.output).toMatch(/Private EC Key \[Authentication\][^]*?FieldLength\s+: 384[^]*?Key ref\s+: 130 \(0x82\)/);
      expect(dump.output).toMatch(/Private EC Key \[Signature\][^]*?FieldLength\s+: 384[^]*?Key ref\s+: 131 \(0x83\)/);
      for (const label of ['Authentication', 'Signature', 'CA', 'Root']) expect(dump.output).toContain(`X.509 Certificate [${label}]`);

      const listing = await pkcs11Tool('--login', '--pin', PIN, '--list-objects');
      expect(listing.code, listing.output).toBe(0);
      expect(labelsOf(listing.output, 'Certificate Object')).toEqual(expect.arrayContaining(['Authentication', 'Signature', 'CA', 'Root']));
      expect(labelsOf(listing.output, 'Private Key Object')).toEqual(['Authentication', 'Signature']);
      expect(listing.output).toMatch(/Private Key Object; EC/);

      const message = Buffer.from('signed through OpenSC');
      const data = join(dir, 'data-18.txt');
      writeFileSync(data, message);
      const hash = join(dir, 'hash-18.bin');
      writeFileSync(hash, createHash('sha384').update(message).digest());
      const signature = join(dir, 'sig-18.der');
      const id = PKCS15_OBJECTS.authentication.id.toString(16).padStart(2, '0');
      const mechanisms = await pkcs11Tool('--list-mechanisms');
      const signed = await pkcs11Tool('--login', '--pin', PIN, '--sign', '--id', id, '--mechanism', 'ECDSA', '--signature-format', 'openssl', '--input-file', hash, '--output-file', signature);
      if (/^\s+ECDSA,/m.test(mechanisms.output)) {
        expect(signed.code, signed.output).toBe(0);
        const key = await publicKeyThroughModule(PKCS15_OBJECTS.authentication.id);
        const verified = await run('openssl', ['dgst', '-sha384', '-verify', key, '-signature', signature, data]);
        expect(verified.output).toContain('Verified OK');
      } else {
        // OpenSC before 0.26 (Debian 12 has 0.23) registers RSA for every BELPIC applet from 1.7 up, so its
        // module offers no ECDSA for a 1.8 card, real or virtual (docs/card.md, "Which software works").
        expect(mechanisms.output).toMatch(/RSA-PKCS/);
        expect(signed.output).toContain('CKR_MECHANISM_INVALID');
      }

      await wrongPinSpendsATry(card);
    });
  });

  it('Kids-ID: no Signature key and no Signature certificate', async () => {
    await withCard('kids', async () => {
      const dump = await pkcs15Tool('--dump');
      expect(dump.code, dump.output).toBe(0);
      expect(dump.output).toContain('Private RSA Key [Authentication]');
      expect(dump.output).not.toContain('[Signature]');
      for (const label of ['Authentication', 'CA', 'Root']) expect(dump.output).toContain(`X.509 Certificate [${label}]`);
      const listing = await pkcs11Tool('--login', '--pin', PIN, '--list-objects');
      expect(listing.code, listing.output).toBe(0);
      expect(labelsOf(listing.output, 'Certificate Object')).not.toContain('Signature');
      expect(labelsOf(listing.output, 'Private Key Object')).toEqual(['Authentication']);
    });
  });
});
