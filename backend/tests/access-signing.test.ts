/**
 * Mandates and the exception form signed with the eID, over the API against
 * the real store, each signature made with the signature key of the signer's
 * test card as the card makes it. `pdfsig` (poppler-utils), trusting the test
 * root in an NSS database, validates the PDFs: a mandate carries the giver's
 * and the holder's signatures, both valid (the second an incremental update),
 * and the exception form the representative's.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { Client, errorCode } from './helpers.js';
import { appointEveAtTransport, PEOPLE, STAFF, TRANSPORT, signWithCard, startAccessTestBackend, type AccessTestBackend } from './access-helpers.js';
import { nssDatabaseTrusting, pdfsig, signAsTheCard } from './signing-helpers.js';

const run = promisify(execFile);
const SCHNEIDER = '0812345603';
const KLAUS = { nationalNumber: '70092378954', givenNames: 'Klaus', surname: 'Schneider' };

let tb: AccessTestBackend;
let workDir: string;
let nss: string;
// 10 January 2027: mandate dates are checked against this clock.
const clock = new ManualClock(Date.UTC(2027, 0, 10, 9, 0));

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eid-bridge-access-signing-'));
  tb = await startAccessTestBackend({ ...PEOPLE, klaus: KLAUS }, { clock });
  nss = await nssDatabaseTrusting(tb.cards.get('alice')!, join(workDir, 'nss'));
  // Transport Dubois: Sophie (representative) appoints Eve as HTB.
  await appointEveAtTransport(tb);
});
afterAll(async () => {
  await tb?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function download(client: Client, path: string, name: string): Promise<{ bytes: Buffer; path: string }> {
  const r = await fetch(`${tb.server.url}${path}`, { headers: { Cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/pdf');
  const bytes = Buffer.from(await r.arrayBuffer());
  const file = join(workDir, name);
  await writeFile(file, bytes);
  return { bytes, path: file };
}

async function pdfText(path: string): Promise<string> {
  return (await run('pdftotext', [path, '-'])).stdout;
}

/** pdfsig's report, one entry per signature. */
function signatures(report: string): string[] {
  return report.split(/^Signature #\d+:$/m).slice(1);
}

describe('a mandate signed with the eID by the giver, then the holder', () => {
  it('becomes active only with both signatures, and pdfsig validates both in the one PDF', async () => {
    const alice = await tb.login('alice');
    const created = await alice.post('/api/mandates?lang=fr', {
      giver: { type: 'citizen', id: PEOPLE.alice.nationalNumber },
      holder: { type: 'enterprise', id: TRANSPORT },
      type: 'tax-on-web',
      startDate: '2027-01-10',
      endDate: '2027-12-31',
    });
    expect(created.status).toBe(201);
    const id = (created.json.mandate as { id: string }).id;
    const base = `/api/mandates/${id}/signature`;
    const eve = await tb.login('eve');

    // The holder's side cannot sign first.
    expect(errorCode(await signWithCard(eve, tb.cards.get('eve')!, base))).toBe('GIVER_SIGNS_FIRST');
    // Someone else's card, on Alice's session: refused, not her signing certificate.
    const notHers = await signWithCard(alice, tb.cards.get('marc')!, base);
    expect(notHers.status).toBe(403);
    expect(errorCode(notHers)).toBe('SIGNING_CERTIFICATE_NOT_YOURS');

    // The giver prepares on a French page: the dialog gets the document's title, pages and first page.
    const certificate = Buffer.from(tb.cards.get('alice')!.signing!.der).toString('base64');
    const prepared = await alice.post(`${base}/prepare?lang=fr`, { certificate });
    expect(prepared.status, JSON.stringify(prepared.json)).toBe(200);
    expect(prepared.json).toMatchObject({ side: 'giver', hashFunction: 'SHA-384', document: { title: 'Mandat: Tax-on-web', pageCount: 1 } });
    expect(Buffer.from((prepared.json.document as { firstPage: string }).firstPage, 'base64').subarray(1, 4).toString()).toBe('PNG');
    // A signature over something else is refused and signs nothing.
    const wrong = signAsTheCard(tb.cards.get('alice')!, Buffer.alloc(48, 7), 'SHA-384');
    expect(errorCode(await alice.post(`${base}/finish`, { certificate, signature: Buffer.from(wrong).toString('base64') }))).toBe('SIGNATURE_INVALID');
    expect(((await alice.get(`/api/mandates/${id}`)).json.mandate as { giver: { signed: boolean } }).giver.signed).toBe(false);
    const signature = signAsTheCard(tb.cards.get('alice')!, Buffer.from(prepared.json.hash as string, 'base64'), 'SHA-384');
    const giverSigned = await alice.post(`${base}/finish`, { certificate, signature: Buffer.from(signature).toString('base64') });
    expect(giverSigned.json.mandate).toMatchObject({ state: 'waiting-for-signature', giver: { signed: true }, holder: { signed: false } });

    const afterGiver = await download(alice, `/api/mandates/${id}/pdf`, 'mandate-giver.pdf');
    const giverReport = await pdfsig(afterGiver.path, nss);
    expect(signatures(giverReport)).toHaveLength(1);
    expect(giverReport).toContain('Signer Certificate Common Name: Alice Marie Peeters (Signature)');
    expect(giverReport).toContain('Signature Validation: Signature is Valid.');

    // The holder enterprise's HTB signs for it: the mandate is active.
    const holderSigned = await signWithCard(eve, tb.cards.get('eve')!, base);
    expect(holderSigned.status, JSON.stringify(holderSigned.json)).toBe(200);
    expect(holderSigned.json.mandate).toMatchObject({ state: 'active', giver: { signed: true }, holder: { signed: true } });

    // One PDF, two signatures, both valid and trusted; the giver's bytes untouched (incremental update).
    const final = await download(eve, `/api/mandates/${id}/pdf`, 'mandate.pdf');
    expect(final.bytes.subarray(0, afterGiver.bytes.length).equals(afterGiver.bytes)).toBe(true);
    const report = await pdfsig(final.path, nss);
    const [first, second] = signatures(report);
    expect(signatures(report)).toHaveLength(2);
    expect(first).toContain('Signer Certificate Common Name: Alice Marie Peeters (Signature)');
    expect(second).toContain('Signer Certificate Common Name: Eve Janssens (Signature)');
    for (const entry of [first!, second!]) {
      expect(entry).toContain('Signature Validation: Signature is Valid.');
      expect(entry).toContain('Certificate Validation: Certificate is Trusted.');
    }
    // Two fields of one form, in signing order; the holder's covers the whole file.
    expect(first).toContain('Signature Field Name: Signature1');
    expect(second).toContain('Signature Field Name: Signature2');
    expect(second).toContain('Total document signed');
    // The mandate in the giver's page language: parties, service, dates.
    const words = await pdfText(final.path);
    for (const expected of ['Mandat: Tax-on-web', 'Mandant', 'Mandataire', 'Alice Marie Peeters', '85.07.30-002.59', 'Transport Dubois SRL', '0456.789.034', '2027-01-10', '2027-12-31']) {
      expect(words).toContain(expected);
    }

    // One byte of the signed content changed: pdfsig finds both signatures broken.
    const tampered = Buffer.from(final.bytes);
    const at = tampered.indexOf('Transport Dubois SRL');
    if (at > 0) tampered[at] = 'X'.charCodeAt(0);
    else tampered[200] = tampered[200]! ^ 1;
    const tamperedPath = join(workDir, 'mandate-changed.pdf');
    await writeFile(tamperedPath, tampered);
    expect(await pdfsig(tamperedPath, nss)).not.toContain('Signature Validation: Signature is Valid.');

    // Signed by both: nothing more to sign.
    expect(errorCode(await signWithCard(eve, tb.cards.get('eve')!, base))).toBe('MANDATE_STATE');
  });
});

describe('the exception form signed with the eID of the legal representative', () => {
  const request = { requester: { ...KLAUS, email: 'klaus@schneider-handel.be', phone: '087 12 34 56' }, enterpriseNumber: SCHNEIDER, appoint: 'self', enterpriseEmail: 'verwaltung@schneider-handel.be', language: 'de', confirmed: true };

  it('is received once the representative has signed it; pdfsig validates the signed form staff download', async () => {
    const anyone = tb.client();
    const filed = await anyone.post('/api/access/exception-requests', request);
    expect(filed.status).toBe(201);
    const { ticket, pdfUrl } = filed.json as { ticket: string; pdfUrl: string };
    const token = new URL(pdfUrl, tb.server.url).searchParams.get('token')!;
    const base = `/api/access/exception-requests/${ticket}/signature`;

    // Another person's eID (a representative of another enterprise) cannot sign Klaus's form; a wrong token sees nothing.
    const other = await signWithCard(anyone, tb.cards.get('alice')!, base, { token });
    expect(other.status).toBe(403);
    expect(errorCode(other)).toBe('SIGNER_NOT_REPRESENTATIVE');
    expect((await signWithCard(anyone, tb.cards.get('klaus')!, base, { token: 'not-the-token' })).status).toBe(404);

    const signed = await signWithCard(anyone, tb.cards.get('klaus')!, base, { token });
    expect(signed.status, JSON.stringify(signed.json)).toBe(200);
    expect(signed.json).toMatchObject({ status: 'received', ticket });
    // Signed once: the form is in.
    expect(errorCode(await signWithCard(anyone, tb.cards.get('klaus')!, base, { token }))).toBe('REQUEST_STATE');

    const listed = await anyone.request('GET', '/api/access/admin/exception-requests?status=received', undefined, STAFF);
    expect(listed.json.requests).toContainEqual(expect.objectContaining({ ticket, status: 'received' }));
    const staffPdf = await fetch(`${tb.server.url}/api/access/exception-requests/${ticket}/pdf`, { headers: STAFF });
    const path = join(workDir, `${ticket}.pdf`);
    await writeFile(path, Buffer.from(await staffPdf.arrayBuffer()));
    const report = await pdfsig(path, nss);
    expect(signatures(report)).toHaveLength(1);
    expect(report).toContain('Signer Certificate Common Name: Klaus Schneider (Signature)');
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(await pdfText(path)).toContain('Bestellung eines Hauptzugriffsverwalters');

    // Staff approve as for a form sent by post: Klaus becomes HTB.
    const approved = await anyone.request('POST', `/api/access/admin/exception-requests/${ticket}/approve`, {}, STAFF);
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    expect(approved.json.request).toMatchObject({ status: 'approved' });
  });
});
