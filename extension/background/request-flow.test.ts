import { describe, expect, it, vi } from 'vitest';
import { EidBridgeError } from '../../shared/errors.js';
import type { CertificateDescription, CommandMap, CommandName, StatusResult } from '../../shared/protocol.js';
import { DialogWindows } from './dialog/dialog-windows.js';
import { DIALOG_PORT_PREFIX, type DialogMessage, type DialogState } from '../lib/messages.js';
import type { HostClient } from './native-client.js';
import { RequestFlow, senderOrigin } from './request-flow.js';
import { DEFAULT_SETTINGS, type Settings } from '../lib/settings.js';
import { FakeBrowser, FakePagePort } from '../lib/testing/fakes.js';

const NONCE = 'A'.repeat(43) + '=';
const ORIGIN = 'https://www.belgium.be';

function cert(usage: 'authentication' | 'signing', n = 1, reader = 'Reader 0'): CertificateDescription {
  return {
    certificate: btoa(`${usage}-${n}`).replace(/=+$/, '').padEnd(Math.ceil(`${usage}-${n}`.length / 3) * 4, '='),
    usage,
    subject: `CN=Alice ${usage} ${n}`,
    commonName: `Alice (${usage}) ${n}`,
    issuer: 'CN=Citizen CA',
    serialNumber: `0${n}`,
    notBefore: '2024-01-01T00:00:00Z',
    notAfter: '2034-01-01T00:00:00Z',
    keyType: 'EC',
    keySize: 384,
    tokenId: 't',
    tokenLabel: 'eID',
    reader,
  };
}

type Handler = (args: unknown) => unknown;

class FakeHost implements HostClient {
  hostVersion = '0.1.0';
  calls: Array<{ command: CommandName; args: unknown }> = [];
  cancelled = 0;
  connectError: EidBridgeError | undefined;
  status: StatusResult = { version: '0.1.0', backends: [{ name: 'pkcs11', available: true }], readers: [{ name: 'Reader 0', backend: 'pkcs11', cardPresent: true, pinPad: false }] };
  certificates: CertificateDescription[] = [cert('authentication'), cert('signing')];
  handlers: Partial<Record<CommandName, Handler>> = {};
  async connect() {
    if (this.connectError) throw this.connectError;
  }
  async request<C extends CommandName>(command: C, args: CommandMap[C]['arguments']): Promise<CommandMap[C]['result']> {
    this.calls.push({ command, args });
    if (command === 'status') return this.status as never;
    if (command === 'list-certificates') return { certificates: this.certificates } as never;
    const h = this.handlers[command];
    if (!h) throw new Error(`unexpected ${command}`);
    return (await h(args)) as never;
  }
  cancelAll() {
    this.cancelled++;
  }
  /** The card out of the reader: no certificates either. */
  takeCardOut() {
    this.status = { ...this.status, readers: [{ name: 'Reader 0', backend: 'pcsc', cardPresent: false, pinPad: false }] };
    this.certificates = [];
  }
  insertCard(...certificates: CertificateDescription[]) {
    this.status = { ...this.status, readers: [{ name: 'Reader 0', backend: 'pcsc', cardPresent: true, pinPad: false }] };
    this.certificates = certificates;
  }
}

function setup(settings: Partial<Settings> = {}) {
  const browser = new FakeBrowser();
  const dialogs = new DialogWindows(browser.api);
  const host = new FakeHost();
  const flow = new RequestFlow({
    host,
    dialogs,
    settings: async () => ({ ...DEFAULT_SETTINGS, ...settings }),
    uiLanguage: () => 'fr-BE',
  });
  /** Windows already played: a dialog's window closes a moment after its answer, and is not the next one. */
  const played = new Set<number>();
  /** Plays the next dialog page: waits for its window, connects, and returns its port. */
  async function dialog() {
    const windowId = await vi.waitFor(() => {
      const id = [...browser.windows.keys()].find((w) => !played.has(w));
      expect(id).toBeDefined();
      return id as number;
    });
    played.add(windowId);
    const path = browser.windows.get(windowId) ?? '';
    const session = new URLSearchParams(path.split('?')[1]).get('session');
    const port = new FakePagePort(`${DIALOG_PORT_PREFIX}${session}`);
    browser.runtimeConnect.emit(port);
    const lastState = () => (port.sent.filter((m) => (m as DialogMessage).type === 'state').at(-1) as { state: DialogState }).state;
    return { port, lastState, windowId };
  }
  return { browser, host, flow, dialog };
}

/** An authentication whose dialog opens asking for the card. */
async function authenticateWithoutCard() {
  const s = setup();
  s.host.takeCardOut();
  s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
  const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
  const d = await s.dialog();
  expect(d.lastState().problem).toEqual({ code: 'NO_CARD' });
  return { s, reply, d };
}

describe('RequestFlow', () => {
  it('takes the origin from the sender, never the page', () => {
    expect(senderOrigin({ origin: 'https://a.be', url: 'https://b.be/x' })).toBe('https://a.be');
    expect(senderOrigin({ url: 'https://b.be:8443/path?q' })).toBe('https://b.be:8443');
    expect(senderOrigin({ tab: { url: 'https://c.be/' } })).toBe('https://c.be');
  });

  it('refuses a sandboxed page (opaque origin "null") instead of taking its URL\'s origin', () => {
    expect(() => senderOrigin({ origin: 'null', url: 'https://a.be/sandboxed' })).toThrow(expect.objectContaining({ code: 'CONTEXT_INSECURE' }));
  });

  it('tells a page only the versions and whether a card is present: no card identifier, no PIN tries left', async () => {
    const s = setup();
    s.host.status = { ...s.host.status, readers: [{ name: 'Reader 0', backend: 'pcsc', cardPresent: true, pinPad: false, pinTriesLeft: 2, cardType: 'BELPIC' } as never] };
    const reply = await s.flow.handle('status', {}, ORIGIN);
    expect(reply).toEqual({ ok: true, result: { extension: '0.1.0', nativeApp: '0.1.0', cardPresent: true } });
  });

  it('refuses a second dialog request from the same tab, and a fourth from anywhere, at once with ERR_WEBEID_ACTION_PENDING', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
    const first = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN, { tabId: 1 });
    await expect(s.flow.handle('sign', { certificate: cert('signing').certificate, hash: 'A'.repeat(64), hashFunction: 'SHA-384' }, ORIGIN, { tabId: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ERR_WEBEID_ACTION_PENDING' },
    });
    const others = [2, 3].map((tabId) => s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN, { tabId }));
    await expect(s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN, { tabId: 4 })).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_ACTION_PENDING' } });
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'cancel' });
    await first;
    for (const [i, reply] of others.entries()) {
      const next = await s.dialog();
      expect(next.windowId, `dialog ${i}`).toBeDefined();
      next.port.onMessage.emit({ type: 'cancel' });
      await reply;
    }
  });

  it('drops a request whose page navigated away or closed: its dialog closes, the host is told to stop, its place is free', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
    const running = new AbortController();
    const waiting = new AbortController();
    const first = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN, { tabId: 1, signal: running.signal });
    const second = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN, { tabId: 2, signal: waiting.signal });
    await s.dialog();
    waiting.abort();
    // Tab 2's place is free at once, although its turn had not come.
    const third = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN, { tabId: 2 });
    running.abort();
    await expect(first).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED' } });
    expect(s.host.cancelled).toBe(1);
    await expect(second).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED' } });
    const d = await s.dialog();
    // The first page's dialog has closed: only the third request's is left.
    await vi.waitFor(() => expect(s.browser.windows.size).toBe(1));
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await expect(third).resolves.toMatchObject({ ok: true });
    expect(s.host.calls.filter((c) => c.command === 'authenticate')).toHaveLength(1);
  });

  it('never sends the PIN to another card when the chosen certificate is gone: it says so in the dialog', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
    const cardA = cert('authentication', 1);
    const cardB = cert('authentication', 2);
    s.host.insertCard(cardA);
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState().certificates.map((c) => c.certificate)).toEqual([cardA.certificate]);
    // Card B replaces card A; the dialog hears of it on its next look at the readers.
    s.host.insertCard(cardB);
    d.port.onMessage.emit({ type: 'retry' });
    await vi.waitFor(() => expect(d.lastState().certificates.map((c) => c.certificate)).toEqual([cardB.certificate]));
    // The person's submit still names card A, typed before the dialog changed.
    d.port.onMessage.emit({ type: 'submit', certificate: cardA.certificate, pin: '1234' });
    await vi.waitFor(() => expect(d.lastState().problem).toEqual({ code: 'CERTIFICATE_NOT_FOUND' }));
    expect(s.host.calls.filter((c) => c.command === 'authenticate')).toEqual([]);
    d.port.onMessage.emit({ type: 'cancel' });
    await expect(reply).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED' } });
  });

  it('authenticates: dialog shows the origin and certificate, the PIN goes to the host with the sender origin', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0', signature: 'sig' });
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE, options: {}, origin: 'https://evil.example' }, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState()).toMatchObject({ kind: 'authenticate', origin: ORIGIN, government: true, language: 'fr', needsPin: true });
    expect(d.lastState().certificates.map((c) => c.serialNumber)).toEqual(['01']);
    d.port.onMessage.emit({ type: 'submit', certificate: d.lastState().certificates[0]?.certificate, pin: '1234' });
    await expect(reply).resolves.toEqual({ ok: true, result: { format: 'web-eid:1.0', signature: 'sig' } });
    expect(s.host.calls.find((c) => c.command === 'authenticate')?.args).toMatchObject({ challengeNonce: NONCE, origin: ORIGIN, pin: '1234', certificate: cert('authentication').certificate });
    await vi.waitFor(() => expect(s.browser.windows.size).toBe(0));
  });

  it('answers the page before asking the browser to close the dialog window', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
    const events: string[] = [];
    const closeWindow = s.browser.api.closeWindow;
    s.browser.api.closeWindow = (id) => {
      events.push('window closed');
      return closeWindow(id);
    };
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN).then((r) => events.push('page answered') && r);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await reply;
    await vi.waitFor(() => expect(events).toEqual(['page answered', 'window closed']));
  });

  it('answers NO_SIGNING_CERTIFICATE when the person closes a sign dialog that found only a card without a signing key', async () => {
    const s = setup();
    s.host.insertCard(cert('authentication'));
    const reply = s.flow.handle('get-signing-certificate', {}, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState().problem).toEqual({ code: 'NO_SIGNING_CERTIFICATE' });
    d.port.onMessage.emit({ type: 'cancel' });
    await expect(reply).resolves.toMatchObject({ ok: false, error: { bridgeCode: 'NO_SIGNING_CERTIFICATE', code: 'ERR_WEBEID_NATIVE_FATAL' } });
  });

  it('keeps the dialog open after a wrong PIN, shows tries left, and lets the person retry', async () => {
    const s = setup();
    let attempts = 0;
    s.host.handlers.authenticate = () => {
      attempts++;
      if (attempts === 1) throw new EidBridgeError('PIN_INCORRECT', 'wrong', { triesLeft: 2 });
      return { format: 'web-eid:1.0' };
    };
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'submit', pin: '0000' });
    await vi.waitFor(() => expect(d.lastState().problem).toEqual({ code: 'PIN_INCORRECT', triesLeft: 2 }));
    expect(d.lastState().busy).toBe(false);
    expect(s.browser.windows.size).toBe(1);
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true });
    expect(attempts).toBe(2);
  });

  it('explains a blocked PIN and answers PIN_BLOCKED when the person closes', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => {
      throw new EidBridgeError('PIN_BLOCKED', 'blocked');
    };
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'submit', pin: '0000' });
    await vi.waitFor(() => expect(d.lastState().blocked).toBe(true));
    d.port.onMessage.emit({ type: 'cancel' });
    await expect(reply).resolves.toMatchObject({ ok: false, error: { bridgeCode: 'PIN_BLOCKED', code: 'ERR_WEBEID_NATIVE_FATAL' } });
  });

  it('answers ERR_WEBEID_USER_CANCELLED when the person cancels or closes the window', async () => {
    const s = setup();
    const first = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'cancel' });
    await expect(first).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED' } });

    const second = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d2 = await s.dialog();
    await s.browser.api.closeWindow(d2.windowId);
    await expect(second).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED' } });
    expect(s.host.calls.some((c) => c.command === 'authenticate')).toBe(false);
  });

  it('honours userInteractionTimeout with ERR_WEBEID_USER_TIMEOUT and closes the dialog', async () => {
    const s = setup();
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE, options: { userInteractionTimeout: 300 } }, ORIGIN);
    await s.dialog();
    await expect(reply).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_USER_TIMEOUT' } });
    await vi.waitFor(() => expect(s.browser.windows.size).toBe(0));
    expect(s.host.cancelled).toBe(1);
  });

  it('opens one dialog at a time', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
    const a = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const b = s.flow.handle('authenticate', { challengeNonce: NONCE }, 'https://other.belgium.be');
    const d = await s.dialog();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.browser.windows.size).toBe(1);
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await a;
    const d2 = await s.dialog();
    expect(d2.lastState().origin).toBe('https://other.belgium.be');
    d2.port.onMessage.emit({ type: 'cancel' });
    await expect(b).resolves.toMatchObject({ ok: false });
  });

  it('fails at once with ERR_WEBEID_NATIVE_UNAVAILABLE when the host is missing, without a dialog', async () => {
    const s = setup();
    s.host.connectError = new EidBridgeError('NATIVE_UNAVAILABLE', 'not found', { hint: 'install' });
    const reply = await s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    expect(reply).toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_NATIVE_UNAVAILABLE', hint: 'install' } });
    expect(s.browser.windows.size).toBe(0);
  });

  it('refuses http pages unless the developer setting allows localhost', async () => {
    const s = setup();
    await expect(s.flow.handle('status', {}, 'http://127.0.0.1:8080')).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_CONTEXT_INSECURE' } });
    const dev = setup({ allowHttpLocalhost: true });
    await expect(dev.flow.handle('status', {}, 'http://127.0.0.1:8080')).resolves.toMatchObject({ ok: true });
    await expect(dev.flow.handle('status', {}, 'http://example.com')).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_CONTEXT_INSECURE' } });
  });

  it('checks arguments before bothering the person', async () => {
    const s = setup();
    await expect(s.flow.handle('authenticate', {}, ORIGIN)).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_MISSING_PARAMETER' } });
    await expect(s.flow.handle('authenticate', { challengeNonce: 'short' }, ORIGIN)).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT' } });
    await expect(s.flow.handle('sign', { certificate: 'AAAA', hash: 'AAAA', hashFunction: 'SHA-256' }, ORIGIN)).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT', argument: 'hash' } });
    expect(s.browser.windows.size).toBe(0);
  });

  it('signs only with the certificate the page named, showing the hash and algorithm', async () => {
    const s = setup();
    const signing = cert('signing');
    s.host.handlers.sign = () => ({ signature: 'sig', signatureAlgorithm: { hashFunction: 'SHA-256', paddingScheme: 'NONE', cryptoAlgorithm: 'ECC' } });
    const hash = btoa(String.fromCharCode(...new Uint8Array(32).fill(0xab)));
    const reply = s.flow.handle('sign', { certificate: signing.certificate, hash, hashFunction: 'SHA-256' }, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState().sign).toEqual({ hashHex: 'ab'.repeat(32), hashFunction: 'SHA-256' });
    expect(d.lastState().certificates.map((c) => c.certificate)).toEqual([signing.certificate]);
    d.port.onMessage.emit({ type: 'submit', certificate: signing.certificate, pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true, result: { signature: 'sig' } });
    expect(s.host.calls.find((c) => c.command === 'sign')?.args).toMatchObject({ certificate: signing.certificate, hash, hashFunction: 'SHA-256', pin: '1234' });
  });

  it("shows the document the page describes next to the hash, never passes it to the host, and refuses a description that is not a PNG before any window", async () => {
    const s = setup();
    const signing = cert('signing');
    s.host.handlers.sign = () => ({ signature: 'sig', signatureAlgorithm: { hashFunction: 'SHA-256', paddingScheme: 'NONE', cryptoAlgorithm: 'ECC' } });
    const hash = btoa(String.fromCharCode(...new Uint8Array(32).fill(0xab)));
    // The smallest whole PNG: signature, IHDR (1×1), IDAT, IEND.
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const notPng = s.flow.handle('sign', { certificate: signing.certificate, hash, hashFunction: 'SHA-256', options: { document: { title: 'Volmacht', pageCount: 2, firstPage: btoa('<svg onload=alert(1)>') } } }, ORIGIN);
    await expect(notPng).resolves.toMatchObject({ ok: false, error: { code: 'ERR_WEBEID_NATIVE_INVALID_ARGUMENT' } });
    expect(s.browser.windows.size).toBe(0);

    const reply = s.flow.handle('sign', { certificate: signing.certificate, hash, hashFunction: 'SHA-256', options: { document: { title: 'Volmacht', pageCount: 2, firstPage: png } } }, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState().sign).toEqual({ hashHex: 'ab'.repeat(32), hashFunction: 'SHA-256', document: { title: 'Volmacht', pageCount: 2, firstPage: png } });
    d.port.onMessage.emit({ type: 'submit', certificate: signing.certificate, pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true, result: { signature: 'sig' } });
    expect(s.host.calls.find((c) => c.command === 'sign')?.args).toEqual({ certificate: signing.certificate, hash, hashFunction: 'SHA-256', pin: '1234' });
  });

  it('shows "insert your card" when there is none, and continues after Try again', async () => {
    const { s, reply, d } = await authenticateWithoutCard();
    s.host.insertCard(cert('authentication'));
    d.port.onMessage.emit({ type: 'retry' });
    await vi.waitFor(() => expect(d.lastState().certificates).toHaveLength(1));
    expect(d.lastState().problem).toBeUndefined();
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true });
  });

  it('notices by itself when the card is inserted while the dialog asks for it', async () => {
    const { s, reply, d } = await authenticateWithoutCard();
    s.host.insertCard(cert('authentication'));
    await vi.waitFor(() => expect(d.lastState().certificates).toHaveLength(1), { timeout: 5000 });
    expect(d.lastState().problem).toBeUndefined();
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true });
    expect(s.host.calls.filter((c) => c.command === 'authenticate')).toHaveLength(1);
  });

  it('shows a card inserted later, and keeps the wrong-PIN message while it does', async () => {
    const s = setup();
    s.host.handlers.authenticate = () => {
      throw new EidBridgeError('PIN_INCORRECT', 'wrong', { triesLeft: 1 });
    };
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'submit', pin: '0000' });
    await vi.waitFor(() => expect(d.lastState().problem?.code).toBe('PIN_INCORRECT'));
    s.host.certificates = [cert('authentication'), cert('authentication', 2, 'Reader 1')];
    await vi.waitFor(() => expect(d.lastState().certificates).toHaveLength(2), { timeout: 6000 });
    expect(d.lastState().problem).toEqual({ code: 'PIN_INCORRECT', triesLeft: 1 });
    d.port.onMessage.emit({ type: 'cancel' });
    await reply;
  });

  it('lets the person try again in the dialog when the host stopped under them', async () => {
    const s = setup();
    let attempts = 0;
    s.host.handlers.authenticate = () => {
      if (++attempts === 1) throw new EidBridgeError('HOST_DISCONNECTED', 'stopped');
      return { format: 'web-eid:1.0' };
    };
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await vi.waitFor(() => expect(d.lastState().problem).toEqual({ code: 'HOST_DISCONNECTED' }));
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true });
  });

  it('shows at once that the host stopped, while the new host is still starting', async () => {
    const s = setup();
    const request = s.host.request.bind(s.host);
    let restarting: Promise<void> | undefined;
    let hostStarted!: () => void;
    s.host.request = (async (command: CommandName, args: never) => {
      if (restarting && command === 'status') await restarting;
      return request(command, args);
    }) as FakeHost['request'];
    let attempts = 0;
    s.host.handlers.authenticate = () => {
      if (++attempts > 1) return { format: 'web-eid:1.0' };
      restarting = new Promise((resolve) => (hostStarted = resolve));
      throw new EidBridgeError('HOST_DISCONNECTED', 'stopped');
    };
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await vi.waitFor(() => expect(d.lastState()).toMatchObject({ problem: { code: 'HOST_DISCONNECTED' }, busy: true }));
    hostStarted();
    await vi.waitFor(() => expect(d.lastState()).toMatchObject({ problem: { code: 'HOST_DISCONNECTED' }, busy: false }));
    d.port.onMessage.emit({ type: 'submit', pin: '1234' });
    await expect(reply).resolves.toMatchObject({ ok: true });
  });

  it('sends no PIN for a PIN-pad reader', async () => {
    const s = setup();
    s.host.status = { ...s.host.status, readers: [{ name: 'Reader 0', backend: 'pcsc', cardPresent: true, pinPad: true }] };
    s.host.handlers.authenticate = () => ({ format: 'web-eid:1.0' });
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState().certificates[0]?.pinPad).toBe(true);
    d.port.onMessage.emit({ type: 'submit' });
    await reply;
    expect(s.host.calls.find((c) => c.command === 'authenticate')?.args).not.toHaveProperty('pin');
  });

  it('reads identity only for government or allowed origins, and the photo only with consent', async () => {
    const s = setup();
    await expect(s.flow.handle('read-identity', {}, 'https://shop.example')).resolves.toMatchObject({ ok: false, error: { bridgeCode: 'ORIGIN_NOT_ALLOWED' } });
    s.host.handlers['read-identity'] = (args) => ({ identity: { surname: 'Alice' }, args });
    const reply = s.flow.handle('read-identity', { includePhoto: true }, ORIGIN);
    const d = await s.dialog();
    expect(d.lastState().identity).toEqual({ photoRequested: true });
    d.port.onMessage.emit({ type: 'submit', includePhoto: false });
    await reply;
    expect(s.host.calls.find((c) => c.command === 'read-identity')?.args).toEqual({ includePhoto: false, includeAddress: true });
  });

  it('warns on origins that are not known government sites', async () => {
    const s = setup();
    const reply = s.flow.handle('authenticate', { challengeNonce: NONCE }, 'https://shop.example');
    const d = await s.dialog();
    expect(d.lastState().government).toBe(false);
    d.port.onMessage.emit({ type: 'cancel' });
    await reply;
  });
});
