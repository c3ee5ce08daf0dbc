/**
 * `eid-bridge verify DIR` as a real process on raw files saved from virtual
 * cards: the identity it prints, the verdict and the exit status.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../devtools/virtual-card/virtual-card.js';
import { ensureCliBuilt, runCli } from './helpers/cli-process.js';
import { buildV11Card } from './helpers/v11-card.js';

const FILES = ['4031', '4032', '4033', '4034', '4035', '503C'] as const;

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
    const { files, pki } = await buildV11Card('sha1');
    const dir = join(tmp, 'v11');
    await mkdir(dir, { recursive: true });
    for (const [id, bytes] of Object.entries(files)) await writeFile(join(dir, `${id}.bin`), bytes);
    const rootFile = join(tmp, 'root-v11.pem');
    await writeFile(rootFile, pki.root.pem);
    const r = await runCli(['verify', dir, '--trust', rootFile]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Identity signature\s+valid \(SHA-1\)/);
    expect(r.stdout).toMatch(/RRN certificate\s+trusted \(RSA-1024/);
    expect(r.stdout).toMatch(/Born\s+30 JUIL 1985 \(1985-07-30\)/);
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
