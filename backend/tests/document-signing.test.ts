/**
 * "Sign a document" over the API, against the real store: upload a PDF, see
 * its title, page count and first page, prepare the signature for the
 * person's signing certificate, sign the hash as the card does, and get a
 * PDF that `pdfsig` (poppler-utils) reports valid and trusted. The refusals a
 * person can meet: a Kids-ID's certificate (no signature key), someone
 * else's card, an untrusted card, a wrong signature, a document that waited
 * too long. And with two instances on one PostgreSQL database: the steps land
 * on different instances.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { pngOutline } from '../../shared/png.js';
import { ManualClock, MINUTE } from '../clock.js';
import { contractPdf, nssDatabaseTrusting, pdfsig, signAsTheCard } from './signing-helpers.js';
import { Client, errorCode, startTestBackend, type TestBackend } from './helpers.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

let workDir: string;
let pki: TestPki;
beforeAll(async () => {
  [workDir, pki] = await Promise.all([
    mkdtemp(join(tmpdir(), 'eid-bridge-document-signing-')),
    createTestPki({ keyType: 'ec', person: { givenNames: 'Anna', surname: 'Janssens', nationalNumber: '85073000259' } }),
  ]);
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

interface Uploaded {
  documentId: string;
  title: string;
  pageCount: number;
  firstPage: string | null;
}

async function upload(client: Client, pdf: Uint8Array, fileName = 'volmacht.pdf'): Promise<Uploaded> {
  const r = await client.post('/api/signing/documents', { fileName, pdf: b64(pdf) });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as unknown as Uploaded;
}

/** Prepare, sign as the card, finish: the finish answer. */
async function signDocument(client: Client, id: string, card: TestPki = pki) {
  const prepared = await client.post(`/api/signing/documents/${id}/prepare`, { certificate: b64(card.signing!.der) });
  expect(prepared.status, JSON.stringify(prepared.json)).toBe(200);
  const signature = signAsTheCard(card, Buffer.from(prepared.json.hash as string, 'base64'), prepared.json.hashFunction as 'SHA-384');
  return client.post(`/api/signing/documents/${id}/finish`, { certificate: b64(card.signing!.der), signature: b64(signature) });
}

describe('signing a document (SQLite store)', () => {
  let tb: TestBackend;
  let client: Client;
  const clock = new ManualClock();

  beforeAll(async () => {
    tb = await startTestBackend({ pki, clock });
    client = tb.client();
    await tb.eidLogin(client);
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('shows what will be signed, and hands back a PDF that pdfsig reports valid, signed by the person, with a trusted certificate', async () => {
    const uploaded = await upload(client, await contractPdf(3));
    expect(uploaded).toMatchObject({ title: 'Volmacht', pageCount: 3 });
    const picture = Buffer.from(uploaded.firstPage!, 'base64');
    // A PNG the extension accepts: within its byte and size limits.
    expect(picture.length).toBeLessThanOrEqual(256 * 1024);
    expect(pngOutline(picture, 1000)).toMatchObject({ height: 480 });

    const prepared = await client.post(`/api/signing/documents/${uploaded.documentId}/prepare`, { certificate: b64(pki.signing!.der) });
    expect(prepared.json).toMatchObject({ hashFunction: 'SHA-384' });
    expect(Buffer.from(prepared.json.hash as string, 'base64')).toHaveLength(48);
    const signature = signAsTheCard(pki, Buffer.from(prepared.json.hash as string, 'base64'), 'SHA-384');
    const finished = await client.post(`/api/signing/documents/${uploaded.documentId}/finish`, { certificate: b64(pki.signing!.der), signature: b64(signature) });
    expect(finished.status).toBe(200);
    expect(finished.json).toMatchObject({ fileName: 'volmacht-signed.pdf', title: 'Volmacht' });
    // The check the page shows with the download: the one signature holds, by the card holder, revocation not in a B-B document.
    expect(finished.json.verification).toMatchObject({
      valid: true,
      signatures: [{ number: 1, holds: true, coverage: 'whole-document', problems: [], revocation: { status: 'not-checked' }, signer: { name: 'Anna Janssens', nationalNumber: pki.person.nationalNumber } }],
    });

    const signedPath = join(workDir, 'volmacht-signed.pdf');
    await writeFile(signedPath, Buffer.from(finished.json.signedPdf as string, 'base64'));
    const report = await pdfsig(signedPath, await nssDatabaseTrusting(pki, join(workDir, 'nss')));
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signer Certificate Common Name: Anna Janssens (Signature)');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('Total document signed');

    // The document is handed out once: it no longer waits.
    const again = await client.post(`/api/signing/documents/${uploaded.documentId}/finish`, { certificate: b64(pki.signing!.der), signature: b64(signature) });
    expect(again.status).toBe(410);
    expect(errorCode(again)).toBe('SIGNING_DOCUMENT_EXPIRED');
  });

  it('signs an already signed PDF with a second signature: the form lists both fields and pdfsig reports both valid', async () => {
    const once = await signDocument(client, (await upload(client, await contractPdf())).documentId);
    expect(once.status, JSON.stringify(once.json)).toBe(200);
    const signedOnce = Buffer.from(once.json.signedPdf as string, 'base64');
    const twice = await signDocument(client, (await upload(client, signedOnce, 'volmacht-signed.pdf')).documentId);
    expect(twice.status, JSON.stringify(twice.json)).toBe(200);
    const signedTwice = Buffer.from(twice.json.signedPdf as string, 'base64');
    // The first signature's bytes are untouched: the second is an incremental update after them.
    expect(signedTwice.subarray(0, signedOnce.length).equals(signedOnce)).toBe(true);
    const form = (await PDFDocument.load(signedTwice, { updateMetadata: false })).getForm();
    expect(form.getFields().map((field) => field.getName())).toEqual(['Signature1', 'Signature2']);

    const path = join(workDir, 'volmacht-signed-twice.pdf');
    await writeFile(path, signedTwice);
    const report = await pdfsig(path, await nssDatabaseTrusting(pki, join(workDir, 'nss-twice')));
    expect(report).toContain('Signature #2:');
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    // The check handed back with it: the first signature now covers an earlier revision with only a signature added.
    expect(twice.json.verification).toMatchObject({ valid: true, signatures: [{ number: 1, coverage: 'signatures-added', holds: true }, { number: 2, coverage: 'whole-document', holds: true }] });
    expect(report.match(/Certificate Validation: Certificate is Trusted\./g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('needs a login, and the CSRF token of the session', async () => {
    const anonymous = tb.client();
    const r = await anonymous.post('/api/signing/documents', { fileName: 'a.pdf', pdf: b64(await contractPdf()) });
    expect(r.status).toBe(401);
    const noToken = tb.client();
    await tb.eidLogin(noToken);
    noToken.csrfToken = undefined;
    expect(errorCode(await noToken.post('/api/signing/documents', { fileName: 'a.pdf', pdf: b64(await contractPdf()) }))).toBe('CSRF_TOKEN_INVALID');
  });

  it('refuses what is not a PDF it can sign', async () => {
    const text = await client.post('/api/signing/documents', { fileName: 'a.pdf', pdf: b64(Buffer.from('not a pdf at all')) });
    expect([text.status, errorCode(text)]).toEqual([400, 'PDF_INVALID']);
    const broken = await client.post('/api/signing/documents', { fileName: 'a.pdf', pdf: b64(Buffer.from('%PDF-1.7\nbroken')) });
    expect([broken.status, errorCode(broken)]).toEqual([400, 'PDF_INVALID']);
    const notBase64 = await client.post('/api/signing/documents', { fileName: 'a.pdf', pdf: '%%%' });
    expect([notBase64.status, errorCode(notBase64)]).toEqual([400, 'BAD_REQUEST']);
  });

  it("refuses the authentication certificate, the only one a Kids-ID has: it is not for signatures", async () => {
    const { documentId } = await upload(client, await contractPdf());
    const r = await client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(pki.authentication.der) });
    expect([r.status, errorCode(r)]).toEqual([400, 'NOT_A_SIGNING_CERTIFICATE']);
  });

  it("refuses another person's signing certificate, and a card under a CA the backend does not trust", async () => {
    const { documentId } = await upload(client, await contractPdf());
    const someoneElse = await createTestPki({ keyType: 'ec', root: pki.root, person: { givenNames: 'Jan', surname: 'Peeters', nationalNumber: '85073000160' } });
    const notYours = await client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(someoneElse.signing!.der) });
    expect([notYours.status, errorCode(notYours)]).toEqual([403, 'SIGNING_CERTIFICATE_NOT_YOURS']);
    const forged = await createTestPki({ keyType: 'ec', person: pki.person });
    const untrusted = await client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(forged.signing!.der) });
    expect([untrusted.status, errorCode(untrusted)]).toEqual([400, 'CERTIFICATE_UNTRUSTED']);
  });

  it('refuses a signature over another hash; the document keeps waiting for the right one', async () => {
    const { documentId } = await upload(client, await contractPdf());
    const prepared = await client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(pki.signing!.der) });
    const wrong = signAsTheCard(pki, new Uint8Array(48).fill(7), 'SHA-384');
    const refused = await client.post(`/api/signing/documents/${documentId}/finish`, { certificate: b64(pki.signing!.der), signature: b64(wrong) });
    expect([refused.status, errorCode(refused)]).toEqual([400, 'SIGNATURE_INVALID']);
    const right = signAsTheCard(pki, Buffer.from(prepared.json.hash as string, 'base64'), 'SHA-384');
    const finished = await client.post(`/api/signing/documents/${documentId}/finish`, { certificate: b64(pki.signing!.der), signature: b64(right) });
    expect(finished.status).toBe(200);
  });

  it("keeps a document for its own session only, and for 15 minutes", async () => {
    const { documentId } = await upload(client, await contractPdf());
    const other = tb.client();
    await tb.eidLogin(other);
    const fromOther = await other.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(pki.signing!.der) });
    expect([fromOther.status, errorCode(fromOther)]).toEqual([410, 'SIGNING_DOCUMENT_EXPIRED']);
    const notPrepared = await client.post(`/api/signing/documents/${documentId}/finish`, { certificate: b64(pki.signing!.der), signature: b64(new Uint8Array(96)) });
    expect(errorCode(notPrepared)).toBe('SIGNING_NOT_PREPARED');
    const inTime = await client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(pki.signing!.der) });
    expect(inTime.status).toBe(200);
    clock.advance(15 * MINUTE + 1);
    const late = await client.post(`/api/signing/documents/${documentId}/prepare`, { certificate: b64(pki.signing!.der) });
    expect([late.status, errorCode(late)]).toEqual([410, 'SIGNING_DOCUMENT_EXPIRED']);
  });

  it('serves the page to a logged-in person, in four languages, and sends others to the login first', async () => {
    const anonymous = await tb.client().get('/sign?lang=fr');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login?lang=fr&return=%2Fsign');
    const titles = { nl: 'Een document ondertekenen', fr: 'Signer un document', de: 'Ein Dokument unterschreiben', en: 'Sign a document' };
    for (const [lang, title] of Object.entries(titles)) {
      const page = await client.get(`/sign?lang=${lang}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<h1>${title}</h1>`);
      expect(page.text).toContain('<script src="/assets/sign.js" defer></script>');
    }
    const script = await client.get('/assets/sign.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('/api/signing/documents');
  });

  it('serves "Check a signed document" to anyone, without a login, in four languages', async () => {
    const titles = { nl: 'Een ondertekend document controleren', fr: 'Vérifier un document signé', de: 'Ein unterschriebenes Dokument prüfen', en: 'Check a signed document' };
    for (const [lang, title] of Object.entries(titles)) {
      const page = await tb.client().get(`/check-document?lang=${lang}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<h1>${title}</h1>`);
      expect(page.text).toContain('<script src="/assets/check.js" defer></script>');
    }
    const script = await tb.client().get('/assets/check.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('/api/signing/verify');
  });
});

describe('signing a document with two instances on one PostgreSQL database', () => {
  let cluster: PostgresCluster;
  let first: TestBackend;
  let second: TestBackend;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    const databaseUrl = await cluster.createDatabase('document_signing');
    first = await startTestBackend({ pki, config: { databaseUrl } });
    second = await startTestBackend({ pki, config: { databaseUrl } });
  }, 60_000);
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await cluster?.stop();
  });

  it('uploads on one instance and prepares and finishes on the other', async () => {
    const onFirst = first.client();
    await first.eidLogin(onFirst);
    const { documentId } = await upload(onFirst, await contractPdf());
    // The same session (cookie and CSRF token) at the other instance.
    const onSecond = second.client();
    onSecond.cookies = new Map(onFirst.cookies);
    onSecond.csrfToken = onFirst.csrfToken;
    const finished = await signDocument(onSecond, documentId);
    expect(finished.status, JSON.stringify(finished.json)).toBe(200);
    const signedPath = join(workDir, 'two-instances-signed.pdf');
    await writeFile(signedPath, Buffer.from(finished.json.signedPdf as string, 'base64'));
    expect(await pdfsig(signedPath)).toContain('Signature Validation: Signature is Valid.');
  });
});
