import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractSignature } from '@signpdf/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { finishPdfSignature, PdfSigningError, preparePdfSignature, type PreparedPdfSignature } from './pades.js';
import { contractPdf, nssDatabaseTrusting, pdfsig, signAsTheCard as cardSignature } from '../tests/signing-helpers.js';

const run = promisify(execFile);

/** The card's signature over what prepare asks it to sign. */
function signAsTheCard(pki: TestPki, prepared: PreparedPdfSignature): Uint8Array {
  return cardSignature(pki, prepared.hashToSign, prepared.hashAlgorithm);
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eid-bridge-pades-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe.each([
  { profile: '1.7 (RSA-2048)', keyType: 'rsa' as const, hashAlgorithm: 'SHA-256', hashLength: 32 },
  { profile: '1.8 (EC P-384)', keyType: 'ec' as const, hashAlgorithm: 'SHA-384', hashLength: 48 },
])('PAdES B-B with a $profile card', ({ keyType, hashAlgorithm, hashLength }) => {
  let pki: TestPki;
  let prepared: PreparedPdfSignature;
  let signedPath: string;

  beforeAll(async () => {
    pki = await createTestPki({ keyType, person: { givenNames: 'Anna', surname: 'Janssens' } });
    prepared = await preparePdfSignature({
      pdf: await contractPdf(),
      signerCertificate: pki.signing!.der,
      chain: [pki.citizenCa.der, pki.root.der],
      signingTime: new Date('2026-12-07T10:00:00Z'),
      reason: 'Volmacht',
    });
    signedPath = join(workDir, `signed-${keyType}.pdf`);
    await writeFile(signedPath, await finishPdfSignature(prepared.pending, signAsTheCard(pki, prepared)));
  });

  it(`asks the card to sign a ${hashAlgorithm} hash`, () => {
    expect(prepared.hashAlgorithm).toBe(hashAlgorithm);
    expect(prepared.hashToSign).toHaveLength(hashLength);
  });

  it('is reported valid by pdfsig, with the signer named', async () => {
    const report = await pdfsig(signedPath);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signer Certificate Common Name: Anna Janssens (Signature)');
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
  });

  it('is reported valid and trusted by pdfsig when its NSS database trusts the test root', async () => {
    const report = await pdfsig(signedPath, await nssDatabaseTrusting(pki, join(workDir, `nss-${keyType}`)));
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
  });

  it("verifies with OpenSSL's CMS verifier, with the test root as the trust anchor", async () => {
    const { signature, signedData } = extractSignature(await readFile(signedPath));
    const cmsPath = join(workDir, `contents-${keyType}.der`);
    const contentPath = join(workDir, `signed-ranges-${keyType}.bin`);
    const rootPath = join(workDir, `root-${keyType}.pem`);
    await writeFile(cmsPath, Buffer.from(signature as string, 'binary'));
    await writeFile(contentPath, signedData as Buffer);
    await writeFile(rootPath, pki.root.pem);
    const { stderr } = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-CAfile', rootPath, '-purpose', 'any', '-out', '/dev/null']);
    expect(stderr).toContain('Verification successful');
  });

  it('is reported invalid by pdfsig after one byte of the signed content changes', async () => {
    const signed = await readFile(signedPath);
    // The document title "Volmacht" (UTF-16 hex in the Info dictionary, before /Contents) becomes "Wolmacht".
    const title = '/Title <FEFF0056';
    const at = signed.indexOf(title);
    expect(at).toBeGreaterThan(0);
    signed[at + title.length - 1] = '7'.charCodeAt(0);
    const changedPath = join(workDir, `changed-${keyType}.pdf`);
    await writeFile(changedPath, signed);
    const report = await pdfsig(changedPath);
    expect(report).not.toContain('Signature is Valid.');
    expect(report).toContain('Signature Validation: Digest Mismatch.');
  });

  it("refuses to prepare a signature with the card's authentication certificate", async () => {
    const attempt = preparePdfSignature({
      pdf: await contractPdf(),
      signerCertificate: pki.authentication.der,
      chain: [pki.citizenCa.der, pki.root.der],
      signingTime: new Date(),
    });
    await expect(attempt).rejects.toMatchObject({ name: 'PdfSigningError', code: 'not-a-signing-certificate' });
  });

  it('refuses a signature over another hash with a typed error', async () => {
    const otherHash = new Uint8Array(prepared.hashToSign);
    otherHash[0]! ^= 0xff;
    const wrong = signAsTheCard(pki, { ...prepared, hashToSign: otherHash });
    const attempt = finishPdfSignature(prepared.pending, wrong);
    await expect(attempt).rejects.toBeInstanceOf(PdfSigningError);
    await expect(attempt).rejects.toMatchObject({ code: 'signature-does-not-match' });
  });
});
