/**
 * PAdES B-LT for the access documents: the exception form a legal
 * representative signs with the eID, with a real OCSP responder (`openssl
 * ocsp`, ocsp-responder.ts) for the representative's CA. The signed form staff
 * download carries a /DSS with the signer's chain and the responder's good
 * answer, and `pdfsig` reports it valid and trusted; a revoked signing
 * certificate signs nothing and the request is not received. (Mandates take
 * the same path, finishAccessSignature in backend/access/signed-documents.ts;
 * their two signers have CAs of their own, which one responder here cannot
 * answer for.)
 */
import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse } from '@peculiar/asn1-ocsp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPki } from '../../devtools/test-pki/test-pki.js';
import { errorCode } from './helpers.js';
import { signWithCard, startAccessTestBackend, STAFF, type AccessTestBackend } from './access-helpers.js';
import { indexLine, responderCertificate, startResponder, type Responder } from './ocsp-responder.js';
import { documentSecurityStore, nssDatabaseTrusting, pdfsig } from './signing-helpers.js';

/** Klaus Schneider represents Schneider Handel in the reference data. */
const KLAUS = { nationalNumber: '70092378954', givenNames: 'Klaus', surname: 'Schneider' };
const SCHNEIDER = '0812345603';
const EXCEPTION_REQUEST = {
  requester: { ...KLAUS, email: 'klaus@schneider-handel.be', phone: '087 12 34 56' },
  enterpriseNumber: SCHNEIDER,
  appoint: 'self',
  enterpriseEmail: 'verwaltung@schneider-handel.be',
  language: 'de',
  confirmed: true,
};
const hex = (der: Uint8Array | ArrayBuffer) => Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('hex');

let workDir: string;
let tb: AccessTestBackend;
let klaus: TestPki;
let responder: Responder;
let nss: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eid-bridge-access-long-term-'));
  tb = await startAccessTestBackend(
    { klaus: KLAUS },
    {
      config: async (cards) => {
        const card = cards.get('klaus')!;
        const signer = await responderCertificate(card.citizenCa, 'Test OCSP responder', [x509.ExtendedKeyUsage.ocspSigning]);
        responder = await startResponder({ dir: workDir, name: 'ocsp', index: indexLine('V', card.signing!.certificate), ca: card.citizenCa, signer });
        return { ocsp: 'all', ocspUrl: responder.url, ocspTimeoutMs: 2000 };
      },
    },
  );
  klaus = tb.cards.get('klaus')!;
  nss = await nssDatabaseTrusting(klaus, join(workDir, 'nss'));
}, 60_000);

afterAll(async () => {
  await tb?.stop();
  await responder?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Files the exception request; where its signature is prepared and finished, and the token that goes with it. */
async function fileRequest(): Promise<{ ticket: string; base: string; token: string }> {
  const filed = await tb.client().post('/api/access/exception-requests', EXCEPTION_REQUEST);
  expect(filed.status, JSON.stringify(filed.json)).toBe(201);
  const { ticket, pdfUrl } = filed.json as { ticket: string; pdfUrl: string };
  return { ticket, base: `/api/access/exception-requests/${ticket}/signature`, token: new URL(pdfUrl, tb.server.url).searchParams.get('token')! };
}

describe('the exception form signed with the eID, with a real OCSP responder', () => {
  it("carries the signer's chain and the responder's good answer in a /DSS, and pdfsig reports it valid and trusted", async () => {
    await responder.setIndex(indexLine('V', klaus.signing!.certificate));
    const { ticket, base, token } = await fileRequest();
    const signed = await signWithCard(tb.client(), klaus, base, { token });
    expect(signed.status, JSON.stringify(signed.json)).toBe(200);
    expect(signed.json).toMatchObject({ status: 'received', ticket });

    const staffPdf = await fetch(`${tb.server.url}/api/access/exception-requests/${ticket}/pdf`, { headers: STAFF });
    expect(staffPdf.status).toBe(200);
    const pdf = new Uint8Array(await staffPdf.arrayBuffer());
    const store = await documentSecurityStore(pdf);
    expect(store?.Certs.map(hex)).toEqual([klaus.signing!.der, klaus.citizenCa.der, klaus.root.der].map(hex));
    expect(store?.OCSPs).toHaveLength(1);
    const basic = AsnConvert.parse(AsnConvert.parse(store!.OCSPs[0]!, OCSPResponse).responseBytes!.response, BasicOCSPResponse);
    const answer = basic.tbsResponseData.responses[0]!;
    expect(hex(answer.certID.serialNumber)).toBe(klaus.signing!.certificate.serialNumber.toLowerCase());
    expect(answer.certStatus.good).toBeNull();

    const path = join(workDir, `${ticket}.pdf`);
    await writeFile(path, pdf);
    const report = await pdfsig(path, nss);
    expect(report).toContain('Signer Certificate Common Name: Klaus Schneider (Signature)');
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
  });

  it('refuses a revoked signing certificate before the PIN, and the request stays unsigned', async () => {
    await responder.setIndex(indexLine('R', klaus.signing!.certificate));
    try {
      const { ticket, base, token } = await fileRequest();
      // Refused at prepare: the card is never asked to sign.
      const refused = await tb.client().post(`${base}/prepare`, { token, certificate: Buffer.from(klaus.signing!.der).toString('base64') });
      expect([refused.status, errorCode(refused)]).toEqual([400, 'CERTIFICATE_REVOKED']);
      const listed = await tb.client().request('GET', '/api/access/admin/exception-requests?status=received', undefined, STAFF);
      expect((listed.json.requests as Array<{ ticket: string }>).map((r) => r.ticket)).not.toContain(ticket);
    } finally {
      await responder.setIndex(indexLine('V', klaus.signing!.certificate));
    }
  });
});
