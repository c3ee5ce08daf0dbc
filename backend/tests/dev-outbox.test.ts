/**
 * The development outbox holds security codes: it exists only in development
 * mode and only staff read it. Outside development mode the backend does not
 * start unless both e-mail and SMS are really delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend } from '../server.js';
import { errorCode, SmsGateway, SmtpSink, STAFF, startTestBackend, testBackendConfig, type TestBackend } from './helpers.js';

describe('outside development mode', () => {
  let dataDir: string;
  let smtp: SmtpSink;
  let sms: SmsGateway;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eid-bridge-outbox-'));
    [smtp, sms] = await Promise.all([SmtpSink.start(), SmsGateway.start()]);
  });
  afterAll(async () => {
    await Promise.all([smtp?.stop(), sms?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start with SMTP but no SMS gateway, naming what is missing', async () => {
    const start = startBackend(testBackendConfig(dataDir, { devMode: false, smtpUrl: smtp.url }));
    await expect(start).rejects.toThrow(/EID_BRIDGE_SMS_GATEWAY_URL/);
    await expect(start).rejects.not.toThrow(/EID_BRIDGE_SMTP_URL/);
  });

  it('refuses to start with an SMS gateway but no SMTP server, naming what is missing', async () => {
    const start = startBackend(testBackendConfig(dataDir, { devMode: false, smsGatewayUrl: sms.url }));
    await expect(start).rejects.toThrow(/EID_BRIDGE_SMTP_URL/);
    await expect(start).rejects.not.toThrow(/EID_BRIDGE_SMS_GATEWAY_URL/);
  });

  it('refuses to start with neither, pointing to development mode', async () => {
    await expect(startBackend(testBackendConfig(dataDir, { devMode: false }))).rejects.toThrow(
      /EID_BRIDGE_SMTP_URL.*EID_BRIDGE_SMS_GATEWAY_URL.*EID_BRIDGE_DEV_MODE/,
    );
  });

  it('starts with both, and has no outbox even for staff', async () => {
    const server = await startBackend(testBackendConfig(dataDir, { devMode: false, smtpUrl: smtp.url, smsGatewayUrl: sms.url }));
    try {
      for (const path of ['/api/dev/outbox', '/dev/outbox']) {
        expect((await fetch(server.url + path)).status).toBe(404);
        expect((await fetch(server.url + path, { headers: STAFF })).status).toBe(404);
      }
    } finally {
      await server.close();
    }
  });
});

describe('development mode with real e-mail and no SMS gateway', () => {
  let tb: TestBackend;
  beforeAll(async () => {
    tb = await startTestBackend({ smtp: true });
    const owner = tb.client();
    await tb.eidLogin(owner);
    expect((await owner.put('/api/keys/password', { username: 'outbox.owner', password: 'nobody reads my codes' })).status).toBe(200);
    expect((await owner.post('/api/keys/sms/start', { phone: '+32470123456' })).status).toBe(200);
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('keeps the SMS code from anyone without the staff token', async () => {
    for (const path of ['/api/dev/outbox', '/dev/outbox']) {
      const anonymous = await tb.client().get(path);
      expect(anonymous.status).toBe(401);
      expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
      expect(anonymous.text).not.toContain('+32470123456');
      expect((await tb.client().get(path, { Authorization: 'Bearer not-the-staff-token' })).status).toBe(401);
    }
    // A person logged in (even at level 500) is not staff.
    const person = tb.client();
    await tb.eidLogin(person);
    expect((await person.get('/api/dev/outbox')).status).toBe(401);
  });

  it('shows staff the messages', async () => {
    const staff = await tb.client().get('/api/dev/outbox', STAFF);
    expect(staff.status).toBe(200);
    expect((staff.json.messages as Array<{ channel: string; recipient: string }>).some((m) => m.channel === 'sms' && m.recipient === '+32470123456')).toBe(true);
    const page = await tb.client().get('/dev/outbox', STAFF);
    expect(page.status).toBe(200);
    expect(page.text).toContain('+32470123456');
  });
});
