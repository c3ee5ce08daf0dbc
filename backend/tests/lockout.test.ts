import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MINUTE } from '../clock.js';
import { uniformRequestCaps } from '../config.js';
import { lockWaitMs, MAX_WAIT_MS } from '../security/throttle.js';
import { errorCode, postFrom, STAFF, startTestBackend, type TestBackend } from './helpers.js';

const USERNAME = 'brute.target';
const PASSWORD = 'a long and private sentence';

describe('lock-out waits', () => {
  it('grow from 1 minute to 15 minutes and never beyond: every lock lifts with time', () => {
    expect([4, 5, 6, 7, 8, 9, 10].map((f) => lockWaitMs(f, 5) / 60_000)).toEqual([0, 1, 2, 4, 8, 15, 15]);
    expect([100, 10_000, 1e9].map((f) => lockWaitMs(f, 5))).toEqual([MAX_WAIT_MS, MAX_WAIT_MS, MAX_WAIT_MS]);
  });
});

describe('brute force over HTTP', () => {
  let tb: TestBackend;
  const clock = new ManualClock();

  beforeAll(async () => {
    tb = await startTestBackend({ clock, limits: { accountFailuresBeforeLock: 5, ipFailures: 1000 } });
    const owner = tb.client();
    await tb.eidLogin(owner);
    expect((await owner.put('/api/keys/password', { username: USERNAME, password: PASSWORD })).status).toBe(200);
  });
  afterAll(async () => {
    await tb?.stop();
  });

  const attempt = (password: string) => tb.client().post('/api/login/password', { username: USERNAME, password, key: 'password' });

  it('locks the account after 5 failures with growing waits, not counting failures during a lock; a locked account answers like a wrong password', async () => {
    for (let i = 0; i < 5; i++) expect(errorCode(await attempt(`wrong guess ${i}`))).toBe('LOGIN_FAILED');
    const locked = await attempt(PASSWORD);
    expect(locked.status).toBe(401);
    expect(locked.json).toEqual((await attempt('another wrong guess')).json);

    // The wrong guess during the lock was not counted: the lock lifts after 1 minute, and the 6th failure makes the next wait 2 minutes.
    clock.advance(61_000);
    expect(errorCode(await attempt('wrong once the lock lifted'))).toBe('LOGIN_FAILED');
    clock.advance(61_000);
    expect(errorCode(await attempt(PASSWORD))).toBe('LOGIN_FAILED');
    clock.advance(60_000);
    const open = await attempt(PASSWORD);
    expect(open.status).toBe(200);
    expect(open.json).toMatchObject({ level: 200 });

    // Success resets the count.
    expect(errorCode(await attempt('wrong again'))).toBe('LOGIN_FAILED');
    expect((await attempt(PASSWORD)).status).toBe(200);
  });

  it('lets an eID login lift the lock', async () => {
    for (let i = 0; i < 6; i++) await attempt(`wrong ${i}`);
    expect(errorCode(await attempt(PASSWORD))).toBe('LOGIN_FAILED');
    await tb.eidLogin(tb.client());
    expect((await attempt(PASSWORD)).status).toBe(200);
  });

  it('counts wrong security codes against the account and voids a login request after 5 wrong codes', async () => {
    const owner = tb.client();
    await tb.eidLogin(owner);
    await owner.put('/api/profile/email', { email: 'brute@example.be' });
    const start = await owner.post('/api/keys/email/start', {});
    const outbox = await tb.client().get('/api/dev/outbox', STAFF);
    const mail = (outbox.json.messages as Array<{ recipient: string; body: string }>).find((m) => m.recipient === 'brute@example.be')!;
    const code = /\b(\d{6})\b/.exec(mail.body)![1]!;
    expect((await owner.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code })).status).toBe(200);

    const client = tb.client();
    const login = await client.post('/api/login/password', { username: USERNAME, password: PASSWORD, key: 'email' });
    for (let i = 0; i < 5; i++) {
      const r = await client.post('/api/login/code', { loginRequestId: login.json.loginRequestId, code: String(100000 + i) });
      expect(errorCode(r)).toBe('CODE_INCORRECT');
    }
    const outboxNow = await tb.client().get('/api/dev/outbox', STAFF);
    const loginMail = (outboxNow.json.messages as Array<{ recipient: string; subject: string; body: string }>).find((m) => m.subject === 'Uw beveiligingscode')!;
    const realCode = /\b(\d{6})\b/.exec(loginMail.body)![1]!;
    expect(errorCode(await client.post('/api/login/code', { loginRequestId: login.json.loginRequestId, code: realCode }))).toBe('CODE_EXPIRED');
    // and the account is locked by now
    expect(errorCode(await attempt(PASSWORD))).toBe('LOGIN_FAILED');
    await tb.eidLogin(tb.client());
  });
});

describe('limit per IP address', () => {
  it('answers 429 with Retry-After once an address failed too often', async () => {
    const tb = await startTestBackend({ limits: { ipFailures: 10, ipWindowMs: 15 * 60_000 } });
    try {
      for (let i = 0; i < 10; i++) {
        const r = await tb.client().post('/api/login/password', { username: `nobody${i}`, password: 'whatever it is', key: 'password' });
        expect(errorCode(r)).toBe('LOGIN_FAILED');
      }
      const blocked = await tb.client().post('/api/login/password', { username: 'nobody', password: 'whatever it is', key: 'password' });
      expect(blocked.status).toBe(429);
      expect(errorCode(blocked)).toBe('TOO_MANY_ATTEMPTS');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await tb.stop();
    }
  });
});

describe('strangers cannot lock an account for good', () => {
  const clock = new ManualClock();
  let tb: TestBackend;
  const username = 'target.of.strangers';
  const password = 'my own sentence, nobody elses';
  const email = 'target@example.be';

  beforeAll(async () => {
    // Two failures per address and window keep the number of (slow) password hashes small; the request caps are out of the way.
    tb = await startTestBackend({ clock, smtp: true, limits: { accountFailuresBeforeLock: 5, ipFailures: 2, requests: uniformRequestCaps(100_000) } });
    const owner = tb.client();
    await tb.eidLogin(owner);
    expect((await owner.put('/api/keys/password', { username, password })).status).toBe(200);
    await owner.put('/api/profile/email', { email });
    const start = await owner.post('/api/keys/email/start', {});
    const mail = await tb.smtp!.waitFor(email, (m) => m.subject === 'Uw registratiecode');
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;
    expect((await owner.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code })).status).toBe(200);
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('lets the person log in with password and code after the documented wait, after 10,000 wrong passwords from 50 addresses', async () => {
    const addresses = Array.from({ length: 50 }, (_, i) => `127.0.0.${i + 2}`);
    const answers = new Map<string, number>();
    // Two waves of 5,000, the second after the address windows and the first lock have passed.
    for (let wave = 0; wave < 2; wave++) {
      await Promise.all(
        addresses.map(async (address) => {
          for (let i = 0; i < 100; i++) {
            const r = await postFrom(address, `${tb.server.url}/api/login/password`, { username, password: `guess ${wave} ${address} ${i}`, key: 'password' });
            const code = errorCode(r) ?? String(r.status);
            answers.set(code, (answers.get(code) ?? 0) + 1);
          }
        }),
      );
      clock.advance(16 * MINUTE);
    }
    // Each address was stopped after its own failures; none got more than the limit through.
    expect(answers.get('LOGIN_FAILED')).toBe(2 * 50 * 2);
    expect(answers.get('TOO_MANY_ATTEMPTS')).toBe(10_000 - 2 * 50 * 2);

    clock.advance(MAX_WAIT_MS);
    const person = tb.client();
    const before = tb.smtp!.messages.length;
    const login = await person.post('/api/login/password', { username, password, key: 'email' });
    expect(login.status).toBe(200);
    expect(login.json.status).toBe('code-required');
    const mail = await tb.smtp!.waitFor(email, (m) => m.subject === 'Uw beveiligingscode', before);
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;
    const loggedIn = await person.post('/api/login/code', { loginRequestId: login.json.loginRequestId, code });
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.json).toMatchObject({ status: 'logged-in', level: 400 });
  }, 600_000);
});

describe('limit per address under concurrency', () => {
  it('processes at most the limit of 150 wrong logins sent at once', async () => {
    const tb = await startTestBackend({ limits: { ipFailures: 100, ipWindowMs: 15 * MINUTE, requests: uniformRequestCaps(100_000) } });
    try {
      const owner = tb.client();
      await tb.eidLogin(owner);
      expect((await owner.put('/api/keys/password', { username: 'parallel.target', password: 'the right one, finally' })).status).toBe(200);
      const answers = await Promise.all(
        Array.from({ length: 150 }, (_, i) => tb.client().post('/api/login/password', { username: 'parallel.target', password: `parallel guess ${i}`, key: 'password' })),
      );
      const codes = answers.map((r) => errorCode(r));
      expect(codes.filter((c) => c === 'LOGIN_FAILED')).toHaveLength(100);
      expect(codes.filter((c) => c === 'TOO_MANY_ATTEMPTS')).toHaveLength(50);
    } finally {
      await tb.stop();
    }
  }, 300_000);
});
