/**
 * Revocation over the real backend and a real OCSP responder: `openssl ocsp`
 * started by the test, answering from an index file for the test PKI's
 * Citizen CA. A card logs in only with a good, fresh answer signed by the CA
 * or a responder it delegated; anything else refuses the login (fail closed).
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { configFromEnv, type BackendConfig } from '../config.js';
import { eidCheckOptions } from '../trust.js';
import { BELGIAN_ISSUING_CAS, builtInRoots } from '../../shared-node/trusted-roots.js';
import type { Clock } from '../clock.js';
import { errorCode, loginWithCard, startTestBackend } from './helpers.js';
import { freePort } from './postgres-cluster.js';
import { indexLine, responderCertificate, startResponder as startOcspResponder, type Responder, type ResponderSigner } from './ocsp-responder.js';

const MINUTE = 60_000;

let pki: TestPki;
let dir: string;
/** Signs for the CA with id-kp-OCSPSigning: the delegated responder. */
let responder: ResponderSigner;
/** Issued by the CA but without id-kp-OCSPSigning. */
let notDelegated: ResponderSigner;
/** Has id-kp-OCSPSigning but was issued by another CA. */
let foreignResponder: ResponderSigner;

/** `openssl ocsp` for this PKI's Citizen CA, files in this test's directory. */
function startResponder(name: string, index: string, signer: ResponderSigner): Promise<Responder> {
  return startOcspResponder({ dir, name, index, ca: pki.citizenCa, signer });
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
