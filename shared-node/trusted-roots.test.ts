import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../devtools/test-pki/test-pki.js';
import { BELGIAN_ROOTS, builtInRoots, loadTrustedRoots, parseCertificateFile, TRUSTED_ROOTS_ENV } from './trusted-roots.js';

/**
 * The public "Citizen CA" (serialNumber 202002) that issues the certificates of
 * applet 1.8 cards, as published in the Belgian eID middleware's documentation.
 * It must verify under the built-in Belgium Root CA6: a check that the root we
 * ship is the real one, not only a self-consistent certificate.
 */
const CITIZEN_CA_202002 = `-----BEGIN CERTIFICATE-----
MIIEmjCCBCCgAwIBAgIULtbkYSnFlNDu9AHhjDYrOy+HmyswCgYIKoZIzj0EAwMw
geAxCzAJBgNVBAYTAkJFMREwDwYDVQQHDAhCcnVzc2VsczEwMC4GA1UECgwnS2lu
Z2RvbSBvZiBCZWxnaXVtIC0gRmVkZXJhbCBHb3Zlcm5tZW50MTYwNAYDVQQLDC1G
UFMgSG9tZSBBZmZhaXJzIC0gQklLLUdDSSAoTlRSQkUtMDM2MjQ3NTUzOCkxOTA3
BgNVBAsMMEZQUyBQb2xpY3kgYW5kIFN1cHBvcnQgLSBCT1NBIChOVFJCRS0wNjcx
NTE2NjQ3KTEZMBcGA1UEAwwQQmVsZ2l1bSBSb290IENBNjAeFw0yMDA2MDMxNjQ4
MjNaFw0zMjA2MDMxNjQ4MjNaMIHrMQswCQYDVQQGEwJCRTERMA8GA1UEBwwIQnJ1
c3NlbHMxMDAuBgNVBAoMJ0tpbmdkb20gb2YgQmVsZ2l1bSAtIEZlZGVyYWwgR292
ZXJubWVudDE2MDQGA1UECwwtRlBTIEhvbWUgQWZmYWlycyAtIEJJSy1HQ0kgKE5U
UkJFLTAzNjI0NzU1MzgpMTkwNwYDVQQLDDBGUFMgUG9saWN5IGFuZCBTdXBwb3J0
IC0gQk9TQSAoTlRSQkUtMDY3MTUxNjY0NykxDzANBgNVBAUTBjIwMjAwMjETMBEG
A1UEAwwKQ2l0aXplbiBDQTB2MBAGByqGSM49AgEGBSuBBAAiA2IABGm/xr09Igfi
fHCbha2pPOKHslYQ2sHivezdP3upkQ/fxpg5iXpQtnN/aa9Kx9SBoUrQX6bMChr6
YbFLbHmb9bUH9dL2dD5wRpyspSCEqC9eyUi6t2sfi98IvxKJV7IK3aOCAYwwggGI
MBIGA1UdEwEB/wQIMAYBAf8CAQAwHwYDVR0jBBgwFoAULqCIsAsNYonsHT/Un8yS
RI5IaUYwewYIKwYBBQUHAQEEbzBtMDYGCCsGAQUFBzAChipodHRwOi8vY3J0LmVp
ZHBraS5iZWxnaXVtLmJlL2VpZC9icmNhNi5jcnQwMwYIKwYBBQUHMAGGJ2h0dHA6
Ly9vY3NwLmVpZHBraS5iZWxnaXVtLmJlL2VpZC9icmNhNjBJBgNVHSAEQjBAMD4G
BFUdIAAwNjA0BggrBgEFBQcCARYoaHR0cHM6Ly9yZXBvc2l0b3J5LmVpZHBraS5i
ZWxnaXVtLmJlL2VpZDAdBgNVHSUEFjAUBggrBgEFBQcDAgYIKwYBBQUHAwQwOwYD
VR0fBDQwMjAwoC6gLIYqaHR0cDovL2NybC5laWRwa2kuYmVsZ2l1bS5iZS9laWQv
YnJjYTYuY3JsMB0GA1UdDgQWBBSvMdNkTV80uG70wpduAZ1hMphehjAOBgNVHQ8B
Af8EBAMCAQYwCgYIKoZIzj0EAwMDaAAwZQIwG3A3+oDsuzHkKwCdTpGFiszcHDyf
WKOJ0IRw5FNXCIfpTZaBKJcQWhF0WAXv1vhvAjEA93Dsx/I5IR41nwMaV1e7Lkp6
OUh7tqMLzCkMPC6TTM/wXbmjffCYG+0IyMDpxqre
-----END CERTIFICATE-----`;

describe('built-in Belgian roots', () => {
  it('are self-signed CA certificates matching their listed fingerprints', () => {
    const roots = builtInRoots();
    expect(roots.length).toBe(BELGIAN_ROOTS.length);
    for (const { certificate } of roots) {
      expect(certificate.ca).toBe(true);
      expect(certificate.checkIssued(certificate)).toBe(true);
      expect(certificate.verify(certificate.publicKey)).toBe(true);
    }
  });

  it('include Belgium Root CA4 (RSA-4096) and Belgium Root CA6 (EC P-384)', () => {
    const byName = (cn: string) => builtInRoots().map((r) => r.certificate).filter((c) => c.subject.split('\n').includes(`CN=${cn}`));
    const ca4 = byName('Belgium Root CA4');
    expect(ca4.length).toBeGreaterThan(0);
    expect(ca4[0]!.publicKey.asymmetricKeyType).toBe('rsa');
    expect(ca4[0]!.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    const ca6 = byName('Belgium Root CA6');
    expect(ca6.length).toBe(1);
    expect(ca6[0]!.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(ca6[0]!.validTo).toMatch(/2040/);
    expect(BELGIAN_ROOTS.find((r) => r.name === 'Belgium Root CA6')!.sha256).toBe('9C872BC979A7C09A58D4A274C199E5CB16CFA9B9618D98BC9A9988E984B8495C');
  });

  it('CA6 is the key that signed the published Citizen CA of 1.8 cards', () => {
    const citizenCa = new X509Certificate(CITIZEN_CA_202002);
    const ca6 = builtInRoots().find((r) => r.source.endsWith('Belgium Root CA6'))!.certificate;
    expect(citizenCa.checkIssued(ca6)).toBe(true);
    expect(citizenCa.verify(ca6.publicKey)).toBe(true);
    const ca4 = builtInRoots().find((r) => r.source.endsWith('Belgium Root CA4'))!.certificate;
    expect(citizenCa.verify(ca4.publicKey)).toBe(false);
  });
});

describe('loadTrustedRoots', () => {
  let dir: string;
  let pki: TestPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eid-roots-'));
    pki = await createTestPki({ keyType: 'ec' });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trusts only the built-in roots when nothing is configured', async () => {
    const set = await loadTrustedRoots({ env: {} });
    expect(set.roots.every((r) => r.builtIn)).toBe(true);
    expect(set.roots.some((r) => r.certificate.fingerprint256 === new X509Certificate(pki.root.pem).fingerprint256)).toBe(false);
  });

  it('adds a test root from EID_BRIDGE_TRUSTED_ROOTS (a PEM file) and from --trust (a DER file in a folder)', async () => {
    const pemFile = join(dir, 'root.pem');
    await writeFile(pemFile, pki.root.pem);
    const other = await createTestPki({ keyType: 'rsa' });
    const folder = join(dir, 'more');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'other.der'), other.root.der);
    await writeFile(join(folder, 'notes.txt'), 'not a certificate');
    const set = await loadTrustedRoots({ env: { [TRUSTED_ROOTS_ENV]: pemFile }, extraPaths: [folder] });
    const extra = set.roots.filter((r) => !r.builtIn);
    expect(extra.map((r) => r.source)).toEqual([pemFile, join(folder, 'other.der')]);
    expect(set.problems).toEqual([]);
  });

  it('reports a missing path and a file without a certificate', async () => {
    const bad = join(dir, 'bad.pem');
    await writeFile(bad, 'hello');
    const set = await loadTrustedRoots({ env: { [TRUSTED_ROOTS_ENV]: join(dir, 'nope.pem') }, extraPaths: [bad] });
    expect(set.problems.length).toBe(2);
    expect(set.roots.every((r) => r.builtIn)).toBe(true);
  });

  it('reads every certificate of a PEM bundle', () => {
    const bundle = new TextEncoder().encode(`${pki.root.pem}\n${pki.citizenCa.pem}`);
    expect(parseCertificateFile(bundle).length).toBe(2);
  });
});
