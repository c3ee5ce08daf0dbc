/**
 * The real eid-bridge-host over PC/SC with no middleware: the virtual BELPIC
 * card in the vpcd reader of the real pcscd. The same commands and the same
 * token shape as through PKCS#11.
 */
import { createHash, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPki } from '../devtools/test-pki/test-pki.js';
import { createVirtualCard, type VirtualCardProfile } from '../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../devtools/virtual-card/vpcd-client.js';
import { waitUntilPcscSeesNoCard } from './e2e/helpers/card.js';
import { HostProcess } from './helpers/host-process.js';
import { createSoftHsmToken } from './helpers/softhsm.js';

const PORT = 35964;
const READER = 'Virtual PCD 00 01';
const ORIGIN = 'https://www.belgium.be';
const PIN = '2580';

let host: HostProcess | undefined;
let vpcd: VpcdConnection | undefined;
afterEach(async () => {
  await host?.close();
  await vpcd?.close();
  // The next test's card must come into an empty reader (waitUntilPcscSeesNoCard says why).
  if (vpcd) await waitUntilPcscSeesNoCard(READER);
  host = undefined;
  vpcd = undefined;
});

async function insertCard(profile: VirtualCardProfile) {
  const card = await createVirtualCard({ profile, pin: PIN });
  vpcd = await connectToVpcd(card, { port: PORT, retryForMs: 10_000 });
  return card;
}

/** Names the card's certificate, as the extension does once the person chose: other readers may hold cards too. */
function auth(card: { pki: { authentication: { der: Uint8Array } } }, nonce: string, pin: string) {
  return { challengeNonce: nonce, origin: ORIGIN, pin, certificate: Buffer.from(card.pki.authentication.der).toString('base64') };
}

function pcscHost(): HostProcess {
  return new HostProcess({ EID_BRIDGE_BACKENDS: 'pcsc' });
}

function verifyToken(token: Record<string, unknown>, nonce: string): boolean {
  const hash = token.algorithm === 'ES384' ? 'sha384' : 'sha256';
  const signed = Buffer.concat([createHash(hash).update(ORIGIN).digest(), createHash(hash).update(nonce).digest()]);
  const cert = new X509Certificate(Buffer.from(token.unverifiedCertificate as string, 'base64'));
  return createVerify(hash).update(signed).verify({ key: cert.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(token.signature as string, 'base64'));
}

describe('host over PC/SC with the virtual card', () => {
  it.each([
    ['1.7', 'RS256'],
    ['1.8', 'ES384'],
  ] as const)('status sees the %s card, and its %s token verifies', async (profile, algorithm) => {
    const card = await insertCard(profile);
    host = pcscHost();
    await host.next();
    const status = await host.request('status');
    const reader = (status.result?.readers as Array<Record<string, unknown>>).find((r) => r.name === READER);
    expect(reader).toMatchObject({ backend: 'pcsc', cardPresent: true, virtual: true, cardType: expect.stringContaining(profile) });

    const nonce = randomBytes(32).toString('base64');
    const { result, error } = await host.request('authenticate', auth(card, nonce, PIN));
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ algorithm, format: 'web-eid:1.0', unverifiedCertificate: Buffer.from(card.pki.authentication.der).toString('base64') });
    expect(verifyToken(result!, nonce)).toBe(true);
  });

  it('counts down PIN tries and blocks on the third wrong PIN, never retrying by itself', async () => {
    const card = await insertCard('1.8');
    host = pcscHost();
    await host.next();
    const nonce = randomBytes(32).toString('base64');
    const first = await host.request('authenticate', auth(card, nonce, '0000'));
    expect(first.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 2 });
    expect(card.pinTriesLeft()).toBe(2);
    const second = await host.request('authenticate', auth(card, nonce, '0001'));
    expect(second.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 1 });
    const third = await host.request('authenticate', auth(card, nonce, '0002'));
    expect(third.error?.code).toMatch(/PIN_INCORRECT|PIN_BLOCKED/);
    const after = await host.request('authenticate', auth(card, nonce, PIN));
    expect(after.error?.code).toBe('PIN_BLOCKED');
    expect(card.pinTriesLeft()).toBe(0);
  });

  it('says the Kids-ID has no signing certificate', async () => {
    await insertCard('kids');
    host = pcscHost();
    await host.next();
    expect((await host.request('get-signing-certificate')).error?.code).toBe('NO_SIGNING_CERTIFICATE');
  });

  it('answers CARD_REMOVED or NO_CARD when the card is pulled, and works again once it is back', async () => {
    const card = await insertCard('1.8');
    host = pcscHost();
    await host.next();
    const listed = (await host.request('list-certificates')).result?.certificates as Array<{ reader: string }>;
    expect(listed.filter((c) => c.reader === READER)).toHaveLength(2);
    await vpcd!.remove();
    const nonce = randomBytes(32).toString('base64');
    const t0 = Date.now();
    const gone = await host.request('authenticate', auth(card, nonce, PIN));
    expect(gone.error?.code).toMatch(/NO_CARD|CARD_REMOVED|CERTIFICATE_NOT_FOUND/);
    expect(Date.now() - t0).toBeLessThan(2000);
    await vpcd!.insert();
    // pcscd notices the card within its polling interval.
    let back: Awaited<ReturnType<HostProcess['request']>> | undefined;
    for (let i = 0; i < 20 && !back?.result; i++) {
      back = await host.request('authenticate', auth(card, nonce, PIN));
      if (!back.result) await new Promise((r) => setTimeout(r, 250));
    }
    expect(verifyToken(back!.result!, nonce)).toBe(true);
  });

  it('gives the same token shape through PC/SC and through PKCS#11', async () => {
    const card = await insertCard('1.8');
    host = pcscHost();
    await host.next();
    const nonce = randomBytes(32).toString('base64');
    const viaPcsc = (await host.request('authenticate', auth(card, nonce, PIN))).result!;
    await host.close();

    const token = await createSoftHsmToken({ label: 'shape', pki: await createTestPki({ keyType: 'ec' }) });
    try {
      host = new HostProcess({ ...token.env, EID_BRIDGE_BACKENDS: 'pkcs11', EID_BRIDGE_PKCS11_MODULE: token.modulePath });
      await host.next();
      const viaPkcs11 = (await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: '1234' })).result!;
      expect(Object.keys(viaPkcs11).sort()).toEqual(Object.keys(viaPcsc).sort());
      for (const t of [viaPcsc, viaPkcs11]) {
        expect(t).toMatchObject({ algorithm: 'ES384', format: 'web-eid:1.0', appVersion: viaPcsc.appVersion });
        expect(Buffer.from(t.signature as string, 'base64')).toHaveLength(96);
        expect(verifyToken(t, nonce)).toBe(true);
      }
    } finally {
      await token.cleanup();
    }
  });
});
