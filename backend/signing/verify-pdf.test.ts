import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { PDFArray, PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { indexLine, responderCertificate } from '../tests/ocsp-responder.js';
import { contractPdf, nssDatabaseTrusting, pdfsig, signAsTheCard } from '../tests/signing-helpers.js';
import { addDocumentSecurityStore } from './document-security-store.js';
import { finishPdfSignature, preparePdfSignature } from './pades.js';
import { verifyPdfSignatures, PdfUnreadableError, type PdfTrust } from './verify-pdf.js';

const NOW = new Date();
const run = promisify(execFile);

async function signedBy(pki: TestPki, pdf: Uint8Array, signingTime = new Date('2026-12-07T10:00:00Z')): Promise<Uint8Array> {
  const prepared = await preparePdfSignature({ pdf, signerCertificate: pki.signing!.der, chain: [pki.citizenCa.der, pki.root.der], signingTime });
  return finishPdfSignature(prepared.pending, signAsTheCard(pki, prepared.hashToSign, prepared.hashAlgorithm));
}

/**
 * An incremental update, as any PDF editor appends one, that replaces the
 * first page's content stream: the text the person signed is no longer what
 * the page shows.
 */
async function withPageTextReplaced(signed: Uint8Array, text: string): Promise<Uint8Array> {
  const document = await PDFDocument.load(signed);
  const contents = document.getPage(0).node.get(PDFName.of('Contents'));
  const { objectNumber } = (contents instanceof PDFArray ? contents.get(0) : contents) as PDFRef;
  const source = Buffer.from(signed).toString('latin1');
  const previousXref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(source)![1]);
  const stream = `BT /F1 14 Tf 72 760 Td (${text}) Tj ET`;
  const object = `${objectNumber} 0 obj\n<< /Length ${stream.length} >>\nstream\n${stream}\nendstream\nendobj\n`;
  const objectAt = signed.length + 1;
  const xrefAt = objectAt + object.length;
  const size = document.context.largestObjectNumber + 1;
  const update = `\n${object}xref\n${objectNumber} 1\n${String(objectAt).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size} /Root ${document.context.trailerInfo.Root!.toString()} /Prev ${previousXref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([signed, Buffer.from(update, 'latin1')]);
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eid-bridge-verify-pdf-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe.each([
  { profile: '1.7 (RSA-2048)', keyType: 'rsa' as const },
  { profile: '1.8 (EC P-384)', keyType: 'ec' as const },
])('validating PDFs signed with a $profile card', ({ keyType }) => {
  let anna: TestPki;
  let jan: TestPki;
  let trust: PdfTrust;
  let once: Uint8Array;
  let twice: Uint8Array;

  beforeAll(async () => {
    anna = await createTestPki({ keyType, person: { givenNames: 'Anna', surname: 'Janssens' } });
    // Jan's card comes from another test PKI: both roots are trusted here.
    jan = await createTestPki({ keyType, person: { givenNames: 'Jan', surname: 'Peeters' } });
    trust = { trusted: [anna.root.der, jan.root.der], intermediates: [] };
    once = await signedBy(anna, await contractPdf());
    twice = await signedBy(jan, once, new Date('2026-12-07T11:00:00Z'));
  });

  it('says who signed, when, and that the signature covers the whole document', async () => {
    const result = await verifyPdfSignatures(once, trust, NOW);
    expect(result.valid).toBe(true);
    expect(result.signatures).toHaveLength(1);
    const [verdict] = result.signatures;
    expect(verdict).toMatchObject({
      holds: true,
      coverage: 'whole-document',
      problems: [],
      signingTime: { time: '2026-12-07T10:00:00.000Z', source: 'signature dictionary' },
      revocation: { status: 'not-checked' },
    });
    expect(verdict!.signer).toMatchObject({ name: 'Anna Janssens', nationalNumber: anna.person.nationalNumber });
  });

  it('keeps the first signature valid when a second one is appended, and says so', async () => {
    const result = await verifyPdfSignatures(twice, trust, NOW);
    expect(result.valid).toBe(true);
    expect(result.signatures.map((s) => [s.signer?.name, s.coverage, s.holds])).toEqual([
      ['Anna Janssens', 'signatures-added', true],
      ['Jan Peeters', 'whole-document', true],
    ]);
  });

  it('reports a document with one changed byte as changed, and pdfsig agrees', async () => {
    const changed = Buffer.from(once);
    // The document title "Volmacht" (UTF-16 hex in the Info dictionary, before /Contents) becomes "Wolmacht".
    const title = '/Title <FEFF0056';
    const at = changed.indexOf(title);
    expect(at).toBeGreaterThan(0);
    changed[at + title.length - 1] = '7'.charCodeAt(0);
    const result = await verifyPdfSignatures(changed, trust, NOW);
    expect(result.valid).toBe(false);
    expect(result.signatures[0]!.problems.map((p) => p.code)).toEqual(['digest-mismatch']);
    const path = join(workDir, `changed-${keyType}.pdf`);
    await writeFile(path, changed);
    expect(await pdfsig(path)).toContain('Signature Validation: Digest Mismatch.');
  });

  it('reports a page changed in a later revision as changed after signing', async () => {
    const edited = await withPageTextReplaced(once, 'Ik geef volmacht aan Piet Smet.');
    // The edit is a real one: a reader now shows the other text.
    expect((await PDFDocument.load(edited)).getPageCount()).toBe(1);
    const result = await verifyPdfSignatures(edited, trust, NOW);
    expect(result.valid).toBe(false);
    const [verdict] = result.signatures;
    expect(verdict!.coverage).toBe('changed-after-signing');
    expect(verdict!.problems.map((p) => p.code)).toEqual(['changed-after-signing']);
    expect(verdict!.changes.join()).toContain('content stream');
  });

  it('reports a signature value that is no CMS as unreadable, without failing the whole check', async () => {
    const damaged = Buffer.from(once);
    const at = damaged.indexOf('/Contents <') + '/Contents <'.length;
    damaged.write('ffffffff', at, 'latin1');
    const result = await verifyPdfSignatures(damaged, trust, NOW);
    expect(result.valid).toBe(false);
    expect(result.signatures[0]!.problems.map((p) => p.code)).toEqual(['cms-unreadable']);
  });

  it('does not trust a signer whose root is not trusted', async () => {
    const result = await verifyPdfSignatures(once, { trusted: [jan.root.der], intermediates: [] }, NOW);
    expect(result.valid).toBe(false);
    expect(result.signatures[0]!.problems.map((p) => p.code)).toEqual(['untrusted']);
  });

  it('reports a signature made after the certificate expired as not holding now', async () => {
    const later = new Date(new Date(anna.signing!.certificate.notAfter).getTime() + 86_400_000);
    const result = await verifyPdfSignatures(once, trust, later);
    expect(result.signatures[0]!.problems.map((p) => p.code)).toContain('certificate-not-valid-now');
  });

  it('agrees with pdfsig on the twice-signed document', async () => {
    const path = join(workDir, `twice-${keyType}.pdf`);
    await writeFile(path, twice);
    const report = await pdfsig(path, await nssDatabaseTrusting(anna, join(workDir, `nss-${keyType}`)));
    expect(report.match(/Signature is Valid\./g)).toHaveLength(2);
  });
});

describe('what is not a signed PDF', () => {
  it('refuses a file that is not a PDF', async () => {
    await expect(verifyPdfSignatures(new TextEncoder().encode('hello'), { trusted: [], intermediates: [] })).rejects.toBeInstanceOf(PdfUnreadableError);
  });

  it('calls an unsigned PDF not valid, with no signatures', async () => {
    expect(await verifyPdfSignatures(await contractPdf(), { trusted: [], intermediates: [] })).toEqual({ valid: false, signatures: [] });
  });
});

describe('revocation data in the document (B-LT)', () => {
  let pki: TestPki;
  let signed: Uint8Array;
  let trust: PdfTrust;

  beforeAll(async () => {
    pki = await createTestPki({ keyType: 'ec', person: { givenNames: 'Anna', surname: 'Janssens' } });
    trust = { trusted: [pki.root.der], intermediates: [] };
    signed = await signedBy(pki, await contractPdf());
  });

  /** The signed PDF with a DSS holding the answer of an OCSP responder the Citizen CA delegated (openssl ocsp, offline). */
  async function withOcspAnswer(status: 'V' | 'R', name: string, responderUsages: string[] = [x509.ExtendedKeyUsage.ocspSigning]): Promise<Uint8Array> {
    const dir = join(workDir, name);
    await mkdir(dir);
    const signer = await responderCertificate(pki.citizenCa, 'Test OCSP responder', responderUsages);
    const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'signer.pem'), rsigner: join(dir, 'responder.pem'), rkey: join(dir, 'responder.key'), index: join(dir, 'index.txt') };
    await writeFile(files.ca, pki.citizenCa.pem);
    await writeFile(files.cert, pki.signing!.pem);
    await writeFile(files.rsigner, signer.pem);
    await writeFile(files.rkey, signer.privateKeyPem);
    await writeFile(files.index, indexLine(status, pki.signing!.certificate));
    await run('openssl', ['ocsp', '-issuer', files.ca, '-cert', files.cert, '-no_nonce', '-reqout', join(dir, 'request.der')]);
    await run('openssl', ['ocsp', '-index', files.index, '-CA', files.ca, '-rsigner', files.rsigner, '-rkey', files.rkey, '-reqin', join(dir, 'request.der'), '-respout', join(dir, 'response.der')]);
    const response = new Uint8Array(await readFile(join(dir, 'response.der')));
    return addDocumentSecurityStore(signed, { certificates: [pki.signing!.der, pki.citizenCa.der, pki.root.der], ocspResponses: [response] });
  }

  it('reads a good answer from the DSS; the added store is no change of the signed content', async () => {
    const result = await verifyPdfSignatures(await withOcspAnswer('V', 'good'), trust, NOW);
    expect(result.valid).toBe(true);
    expect(result.signatures[0]).toMatchObject({ holds: true, coverage: 'signatures-added', revocation: { status: 'good' } });
  });

  it('does not hold a signature whose certificate the DSS answer says is revoked', async () => {
    const result = await verifyPdfSignatures(await withOcspAnswer('R', 'revoked'), trust, NOW);
    expect(result.valid).toBe(false);
    expect(result.signatures[0]!.revocation.status).toBe('revoked');
    expect(result.signatures[0]!.problems.map((p) => p.code)).toEqual(['revoked']);
  });

  it('does not count an answer from a responder the CA did not delegate for OCSP signing', async () => {
    const result = await verifyPdfSignatures(await withOcspAnswer('R', 'not-delegated', [x509.ExtendedKeyUsage.clientAuth]), trust, NOW);
    expect(result.signatures[0]!.revocation).toMatchObject({ status: 'not-checked', detail: expect.stringContaining('no signed OCSP response') });
  });
});
