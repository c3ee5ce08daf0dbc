/**
 * Revocation over the real backend and a real OCSP responder: `openssl ocsp`
 * started by the test, answering from an index file for the test PKI's
 * Citizen CA. A card logs in only with a good, fresh answer signed by the CA
 * or a responder it delegated; anything else refuses the login (fail closed).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestCertificateAndKey, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { configFromEnv, type BackendConfig } from '../config.js';
import { eidCheckOptions } from '../trust.js';
import { BELGIAN_ISSUING_CAS, builtInRoots } from '../../shared-node/trusted-roots.js';
import type { Clock } from '../clock.js';
import { errorCode, loginWithCard, startTestBackend } from './helpers.js';

const crypto = webcrypto as unknown as Crypto;
const MINUTE = 60_000;

let pki: TestPki;
let dir: string;
/** Signs for the CA with id-kp-OCSPSigning: the delegated responder. */
let responder: Signer;
/** Issued by the CA but without id-kp-OCSPSigning. */
let notDelegated: Signer;
/** Has id-kp-OCSPSigning but was issued by another CA. */
let foreignResponder: Signer;

/** What `openssl ocsp -rsigner … -rkey …` needs. */
interface Signer {
  certificate: x509.X509Certificate;
  pem: string;
  privateKeyPem: string;
}

async function responderCertificate(issuer: TestCertificateAndKey, name: string, usages: string[]): Promise<Signer> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '7e' + Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex'),
      subject: `C=BE, CN=${name}`,
      issuer: issuer.certificate.subject,
      notBefore: new Date(Date.now() - 24 * 60 * MINUTE),
      notAfter: new Date(Date.now() + 365 * 24 * 60 * MINUTE),
      publicKey: keys.publicKey,
      signingKey: issuer.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        ...(usages.length ? [new x509.ExtendedKeyUsageExtension(usages, false)] : []),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificate, pem: certificate.toString('pem'), privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** One line of an openssl CA index: V (valid) or R (revoked), expiry, revocation time, serial, file, subject. */
function indexLine(status: 'V' | 'R', certificate: x509.X509Certificate): string {
  const asn1Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const revoked = status === 'R' ? asn1Time(new Date(Date.now() - 60 * MINUTE)) : '';
  return [status, asn1Time(certificate.notAfter), revoked, certificate.serialNumber.toUpperCase(), 'unknown', '/C=BE/CN=card'].join('\t') + '\n';
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Responder {
  url: string;
  stop(): Promise<void>;
}

/** `openssl ocsp` as a server on 127.0.0.1, answering from `index` with signer `signer`, next update in 5 minutes. */
async function startResponder(name: string, index: string, signer: Signer): Promise<Responder> {
  const files = { index: join(dir, `${name}.index.txt`), ca: join(dir, 'ca.pem'), cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  await Promise.all([
    writeFile(files.index, index),
    writeFile(files.ca, pki.citizenCa.pem),
    writeFile(files.cert, signer.pem),
    writeFile(files.key, signer.privateKeyPem),
  ]);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'openssl',
    ['ocsp', '-port', String(port), '-index', files.index, '-CA', files.ca, '-rsigner', files.cert, '-rkey', files.key, '-nmin', '5', '-ignore_err'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Ready once it says it waits for clients (a probing connection would block it: it serves one connection at a time).
  let errors = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${errors}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      errors += d.toString();
      if (errors.includes('waiting for OCSP client connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp stopped: ${errors}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}

/** A backend that checks every card with OCSP at `url`, and one login attempt with the test card. */
async function loginWith(url: string, clock?: Clock): Promise<{ status: number; code: string | undefined }> {
  const backend = await startTestBackend({
    pki,
    config: { ocsp: 'all', ocspUrl: url, ocspTimeoutMs: 2000 },
    ...(clock ? { clock } : {}),
  });
  try {
    const login = await loginWithCard(backend.client(), pki, backend.server.origin);
    return { status: login.status, code: errorCode(login) };
  } finally {
    await backend.stop();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eid-bridge-ocsp-'));
  pki = await createTestPki({ keyType: 'ec', withSigning: false });
  const other = await createTestPki({ keyType: 'ec', withSigning: false });
  [responder, notDelegated, foreignResponder] = await Promise.all([
    responderCertificate(pki.citizenCa, 'Test OCSP responder', [x509.ExtendedKeyUsage.ocspSigning]),
    responderCertificate(pki.citizenCa, 'Test TLS client, not an OCSP responder', [x509.ExtendedKeyUsage.clientAuth]),
    responderCertificate(other.citizenCa, 'Test OCSP responder of another CA', [x509.ExtendedKeyUsage.ocspSigning]),
  ]);
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OCSP against a real responder (openssl ocsp)', () => {
  let good: Responder;
  let revoked: Responder;
  let unknown: Responder;

  beforeAll(async () => {
    [good, revoked, unknown] = await Promise.all([
      startResponder('good', indexLine('V', pki.authentication.certificate), responder),
      startResponder('revoked', indexLine('R', pki.authentication.certificate), responder),
      // The index knows only another certificate: the card's serial is unknown.
      startResponder('unknown', indexLine('V', responder.certificate), responder),
    ]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([good?.stop(), revoked?.stop(), unknown?.stop()]);
  });

  it('logs a card in when the responder says good', async () => {
    expect(await loginWith(good.url)).toEqual({ status: 200, code: undefined });
  });

  it('refuses a revoked card', async () => {
    expect((await loginWith(revoked.url)).code).toBe('CERTIFICATE_REVOKED');
  });

  it('refuses a card the responder does not know', async () => {
    expect((await loginWith(unknown.url)).code).toBe('CERTIFICATE_STATUS_UNKNOWN');
  });

  it('refuses the login when the responder is down (fail closed)', async () => {
    const down = `http://127.0.0.1:${await freePort()}/`;
    const result = await loginWith(down);
    expect(result.code).toBe('OCSP_UNAVAILABLE');
    expect(result.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a stale answer and one from the future, beyond the allowed clock skew', async () => {
    // openssl answers thisUpdate = now, nextUpdate = now + 5 min; the skew allowed is 15 min.
    expect(await loginWith(good.url, { now: () => Date.now() + 10 * MINUTE })).toEqual({ status: 200, code: undefined });
    expect((await loginWith(good.url, { now: () => Date.now() + 60 * MINUTE })).code).toBe('OCSP_RESPONSE_INVALID');
    expect((await loginWith(good.url, { now: () => Date.now() - 60 * MINUTE })).code).toBe('OCSP_RESPONSE_INVALID');
  });

  it('refuses an answer signed by a responder the CA did not delegate', async () => {
    const withoutOcspSigning = await startResponder('not-delegated', indexLine('V', pki.authentication.certificate), notDelegated);
    const ofAnotherCa = await startResponder('foreign', indexLine('V', pki.authentication.certificate), foreignResponder);
    try {
      expect((await loginWith(withoutOcspSigning.url)).code).toBe('OCSP_RESPONSE_INVALID');
      expect((await loginWith(ofAnotherCa.url)).code).toBe('OCSP_RESPONSE_INVALID');
    } finally {
      await Promise.all([withoutOcspSigning.stop(), ofAnotherCa.stop()]);
    }
  });
});

describe('the default revocation policy', () => {
  it('is on, for certificates under the built-in Belgian roots and their issuing CAs', () => {
    const config: BackendConfig = configFromEnv({});
    expect(config.ocsp).toBe('belgian-roots');
    const operatorTrusts = [...builtInRoots().map((r) => new Uint8Array(r.certificate.raw)), pki.root.der, pki.citizenCa.der];
    const anchors = eidCheckOptions(config, operatorTrusts).ocsp?.trustAnchors as Uint8Array[];
    const has = (der: Uint8Array) => anchors.some((a) => Buffer.from(a).equals(Buffer.from(der)));
    for (const root of builtInRoots()) expect(has(new Uint8Array(root.certificate.raw))).toBe(true);
    for (const ca of BELGIAN_ISSUING_CAS) expect(has(new Uint8Array(Buffer.from(ca.der, 'base64')))).toBe(true);
    // A test PKI an operator adds is not a real Belgian one: its cards are asked only with EID_BRIDGE_OCSP=all.
    expect(has(pki.root.der)).toBe(false);
    expect(has(pki.citizenCa.der)).toBe(false);
  });

  it('reads EID_BRIDGE_OCSP: a policy name, or yes/no for all/off', () => {
    expect(configFromEnv({ EID_BRIDGE_OCSP: 'off' }).ocsp).toBe('off');
    expect(configFromEnv({ EID_BRIDGE_OCSP: 'all' }).ocsp).toBe('all');
    expect(configFromEnv({ EID_BRIDGE_OCSP: '1' }).ocsp).toBe('all');
    expect(configFromEnv({ EID_BRIDGE_OCSP: '0' }).ocsp).toBe('off');
    expect(() => configFromEnv({ EID_BRIDGE_OCSP: 'sometimes' })).toThrow(/OCSP policy/);
    expect(eidCheckOptions(configFromEnv({ EID_BRIDGE_OCSP: 'off' }), []).ocsp).toBeUndefined();
  });
});
