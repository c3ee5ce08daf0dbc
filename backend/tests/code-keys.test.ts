import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { base32Decode, totp } from '../security/otp.js';
import { Client, errorCode, startTestBackend, type TestBackend } from './helpers.js';

let tb: TestBackend;
const clock = new ManualClock();
const EMAIL = 'alice.peeters@example.be';
const USERNAME = 'alice.peeters';
const PASSWORD = 'blue tram to Leuven at noon';

function codeIn(text: string): string {
  const m = /\b(\d{6})\b/.exec(text);
  if (!m) throw new Error(`no code in ${text}`);
  return m[1]!;
}

beforeAll(async () => {
  tb = await startTestBackend({ clock, smtp: true, sms: true });
});
afterAll(async () => {
  await tb?.stop();
});

/** A fresh eID login: a recent login is what key changes need. */
async function owner(): Promise<Client> {
  const client = tb.client();
  await tb.eidLogin(client);
  return client;
}

async function passwordLogin(key: string, extra: Record<string, unknown> = {}) {
  const client = tb.client();
  const r = await client.post('/api/login/password', { username: USERNAME, password: PASSWORD, key, ...extra });
  return { client, r };
}

describe('digital keys and code login, over HTTP with real SMTP and SMS delivery', () => {
  it('creates username and password after an eID login, with the password rules', async () => {
    const client = await owner();
    const tooShort = await client.put('/api/keys/password', { username: USERNAME, password: 'short1' });
    expect(errorCode(tooShort)).toBe('PASSWORD_TOO_SHORT');
    expect(errorCode(await client.put('/api/keys/password', { username: USERNAME, password: 'password123' }))).toBe('PASSWORD_COMMON');
    expect(errorCode(await client.put('/api/keys/password', { username: USERNAME, password: 'x'.repeat(30) + 'y'.repeat(35) }))).toBe('PASSWORD_TOO_LONG');
    expect(errorCode(await client.put('/api/keys/password', { username: 'a', password: PASSWORD }))).toBe('USERNAME_INVALID');
    const ok = await client.put('/api/keys/password', { username: USERNAME, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.json.keys).toContainEqual(expect.objectContaining({ key: 'password', active: true, username: USERNAME }));
    // 64 characters are accepted
    expect((await client.put('/api/keys/password', { username: USERNAME, password: 'z'.repeat(32) + 'q'.repeat(32) })).status).toBe(200);
    expect((await client.put('/api/keys/password', { username: USERNAME, password: PASSWORD })).status).toBe(200);
  });

  it('needs the CSRF token for changes over a cookie session, and a login within 5 minutes', async () => {
    const client = await owner();
    const token = client.csrfToken;
    client.csrfToken = undefined;
    expect(errorCode(await client.put('/api/keys/password', { username: USERNAME, password: PASSWORD }))).toBe('CSRF_TOKEN_INVALID');
    client.csrfToken = token;
    clock.advance(5 * 60_000 + 1000);
    const stale = await client.put('/api/keys/password', { username: USERNAME, password: PASSWORD });
    expect(stale.status).toBe(403);
    expect(errorCode(stale)).toBe('REAUTH_REQUIRED');
    // Still allowed to look
    expect((await client.get('/api/keys')).status).toBe(200);
  });

  it('activates the e-mail key with a registration code sent by e-mail, and sends a notice', async () => {
    const client = await owner();
    const before = tb.smtp!.messages.length;
    const email = await client.put('/api/profile/email', { email: EMAIL });
    expect(email.status).toBe(200);
    const start = await client.post('/api/keys/email/start', {});
    expect(start.status).toBe(200);
    expect(start.json.sentTo).toBe('a***@example.be');
    const mail = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw registratiecode', before);
    expect(mail.text).toContain('5 minuten');
    const wrong = await client.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code: '000000' === codeIn(mail.text) ? '111111' : '000000' });
    expect(errorCode(wrong)).toBe('CODE_INCORRECT');
    const confirm = await client.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code: codeIn(mail.text) });
    expect(confirm.status).toBe(200);
    expect(confirm.json.keys).toContainEqual(expect.objectContaining({ key: 'email', active: true }));
    const notice = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw digitale sleutels werden gewijzigd' && m.text.includes('e-mail') && m.text.includes('geactiveerd'), before);
    expect(notice.text).toContain('Alice Marie Peeters');
    // used once
    expect(errorCode(await client.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code: codeIn(mail.text) }))).toBe('CODE_EXPIRED');
  });

  it('expires registration codes after 5 minutes', async () => {
    const client = await owner();
    const before = tb.smtp!.messages.length;
    const start = await client.post('/api/keys/email/start', {});
    const mail = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw registratiecode', before);
    clock.advance(5 * 60_000 + 1000);
    await tb.eidLogin(client); // log in again so the re-authentication rule is met
    const late = await client.post('/api/keys/email/confirm', { registrationId: start.json.registrationId, code: codeIn(mail.text) });
    expect(errorCode(late)).toBe('CODE_EXPIRED');
  });

  it('logs in with username, password and a code by e-mail (level 400); the code works once, for its request, for 10 minutes', async () => {
    const before = tb.smtp!.messages.length;
    const { client, r } = await passwordLogin('email');
    expect(r.json).toMatchObject({ status: 'code-required', channel: 'email', sentTo: 'a***@example.be' });
    const mail = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw beveiligingscode', before);
    const code = codeIn(mail.text);

    // Another session cannot use this request.
    const intruder = tb.client();
    expect(errorCode(await intruder.post('/api/login/code', { loginRequestId: r.json.loginRequestId, code }))).toBe('CODE_EXPIRED');

    const ok = await client.post('/api/login/code', { loginRequestId: r.json.loginRequestId, code });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ level: 400, method: 'email', person: { nationalNumber: '85073000259' } });
    expect((await client.get('/demo/welcome?minLevel=400')).status).toBe(200);
    const refused = await client.get('/demo/welcome?minLevel=500');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('niet sterk genoeg');
    // Single use
    expect(errorCode(await client.post('/api/login/code', { loginRequestId: r.json.loginRequestId, code }))).toBe('CODE_EXPIRED');

    // Bound to its own request: request 1's code does not open request 2.
    const before2 = tb.smtp!.messages.length;
    const one = await passwordLogin('email');
    const mailOne = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw beveiligingscode', before2);
    const before3 = tb.smtp!.messages.length;
    const two = await one.client.post('/api/login/password', { username: USERNAME, password: PASSWORD, key: 'email' });
    const mailTwo = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw beveiligingscode', before3);
    if (codeIn(mailOne.text) !== codeIn(mailTwo.text)) {
      expect(errorCode(await one.client.post('/api/login/code', { loginRequestId: two.json.loginRequestId, code: codeIn(mailOne.text) }))).toBe('CODE_INCORRECT');
    }
    // Expiry after 10 minutes
    clock.advance(10 * 60_000 + 1000);
    expect(errorCode(await one.client.post('/api/login/code', { loginRequestId: two.json.loginRequestId, code: codeIn(mailTwo.text) }))).toBe('CODE_EXPIRED');
  });

  it('refuses a key below the minimum level, and allows username + password alone at level 200', async () => {
    const weak = await passwordLogin('password', { minLevel: 400 });
    expect(weak.r.status).toBe(403);
    expect(errorCode(weak.r)).toBe('LEVEL_TOO_LOW');
    const low = await passwordLogin('password');
    expect(low.r.json).toMatchObject({ status: 'logged-in', level: 200, method: 'password' });
    expect((await low.client.get('/demo/welcome?minLevel=400')).status).toBe(403);
    // Level 200 cannot change keys
    expect(errorCode(await low.client.put('/api/keys/password', { username: USERNAME, password: PASSWORD }))).toBe('LEVEL_TOO_LOW');
  });

  it('activates the SMS key in 3 steps (contact e-mail, number + registration code, confirmation) and logs in with it', async () => {
    const client = await owner();
    const keys = await client.get('/api/keys');
    expect((keys.json.contact as { email: string }).email).toBe(EMAIL); // step 1: the contact address to check
    expect(errorCode(await client.post('/api/keys/sms/start', { phone: '12' }))).toBe('PHONE_INVALID');
    const start = await client.post('/api/keys/sms/start', { phone: '0470 12 34 56' });
    expect(start.status).toBe(200);
    const sms = tb.sms!.lastTo('+32470123456');
    expect(sms?.text).toContain('registratiecode');
    const before = tb.smtp!.messages.length;
    const confirm = await client.post('/api/keys/sms/confirm', { registrationId: start.json.registrationId, code: codeIn(sms!.text) });
    expect(confirm.json.keys).toContainEqual(expect.objectContaining({ key: 'sms', active: true }));
    await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Uw digitale sleutels werden gewijzigd' && m.text.includes('sms'), before);

    const login = await passwordLogin('sms');
    expect(login.r.json).toMatchObject({ status: 'code-required', channel: 'sms' });
    const loginSms = tb.sms!.lastTo('+32470123456')!;
    expect(loginSms.text).toContain('beveiligingscode');
    const ok = await login.client.post('/api/login/code', { loginRequestId: login.r.json.loginRequestId, code: codeIn(loginSms.text) });
    expect(ok.json).toMatchObject({ level: 400, method: 'sms' });
  });

  it('activates the app key (TOTP, QR code) and refuses a replayed app code', async () => {
    const client = await owner();
    const start = await client.post('/api/keys/totp/start', {});
    expect(start.status).toBe(200);
    expect(start.json.otpauthUri).toMatch(/^otpauth:\/\/totp\/eID%20Bridge:alice\.peeters\?secret=[A-Z2-7]+&issuer=eID%20Bridge$/);
    expect(start.json.qrCode).toMatch(/^data:image\/png;base64,/);
    const secret = base32Decode(start.json.secret as string);
    const confirm = await client.post('/api/keys/totp/confirm', { registrationId: start.json.registrationId, code: totp(secret, clock.now()) });
    expect(confirm.status).toBe(200);

    // The code just used for the activation cannot log in (same time step).
    const first = await passwordLogin('totp');
    expect(first.r.json).toMatchObject({ status: 'code-required', channel: 'totp' });
    expect(errorCode(await first.client.post('/api/login/code', { loginRequestId: first.r.json.loginRequestId, code: totp(secret, clock.now()) }))).toBe('CODE_INCORRECT');

    clock.advance(30_000);
    const code = totp(secret, clock.now());
    const ok = await first.client.post('/api/login/code', { loginRequestId: first.r.json.loginRequestId, code });
    expect(ok.json).toMatchObject({ level: 400, method: 'totp' });
    const again = await passwordLogin('totp');
    expect(errorCode(await again.client.post('/api/login/code', { loginRequestId: again.r.json.loginRequestId, code }))).toBe('CODE_INCORRECT');
    // One step of drift is fine: the next step's code, before its time.
    const ahead = totp(secret, clock.now() + 30_000);
    expect((await again.client.post('/api/login/code', { loginRequestId: again.r.json.loginRequestId, code: ahead })).json).toMatchObject({ method: 'totp' });
  });

  it('deactivates a key with a notice, and refuses a key that is not active', async () => {
    const client = await owner();
    const before = tb.smtp!.messages.length;
    const off = await client.delete('/api/keys/sms');
    expect(off.json.keys).toContainEqual(expect.objectContaining({ key: 'sms', active: false }));
    await tb.smtp!.waitFor(EMAIL, (m) => m.text.includes('gedeactiveerd'), before);
    expect(errorCode((await passwordLogin('sms')).r)).toBe('KEY_NOT_ACTIVE');
  });

  it('sends the code in the language of the page the person logs in from', async () => {
    const before = tb.smtp!.messages.length;
    const { client, r } = await passwordLogin('email', { language: 'fr' });
    const mail = await tb.smtp!.waitFor(EMAIL, (m) => m.subject === 'Votre code de sécurité', before);
    expect(mail.text).toContain('valable 10 minutes');
    expect((await client.post('/api/login/code', { loginRequestId: r.json.loginRequestId, code: codeIn(mail.text) })).json).toMatchObject({ level: 400 });
  });

  it('has no outbox when e-mail and SMS are delivered for real', async () => {
    expect((await tb.client().get('/api/dev/outbox')).status).toBe(404);
    expect((await tb.client().get('/dev/outbox')).status).toBe(404);
  });
});
