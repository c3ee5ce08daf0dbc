import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { lockWaitMs } from '../security/throttle.js';
import { errorCode, STAFF, startTestBackend, type TestBackend } from './helpers.js';

const USERNAME = 'brute.target';
const PASSWORD = 'a long and private sentence';

describe('lock-out waits', () => {
  it('grow from 1 minute to 15 minutes, and end in a hard lock at 100 failures', () => {
    expect([4, 5, 6, 7, 8, 9, 10].map((f) => lockWaitMs(f, 5) / 60_000)).toEqual([0, 1, 2, 4, 8, 15, 15]);
    expect(lockWaitMs(100, 5)).toBe(Number.MAX_SAFE_INTEGER);
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

  it('locks the account after 5 failures with growing waits; a locked account answers like a wrong password', async () => {
    for (let i = 0; i < 5; i++) expect(errorCode(await attempt(`wrong guess ${i}`))).toBe('LOGIN_FAILED');
    const locked = await attempt(PASSWORD);
    expect(locked.status).toBe(401);
    expect(locked.json).toEqual((await attempt('another wrong guess')).json);

    // 6 failures now: the wait is 2 minutes.
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
