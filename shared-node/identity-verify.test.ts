import 'reflect-metadata';
import { createPrivateKey, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../devtools/virtual-card/virtual-card.js';
import { builtInRoots } from './trusted-roots.js';
import { parseIdentityFile } from '../shared/identity-parse.js';
import { decodeRawCardFiles, verifyIdentityFiles, type CardFiles } from './identity-verify.js';
import { createTestPki } from '../devtools/test-pki/test-pki.js';
import { encodeBelpicTlv } from '../shared/tlv.js';
import { createGovernmentTestCard, createV11TestCard, signedCardFiles, SAMPLE_ADDRESS, SAMPLE_IDENTITY, SAMPLE_PHOTO } from '../devtools/test-pki/card-files.js';
import { V11_PKI_OPTIONS } from '../devtools/test-pki/test-pki.js';

const IDS = ['4031', '4032', '4033', '4034', '4035', '503C', '503A', '503B'] as const;

function filesOf(card: VirtualBelpicCard): CardFiles {
  const files: CardFiles = {};
  for (const id of IDS) files[id] = card.getFile(id);
  try {
    files['4040'] = card.getFile('4040');
  } catch {
    // only applet 1.8 has a basic key
  }
  return files;
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

/** Changes one byte inside a text value, so the file still parses. */
function tamperText(file: Uint8Array, tag: number): Uint8Array {
  let pos = 0;
  while (pos < file.length) {
    const t = file[pos]!;
    const len = file[pos + 1]!;
    if (t === tag) return flip(file, pos + 2);
    pos += 2 + len;
  }
  throw new Error(`tag ${tag} not found`);
}

describe('verifyIdentityFiles with the virtual card, applet 1.7 (RSA-2048)', () => {
  let card: VirtualBelpicCard;
  let files: CardFiles;
  beforeAll(async () => {
    card = await createVirtualCard({ profile: '1.7' });
    files = filesOf(card);
  });

  it('verifies everything when the card\'s test root is trusted', () => {
    const v = verifyIdentityFiles(files, { trustedRoots: [card.pki.root.der] });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({
      verified: true,
      identitySignature: 'valid',
      addressSignature: 'valid',
      photoHash: 'valid',
      rrnCertificate: 'trusted',
      signatureHash: 'SHA-256',
      rrnKeyType: 'RSA-2048',
    });
  });

  it('is NOT verified against the real Belgian roots alone, although the signatures are fine', () => {
    const v = verifyIdentityFiles(files, { trustedRoots: builtInRoots().map((r) => r.certificate) });
    expect(v.verified).toBe(false);
    expect(v.identitySignature).toBe('valid');
    expect(v.rrnCertificate).toBe('untrusted');
    expect(v.problems.join(' ')).toMatch(/does not chain to a trusted root/);
  });

  it('is NOT verified with no trusted root at all', () => {
    const v = verifyIdentityFiles(files, { trustedRoots: [] });
    expect(v.verified).toBe(false);
    expect(v.problems.join(' ')).toMatch(/No trusted root/);
  });

  it('reports a changed identity file', () => {
    const v = verifyIdentityFiles({ ...files, '4031': tamperText(files['4031']!, 0x07) }, { trustedRoots: [card.pki.root.der] });
    expect(v.verified).toBe(false);
    expect(v.identitySignature).toBe('invalid');
    expect(v.addressSignature).toBe('valid');
    expect(v.problems.join(' ')).toMatch(/identity data does not match its signature/);
  });

  it('reports a changed address', () => {
    const v = verifyIdentityFiles({ ...files, '4033': tamperText(files['4033']!, 0x01) }, { trustedRoots: [card.pki.root.der] });
    expect(v.verified).toBe(false);
    expect(v.identitySignature).toBe('valid');
    expect(v.addressSignature).toBe('invalid');
    expect(v.problems.join(' ')).toMatch(/address does not match/);
  });

  it('reports a changed photo', () => {
    const v = verifyIdentityFiles({ ...files, '4035': flip(files['4035']!, 100) }, { trustedRoots: [card.pki.root.der] });
    expect(v.verified).toBe(false);
    expect(v.photoHash).toBe('invalid');
    expect(v.identitySignature).toBe('valid');
    expect(v.problems.join(' ')).toMatch(/photo does not match/);
  });

  it('accepts the address file with its zero padding and a padded RRN certificate file', () => {
    const address = new Uint8Array(128);
    address.set(files['4033']!);
    const rrn = new Uint8Array(2048);
    rrn.set(files['503C']!);
    const v = verifyIdentityFiles({ ...files, '4033': address, '503C': rrn }, { trustedRoots: [card.pki.root.der] });
    expect(v.verified).toBe(true);
  });

  it('restores identity bytes a reader stripped when the last value ends in 00', () => {
    const rrnKey = createPrivateKey({ key: Buffer.from(card.pki.rrn.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    const identity = encodeBelpicTlv([
      { tag: 0x06, value: new TextEncoder().encode('85073000160') },
      { tag: 0x1a, value: new Uint8Array([...new Uint8Array(46).fill(7), 0x00, 0x00]) },
    ]);
    const signature = new Uint8Array(sign('sha256', identity, rrnKey));
    const stripped = identity.subarray(0, identity.length - 2);
    const v = verifyIdentityFiles({ '4031': stripped, '4032': signature, '503C': files['503C']! }, { trustedRoots: [card.pki.root.der] });
    expect(v.identitySignature).toBe('valid');
    const other = verifyIdentityFiles({ '4031': flip(stripped, 20), '4032': signature, '503C': files['503C']! }, { trustedRoots: [card.pki.root.der] });
    expect(other.identitySignature).toBe('invalid');
  });

  it('refuses identity data signed by a citizen key that chains to the same root', async () => {
    // Anyone holds a key certified under the root (their authentication key): that must not vouch for identity data.
    const authKey = createPrivateKey({ key: Buffer.from(card.pki.authentication.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    const forged = encodeBelpicTlv([{ tag: 0x06, value: new TextEncoder().encode('85073000160') }, { tag: 0x07, value: new TextEncoder().encode('Mallory') }]);
    const v = verifyIdentityFiles(
      {
        '4031': forged,
        '4032': new Uint8Array(sign('sha256', forged, authKey)),
        '503C': card.pki.authentication.der,
        '503A': card.pki.citizenCa.der,
      },
      { trustedRoots: [card.pki.root.der] },
    );
    expect(v.identitySignature).toBe('valid');
    expect(v.rrnCertificate).toBe('untrusted');
    expect(v.verified).toBe(false);
    expect(v.problems.join(' ')).toMatch(/not an RRN certificate/);
  });

  it('does not trust a root of another PKI', async () => {
    const other = await createTestPki({ keyType: 'rsa' });
    const v = verifyIdentityFiles(files, { trustedRoots: [other.root.der] });
    expect(v.verified).toBe(false);
    expect(v.rrnCertificate).toBe('untrusted');
  });

  it('is not verified when the RRN certificate has expired at the time of checking', () => {
    const v = verifyIdentityFiles(files, { trustedRoots: [card.pki.root.der], now: new Date(Date.now() + 100 * 365 * 86_400_000) });
    expect(v.verified).toBe(false);
    expect(v.rrnCertificate).toBe('untrusted');
    expect(v.problems.join(' ')).toMatch(/not valid at/);
  });

  it('verifies the base64 raw files of a ReadIdentityResult (what a server receives from a page)', () => {
    const raw: Record<string, unknown> = { junk: 'AAAA', '4035': 42 };
    for (const id of ['4031', '4032', '4033', '4034', '503C'] as const) raw[id] = Buffer.from(files[id]!).toString('base64');
    const decoded = decodeRawCardFiles(raw);
    expect(Object.keys(decoded).sort()).toEqual(['4031', '4032', '4033', '4034', '503C']);
    const v = verifyIdentityFiles(decoded, { trustedRoots: [card.pki.root.der] });
    expect(v).toMatchObject({ verified: true, photoHash: 'not-checked' });
  });

  it('says what is missing instead of failing', () => {
    const v = verifyIdentityFiles({ '4031': files['4031']!, '4032': files['4032']! }, { trustedRoots: [card.pki.root.der] });
    expect(v.verified).toBe(false);
    expect(v.identitySignature).toBe('not-checked');
    expect(v.problems.join(' ')).toMatch(/RRN certificate \(file 503C\) is missing/);
  });
});

describe('verifyIdentityFiles with the virtual card, applet 1.8 (P-384)', () => {
  let card: VirtualBelpicCard;
  let files: CardFiles;
  beforeAll(async () => {
    card = await createVirtualCard({ profile: '1.8' });
    files = filesOf(card);
  });

  it('verifies a DER signature zero-padded to the file length, and the basic key hash', () => {
    const padded = new Uint8Array(128);
    padded.set(files['4032']!);
    const v = verifyIdentityFiles({ ...files, '4032': padded }, { trustedRoots: [card.pki.root.der] });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ verified: true, signatureHash: 'SHA-384', rrnKeyType: 'EC P-384', basicKeyHash: 'valid', photoHash: 'valid' });
  });

  it('verifies the files as the card driver returns them', () => {
    expect(verifyIdentityFiles(files, { trustedRoots: [card.pki.root.der] }).verified).toBe(true);
  });

  it('is NOT verified without its root', () => {
    const v = verifyIdentityFiles(files, { trustedRoots: builtInRoots().map((r) => r.certificate) });
    expect(v.verified).toBe(false);
    expect(v.identitySignature).toBe('valid');
    expect(v.rrnCertificate).toBe('untrusted');
  });

  it('reports tampering of identity, address, photo and basic key', () => {
    const roots = { trustedRoots: [card.pki.root.der] };
    expect(verifyIdentityFiles({ ...files, '4031': tamperText(files['4031']!, 0x08) }, roots).identitySignature).toBe('invalid');
    expect(verifyIdentityFiles({ ...files, '4033': tamperText(files['4033']!, 0x03) }, roots).addressSignature).toBe('invalid');
    expect(verifyIdentityFiles({ ...files, '4035': flip(files['4035']!, 50) }, roots).photoHash).toBe('invalid');
    const badKey = verifyIdentityFiles({ ...files, '4040': flip(files['4040']!, 30) }, roots);
    expect(badKey.basicKeyHash).toBe('invalid');
    expect(badKey.verified).toBe(false);
  });

  it('accepts an address signature made over the zero-padded identity signature file (as real 1.8 cards may)', () => {
    const rrnKey = createPrivateKey({ key: Buffer.from(card.pki.rrn.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    const paddedSignature = new Uint8Array(128);
    paddedSignature.set(files['4032']!);
    const address = files['4033']!;
    const addressSignature = new Uint8Array(sign('sha384', Buffer.concat([address, paddedSignature]), rrnKey));
    const v = verifyIdentityFiles({ ...files, '4032': paddedSignature, '4034': addressSignature }, { trustedRoots: [card.pki.root.der] });
    expect(v.addressSignature).toBe('valid');
    expect(v.verified).toBe(true);
  });

  it('reports a damaged signature', () => {
    const v = verifyIdentityFiles({ ...files, '4032': flip(files['4032']!, 20) }, { trustedRoots: [card.pki.root.der] });
    expect(v.identitySignature).toBe('invalid');
    expect(v.verified).toBe(false);
  });

  it('says an RRN certificate whose public key does not decode cannot be read, instead of throwing', () => {
    // The P-384 point starts with 04 (uncompressed); 05 is no point encoding at all.
    const rrn = files['503C']!.slice();
    rrn[Buffer.from(rrn).indexOf(Buffer.from([0x03, 0x62, 0x00, 0x04])) + 3] = 0x05;
    const v = verifyIdentityFiles({ ...files, '503C': rrn }, { trustedRoots: [card.pki.root.der] });
    expect(v.verified).toBe(false);
    expect(v.problems).toContain('The RRN certificate (file 503C) cannot be read.');
  });
});

describe('Kids-ID and foreigner cards from the virtual card', () => {
  it('parses and verifies a Kids-ID (child born after 2000)', async () => {
    const card = await createVirtualCard({ profile: 'kids' });
    const files = filesOf(card);
    const id = parseIdentityFile(files['4031']!);
    expect(id).toMatchObject({ documentType: 6, documentTypeName: 'Kids-ID (child under 12)', nationalNumber: '18031400107', birthDate: '2018-03-14', sex: 'M' });
    expect(verifyIdentityFiles(files, { trustedRoots: [card.pki.root.der] }).verified).toBe(true);
  });

  it('parses and verifies a foreigner card, keeping the third given name\'s initial', async () => {
    const card = await createVirtualCard({ profile: 'foreigner' });
    const files = filesOf(card);
    const id = parseIdentityFile(files['4031']!);
    expect(id.documentType).toBe(11);
    expect(id.documentTypeName).toMatch(/^Foreigner card A:/);
    expect(id.cardNumber).toMatch(/^B\d{9}$/);
    expect(id).toMatchObject({ surname: 'de Vries', firstNames: 'Jan Pieter', thirdNameInitial: 'W', nationality: 'Nederlander', birthDate: '1990-05-12' });
    expect(verifyIdentityFiles(files, { trustedRoots: [card.pki.root.der] }).verified).toBe(true);
  });
});

describe('verifyIdentityFiles for a V1.1-style card (RSA-1024, SHA-1)', () => {
  it('verifies SHA-1 signatures chosen by the 20-byte photo hash', async () => {
    const { files, pki } = await createV11TestCard();
    expect(files['4032']!.length).toBe(128);
    expect(files['4031']![files['4031']!.length - 1]).toBe(0);
    const v = verifyIdentityFiles(files, { trustedRoots: [pki.root.pem] });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ verified: true, signatureHash: 'SHA-1', rrnKeyType: 'RSA-1024' });
    expect(parseIdentityFile(files['4031']!).birthDate).toBe('1985-07-30');
  });

  it('falls back to SHA-256 for a re-signed card whose photo hash is still SHA-1', async () => {
    const { files, pki } = await createV11TestCard({ signatureHash: 'sha256' });
    const v = verifyIdentityFiles(files, { trustedRoots: [pki.root.pem] });
    expect(v).toMatchObject({ verified: true, signatureHash: 'SHA-256' });
  });

  it('is NOT verified when the root is not trusted', async () => {
    const { files } = await createV11TestCard();
    const v = verifyIdentityFiles(files, { trustedRoots: builtInRoots().map((r) => r.certificate) });
    expect(v.verified).toBe(false);
    expect(v.identitySignature).toBe('valid');
  });
});

/** The card's files with the identity and address signed by another key, and that key's certificate in 503C. */
function signedBy(key: { privateKeyPkcs8: Uint8Array }, certificate: Uint8Array, extra: CardFiles = {}): CardFiles {
  const privateKey = createPrivateKey({ key: Buffer.from(key.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  const identity = encodeBelpicTlv([{ tag: 0x06, value: new TextEncoder().encode('85073000160') }, { tag: 0x07, value: new TextEncoder().encode('Mallory') }]);
  return { '4031': identity, '4032': new Uint8Array(sign('sha256', identity, privateKey)), '503C': certificate, ...extra };
}

describe('which certificate may vouch for identity data', () => {
  it('accepts a government test card ("test RRN" under "eID test Root CA") with a warning that names the certificate', async () => {
    const { files, pki } = await createGovernmentTestCard();
    const v = verifyIdentityFiles(files, { trustedRoots: [pki.root.der] });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ verified: true, rrnCertificate: 'trusted', identitySignature: 'valid', addressSignature: 'valid', photoHash: 'valid' });
    expect(v.rrnSubject).toBe('CN=test RRN, O=test RRN, C=BE');
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toMatch(/named "CN=test RRN, O=test RRN, C=BE".*eID test Root CA/);
  });

  it('accepts an old (V1.1) government test card the same way', async () => {
    const { files, pki } = await createGovernmentTestCard({ pki: V11_PKI_OPTIONS });
    const v = verifyIdentityFiles(files, { trustedRoots: [pki.root.der] });
    expect(v).toMatchObject({ verified: true, signatureHash: 'SHA-1', rrnKeyType: 'RSA-1024' });
    expect(v.warnings.join(' ')).toMatch(/test RRN/);
  });

  it('gives no warning for an RRN certificate named RRN', async () => {
    const { files, pki } = await createV11TestCard();
    expect(verifyIdentityFiles(files, { trustedRoots: [pki.root.der] }).warnings).toEqual([]);
  });

  it('still refuses a test card whose root is not trusted, and its name warning waits for a trusted root', async () => {
    const { files } = await createGovernmentTestCard();
    const v = verifyIdentityFiles(files, { trustedRoots: builtInRoots().map((r) => r.certificate) });
    expect(v.verified).toBe(false);
    expect(v.rrnCertificate).toBe('untrusted');
    expect(v.problems.join(' ')).toMatch(/does not chain to a trusted root/);
    expect(v.warnings).toEqual([]);
  });

  it('refuses a citizen certificate even when its Citizen CA is configured as trusted', async () => {
    const pki = await createTestPki({ keyType: 'rsa' });
    const files = signedBy(pki.authentication, pki.authentication.der);
    const v = verifyIdentityFiles(files, { trustedRoots: [pki.root.der, pki.citizenCa.der] });
    expect(v.identitySignature).toBe('valid');
    expect(v).toMatchObject({ verified: false, rrnCertificate: 'untrusted' });
    expect(v.problems.join(' ')).toMatch(/not an RRN certificate: it is issued by the intermediate CA "[^"]*CN=Citizen CA/);
  });

  it('refuses a CA certificate issued by the root, although it signs', async () => {
    const pki = await createTestPki({ keyType: 'rsa' });
    const v = verifyIdentityFiles(signedBy(pki.citizenCa, pki.citizenCa.der), { trustedRoots: [pki.root.der] });
    expect(v.identitySignature).toBe('valid');
    expect(v.verified).toBe(false);
    expect(v.problems.join(' ')).toMatch(/is a CA certificate, so it is not an RRN certificate/);
  });

  it('refuses a certificate from the root whose key usage is not for signing, or that has none', async () => {
    const pki = await createTestPki({ keyType: 'rsa' });
    const crypto = webcrypto as unknown as Crypto;
    x509.cryptoProvider.set(crypto);
    for (const extensions of [[new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment, true)], []]) {
      const certificate = await x509.X509CertificateGenerator.create(
        {
          serialNumber: '0badc0de',
          subject: 'C=BE, O=RRN, CN=RRN',
          issuer: pki.root.certificate.subjectName,
          notBefore: new Date(Date.now() - 86_400_000),
          notAfter: new Date(Date.now() + 86_400_000),
          publicKey: pki.rrn.publicKey,
          signingKey: pki.root.privateKey,
          signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
          extensions,
        },
        crypto,
      );
      const v = verifyIdentityFiles(signedBy(pki.rrn, new Uint8Array(certificate.rawData)), { trustedRoots: [pki.root.der] });
      expect(v.identitySignature).toBe('valid');
      expect(v.verified).toBe(false);
      expect(v.problems.join(' ')).toMatch(/key usage does not allow signing/);
    }
  });

  it('refuses test card files signed by another key than the certificate in 503C', async () => {
    const { pki } = await createGovernmentTestCard();
    const other = await createGovernmentTestCard();
    const files = signedCardFiles(other.pki, { identity: SAMPLE_IDENTITY, address: SAMPLE_ADDRESS, photo: SAMPLE_PHOTO, photoHash: 'sha256', signatureHash: 'sha256' });
    const v = verifyIdentityFiles({ ...files, '503C': pki.rrn.der }, { trustedRoots: [pki.root.der] });
    expect(v).toMatchObject({ verified: false, identitySignature: 'invalid', addressSignature: 'invalid', rrnCertificate: 'trusted' });
    expect(v.warnings).toEqual([]);
  });
});
