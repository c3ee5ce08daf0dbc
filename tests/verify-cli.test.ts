/**
 * `eid-bridge verify DIR` as a real process on raw files saved from virtual
 * cards: the identity it prints, the verdict and the exit status.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../devtools/virtual-card/virtual-card.js';
import { ensureCliBuilt, runCli } from './helpers/cli-process.js';
import { createGovernmentTestCard, createV11TestCard, type TestCard } from '../devtools/test-pki/card-files.js';
import { V11_PKI_OPTIONS } from '../devtools/test-pki/test-pki.js';

const FILES = ['4031', '4032', '4033', '4034', '4035', '503C'] as const;

/** Writes a test card's files as <id>.bin and its root as root.pem; returns the root's path. */
async function saveTestCard(card: TestCard, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [id, bytes] of Object.entries(card.files)) await writeFile(join(dir, `${id}.bin`), bytes);
  const rootFile = join(dir, 'root.pem');
  await writeFile(rootFile, card.pki.root.pem);
  return rootFile;
}

/** The index of the first byte of a text value with the given tag (one-byte lengths). */
function valueOffset(file: Uint8Array, tag: number): number {
  for (let pos = 0; pos < file.length; pos += 2 + file[pos + 1]!) if (file[pos] === tag) return pos + 2;
  throw new Error(`tag ${tag} not found`);
}

async function saveCard(card: VirtualBelpicCard, dir: string, name: (id: string) => string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const id of FILES) await writeFile(join(dir, name(id)), card.getFile(id));
}

describe('eid-bridge verify', () => {
  let tmp: string;
  let card17: VirtualBelpicCard;
  let card18: VirtualBelpicCard;
  let root17: string;
  let root18: string;

  beforeAll(async () => {
    ensureCliBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'eid-verify-'));
    [card17, card18] = await Promise.all([
      createVirtualCard({ profile: '1.7', person: { givenNames: 'Jan Pieter', surname: 'Janssens', nationalNumber: '85073000160' } }),
      createVirtualCard({ profile: '1.8', details: { language: 'fr' } }),
    ]);
    root17 = join(tmp, 'root17.pem');
    root18 = join(tmp, 'root18.pem');
    await writeFile(root17, card17.pki.root.pem);
    await writeFile(root18, card18.pki.root.pem);
    await saveCard(card17, join(tmp, 'card17'), (id) => `${id}.bin`);
    // The official viewer's naming, for the 1.8 card.
    await saveCard(card18, join(tmp, 'card18'), (id) => (id.startsWith('50') ? `3F00_DF00_${id}` : `3F00_DF01_${id}`));
  });

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('prints the identity and VERIFIED, exit 0, for a 1.7 card when its root is trusted', async () => {
    const r = await runCli(['verify', join(tmp, 'card17'), '--trust', root17]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Surname\s+Janssens/);
    expect(r.stdout).toMatch(/Given names\s+Jan Pieter/);
    expect(r.stdout).toMatch(/National number\s+85\.07\.30-001\.60/);
    expect(r.stdout).toMatch(/Sex\s+M \(male\)/);
    expect(r.stdout).toMatch(/Street and number\s+Kerkstraat 12/);
    expect(r.stdout).toMatch(/Verification: VERIFIED/);
    expect(r.stdout).toMatch(/Identity signature\s+valid \(SHA-256\)/);
    expect(r.stdout).toMatch(/RRN certificate\s+trusted \(RSA-2048/);
  });

  it('says NOT VERIFIED and exits 1 without the test root', async () => {
    const r = await runCli(['verify', join(tmp, 'card17')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Verification: NOT VERIFIED/);
    expect(r.stdout).toMatch(/RRN certificate\s+NOT TRUSTED/);
    expect(r.stdout).toMatch(/does not chain to a trusted root/);
  });

  it('takes the test root from EID_BRIDGE_TRUSTED_ROOTS', async () => {
    const r = await runCli(['verify', join(tmp, 'card17')], { EID_BRIDGE_TRUSTED_ROOTS: root17 });
    expect(r.status).toBe(0);
  });

  it('verifies a 1.8 card (P-384, French card) and prints JSON', async () => {
    const r = await runCli(['verify', join(tmp, 'card18'), '--json', '--trust', root18]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      identity: { birthDateOnCard: string; birthDate: string; sex: string };
      verification: { verified: boolean; signatureHash: string; rrnKeyType: string };
    };
    expect(out.verification).toMatchObject({ verified: true, signatureHash: 'SHA-384', rrnKeyType: 'EC P-384' });
    expect(out.identity).toMatchObject({ birthDateOnCard: '30 JUIL 1985', birthDate: '1985-07-30', sex: 'F' });
  });

  it('verifies a V1.1-style card (RSA-1024, SHA-1)', async () => {
    const dir = join(tmp, 'v11');
    const rootFile = await saveTestCard(await createV11TestCard(), dir);
    const r = await runCli(['verify', dir, '--trust', rootFile]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Verification: VERIFIED\n/);
    expect(r.stdout).not.toMatch(/Warnings:/);
    expect(r.stdout).toMatch(/Identity signature\s+valid \(SHA-1\)/);
    expect(r.stdout).toMatch(/RRN certificate\s+trusted \(RSA-1024/);
    expect(r.stdout).toMatch(/Born\s+30 JUIL 1985 \(1985-07-30\)/);
  });

  describe('a government test card ("test RRN" under "eID test Root CA")', () => {
    let card: TestCard;
    let dir: string;
    let rootFile: string;
    beforeAll(async () => {
      card = await createGovernmentTestCard();
      dir = join(tmp, 'test-card');
      rootFile = await saveTestCard(card, dir);
    });

    it('verifies, exit 0, with a warning that names the certificate', async () => {
      const r = await runCli(['verify', dir, '--trust', rootFile]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Verification: VERIFIED, with a warning/);
      expect(r.stdout).toMatch(/RRN certificate\s+trusted \(RSA-2048, issued by the trusted root CN=eID test Root CA/);
      expect(r.stdout).toMatch(/RRN subject\s+CN=test RRN, O=test RRN, C=BE/);
      expect(r.stdout).toMatch(/Warnings:\n {2}- The RRN certificate is named "CN=test RRN, O=test RRN, C=BE"/);
      expect(r.stdout).not.toMatch(/Problems:/);
    });

    it('puts the warning in the JSON result', async () => {
      const r = await runCli(['verify', dir, '--json', '--trust', rootFile]);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { verification: { verified: boolean; problems: string[]; warnings: string[] } };
      expect(out.verification.verified).toBe(true);
      expect(out.verification.problems).toEqual([]);
      expect(out.verification.warnings).toEqual([expect.stringMatching(/named "CN=test RRN, O=test RRN, C=BE"/)]);
    });

    it('verifies an old V1.1 test card (RSA-1024, SHA-1, zero-padded files) with the same warning', async () => {
      const old = join(tmp, 'test-card-v11');
      const oldRoot = await saveTestCard(await createGovernmentTestCard({ pki: V11_PKI_OPTIONS }), old);
      const r = await runCli(['verify', old, '--trust', oldRoot]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Identity signature\s+valid \(SHA-1\)/);
      expect(r.stdout).toMatch(/RRN certificate\s+trusted \(RSA-1024/);
      expect(r.stdout).toMatch(/Verification: VERIFIED, with a warning/);
    });

    it('is NOT VERIFIED without its root', async () => {
      const r = await runCli(['verify', dir]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/does not chain to a trusted root/);
    });

    it.each([
      ['4031', 'identity', /Identity signature\s+INVALID/, /identity data does not match its signature/],
      ['4032', 'identity signature', /Identity signature\s+INVALID/, /identity data does not match its signature/],
      ['4033', 'address', /Address signature\s+INVALID/, /address does not match its signature/],
      ['4034', 'address signature', /Address signature\s+INVALID/, /address does not match its signature/],
      ['4035', 'photo', /Photo\s+INVALID/, /photo does not match the photo hash/],
      ['503C', 'RRN certificate', /RRN certificate\s+NOT TRUSTED/, /does not chain to a trusted root/],
    ])('refuses a changed byte in %s (%s), exit 1', async (id, _name, line, reason) => {
      const changed = join(tmp, `test-card-changed-${id}`);
      await saveTestCard(card, changed);
      const bytes = card.files[id as keyof typeof card.files]!.slice();
      // A letter of the surname or street, a byte of a signature or the photo, a byte of the certificate's signature.
      const index =
        id === '4031' ? valueOffset(bytes, 0x07) : id === '4033' ? valueOffset(bytes, 0x01) : id === '503C' ? card.pki.rrn.der.length - 10 : 40;
      bytes[index] = bytes[index]! ^ 0x01;
      await writeFile(join(changed, `${id}.bin`), bytes);
      const r = await runCli(['verify', changed, '--trust', rootFile]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/Verification: NOT VERIFIED/);
      expect(r.stdout).toMatch(line);
      expect(r.stdout).toMatch(reason);
    });
  });

  it('refuses a citizen certificate offered as the RRN certificate, naming its Citizen CA', async () => {
    const pki = card17.pki;
    const dir = join(tmp, 'citizen-as-rrn');
    const authKey = createPrivateKey({ key: Buffer.from(pki.authentication.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    // The person signs identity data of their own making with their authentication key.
    const identity = card17.getFile('4031');
    const identitySignature = new Uint8Array(sign('sha256', identity, authKey));
    const address = card17.getFile('4033');
    const addressSignature = new Uint8Array(sign('sha256', Buffer.concat([address, identitySignature]), authKey));
    await mkdir(dir, { recursive: true });
    const files: Record<string, Uint8Array> = {
      '4031': identity,
      '4032': identitySignature,
      '4033': address,
      '4034': addressSignature,
      '4035': card17.getFile('4035'),
      '503C': pki.authentication.der,
      '503A': pki.citizenCa.der,
    };
    for (const [id, bytes] of Object.entries(files)) await writeFile(join(dir, `${id}.bin`), bytes);
    const r = await runCli(['verify', dir, '--trust', root17]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Verification: NOT VERIFIED/);
    expect(r.stdout).toMatch(/Identity signature\s+valid/);
    expect(r.stdout).toMatch(/RRN certificate\s+NOT TRUSTED/);
    expect(r.stdout).toMatch(/is not an RRN certificate: it is issued by the intermediate CA "[^"]*CN=Citizen CA/);
  });

  it('verifies the raw files of a read-identity result as a page receives it (address and photo not shared)', async () => {
    const rawFiles: Record<string, string> = {};
    for (const id of ['4031', '4032', '503C'] as const) rawFiles[id] = Buffer.from(card17.getFile(id)).toString('base64');
    const resultFile = join(tmp, 'result.json');
    // The verdict a page sends along is ignored: only the raw files count.
    await writeFile(resultFile, JSON.stringify({ rawFiles, verification: { verified: true } }));
    const trusted = await runCli(['verify', resultFile, '--trust', root17]);
    expect(trusted.status).toBe(0);
    expect(trusted.stdout).toMatch(/Surname\s+Janssens/);
    expect(trusted.stdout).not.toMatch(/Street and number/);
    expect((await runCli(['verify', resultFile])).status).toBe(1);

    await writeFile(resultFile, JSON.stringify({ rawFiles: { '4031': rawFiles['4031'] } }));
    const incomplete = await runCli(['verify', resultFile]);
    expect(incomplete.status).toBe(2);
    expect(incomplete.stderr).toMatch(/missing .*4032, 503C/);
  });

  it('does not accept the root of another card', async () => {
    const r = await runCli(['verify', join(tmp, 'card18'), '--trust', root17]);
    expect(r.status).toBe(1);
  });

  it('names a changed address and exits 1', async () => {
    const dir = join(tmp, 'tampered');
    await saveCard(card17, dir, (id) => id);
    const address = card17.getFile('4033');
    address[4] = address[4]! ^ 0x20; // a letter of the street changes case
    await writeFile(join(dir, '4033'), address);
    const r = await runCli(['verify', dir, '--trust', root17]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Address signature\s+INVALID/);
    expect(r.stdout).toMatch(/Identity signature\s+valid/);
    expect(r.stdout).toMatch(/address does not match its signature/);
  });

  it('exits 2 on missing files, a missing folder, no folder, and ambiguous files', async () => {
    const partial = join(tmp, 'partial');
    await saveCard(card17, partial, (id) => `${id}.bin`);
    await rm(join(partial, '4035.bin'));
    const missing = await runCli(['verify', partial]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing .*: 4035/);

    expect((await runCli(['verify', join(tmp, 'no-such-folder')])).status).toBe(2);
    expect((await runCli(['verify'])).status).toBe(2);

    const doubled = join(tmp, 'doubled');
    await saveCard(card17, doubled, (id) => `${id}.bin`);
    await writeFile(join(doubled, '4031'), card17.getFile('4031'));
    const ambiguous = await runCli(['verify', doubled]);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toMatch(/both file 4031/);
  });
});
