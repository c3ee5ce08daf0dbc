import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { base32Decode, totp } from '../security/otp.js';
import { errorCode, STAFF, startTestBackend, type TestBackend } from './helpers.js';

let tb: TestBackend;
const clock = new ManualClock();

beforeAll(async () => {
  tb = await startTestBackend({ clock, smtp: true });
});
afterAll(async () => {
  await tb?.stop();
});

function code6(text: string): string {
  return /\b(\d{6})\b/.exec(text)![1]!;
}

async function issue(nationalNumber: string, email: string) {
  const before = tb.smtp!.messages.length;
  const r = await tb.client().post('/api/lra/activation-codes', { nationalNumber, email, givenNames: 'Jan', surname: 'Claes' }, STAFF);
  expect(r.status).toBe(201);
  const mail = await tb.smtp!.waitFor(email, (m) => m.subject.includes('activatie'), before);
  const link = /(http:\/\/\S+\/activate\?token=[^\s&]+)/.exec(mail.text)![1]!;
  return { paper: r.json.activationCode as string, token: decodeURIComponent(new URL(link).searchParams.get('token')!), mail, link };
}

describe('registration office (LRA) activation over HTTP', () => {
  it('lets only staff create codes, for valid national numbers and e-mail addresses', async () => {
    const anyone = await tb.client().post('/api/lra/activation-codes', { nationalNumber: '85073000160', email: 'x@example.be' });
    expect(anyone.status).toBe(401);
    const badNumber = await tb.client().post('/api/lra/activation-codes', { nationalNumber: '85073000161', email: 'x@example.be' }, STAFF);
    expect(errorCode(badNumber)).toBe('NATIONAL_NUMBER_INVALID');
    const noEmail = await tb.client().post('/api/lra/activation-codes', { nationalNumber: '85073000160' }, STAFF);
    expect(noEmail.status).toBe(400);
  });

  it('activates the e-mail key: paper code, key choice, username and password, registration code', async () => {
    const { paper, token, mail, link } = await issue('85.07.30-001.60', 'jan.claes@example.be');
    expect(paper).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(mail.subject).toBe('eID Bridge – Mijn digitale sleutels: activatie');
    expect(mail.text).toContain('Jan Claes');
    const page = await tb.client().get(new URL(link).pathname + new URL(link).search);
    expect(page.text).toContain('Uw digitale sleutel activeren');
    expect(page.text).toContain('Activatiecode ingeven');

    const person = tb.client();
    const wrong = await person.post('/api/activation/start', { token, activationCode: 'AAAA-BBBB-CCCC-DDDD' });
    expect(errorCode(wrong)).toBe('ACTIVATION_INVALID');
    expect(wrong.json.error).toMatchObject({ attemptsLeft: 4 });
    const start = await person.post('/api/activation/start', { token, activationCode: paper.toLowerCase().replace(/-/g, ' ') });
    expect(start.status).toBe(200);
    expect(start.json.person).toMatchObject({ nationalNumber: '85073000160' });

    expect(errorCode(await person.post('/api/activation/key', { activationId: start.json.activationId, key: 'email', username: 'jan.claes', password: '12345678' }))).toBe('PASSWORD_COMMON');
    const before = tb.smtp!.messages.length;
    const key = await person.post('/api/activation/key', { activationId: start.json.activationId, key: 'email', username: 'jan.claes', password: 'rainy Tuesday in Ghent' });
    expect(key.status).toBe(200);
    const registration = await tb.smtp!.waitFor('jan.claes@example.be', (m) => m.subject === 'Uw registratiecode', before);
    const done = await person.post('/api/activation/confirm', { activationId: start.json.activationId, code: code6(registration.text) });
    expect(done.json).toMatchObject({ status: 'activated', key: 'email' });
    await tb.smtp!.waitFor('jan.claes@example.be', (m) => m.subject === 'Uw digitale sleutels werden gewijzigd', before);

    // The new key logs in.
    const login = tb.client();
    const before2 = tb.smtp!.messages.length;
    const step1 = await login.post('/api/login/password', { username: 'jan.claes', password: 'rainy Tuesday in Ghent', key: 'email' });
    const loginMail = await tb.smtp!.waitFor('jan.claes@example.be', (m) => m.subject === 'Uw beveiligingscode', before2);
    const step2 = await login.post('/api/login/code', { loginRequestId: step1.json.loginRequestId, code: code6(loginMail.text) });
    expect(step2.json).toMatchObject({ level: 400, person: { name: 'Jan Claes' } });

    // The activation code is used up.
    expect(errorCode(await tb.client().post('/api/activation/start', { token, activationCode: paper }))).toBe('ACTIVATION_INVALID');
  });

  it('activates the app key from an activation code', async () => {
    const { paper, token } = await issue('01010100126', 'young@example.be');
    const person = tb.client();
    const start = await person.post('/api/activation/start', { token, activationCode: paper });
    const key = await person.post('/api/activation/key', { activationId: start.json.activationId, key: 'totp', username: 'young.one', password: 'my first own password' });
    expect(key.json.qrCode).toMatch(/^data:image\/png;base64,/);
    const code = totp(base32Decode(key.json.secret as string), clock.now());
    expect((await person.post('/api/activation/confirm', { activationId: start.json.activationId, code })).json).toMatchObject({ status: 'activated', key: 'totp' });
  });

  it('refuses the link after 2 weeks, after 5 wrong codes, and an e-mail address of another key set', async () => {
    const first = await issue('75211000559', 'bis.person@example.be');
    clock.advance(14 * 24 * 3600_000 + 60_000);
    expect(errorCode(await tb.client().post('/api/activation/start', { token: first.token, activationCode: first.paper }))).toBe('ACTIVATION_INVALID');

    const second = await issue('75211000559', 'bis.person@example.be');
    for (let i = 0; i < 5; i++) await tb.client().post('/api/activation/start', { token: second.token, activationCode: `WRNG-CODE-AAAA-000${i}` });
    expect(errorCode(await tb.client().post('/api/activation/start', { token: second.token, activationCode: second.paper }))).toBe('ACTIVATION_INVALID');

    const taken = await tb.client().post('/api/lra/activation-codes', { nationalNumber: '85431500183', email: 'jan.claes@example.be' }, STAFF);
    expect(errorCode(taken)).toBe('EMAIL_IN_USE');
  });

  it('shows e-mails in the development outbox when no SMTP server is configured', async () => {
    const dev = await startTestBackend();
    try {
      await dev.client().post('/api/lra/activation-codes', { nationalNumber: '85073000160', email: 'outbox@example.be' }, STAFF);
      const page = await dev.client().get('/dev/outbox', STAFF);
      expect(page.status).toBe(200);
      expect(page.text).toContain('outbox@example.be');
      expect(page.text).toContain('Mijn digitale sleutels: activatie');
    } finally {
      await dev.stop();
    }
  });
});
