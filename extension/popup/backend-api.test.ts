import { describe, expect, it } from 'vitest';
import { activationTokenFrom, BackendApi, BackendApiError, normalizeBackendUrl, type FetchLike } from './backend-api.js';

function recorder(answers: Array<{ status: number; body: unknown }>) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const next = answers.shift() ?? { status: 200, body: {} };
    return new Response(JSON.stringify(next.body), { status: next.status, headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetchImpl };
}

describe('BackendApi', () => {
  it('keeps the session token the backend hands out and sends it as a bearer token, never the cookie', async () => {
    const { calls, fetchImpl } = recorder([
      { status: 200, body: { status: 'code-required', loginRequestId: 'req', channel: 'email', expiresAt: '2030-01-01T00:00:00Z', sessionToken: 'anonymous-1' } },
      { status: 200, body: { status: 'logged-in', person: { givenNames: 'A', surname: 'B' }, level: 400, method: 'email', sessionToken: 'tok-1' } },
      { status: 200, body: { person: {}, contact: {}, keys: [] } },
    ]);
    const api = new BackendApi('https://backend.example', undefined, fetchImpl);
    await api.passwordLogin('jan', 'secret-words', 'email');
    await api.codeLogin('req', '123456');
    await api.keys();
    expect(api.token).toBe('tok-1');
    const authorization = calls.map((c) => (c.init!.headers as Record<string, string>).Authorization);
    expect(authorization).toEqual([undefined, 'Bearer anonymous-1', 'Bearer tok-1']);
    expect(calls[2]!.url).toBe('https://backend.example/api/keys');
    expect(calls.map((c) => c.init!.credentials)).toEqual(['omit', 'omit', 'omit']);
  });

  it('turns an error answer into a BackendApiError with the backend’s code and details', async () => {
    const { fetchImpl } = recorder([{ status: 401, body: { error: { code: 'CODE_INCORRECT', message: 'The code is not correct', attemptsLeft: 3 } } }]);
    const error = await new BackendApi('https://b.example', 't', fetchImpl).confirmKey('sms', 'r', '000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendApiError);
    expect(error).toMatchObject({ status: 401, code: 'CODE_INCORRECT', details: { attemptsLeft: 3 } });
  });

  it('reports a backend that cannot be reached as UNREACHABLE', async () => {
    const api = new BackendApi('https://b.example', undefined, async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.health()).rejects.toMatchObject({ code: 'UNREACHABLE', status: 0 });
  });

  it('forgets the token on logout even when the backend does not answer', async () => {
    const api = new BackendApi('https://b.example', 'tok', async () => {
      throw new TypeError('offline');
    });
    await expect(api.logout()).rejects.toBeInstanceOf(BackendApiError);
    expect(api.token).toBeUndefined();
  });
});

describe('backend URL and activation link', () => {
  it('accepts http(s) base URLs only, without credentials or query', () => {
    expect(normalizeBackendUrl(' https://127.0.0.1:8443/ ')).toBe('https://127.0.0.1:8443');
    expect(normalizeBackendUrl('https://idp.example/base/')).toBe('https://idp.example/base');
    expect(normalizeBackendUrl('ftp://x')).toBeUndefined();
    expect(normalizeBackendUrl('https://u:p@x.example')).toBeUndefined();
    expect(normalizeBackendUrl('not a url')).toBeUndefined();
  });

  it('takes the token from a pasted activation link, or the token itself', () => {
    expect(activationTokenFrom('https://127.0.0.1:8443/activate?token=abc_DEF&lang=nl')).toBe('abc_DEF');
    expect(activationTokenFrom('  abc_DEF ')).toBe('abc_DEF');
  });
});
