import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webcrypto } from 'node:crypto';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import { createTestAuthToken } from '../../shared/token-validator/test-token.js';
import { ManualClock } from '../clock.js';
import { errorCode, startTestBackend, type TestBackend } from './helpers.js';
import { MIGRATIONS } from '../db/migrations.js';

/** Every migration applied: the health check reports the newest. */
const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const crypto = webcrypto as unknown as Crypto;
/** The origins the browsers send from the extension's popup and background (Firefox: a random UUID per profile). */
const CHROME_EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const FIREFOX_EXTENSION = 'moz-extension://0f4c7a52-9d3e-4b1a-8c6f-2e5d7b9a1c3e';

let tb: TestBackend;
const clock = new ManualClock();

beforeAll(async () => {
  tb = await startTestBackend({ clock });
});
afterAll(async () => {
  await tb?.stop();
});

async function tokenFor(nonce: string, origin = tb.server.origin, card = tb.pki) {
  return createTestAuthToken({ certificateDer: card.authentication.der, privateKey: card.authentication.privateKey, origin, nonce, crypto });
}

describe('eID login over HTTP', () => {
  it('answers the health check and tells its public origin and levels', async () => {
    const r = await tb.client().get('/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'ok', schemaVersion: LATEST_SCHEMA_VERSION });
    const info = await tb.client().get('/api/info');
    expect(info.json).toMatchObject({ publicOrigin: tb.server.origin, levels: { eid: 500, totp: 400, sms: 400, email: 400, password: 200 } });
  });

  it('logs a person in with the card: name and national number from the certificate, level 500', async () => {
    const client = tb.client();
    const challenge = await client.post('/api/eid/challenge');
    expect(challenge.status).toBe(200);
    expect(challenge.json.challengeNonce).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const anonymousCookie = client.cookies.get('eidb_session');
    expect(anonymousCookie).toBeTruthy();

    const login = await client.post('/api/eid/login', { authToken: await tokenFor(challenge.json.challengeNonce as string) });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({
      status: 'logged-in',
      level: 500,
      method: 'eid',
      person: { name: 'Alice Marie Peeters', nationalNumber: '85073000259', nationalNumberFormatted: '85.07.30-002.59' },
    });
    expect(login.json.sessionToken).toBeUndefined();
    // A new session token at login: the anonymous one is gone.
    expect(client.cookies.get('eidb_session')).not.toBe(anonymousCookie);
    const session = await client.get('/api/session');
    expect(session.json).toMatchObject({ authenticated: true, level: 500, method: 'eid' });

    const welcome = await client.get('/demo/welcome?minLevel=500');
    expect(welcome.status).toBe(200);
    expect(welcome.text).toContain('Alice Marie Peeters');
    expect(welcome.text).toContain('85.07.30-002.59');
  });

  it('refuses a replayed token, a token for another site and one without a challenge', async () => {
    const client = tb.client();
    const challenge = await client.post('/api/eid/challenge');
    const token = await tokenFor(challenge.json.challengeNonce as string);
    expect((await client.post('/api/eid/login', { authToken: token })).status).toBe(200);
    const replay = await client.post('/api/eid/login', { authToken: token });
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe('NONCE_NOT_FOUND');

    const other = tb.client();
    const c2 = await other.post('/api/eid/challenge');
    const wrongOrigin = await other.post('/api/eid/login', { authToken: await tokenFor(c2.json.challengeNonce as string, 'https://evil.example') });
    expect(errorCode(wrongOrigin)).toBe('SIGNATURE_INVALID');

    const fresh = tb.client();
    const noChallenge = await fresh.post('/api/eid/login', { authToken: token });
    expect(errorCode(noChallenge)).toBe('NONCE_NOT_FOUND');
  });

  it('binds the nonce to the session that asked for it', async () => {
    const alice = tb.client();
    const mallory = tb.client();
    const challenge = await alice.post('/api/eid/challenge');
    await mallory.post('/api/eid/challenge');
    const stolen = await mallory.post('/api/eid/login', { authToken: await tokenFor(challenge.json.challengeNonce as string) });
    expect(errorCode(stolen)).toBe('SIGNATURE_INVALID');
  });

  it('refuses a nonce older than 5 minutes and a card from an untrusted root', async () => {
    const client = tb.client();
    const challenge = await client.post('/api/eid/challenge');
    const token = await tokenFor(challenge.json.challengeNonce as string);
    clock.advance(5 * 60_000 + 1000);
    const late = await client.post('/api/eid/login', { authToken: token });
    expect(errorCode(late)).toBe('NONCE_EXPIRED');

    const stranger = await createTestPki({ keyType: 'rsa', withSigning: false, person: { nationalNumber: '85073000160', givenNames: 'Bob', surname: 'Janssens' } });
    const c2 = await client.post('/api/eid/challenge');
    const untrusted = await client.post('/api/eid/login', { authToken: await tokenFor(c2.json.challengeNonce as string, tb.server.origin, stranger) });
    expect(untrusted.status).toBe(401);
    expect(errorCode(untrusted)).toBe('CERTIFICATE_UNTRUSTED');
  });

  it('signs in the popup of any extension, Chrome or a Firefox profile, with a bearer token and no configuration', async () => {
    for (const extension of [CHROME_EXTENSION, FIREFOX_EXTENSION]) {
      // As backend-api.ts sends every request: the extension's Origin, no cookie, the bearer token once it has one.
      const popup = tb.client();
      const challenge = await popup.post('/api/eid/challenge', {}, { Origin: extension });
      expect(challenge.status).toBe(200);
      expect(typeof challenge.json.sessionToken).toBe('string');
      // The extension holds host permission for the backend, so the browser wants no CORS answer, and it gets none.
      expect(challenge.headers.get('access-control-allow-origin')).toBeNull();
      popup.cookies.clear();
      popup.bearer = challenge.json.sessionToken as string;
      const login = await popup.post('/api/eid/login', { authToken: await tokenFor(challenge.json.challengeNonce as string) }, { Origin: extension });
      expect(login.status).toBe(200);
      expect(typeof login.json.sessionToken).toBe('string');
      expect(login.json.sessionToken).not.toBe(challenge.json.sessionToken);
      popup.cookies.clear();
      expect((await popup.get('/api/keys')).status).toBe(401); // the anonymous token died at login

      popup.bearer = login.json.sessionToken as string;
      const keys = await popup.get('/api/keys');
      expect(keys.status).toBe(200);
      expect(keys.json.keys).toContainEqual(expect.objectContaining({ key: 'eid', active: true, level: 500 }));
      const logout = await popup.post('/api/logout', {}, { Origin: extension });
      expect(logout.status).toBe(200);
      expect((await popup.get('/api/keys')).status).toBe(401);
    }
  });

  it('never hands a session token to a web page, nor the cookie’s session to anyone, and refuses changes from other sites', async () => {
    // Another site: refused before any route runs, and no CORS answer lets it read anything.
    const evil = await tb.client().post('/api/eid/challenge', {}, { Origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(errorCode(evil)).toBe('ORIGIN_NOT_ALLOWED');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    // The backend's own pages: the session stays in the HttpOnly cookie, with or without one to start with.
    const page = tb.client();
    const first = await page.post('/api/eid/challenge', {}, { Origin: tb.server.origin });
    expect(first.json.sessionToken).toBeUndefined();
    const login = await page.post('/api/eid/login', { authToken: await tokenFor(first.json.challengeNonce as string) }, { Origin: tb.server.origin });
    expect(login.status).toBe(200);
    expect(login.json.sessionToken).toBeUndefined();

    // A request with an extension's Origin that carries the person's cookie is refused: neither the cookie's
    // session token nor a change riding on the cookie (even with its CSRF token) comes out of it.
    for (const extension of [CHROME_EXTENSION, FIREFOX_EXTENSION]) {
      const withCookie = await page.post('/api/eid/challenge', {}, { Origin: extension });
      expect(withCookie.status).toBe(403);
      expect(errorCode(withCookie)).toBe('ORIGIN_NOT_ALLOWED');
      expect(withCookie.json.sessionToken).toBeUndefined();
      const change = await page.request('PUT', '/api/profile/email', { email: 'x@example.be' }, { Origin: extension });
      expect(errorCode(change)).toBe('ORIGIN_NOT_ALLOWED');
    }
    expect((await page.get('/api/session')).json).toMatchObject({ authenticated: true, level: 500 });
  });

  it('answers CORS only for the extension origins an operator lists, without credentials', async () => {
    const listed = await startTestBackend({ config: { extensionOrigins: [FIREFOX_EXTENSION] } });
    try {
      const preflight = await listed.client().request('OPTIONS', '/api/eid/challenge', undefined, { Origin: FIREFOX_EXTENSION, 'Access-Control-Request-Method': 'POST' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(FIREFOX_EXTENSION);
      expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization');
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const challenge = await listed.client().post('/api/eid/challenge', {}, { Origin: FIREFOX_EXTENSION });
      expect(challenge.headers.get('access-control-allow-origin')).toBe(FIREFOX_EXTENSION);
      expect(typeof challenge.json.sessionToken).toBe('string');
      const unlisted = await listed.client().request('OPTIONS', '/api/eid/challenge', undefined, { Origin: CHROME_EXTENSION, 'Access-Control-Request-Method': 'POST' });
      expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await listed.stop();
    }
  });

  it('refuses non-JSON posts (another site cannot post a plain form)', async () => {
    const r = await fetch(`${tb.server.url}/api/eid/challenge`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(r.status).toBe(415);
  });

  it('serves the login page in four languages with a strict CSP and no remote resources', async () => {
    const client = tb.client();
    const nl = await client.get('/login');
    expect(nl.status).toBe(200);
    expect(nl.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(nl.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(nl.text).toContain('Kies uw digitale sleutel om aan te melden');
    expect(nl.text).toContain('AANMELDEN met eID kaartlezer');
    expect(nl.text).toContain('beveiligingscode via sms');
    expect(nl.text).not.toMatch(/(src|href)="https?:/);
    expect((await client.get('/login?lang=fr')).text).toContain('Choisissez votre clé numérique pour vous identifier');
    expect((await client.get('/login?lang=de')).text).toContain('Wählen Sie Ihren digitalen Schlüssel');
    expect((await client.get('/login?lang=en')).text).toContain('Choose your digital key to log in');
    const script = await client.get('/assets/login.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(script.text).toContain('web-eid:authenticate');
  });
});
