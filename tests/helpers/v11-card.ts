/**
 * A V1.1-style card built for tests: RSA-1024 RRN key, SHA-1 photo hash and
 * PKCS#1 v1.5 signatures (SHA-1, or SHA-256 like cards re-signed under a newer
 * CA), under a test root. The virtual card emulates applets 1.7 and 1.8 only.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, createPrivateKey, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CardFiles } from '../../shared-node/identity-verify.js';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { encodeBelpicTlv } from '../../shared/tlv.js';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

export async function buildV11Card(signatureHash: 'sha1' | 'sha256'): Promise<{ files: CardFiles; pki: TestPki }> {
  const pki = await createTestPki({ keyType: 'rsa' });
  const rrnKeys = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const now = Date.now();
  const rrnCert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '0a1b2c',
      subject: 'C=BE, CN=RRN',
      issuer: pki.root.certificate.subjectName,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 365 * 86_400_000),
      publicKey: rrnKeys.publicKey,
      signingKey: pki.root.privateKey,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
    },
    crypto,
  );
  const rrnPrivate = createPrivateKey({ key: Buffer.from(await crypto.subtle.exportKey('pkcs8', rrnKeys.privateKey)), format: 'der', type: 'pkcs8' });
  const photo = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
  const text = (s: string) => new TextEncoder().encode(s);
  const identity = encodeBelpicTlv([
    { tag: 0x01, value: text('590123456789') },
    { tag: 0x06, value: text('85073000160') },
    { tag: 0x07, value: text('Janssens') },
    { tag: 0x08, value: text('Jan Pieter') },
    { tag: 0x0c, value: text('30 JUIL 1985') },
    { tag: 0x0d, value: text('M') },
    { tag: 0x0f, value: text('1') },
    { tag: 0x11, value: new Uint8Array(createHash('sha1').update(photo).digest()) },
  ]);
  const identitySignature = new Uint8Array(sign(signatureHash, identity, rrnPrivate));
  const address = encodeBelpicTlv([
    { tag: 0x01, value: text('Rue Haute 1') },
    { tag: 0x02, value: text('1000') },
    { tag: 0x03, value: text('Bruxelles') },
  ]);
  const addressSignature = new Uint8Array(sign(signatureHash, Buffer.concat([address, identitySignature]), rrnPrivate));
  const paddedAddress = new Uint8Array(117);
  paddedAddress.set(address);
  return {
    pki,
    files: {
      '4031': identity,
      '4032': identitySignature,
      '4033': paddedAddress,
      '4034': addressSignature,
      '4035': photo,
      '503C': new Uint8Array(rrnCert.rawData),
    },
  };
}

