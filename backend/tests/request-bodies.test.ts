/** Request bodies are checked by each route's schema, and a failure answers in the API's error shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from './helpers.js';

describe('request bodies', () => {
  let tb: TestBackend;
  beforeAll(async () => {
    tb = await startTestBackend();
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('names a missing, empty, mistyped or too long field', async () => {
    const login = (body: unknown) => tb.client().post('/api/login/password', body);
    expect((await login({ password: 'x', key: 'password' })).json).toEqual({ error: { code: 'BAD_REQUEST', message: '"username" is required', field: 'username' } });
    expect((await login({ username: '', password: 'x', key: 'password' })).json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'username' });
    expect((await login({ username: 12, password: 'x', key: 'password' })).json).toEqual({ error: { code: 'BAD_REQUEST', message: '"username" must be a string', field: 'username' } });
    expect((await login({ username: 'u'.repeat(257), password: 'x', key: 'password' })).json).toEqual({ error: { code: 'BAD_REQUEST', message: '"username" is too long', field: 'username' } });
    const wrongKey = await login({ username: 'someone', password: 'x', key: 'carrier-pigeon' });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'key' });
  });

  it('refuses a minimum level outside 0 to 500', async () => {
    const r = await tb.client().post('/api/login/password', { username: 'someone', password: 'x', key: 'password', minLevel: 900 });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'minLevel' });
  });

  it('answers an address that does not decode or is too long in the API\'s error shape', async () => {
    for (const path of ['/api/mandates/%ff%fe/stop', `/api/mandates/${'0'.repeat(300)}/stop`]) {
      const r = await tb.client().post(path, {});
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json).toEqual({ error: { code: 'BAD_REQUEST', message: 'The address is not valid' } });
    }
  });

  it('answers 404 for a key that does not exist', async () => {
    const r = await tb.client().post('/api/keys/pigeon/start', {});
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});
