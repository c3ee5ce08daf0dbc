/**
 * Reading and verifying a card's identity end to end: the virtual card in the
 * vpcd reader "Virtual PCD 00 01" (TCP 35964) of the real pcscd, read by the
 * host's read-identity command over the real PC/SC backend, and by the
 * `eid-bridge read-identity` CLI as a process; its saved files verified again
 * with `eid-bridge verify`.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReadIdentityResult } from '../shared/identity.js';
import { PcscBackend } from '../native-host/src/backends/pcsc-backend.js';
import { BelpicCardCache } from '../native-host/src/belpic/certificate-cache.js';
import { readIdentity } from '../native-host/src/commands/read-identity.js';
import { standaloneContext, type CommandContext } from '../native-host/src/commands/command.js';
import { silentLogger } from '../native-host/src/logger.js';
import { PcscContext } from '../native-host/src/pcsc/pcsc.js';
import { createVirtualCard, type VirtualBelpicCard } from '../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../devtools/virtual-card/vpcd-client.js';
import { ensureCliBuilt, runCli } from './helpers/cli-process.js';
import { HostProcess } from './helpers/host-process.js';

const READER = 'Virtual PCD 00 01';
const PORT = 35964;

/**
 * vpcd serves one card per reader: when another emulator (a developer's, or
 * another test run on this machine) holds the reader, wait for it to leave
 * rather than read someone else's card.
 */
let readerTakenOver = false;
let closing = false;

async function connectOwnCard(card: VirtualBelpicCard): Promise<VpcdConnection> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    let busy = false;
    let ready = false;
    const connection = await connectToVpcd(card, {
      port: PORT,
      retryForMs: 10_000,
      onEvent: (event) => {
        if (event.type === 'reader-busy') busy = true;
        // Disconnected without our asking: vpcd gave the reader to another card.
        if (event.type === 'disconnected' && ready && !closing) readerTakenOver = true;
      },
    });
    ready = true;
    if (!busy) return connection;
    await connection.close();
    if (Date.now() > deadline) throw new Error(`another card keeps holding "${READER}"`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('read-identity over pcscd with the virtual 1.8 card', () => {
  let tmp: string;
  let rootFile: string;
  let card: VirtualBelpicCard;
  let vpcd: VpcdConnection | undefined;
  let context: PcscContext | undefined;
  let backend: PcscBackend;
  let ctx: CommandContext;
  const savedEnv = process.env.EID_BRIDGE_TRUSTED_ROOTS;

  beforeAll(async () => {
    ensureCliBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'eid-read-identity-'));
    card = await createVirtualCard({ profile: '1.8', details: { language: 'de', streetAndNumber: 'Hauptstraße 5', postalCode: '4700', municipality: 'Eupen' } });
    rootFile = join(tmp, 'root.pem');
    await writeFile(rootFile, card.pki.root.pem);
    // The host reads its extra roots from the environment, once.
    process.env.EID_BRIDGE_TRUSTED_ROOTS = rootFile;
    vpcd = await connectOwnCard(card);
    context = await PcscContext.open();
    await context.waitForCard(READER, 10_000);
    const opened = context;
    backend = new PcscBackend({ openContext: async () => opened, readerFilter: (name) => name === READER, cache: new BelpicCardCache() });
    ctx = standaloneContext([backend], silentLogger);
  }, 120_000);

  afterEach(() => {
    // A failure then says why: the reader served another card for a while.
    if (readerTakenOver) throw new Error(`another virtual card took "${READER}" during this test (another test run on this machine?)`);
  });

  afterAll(async () => {
    closing = true;
    if (savedEnv === undefined) delete process.env.EID_BRIDGE_TRUSTED_ROOTS;
    else process.env.EID_BRIDGE_TRUSTED_ROOTS = savedEnv;
    await vpcd?.close();
    await backend?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('host command: identity and address, verified, no photo unless asked', async () => {
    const result = await readIdentity({ includePhoto: false, includeAddress: true, reader: READER }, ctx);
    expect(result.identity).toMatchObject({ surname: 'Peeters', firstNames: 'Alice Marie', nationalNumber: '85073000259', sex: 'F', birthDate: '1985-07-30' });
    expect(result.identity.birthDateOnCard).toBe('30.JUL.1985');
    expect(result.address).toEqual({ streetAndNumber: 'Hauptstraße 5', postalCode: '4700', municipality: 'Eupen' });
    expect(result.verification).toMatchObject({ verified: true, identitySignature: 'valid', addressSignature: 'valid', rrnCertificate: 'trusted', basicKeyHash: 'valid' });
    expect(result.verification.photoHash).toBe('not-checked');
    expect(result.photo).toBeUndefined();
    expect(Object.keys(result.rawFiles).sort()).toEqual(['4031', '4032', '4033', '4034', '4040', '503C']);
    expect(result.virtual).toBe(true);
    expect(result.cardType).toMatch(/1\.8/);
  });

  it('host command: the photo when asked, and no address (not even raw) when declined', async () => {
    const result = await readIdentity({ includePhoto: true, includeAddress: false, reader: READER }, ctx);
    expect(result.address).toBeUndefined();
    expect(result.rawFiles['4033']).toBeUndefined();
    expect(result.rawFiles['4034']).toBeUndefined();
    const photo = Buffer.from(result.photo!, 'base64');
    expect(photo.subarray(0, 2).toString('hex')).toBe('ffd8'); // JPEG
    expect(result.verification.photoHash).toBe('valid');
    expect(result.verification.verified).toBe(true);
  });

  it('host process: the framed read-identity request answers identity, photo and a verified verdict', async () => {
    const host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pcsc', EID_BRIDGE_TRUSTED_ROOTS: rootFile, EID_BRIDGE_CONFIG: join(tmp, 'no-host.json') });
    try {
      expect(await host.next()).toHaveProperty('version');
      const withPhoto = await host.request('read-identity', { reader: READER, includePhoto: true }, 'r1');
      expect(withPhoto.error).toBeUndefined();
      const result = withPhoto.result as unknown as ReadIdentityResult;
      expect(result.identity.nationalNumberFormatted).toBe('85.07.30-002.59');
      expect(result.address?.municipality).toBe('Eupen');
      expect(result.verification).toMatchObject({ verified: true, photoHash: 'valid', rrnCertificate: 'trusted' });
      expect(Buffer.from(result.photo!, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8');

      const noAddress = await host.request('read-identity', { reader: READER, includeAddress: false }, 'r2');
      const second = noAddress.result as unknown as ReadIdentityResult;
      expect(second.address).toBeUndefined();
      expect(second.photo).toBeUndefined();
      expect(Object.keys(second.rawFiles).sort()).toEqual(['4031', '4032', '4040', '503C']);
    } finally {
      await host.close();
    }
  });

  it('host process: without the test root configured the same card is not verified', async () => {
    const host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pcsc', EID_BRIDGE_TRUSTED_ROOTS: '', EID_BRIDGE_CONFIG: join(tmp, 'no-host.json') });
    try {
      await host.next();
      const reply = await host.request('read-identity', { reader: READER }, 'r3');
      const result = reply.result as unknown as ReadIdentityResult;
      expect(result.verification.verified).toBe(false);
      expect(result.verification.rrnCertificate).toBe('untrusted');
      expect(result.verification.identitySignature).toBe('valid');
    } finally {
      await host.close();
    }
  });

  it('CLI: prints, writes the photo, saves raw files that `verify` accepts; exit 0 with the root trusted', async () => {
    const saveDir = join(tmp, 'saved');
    const photoFile = join(tmp, 'photo.jpg');
    const r = await runCli(['read-identity', '--reader', READER, '--trust', rootFile, '--save', saveDir, '--photo', photoFile]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Surname\s+Peeters/);
    expect(r.stdout).toMatch(/Street and number\s+Hauptstraße 5/);
    expect(r.stdout).toMatch(/Verification: VERIFIED/);
    expect(r.stdout).toMatch(/Photo\s+valid/);
    expect(r.stdout).toMatch(/virtual card/);
    expect((await readFile(photoFile)).subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await readdir(saveDir)).sort()).toEqual(['4031.bin', '4032.bin', '4033.bin', '4034.bin', '4035.bin', '4040.bin', '503C.bin']);

    const verified = await runCli(['verify', saveDir, '--trust', rootFile]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/Basic key \(1\.8\)\s+valid/);
    expect((await runCli(['verify', saveDir])).status).toBe(1);
  });

  it('CLI: NOT VERIFIED and exit 1 without the test root; JSON says why', async () => {
    const r = await runCli(['read-identity', '--reader', READER, '--json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as ReadIdentityResult & { reader: string };
    expect(out.reader).toBe(READER);
    expect(out.verification.verified).toBe(false);
    expect(out.verification.identitySignature).toBe('valid');
    expect(out.verification.rrnCertificate).toBe('untrusted');
    expect(out.photo).toBeUndefined();
  });

  it('CLI: a card whose address was changed is reported, exit 1', async () => {
    const original = card.getFile('4033');
    const changed = original.slice();
    changed[2] = 0x4e; // "Hauptstraße" becomes "Nauptstraße"
    card.setFile('4033', changed);
    try {
      const r = await runCli(['read-identity', '--reader', READER, '--trust', rootFile]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/Street and number\s+Nauptstraße 5/);
      expect(r.stdout).toMatch(/Address signature\s+INVALID/);
      expect(r.stdout).toMatch(/Verification: NOT VERIFIED/);
    } finally {
      card.setFile('4033', original);
    }
  });

  it('CLI: exit 1 with a clear message when the reader does not exist', async () => {
    const r = await runCli(['read-identity', '--reader', 'No Such Reader 99']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/eid-bridge read-identity: .*No Such Reader 99/);
  });
});
