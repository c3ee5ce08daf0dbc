/**
 * Request caps per route and address: the eID challenge and eID login routes
 * have one too, a capped route answers 429 with Retry-After in the API's
 * error shape, and routes without a cap are not counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_CAPS, requestCapsFromText, uniformRequestCaps } from '../config.js';
import { errorCode, startTestBackend, type TestBackend } from './helpers.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

let cluster: PostgresCluster | undefined;
afterAll(async () => {
  await cluster?.stop();
});

/** The counts live in the store: the same caps on the embedded SQLite file and on PostgreSQL. */
const DATABASES: Array<[string, () => Promise<string | undefined>]> = [
  ['SQLite', async () => undefined],
  ['PostgreSQL', async () => (cluster ??= await startPostgresCluster()).createDatabase('rate_limits')],
];

describe.each(DATABASES)('request caps over HTTP on %s', (_database, databaseUrl) => {
  let tb: TestBackend;

  beforeAll(async () => {
    const url = await databaseUrl();
    tb = await startTestBackend({
      limits: { requests: { ...uniformRequestCaps(1000), eidChallenge: { max: 3, perMs: 60_000 }, eidLogin: { max: 2, perMs: 60_000 } } },
      ...(url ? { config: { databaseUrl: url } } : {}),
    });
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('caps eID challenges per address and answers 429 with Retry-After', async () => {
    const client = tb.client();
    for (let i = 0; i < 3; i++) expect((await client.post('/api/eid/challenge')).status).toBe(200);
    const refused = await client.post('/api/eid/challenge');
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.json.error).toMatchObject({ retryAfter: expect.any(Number) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another route is counted on its own.
    expect((await client.post('/api/eid/login', { authToken: 'not a token' })).status).toBe(401);
  });

  it('caps eID logins per address', async () => {
    const client = tb.client();
    expect((await client.post('/api/eid/login', { authToken: 'not a token' })).status).toBe(401);
    const refused = await client.post('/api/eid/login', { authToken: 'not a token' });
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
  });

  it('leaves routes without a cap alone', async () => {
    const client = tb.client();
    for (let i = 0; i < 10; i++) expect((await client.get('/api/info')).status).toBe(200);
  });
});

describe('request caps from the environment', () => {
  it('overrides the named routes and keeps the other defaults', () => {
    const caps = requestCapsFromText('eidLogin=60, passwordLogin=10');
    expect(caps.eidLogin).toEqual({ max: 60, perMs: 60_000 });
    expect(caps.passwordLogin).toEqual({ max: 10, perMs: 60_000 });
    expect(caps.eidChallenge).toEqual(DEFAULT_REQUEST_CAPS.eidChallenge);
  });

  it('refuses a route it does not know', () => {
    expect(() => requestCapsFromText('everything=5')).toThrow(/Unknown request cap/);
  });
});
