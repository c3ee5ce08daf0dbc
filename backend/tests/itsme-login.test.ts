/**
 * The itsme key end to end without a browser: the stand-in provider runs as its own process,
 * the backend is configured for it, and the test follows every redirect as a browser would,
 * with one cookie jar per site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../security/otp.js';
import { Client, startTestBackend, type TestBackend } from './helpers.js';
import * as oidc from 'openid-client';
import { ITSME_AVAILABLE_PATH, ITSME_CALLBACK_PATH, ITSME_HANDOFF_PATH, ITSME_POPUP_DONE_PATH, ITSME_START_PATH } from '../routes/itsme.js';
import type { Tampering } from '../../devtools/itsme-provider/itsme-provider.js';
import { ItsmePairs, JAN } from './itsme-pair.js';

const pairs = new ItsmePairs();
afterAll(() => pairs.stopAll());
const startPair = (tamper?: Tampering, confirmSeconds?: number) => pairs.start({ tamper, confirmSeconds });

/** A browser's visit to the provider: its own cookies, redirects followed until one leads back to the backend. */
class ProviderVisit {
  private cookies = new Map<string, string>();

  private async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of response.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }

  /** Follows redirects from `url` on the provider; answers the page it stops at, or the backend address it sends the browser to. */
  async follow(url: string, init?: RequestInit): Promise<{ page?: string; pageUrl: string; backTo?: URL }> {
    let current = url;
    let response = await this.fetch(current, init);
    for (;;) {
      const location = response.headers.get('location');
      if (!location) return { page: await response.text(), pageUrl: current };
      const next = new URL(location, current);
      if (next.origin !== new URL(url).origin) return { pageUrl: current, backTo: next };
      current = next.href;
      response = await this.fetch(current);
    }
  }

  /** A form sent on one of the stand-in's pages. */
  async submit(pageUrl: string, fields: Record<string, string>): Promise<{ page?: string; pageUrl: string; backTo?: URL }> {
    return this.follow(pageUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

/** What the person does in the stand-in app after sending the phone number. */
type AppAnswer = 'confirm' | 'refuse' | 'wrong-code' | 'wait';

/** The 5-digit code the waiting page shows, which the stand-in phone asks for. */
function shownCode(page: string | undefined): string {
  const code = /id="itsme-code">(\d{5})</.exec(page ?? '')?.[1];
  if (!code) throw new Error('the waiting page shows no 5-digit code');
  return code;
}

/** Start at the backend, play the app at the provider; answers the callback address the provider sends the browser back to. */
async function playApp(client: Client, answer: AppAnswer = 'confirm', phone = JAN.phone, startPath = `${ITSME_START_PATH}?lang=en&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`): Promise<URL> {
  const start = await client.get(startPath);
  expect(start.status).toBe(302);
  const visit = new ProviderVisit();
  const phonePage = await visit.follow(start.headers.get('location')!);
  expect(phonePage.page).toContain('Stand-in for itsme');
  expect(phonePage.page).toContain('BE (+32)');
  const waiting = await visit.submit(phonePage.pageUrl, { step: 'phone', phone });
  expect(waiting.page).toContain('you have 3 minutes');
  const code = shownCode(waiting.page);
  const phoneUrl = `${waiting.pageUrl}/phone`;
  if (answer === 'wait') {
    // What the waiting page's countdown sends when it reaches 0:00.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expired = await visit.submit(waiting.pageUrl, { step: 'expired' });
    expect(expired.backTo?.pathname).toBe(ITSME_CALLBACK_PATH);
    return expired.backTo!;
  }
  const request = await visit.follow(phoneUrl);
  expect(request.page).toContain('I log in');
  const confirmPage = await visit.submit(phoneUrl, { step: answer === 'refuse' ? 'refuse' : 'login' });
  if (answer === 'refuse') {
    expect(confirmPage.backTo?.pathname).toBe(ITSME_CALLBACK_PATH);
    return confirmPage.backTo!;
  }
  expect(confirmPage.page).toContain('5-digit itsme code');
  const typed = answer === 'wrong-code' ? String((Number(code) + 1) % 100_000).padStart(5, '0') : code;
  const answered = await visit.submit(phoneUrl, { step: 'confirm', code: typed });
  expect(answered.backTo?.pathname).toBe(ITSME_CALLBACK_PATH);
  return answered.backTo!;
}

function backendPath(url: URL): string {
  return url.pathname + url.search;
}

describe('itsme login against the stand-in provider', () => {
  let tb: TestBackend;
  beforeAll(async () => {
    tb = await startPair();
  });

  it('logs the person in at level 500 with the national number from the ID token', async () => {
    const client = tb.client();
    const callback = await playApp(client);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const done = await client.get(backendPath(callback));
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/demo/welcome?minLevel=500');
    const session = await client.get('/api/session');
    expect(session.json).toMatchObject({
      authenticated: true,
      level: 500,
      method: 'itsme',
      person: { name: JAN.name, nationalNumber: JAN.nationalNumber },
    });
    // The welcome page the person lands on lets a level-500 session in and names the key.
    const welcome = await client.get('/demo/welcome?minLevel=500&lang=nl');
    expect(welcome.status).toBe(200);
    expect(welcome.text).toContain(JAN.name);
    expect(welcome.text).toContain('AANMELDEN via itsme');
  });

  it('refuses a replayed callback: the pending login was used up, the person goes back to the key choice', async () => {
    const client = tb.client();
    const callback = await playApp(client);
    expect((await client.get(backendPath(callback))).status).toBe(302);
    await client.post('/api/logout');
    const replay = await client.get(backendPath(callback));
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toBe('/login?error=ITSME_NOT_STARTED');
    expect((await client.get('/api/session')).json).toMatchObject({ authenticated: false });
  });

  it('refuses a callback whose state belongs to another login of the same browser', async () => {
    const client = tb.client();
    const first = await playApp(client);
    // A second start replaces the pending login: the first callback's state no longer matches.
    const second = await playApp(client);
    const stale = await client.get(backendPath(first));
    expect(stale.headers.get('location')).toMatch(/^\/login\?error=ITSME_REFUSED&return=/);
    // Refused once, the pending login is gone: even the right callback now starts over.
    expect((await client.get(backendPath(second))).headers.get('location')).toBe('/login?error=ITSME_NOT_STARTED');
    expect((await client.get('/api/session')).json).toMatchObject({ authenticated: false });
  });

  for (const [answer, failure, message] of [
    ['refuse', 'ITSME_CANCELLED', 'You refused the login in the itsme app.'],
    ['wrong-code', 'ITSME_WRONG_CODE', 'The 5-digit itsme code was not right.'],
  ] as const) {
    it(`sends the person back to the key choice with ${failure} when they ${answer === 'refuse' ? 'refuse in the app' : 'type a wrong 5-digit code'}`, async () => {
      const client = tb.client();
      const callback = await playApp(client, answer);
      expect(callback.searchParams.get('error')).toBe('access_denied');
      const back = await client.get(backendPath(callback));
      expect(back.headers.get('location')).toBe(`/login?error=${failure}&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`);
      expect((await client.get('/api/session')).json).toMatchObject({ authenticated: false });
      const keyChoice = await client.get(`${back.headers.get('location')!}&lang=en`);
      expect(keyChoice.text).toContain(message);
    });
  }

  it('offers "AANMELDEN via itsme" with "Je itsme-account aanmaken" on the key choice', async () => {
    const page = (await tb.client().get('/login?lang=nl')).text;
    expect(page).toContain('AANMELDEN met eID kaartlezer');
    expect(page).toContain('AANMELDEN via itsme');
    expect(page).toContain('Je itsme-account aanmaken');
    expect(page).toMatch(/href="\/itsme\/start\?return=[^"]+&amp;lang=nl"/);
  });

  it('lets the person activate a digital key after an itsme login, as after an eID login', async () => {
    const client = tb.client();
    await client.get(backendPath(await playApp(client)));
    expect((await client.get('/api/session')).json).toMatchObject({ authenticated: true, method: 'itsme' });
    const created = await client.put('/api/keys/password', { username: 'jan.janssens', password: 'green bike along the Leie' });
    expect(created.status).toBe(200);
    const start = await client.post('/api/keys/totp/start', {});
    expect(start.status).toBe(200);
    const secret = base32Decode(start.json.secret as string);
    const confirm = await client.post('/api/keys/totp/confirm', { registrationId: start.json.registrationId, code: totp(secret, Date.now()) });
    expect(confirm.status).toBe(200);
    expect(confirm.json.keys).toContainEqual(expect.objectContaining({ key: 'totp', active: true }));
  });
});

describe('itsme in the popup: the login handed to the extension', () => {
  let tb: TestBackend;
  beforeAll(async () => {
    tb = await startPair();
  });
  /** What the popup's requests look like: the extension's Origin, no cookie. */
  const EXTENSION = { Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' };

  /** The extension's secret and the challenge it puts in the window's start address. */
  async function popupSecret(language = 'en') {
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    return { verifier, startPath: `${ITSME_START_PATH}?${new URLSearchParams({ popup: challenge, lang: language })}` };
  }

  /** The login in the window, up to the done page's address with the handoff code in its fragment. */
  async function windowLogin(startPath: string): Promise<{ window: Client; code: string }> {
    const window = tb.client();
    const back = await window.get(backendPath(await playApp(window, 'confirm', JAN.phone, startPath)));
    expect(back.status).toBe(302);
    const done = new URL(back.headers.get('location')!, 'http://backend');
    expect(done.pathname).toBe(ITSME_POPUP_DONE_PATH);
    const code = new URLSearchParams(done.hash.slice(1)).get('code');
    expect(code).toBeTruthy();
    // The code is only in the fragment, which no browser sends to a server.
    expect(done.search).toBe('?lang=en');
    return { window, code: code! };
  }

  it('says whether a provider is configured, for the popup to show its itsme button', async () => {
    expect((await tb.client().get(ITSME_AVAILABLE_PATH)).json).toEqual({ provider: true });
  });

  it('logs the extension in at level 500 with the handoff code and its secret, once; the window itself stays logged out', async () => {
    const { verifier, startPath } = await popupSecret();
    const { window, code } = await windowLogin(startPath);
    expect((await window.get('/api/session')).json).toMatchObject({ authenticated: false });
    expect((await window.get(`${ITSME_POPUP_DONE_PATH}?lang=fr`)).text).toContain('Vous êtes identifié via itsme.');

    const extension = tb.client();
    const taken = await extension.post(ITSME_HANDOFF_PATH, { code, verifier }, EXTENSION);
    expect(taken.status).toBe(200);
    expect(taken.json).toMatchObject({ status: 'logged-in', level: 500, method: 'itsme', person: { nationalNumber: JAN.nationalNumber } });
    expect(typeof taken.json.sessionToken).toBe('string');
    extension.bearer = taken.json.sessionToken as string;
    expect((await extension.get('/api/keys')).status).toBe(200);

    const replayed = await tb.client().post(ITSME_HANDOFF_PATH, { code, verifier }, EXTENSION);
    expect(replayed.status).toBe(401);
    expect(replayed.json).toMatchObject({ error: { code: 'ITSME_NOT_STARTED' } });
  });

  it('refuses a handoff code shown with another secret, and burns the code', async () => {
    const { verifier, startPath } = await popupSecret();
    const { code } = await windowLogin(startPath);
    // Someone who got the code (a page, a link sent around) but not the extension's secret.
    const other = oidc.randomPKCECodeVerifier();
    const stolen = await tb.client().post(ITSME_HANDOFF_PATH, { code, verifier: other }, EXTENSION);
    expect(stolen.status).toBe(401);
    expect(stolen.json).toMatchObject({ error: { code: 'ITSME_NOT_STARTED' } });
    expect((await tb.client().post(ITSME_HANDOFF_PATH, { code, verifier }, EXTENSION)).status).toBe(401);
  });

  it('ends a refusal in the app on the done page with its message, in the language of the popup', async () => {
    const { startPath } = await popupSecret('en');
    const window = tb.client();
    const back = await window.get(backendPath(await playApp(window, 'refuse', JAN.phone, startPath)));
    expect(back.headers.get('location')).toBe(`${ITSME_POPUP_DONE_PATH}?lang=en&error=ITSME_CANCELLED`);
    expect((await window.get(back.headers.get('location')!)).text).toContain('You refused the login in the itsme app.');
  });

  it('refuses a start whose challenge is not a SHA-256 in base64url', async () => {
    const start = await tb.client().get(`${ITSME_START_PATH}?popup=short&lang=de`);
    expect(start.headers.get('location')).toBe(`${ITSME_POPUP_DONE_PATH}?lang=de&error=ITSME_NOT_STARTED`);
  });
});

describe('itsme: the 3 minutes to confirm in the app', () => {
  it('sends the person back with ITSME_EXPIRED when the time runs out, and says so on the key choice', async () => {
    // The stand-in's 3 minutes shortened to 1 second.
    const tb = await startPair(undefined, 1);
    const client = tb.client();
    const callback = await playApp(client, 'wait');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const back = await client.get(backendPath(callback));
    expect(back.headers.get('location')).toBe(`/login?error=ITSME_EXPIRED&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`);
    expect((await client.get('/api/session')).json).toMatchObject({ authenticated: false });
    const keyChoice = await client.get(`${back.headers.get('location')!}&lang=nl`);
    expect(keyChoice.text).toContain('De 3 minuten om uw aanmelding in de itsme-app te bevestigen zijn verstreken.');
  });
});

describe('itsme ID tokens the backend refuses', () => {
  const described = { 'other-key': 'signed with a key not in the provider JWKS', 'other-audience': 'issued for another audience', expired: 'that expired an hour ago' } as const;
  for (const tampering of ['other-key', 'other-audience', 'expired'] as const) {
    it(`refuses an ID token ${described[tampering]}`, async () => {
      const tb = await startPair(tampering);
      const client = tb.client();
      const callback = await playApp(client);
      const refused = await client.get(backendPath(callback));
      expect(refused.status).toBe(302);
      expect(refused.headers.get('location')).toBe(`/login?error=ITSME_REFUSED&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`);
      expect((await client.get('/api/session')).json).toMatchObject({ authenticated: false });
    });
  }
});

describe('without an itsme provider configured', () => {
  it('has no itsme routes', async () => {
    const tb = await startTestBackend();
    try {
      expect((await tb.client().get(ITSME_START_PATH)).status).toBe(404);
      expect((await tb.client().get(ITSME_CALLBACK_PATH)).status).toBe(404);
      expect((await tb.client().get(ITSME_AVAILABLE_PATH)).status).toBe(404);
      expect((await tb.client().get('/login?lang=nl')).text).not.toContain('AANMELDEN via itsme');
    } finally {
      await tb.stop();
    }
  });
});
