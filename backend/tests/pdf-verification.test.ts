/**
 * POST /api/signing/verify: a person who received a signed PDF (no account
 * needed) learns per signature who signed, when, and whether it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { finishPdfSignature, preparePdfSignature } from '../signing/pades.js';
import { contractPdf, signAsTheCard } from './signing-helpers.js';
import { errorCode, startTestBackend, type TestBackend } from './helpers.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('checking a signed PDF', () => {
  let pki: TestPki;
  let tb: TestBackend;
  let signed: Uint8Array;

  beforeAll(async () => {
    pki = await createTestPki({ keyType: 'ec', person: { givenNames: 'Anna', surname: 'Janssens', nationalNumber: '85073000259' } });
    tb = await startTestBackend({ pki });
    const prepared = await preparePdfSignature({
      pdf: await contractPdf(),
      signerCertificate: pki.signing!.der,
      chain: [pki.citizenCa.der, pki.root.der],
      signingTime: new Date('2026-12-07T10:00:00Z'),
    });
    signed = await finishPdfSignature(prepared.pending, signAsTheCard(pki, prepared.hashToSign, prepared.hashAlgorithm));
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('says who signed and when, without a login', async () => {
    const r = await tb.client().post('/api/signing/verify', { pdf: b64(signed) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      valid: true,
      signatures: [
        {
          holds: true,
          coverage: 'whole-document',
          signer: { name: 'Anna Janssens', nationalNumber: '85073000259' },
          signingTime: { time: '2026-12-07T10:00:00.000Z' },
        },
      ],
    });
  });

  it('reports the document changed when one signed byte differs', async () => {
    const changed = Buffer.from(signed);
    const at = changed.indexOf('/Title <FEFF0056') + '/Title <FEFF0056'.length - 1;
    changed[at] = '7'.charCodeAt(0);
    const r = await tb.client().post('/api/signing/verify', { pdf: b64(changed) });
    expect(r.json).toMatchObject({ valid: false, signatures: [{ holds: false, problems: [{ code: 'digest-mismatch' }] }] });
  });

  it('refuses what is not a PDF', async () => {
    const r = await tb.client().post('/api/signing/verify', { pdf: b64(Buffer.from('not a pdf')) });
    expect([r.status, errorCode(r)]).toEqual([400, 'PDF_INVALID']);
  });
});
