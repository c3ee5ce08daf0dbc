/**
 * `eid-bridge sign-pdf` and `eid-bridge verify-pdf` as real processes: the
 * virtual card in the vpcd reader of the real pcscd signs through the host's
 * PC/SC backend, and the result is checked by pdfsig (Debian poppler-utils,
 * the test root trusted in an NSS database) and by verify-pdf.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractPdf, nssDatabaseTrusting, pdfsig } from '../backend/tests/signing-helpers.js';
import { CLI_BIN, ensureCliBuilt, runCli } from './helpers/cli-process.js';
import { CARD_PIN, insertVirtualCard, VPCD_PORT, type TestCard } from './e2e/helpers/card.js';

const VPCD_READER = `Virtual PCD 00 0${VPCD_PORT - 35963}`;

/**
 * Until pcscd no longer lists a card in `reader`: the next profile's card
 * goes into the same reader, and sign-pdf must not meet the previous one.
 */
async function untilNoCardIn(reader: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const run = await runCli(['status', '--json'], { EID_BRIDGE_BACKENDS: 'pcsc' });
    const status = JSON.parse(run.stdout || '{"readers":[]}') as { readers: Array<{ name: string; cardPresent: boolean }> };
    if (!status.readers.some((r) => r.name === reader && r.cardPresent)) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`pcscd keeps listing a card in "${reader}"`);
}

describe.each(['1.8', '1.7'] as const)('signing a PDF from the command line with a virtual %s card', (profile) => {
  let tmp: string;
  let card: TestCard;
  let rootFile: string;
  /** sign-pdf's --trust (the test root and the test Citizen CA, which no built-in list has) and --reader. */
  let trustArgs: string[];
  let env: NodeJS.ProcessEnv;
  let signedPath: string;

  beforeAll(async () => {
    ensureCliBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'eid-sign-pdf-'));
    card = await insertVirtualCard(profile);
    rootFile = join(tmp, 'root.pem');
    await writeFile(rootFile, card.card.pki.root.pem);
    await writeFile(join(tmp, 'citizen-ca.pem'), card.card.pki.citizenCa.pem);
    // The reader named: a card in the other vpcd reader (another test's) is not this one.
    trustArgs = ['--trust', rootFile, '--trust', join(tmp, 'citizen-ca.pem'), '--reader', VPCD_READER];
    await writeFile(join(tmp, 'volmacht.pdf'), await contractPdf());
    // The host's PC/SC backend, whatever this machine's host configuration says.
    env = { EID_BRIDGE_BACKENDS: 'pcsc', EID_BRIDGE_CONFIG: join(tmp, 'no-host.json') };
    signedPath = join(tmp, 'volmacht-signed.pdf');
  }, 60_000);
  afterAll(async () => {
    await card?.close();
    await untilNoCardIn(VPCD_READER);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('signs with the PIN given, and pdfsig reports the signature valid, by the card holder, with a trusted certificate', async () => {
    const run = await runCli(['sign-pdf', join(tmp, 'volmacht.pdf'), signedPath, '--pin', CARD_PIN, ...trustArgs], env, 60_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(CARD_PIN);
    const { givenNames, surname } = card.card.pki.person;
    const report = await pdfsig(signedPath, await nssDatabaseTrusting(card.card.pki, join(tmp, 'nss')));
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain(`Signer Certificate Common Name: ${givenNames} ${surname} (Signature)`);
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('Total document signed');
  });

  it('verify-pdf names the signer and exits 0', async () => {
    const run = await runCli(['verify-pdf', signedPath, '--trust', rootFile], env);
    expect(run.status).toBe(0);
    const { givenNames, surname, nationalNumber } = card.card.pki.person;
    expect(run.stdout).toContain('Signature 1 of 1 (Signature1): VALID');
    expect(run.stdout).toContain(`Signed by:  ${givenNames.split(' ')[0]}`);
    expect(run.stdout).toContain(surname);
    expect(run.stdout).toContain(`national number ${nationalNumber}`);
    expect(run.stdout).toContain('Covers:     the whole document');
    expect(run.stdout).toContain('Revocation: not checked');
  });

  it('verify-pdf does not trust a test card without its root, and exits 1', async () => {
    const run = await runCli(['verify-pdf', signedPath], env);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('the certificate does not chain to a trusted root');
  });

  it('signing the signed PDF again keeps the first signature valid', async () => {
    const twice = join(tmp, 'volmacht-signed-twice.pdf');
    const sign = await runCli(['sign-pdf', signedPath, twice, '--pin', CARD_PIN, ...trustArgs], env, 60_000);
    expect(sign.status).toBe(0);
    const run = await runCli(['verify-pdf', twice, '--trust', rootFile], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('every signature is valid');
    expect(run.stdout).toContain('Signature 1 of 2');
    expect(run.stdout).toContain('later additions are only signatures or validation data');
    expect((await pdfsig(twice, join(tmp, 'nss'))).match(/Signature is Valid\./g)).toHaveLength(2);
  });

  it('after one byte of the signed content changes, verify-pdf exits 1 and pdfsig reports the signature invalid', async () => {
    const changed = Buffer.from(await readFile(signedPath));
    // The document title "Volmacht" (UTF-16 hex in the Info dictionary, before /Contents) becomes "Wolmacht".
    const title = '/Title <FEFF0056';
    const at = changed.indexOf(title);
    expect(at).toBeGreaterThan(0);
    changed[at + title.length - 1] = '7'.charCodeAt(0);
    const changedPath = join(tmp, 'changed.pdf');
    await writeFile(changedPath, changed);
    const run = await runCli(['verify-pdf', changedPath, '--trust', rootFile], env);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('NOT VALID');
    expect(run.stdout).toContain('the document was changed after signing');
    const report = await pdfsig(changedPath, join(tmp, 'nss'));
    expect(report).not.toContain('Signature is Valid.');
    expect(report).toContain('Signature Validation: Digest Mismatch.');
  });

  it('asks the PIN on the terminal without showing it', async () => {
    const out = join(tmp, 'signed-at-terminal.pdf');
    const args = ['sign-pdf', join(tmp, 'volmacht.pdf'), out, ...trustArgs];
    // util-linux script gives the command a terminal (a pseudo-terminal) that the test types into.
    const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a}'`).join(' ');
    const terminal = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, EID_BRIDGE_TRUSTED_ROOTS: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const exited = new Promise<number | null>((resolve) => terminal.on('close', resolve));
    const asked = new Promise<boolean>((resolve) => {
      terminal.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (screen.includes('PIN of the card (not shown): ')) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    expect(await asked, screen).toBe(true);
    terminal.stdin.write(`${CARD_PIN}\r`);
    expect(await exited, screen).toBe(0);
    expect(screen).toContain(`written to ${out}`);
    expect(screen).not.toContain(CARD_PIN);
    expect((await pdfsig(out, join(tmp, 'nss'))).match(/Signature is Valid\./g)).toHaveLength(1);
  });

  it('with a wrong PIN signs nothing, writes nothing, and never prints the PIN', async () => {
    const out = join(tmp, 'not-signed.pdf');
    const run = await runCli(['sign-pdf', join(tmp, 'volmacht.pdf'), out, '--pin', '9999', ...trustArgs], env, 60_000);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Nothing was signed.');
    expect(run.stdout + run.stderr).not.toContain('9999');
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    // The right PIN afterwards resets the counter: the card is not left one try closer to blocking.
    expect((await runCli(['sign-pdf', join(tmp, 'volmacht.pdf'), out, '--pin', CARD_PIN, ...trustArgs], env, 60_000)).status).toBe(0);
  });
});

describe('usage', () => {
  beforeAll(() => ensureCliBuilt());

  it('verify-pdf and sign-pdf exit 2 for a missing file or argument', async () => {
    expect((await runCli(['verify-pdf'])).status).toBe(2);
    expect((await runCli(['verify-pdf', '/nonexistent/file.pdf'])).status).toBe(2);
    expect((await runCli(['sign-pdf', '/nonexistent/file.pdf'])).status).toBe(2);
  });
});
