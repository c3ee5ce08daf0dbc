import { afterEach, describe, expect, it, vi } from 'vitest';
import { EidBridgeError } from '../../shared/errors.js';
import { NativeHostClient, type ConnectionState } from './native-client.js';
import { FakeBrowser, type FakeNativePort } from '../lib/testing/fakes.js';

function setup(extensionVersion = '0.1.0') {
  const browser = new FakeBrowser();
  const states: ConnectionState[] = [];
  const client = new NativeHostClient(browser.api, {
    hostName: 'be.eidbridge.host',
    extensionVersion,
    handshakeTimeoutMs: 1000,
    requestTimeoutMs: 500,
    onStateChange: (s) => states.push(s),
  });
  const port = (i = 0) => browser.nativePorts[i] as FakeNativePort;
  return { browser, client, states, port };
}

async function ready(s: ReturnType<typeof setup>, version = '0.1.0') {
  const connecting = s.client.connect();
  s.port().reply({ version });
  await connecting;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('NativeHostClient', () => {
  it('goes through connecting and handshaking to ready on the host version', async () => {
    const s = setup();
    await ready(s);
    expect(s.states).toEqual(['connecting', 'handshaking', 'ready']);
    expect(s.client.hostVersion).toBe('0.1.0');
  });

  it('matches replies to requests by id, even out of order', async () => {
    const s = setup();
    await ready(s);
    const a = s.client.request('status', {});
    const b = s.client.request('list-certificates', {});
    await Promise.resolve();
    const [ra, rb] = s.port().sent as Array<{ id: number; command: string }>;
    expect(ra?.command).toBe('status');
    s.port().reply({ id: rb?.id, result: { certificates: [] } });
    s.port().reply({ id: ra?.id, result: { version: '0.1.0', backends: [], readers: [] } });
    await expect(b).resolves.toEqual({ certificates: [] });
    await expect(a).resolves.toMatchObject({ version: '0.1.0' });
  });

  it('turns a host error reply into a typed error with its details', async () => {
    const s = setup();
    await ready(s);
    const p = s.client.request('authenticate', { challengeNonce: 'x'.repeat(44), origin: 'https://a.be', pin: '1111' });
    await Promise.resolve();
    const id = (s.port().sent[0] as { id: number }).id;
    s.port().reply({ id, error: { code: 'PIN_INCORRECT', message: 'wrong', triesLeft: 2 } });
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EidBridgeError);
    expect(error).toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
  });

  it('reports a missing host as NATIVE_UNAVAILABLE with install instructions', async () => {
    const s = setup();
    const p = s.client.connect();
    s.port().die('Specified native messaging host not found.');
    const error = await p.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NATIVE_UNAVAILABLE' });
    expect((error as EidBridgeError).details.hint).toMatch(/install-host/);
    expect(s.client.state).toBe('failed');
  });

  it('refuses a host of another major version with VERSION_MISMATCH', async () => {
    const s = setup('1.2.0');
    const p = s.client.connect();
    s.port().reply({ version: '2.0.0' });
    await expect(p).rejects.toMatchObject({ code: 'VERSION_MISMATCH', details: { requiresUpdate: { extension: true, nativeApp: false } } });
    expect(s.port().disconnected).toBe(true);
    expect(s.client.state).toBe('failed');
  });

  it('rejects every pending request when the host dies, then reconnects on the next request', async () => {
    const s = setup();
    await ready(s);
    const a = s.client.request('status', {});
    const b = s.client.request('list-certificates', {});
    await Promise.resolve();
    s.port().die('Native host has exited.');
    await expect(a).rejects.toMatchObject({ code: 'HOST_DISCONNECTED' });
    await expect(b).rejects.toMatchObject({ code: 'HOST_DISCONNECTED' });
    expect(s.client.state).toBe('disconnected');
    expect(s.client.pendingCount).toBe(0);

    const c = s.client.request('status', {});
    await Promise.resolve();
    expect(s.browser.nativePorts).toHaveLength(2);
    s.port(1).reply({ version: '0.1.0' });
    await vi.waitFor(() => expect(s.port(1).sent).toHaveLength(1));
    s.port(1).reply({ id: (s.port(1).sent[0] as { id: number }).id, result: { version: '0.1.0', backends: [], readers: [] } });
    await expect(c).resolves.toMatchObject({ version: '0.1.0' });
  });

  it('times out a request, and tells the host to cancel it', async () => {
    const s = setup();
    await ready(s);
    vi.useFakeTimers();
    const p = s.client.request('sign', { certificate: 'AA==', hash: 'AA==', hashFunction: 'SHA-256' }, { timeoutMs: 2000 });
    const caught = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2001);
    expect(await caught).toMatchObject({ code: 'TIMEOUT' });
    const sent = s.port().sent as Array<{ id: number; command: string; arguments: { requestId?: number } }>;
    expect(sent[1]).toMatchObject({ command: 'cancel', arguments: { requestId: sent[0]?.id } });
  });

  it('gives up on a host that starts but never sends its version', async () => {
    const s = setup();
    vi.useFakeTimers();
    const p = s.client.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1001);
    expect(await p).toMatchObject({ code: 'NATIVE_UNAVAILABLE' });
    expect(s.client.state).toBe('failed');
  });

  it('shares one connection between concurrent callers', async () => {
    const s = setup();
    const a = s.client.connect();
    const b = s.client.connect();
    s.port().reply({ version: '0.1.0' });
    await Promise.all([a, b]);
    expect(s.browser.nativePorts).toHaveLength(1);
  });
});
