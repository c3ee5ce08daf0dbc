import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../devtools/test-pki/test-pki.js';
import { BELGIAN_ISSUING_CAS, BELGIAN_ROOTS, builtInIssuingCas, builtInRoots, loadTrustedRoots, parseCertificateFile, TRUSTED_ROOTS_ENV } from './trusted-roots.js';

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
    // The Citizen CA (serialNumber 202002) as published in the Belgian eID middleware's documentation.
    const citizenCa = new X509Certificate(Buffer.from(BELGIAN_ISSUING_CAS.find((ca) => ca.name === 'Citizen CA 202002')!.der, 'base64'));
    const ca6 = builtInRoots().find((r) => r.source.endsWith('Belgium Root CA6'))!.certificate;
    expect(citizenCa.checkIssued(ca6)).toBe(true);
    expect(citizenCa.verify(ca6.publicKey)).toBe(true);
    const ca4 = builtInRoots().find((r) => r.source.endsWith('Belgium Root CA4'))!.certificate;
    expect(citizenCa.verify(ca4.publicKey)).toBe(false);
  });
});

describe('built-in Belgian issuing CAs', () => {
  it('each matches its pinned SHA-256 and verifies under the built-in root it names', () => {
    expect(builtInIssuingCas().length).toBe(BELGIAN_ISSUING_CAS.length);
    const roots = builtInRoots();
    for (const ca of BELGIAN_ISSUING_CAS) {
      const certificate = new X509Certificate(Buffer.from(ca.der, 'base64'));
      expect(createHash('sha256').update(certificate.raw).digest('hex').toUpperCase(), ca.name).toBe(ca.sha256);
      expect(certificate.ca, ca.name).toBe(true);
      const root = roots.find((r) => r.source === `built-in: ${ca.issuer}`)!.certificate;
      expect(certificate.checkIssued(root), ca.name).toBe(true);
      expect(certificate.verify(root.publicKey), ca.name).toBe(true);
      expect(certificate.subject, ca.name).toContain(`serialNumber=${ca.name.split(' ').pop()}`);
    }
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
