/**
 * Backend figures for `npm run bench`: eID token validations per second (in
 * process and over HTTP) next to the raw signature-verify rate they are
 * built on, and code-login requests per second with p99 latency, over
 * loopback with a bounded number of concurrent requests.
 */
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPki, type TestPki } from '../test-pki/test-pki.js';
import { createTestAuthToken } from '../../shared/token-validator/test-token.js';
import { generateChallengeNonce } from '../../shared/token-validator/nonce-store.js';
import { authenticationSignedData, WebEidTokenValidator } from '../../shared/token-validator/validator.js';
import { DEFAULT_LIMITS, uniformRequestCaps } from '../../backend/config.js';
import { startBackend, type BackendServer } from '../../backend/server.js';
import { hashPassword } from '../../backend/security/passwords.js';
import { codeHash, randomToken, tokenHash } from '../../backend/security/tokens.js';

const crypto = webcrypto as unknown as Crypto;
const ORIGIN = 'https://login.example.be';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** The benchmark's output goes to stdout like the other benchmarks' rows. */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function row(label: string, value: string): void {
  print(`  ${label.padEnd(48)} ${value}`);
}

const perSecond = (count: number, ms: number) => `${Math.round((count * 1000) / ms).toLocaleString('en')} /s`;

/** Runs the tasks with at most `concurrency` in flight; returns each one's latency (ms) and the wall time. */
async function bounded(tasks: Array<() => Promise<void>>, concurrency: number): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const t = performance.now();
        await task();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - t0 };
}

async function rawVerifyRate(pki: TestPki, algorithm: 'RS256' | 'ES384', n: number): Promise<number> {
  const nonce = generateChallengeNonce(crypto);
  const token = await createTestAuthToken({ certificateDer: pki.authentication.der, privateKey: pki.authentication.privateKey, origin: ORIGIN, nonce, algorithm, crypto });
  const data = await authenticationSignedData(ORIGIN, nonce, algorithm === 'ES384' ? 'SHA-384' : 'SHA-256', crypto);
  const signature = Buffer.from(token.signature, 'base64');
  const params = algorithm === 'ES384' ? { name: 'ECDSA', hash: 'SHA-384' } : { name: 'RSASSA-PKCS1-v1_5' };
  const key = pki.authentication.publicKey;
  const verifyKey =
    algorithm === 'ES384' ? key : await crypto.subtle.importKey('spki', await crypto.subtle.exportKey('spki', key), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (!(await crypto.subtle.verify(params, verifyKey, signature, data))) throw new Error('verify failed');
  return performance.now() - t0;
}

async function validatorRate(pki: TestPki, n: number): Promise<number> {
  const validator = new WebEidTokenValidator({ siteOrigin: ORIGIN, trustedCertificates: [pki.root.der, pki.citizenCa.der], crypto });
  const items = await Promise.all(
    Array.from({ length: n }, async () => {
      const nonce = generateChallengeNonce(crypto);
      return { nonce, token: await createTestAuthToken({ certificateDer: pki.authentication.der, privateKey: pki.authentication.privateKey, origin: ORIGIN, nonce, crypto }) };
    }),
  );
  const t0 = performance.now();
  for (const { token, nonce } of items) await validator.validate(token, nonce);
  return performance.now() - t0;
}

function cookieOf(response: Response): string {
  const c = response.headers.getSetCookie().find((s) => s.startsWith('eidb_session='));
  return (c ?? '').split(';')[0]!;
}

async function post(server: BackendServer, path: string, body: unknown, cookie?: string): Promise<Response> {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

async function httpEidLogins(server: BackendServer, pki: TestPki, n: number, concurrency: number) {
  // Challenges and card signatures are made first: only the server's validation and login are timed.
  const prepared = await Promise.all(
    Array.from({ length: n }, async () => {
      const challenge = await post(server, '/api/eid/challenge', {});
      const cookie = cookieOf(challenge);
      const { challengeNonce } = (await challenge.json()) as { challengeNonce: string };
      const token = await createTestAuthToken({ certificateDer: pki.authentication.der, privateKey: pki.authentication.privateKey, origin: server.origin, nonce: challengeNonce, crypto });
      return { cookie, token };
    }),
  );
  return bounded(
    prepared.map(({ cookie, token }) => async () => {
      await (await post(server, '/api/eid/login', { authToken: token }, cookie)).arrayBuffer();
    }),
    concurrency,
  );
}

async function codeLogins(server: BackendServer, n: number, concurrency: number) {
  const store = server.context.store;
  const now = Date.now();
  const person = await store.upsertPerson({ nationalNumber: '85073000160', givenNames: 'Bench', surname: 'Mark' }, now);
  await store.setPassword(person.id, 'bench.mark', await hashPassword('benchmark password'), now);
  await store.setPersonEmail(person.id, 'bench@example.be');
  await store.activateCodeKey({ personId: person.id, kind: 'email', totpSecret: null, totpLastStep: null, activatedAt: now });

  // Step 1 (password, scrypt, code sent to the outbox): the expensive half, timed on its own.
  const step1 = await bounded(
    Array.from({ length: Math.min(n, 40) }, () => async () => {
      await (await post(server, '/api/login/password', { username: 'bench.mark', password: 'benchmark password', key: 'email' })).arrayBuffer();
    }),
    concurrency,
  );

  // Step 2 (the code): login requests with known codes, each bound to its own session.
  const prepared = await Promise.all(
    Array.from({ length: n }, async () => {
      const cookie = cookieOf(await post(server, '/api/eid/challenge', {}));
      const id = randomToken();
      await store.createPending({
        id,
        sessionHash: tokenHash(cookie.slice('eidb_session='.length)),
        personId: person.id,
        purpose: 'login',
        channel: 'email',
        codeHash: codeHash(id, '482913'),
        payload: {},
        attempts: 0,
        createdAt: now,
        expiresAt: now + 10 * 60_000,
        usedAt: null,
      });
      return { cookie, id };
    }),
  );
  const step2 = await bounded(
    prepared.map(({ cookie, id }) => async () => {
      await (await post(server, '/api/login/code', { loginRequestId: id, code: '482913' }, cookie)).arrayBuffer();
    }),
    concurrency,
  );
  return { step1, step2 };
}

export async function benchBackend(): Promise<void> {
  print('Reference backend and token validator');
  const [ec, rsa] = await Promise.all([createTestPki({ keyType: 'ec', withSigning: false }), createTestPki({ keyType: 'rsa', withSigning: false })]);

  const N = 300;
  row('raw ECDSA P-384 verify (WebCrypto)', perSecond(N, await rawVerifyRate(ec, 'ES384', N)));
  row('raw RSA-2048 PKCS#1 verify (WebCrypto)', perSecond(N, await rawVerifyRate(rsa, 'RS256', N)));
  row('token validation in process, ES384', perSecond(N, await validatorRate(ec, N)));
  row('token validation in process, RS256', perSecond(N, await validatorRate(rsa, N)));

  const dataDir = await mkdtemp(join(tmpdir(), 'eid-bridge-bench-'));
  const server = await startBackend(
    { port: 0, host: '127.0.0.1', dataDir, http: true, extensionOrigins: [], mailFrom: 'bench@example.be', devMode: true, ocsp: false, ocspTimeoutMs: 1000, fetchIntermediates: false, limits: { ...DEFAULT_LIMITS, ipFailures: 1_000_000, requests: uniformRequestCaps(1_000_000) } },
    { trustedCertificates: [ec.root.der, ec.citizenCa.der] },
  );
  try {
    const concurrency = 8;
    const eid = await httpEidLogins(server, ec, 200, concurrency);
    row(`eID login over HTTP, ES384 (${concurrency} concurrent)`, perSecond(eid.latencies.length, eid.wallMs));
    row('eID login over HTTP, p99 latency', `${percentile(eid.latencies, 99).toFixed(1)} ms`);
    const { step1, step2 } = await codeLogins(server, 400, concurrency);
    row(`code login, code step (${concurrency} concurrent)`, perSecond(step2.latencies.length, step2.wallMs));
    row('code login, code step p99 latency', `${percentile(step2.latencies, 99).toFixed(1)} ms`);
    row(`code login, password step (scrypt, ${concurrency} concurrent)`, perSecond(step1.latencies.length, step1.wallMs));
    row('code login, password step p99 latency', `${percentile(step1.latencies, 99).toFixed(1)} ms`);
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
