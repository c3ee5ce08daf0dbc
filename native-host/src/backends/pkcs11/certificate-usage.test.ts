import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../../../devtools/test-pki/test-pki.js';
import { certificateUsage } from './certificate-usage.js';

describe('certificateUsage', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ keyType: 'ec' });
  });

  it('tells the Belgian authentication and signature certificates apart and skips CAs', () => {
    expect(certificateUsage(pki.authentication.der)).toBe('authentication');
    expect(certificateUsage(pki.signing!.der)).toBe('signing');
    expect(certificateUsage(pki.citizenCa.der)).toBeUndefined();
    expect(certificateUsage(pki.root.der)).toBeUndefined();
    expect(certificateUsage(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).toBeUndefined();
  });

  async function leaf(usages: number, eku?: string[]): Promise<Uint8Array> {
    const crypto = webcrypto as unknown as Crypto;
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const extensions: x509.Extension[] = [new x509.KeyUsagesExtension(usages, true)];
    if (eku) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=Other', keys, extensions, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } }, crypto);
    return new Uint8Array(cert.rawData);
  }

  it('keeps a digitalSignature certificate only when its EKU allows client authentication', async () => {
    const F = x509.KeyUsageFlags;
    expect(certificateUsage(await leaf(F.digitalSignature))).toBe('authentication');
    expect(certificateUsage(await leaf(F.digitalSignature, ['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']))).toBe('authentication');
    expect(certificateUsage(await leaf(F.digitalSignature, ['1.3.6.1.5.5.7.3.1']))).toBeUndefined();
    expect(certificateUsage(await leaf(F.digitalSignature | F.nonRepudiation))).toBe('signing');
    expect(certificateUsage(await leaf(F.keyEncipherment))).toBeUndefined();
  });
});
