/**
 * PAdES B-LT for "Sign a document": with a real OCSP responder (`openssl
 * ocsp`, ocsp-responder.ts) the signed PDF gets a document security store
 * (/DSS: the signer's chain and the responder's good answer) in an
 * incremental update, and `pdfsig` (poppler-utils) still reports the
 * signature valid and trusted. A revoked signing certificate signs nothing;
 * with the responder down the document stays B-B and the answer says why.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { contractPdf, documentSecurityStore, nssDatabaseTrusting, pdfsig, signAsTheCard } from './signing-helpers.js';
import { errorCode, startTestBackend, type Client, type TestBackend } from './helpers.js';
import { indexLine, responderCertificate, startResponder, type Responder, type ResponderSigner } from './ocsp-responder.js';

const run = promisify(execFile);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

let workDir: string;
let pki: TestPki;
let responderSigner: ResponderSigner;
let responder: Responder;
let tb: TestBackend;
let client: Client;
let nssDatabase: string;

/** The responder's index: the authentication certificate good (the login asks too), the signing certificate as given. */
async function setSigningStatus(status: 'V' | 'R'): Promise<void> {
  await responder.setIndex(indexLine('V', pki.authentication.certificate) + indexLine(status, pki.signing!.certificate));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eid-bridge-signing-long-term-'));
  pki = await createTestPki({ keyType: 'ec', person: { givenNames: 'Anna', surname: 'Janssens', nationalNumber: '85073000259' } });
  responderSigner = await responderCertificate(pki.citizenCa, 'Test OCSP responder', [x509.ExtendedKeyUsage.ocspSigning]);
  responder = await startResponder({
    dir: workDir,
    name: 'ocsp',
    index: indexLine('V', pki.authentication.certificate) + indexLine('V', pki.signing!.certificate),
    ca: pki.citizenCa,
    signer: responderSigner,
  });
  tb = await startTestBackend({ pki, config: { ocsp: 'all', ocspUrl: responder.url, ocspTimeoutMs: 2000 } });
  client = tb.client();
  await tb.eidLogin(client);
  nssDatabase = await nssDatabaseTrusting(pki, join(workDir, 'nss'));
}, 60_000);

afterAll(async () => {
  await tb?.stop();
  await responder?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function upload(pdf: Uint8Array): Promise<string> {
  const r = await client.post('/api/signing/documents', { fileName: 'volmacht.pdf', pdf: b64(pdf) });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.documentId as string;
}

async function prepare(documentId: string) {
  return client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(pki.signing!.der) });
}

async function finish(documentId: string, hash: string) {
  const signature = signAsTheCard(pki, Buffer.from(hash, 'base64'), 'SHA-384');
  return client.post(`/api/signing/documents/${documentId}/finish`, { certificate: b64(pki.signing!.der), signature: b64(signature) });
}

describe('PAdES B-LT with a real OCSP responder (openssl ocsp)', () => {
  it("adds the chain and the responder's good answer for the signer in a /DSS, and pdfsig still reports the signature valid", async () => {
    const documentId = await upload(await contractPdf(2));
    const prepared = await prepare(documentId);
    expect(prepared.status, JSON.stringify(prepared.json)).toBe(200);
    const finished = await finish(documentId, prepared.json.hash as string);
    expect(finished.status, JSON.stringify(finished.json)).toBe(200);
    expect(finished.json.level).toBe('B-LT');
    expect(finished.json.levelReason).toBeUndefined();
    // The check handed back with it reads the responder's answer from the document.
    expect(finished.json.verification).toMatchObject({ valid: true, signatures: [{ holds: true, revocation: { status: 'good' } }] });
    const signed = new Uint8Array(Buffer.from(finished.json.signedPdf as string, 'base64'));

    const store = await documentSecurityStore(signed);
    expect(store?.Certs.map((der) => Buffer.from(der).toString('hex'))).toEqual([pki.signing!.der, pki.citizenCa.der, pki.root.der].map((der) => Buffer.from(der).toString('hex')));
    expect(store?.OCSPs).toHaveLength(1);
    const response = AsnConvert.parse(store!.OCSPs[0]!, OCSPResponse);
    expect(response.responseStatus).toBe(OCSPResponseStatus.successful);
    const basic = AsnConvert.parse(response.responseBytes!.response, BasicOCSPResponse);
    const single = basic.tbsResponseData.responses[0]!;
    expect(Buffer.from(single.certID.serialNumber).toString('hex')).toBe(pki.signing!.certificate.serialNumber.toLowerCase());
    expect(single.certStatus.good).toBeNull();
    // The answer comes from the responder the Citizen CA delegated, whose certificate it carries.
    expect(basic.certs?.map((c) => new x509.X509Certificate(AsnConvert.serialize(c)).subject)).toEqual([responderSigner.certificate.subject]);

    const signedPath = join(workDir, 'volmacht-b-lt.pdf');
    await writeFile(signedPath, signed);
    const report = await pdfsig(signedPath, nssDatabase);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signer Certificate Common Name: Anna Janssens (Signature)');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    // The store follows the signature: the signed byte ranges end where the update begins.
    expect(report).toContain('Not total document signed');
    // pdfinfo (poppler) reads the updated file without a syntax complaint: the cross-reference chain holds.
    const info = await run('pdfinfo', [signedPath]);
    expect(info.stderr).toBe('');
    expect(info.stdout).toMatch(/Pages:\s+2/);
  });

  it('a second signature keeps the first store and adds nothing twice; pdfsig reports both signatures valid', async () => {
    const first = await upload(await contractPdf());
    const firstPrepared = await prepare(first);
    const once = new Uint8Array(Buffer.from((await finish(first, firstPrepared.json.hash as string)).json.signedPdf as string, 'base64'));
    const second = await upload(once);
    const secondPrepared = await prepare(second);
    const finished = await finish(second, secondPrepared.json.hash as string);
    expect(finished.json.level).toBe('B-LT');
    const twice = new Uint8Array(Buffer.from(finished.json.signedPdf as string, 'base64'));
    const store = await documentSecurityStore(twice);
    // The same chain once; the first answer and the newer one.
    expect(store?.Certs).toHaveLength(3);
    expect(store?.OCSPs).toHaveLength(2);
    const path = join(workDir, 'volmacht-b-lt-twice.pdf');
    await writeFile(path, twice);
    const report = await pdfsig(path, nssDatabase);
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
  });

  it('refuses a revoked signing certificate before the PIN, and at finish when it was revoked after prepare: nothing signed is handed out', async () => {
    try {
      await setSigningStatus('R');
      const refused = await prepare(await upload(await contractPdf()));
      expect([refused.status, errorCode(refused)]).toEqual([400, 'CERTIFICATE_REVOKED']);

      await setSigningStatus('V');
      const documentId = await upload(await contractPdf());
      const prepared = await prepare(documentId);
      expect(prepared.status).toBe(200);
      await setSigningStatus('R');
      const finished = await finish(documentId, prepared.json.hash as string);
      expect([finished.status, errorCode(finished)]).toEqual([400, 'CERTIFICATE_REVOKED']);
      expect(finished.json.signedPdf).toBeUndefined();
    } finally {
      await setSigningStatus('V');
    }
  });

  it('signs at level B-B when the responder does not answer, and says why', async () => {
    const documentId = await upload(await contractPdf());
    const prepared = await prepare(documentId);
    expect(prepared.status).toBe(200);
    await responder.stop();
    const finished = await finish(documentId, prepared.json.hash as string);
    expect(finished.status, JSON.stringify(finished.json)).toBe(200);
    expect(finished.json.level).toBe('B-B');
    expect(finished.json.levelReason).toMatch(/OCSP responder did not answer/);
    const signed = new Uint8Array(Buffer.from(finished.json.signedPdf as string, 'base64'));
    expect(await documentSecurityStore(signed)).toBeUndefined();
    const path = join(workDir, 'volmacht-b-b.pdf');
    await writeFile(path, signed);
    const report = await pdfsig(path, nssDatabase);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Total document signed');
  });
});
