// @vitest-environment happy-dom
/**
 * Component tests: the popup screens rendered into a DOM, driven like a
 * person would (typing, clicking), with the background and the backend
 * replaced by scripted answers. The same screens run against the real host
 * and backend in tests/e2e/popup.test.ts.
 */
import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../../lib/testing/fakes.js';
import { domUnderTest } from '../testing/dom.js';
import { BackendApi, type FetchLike, type KeysOverview } from '../../popup/backend-api.js';
import { translator } from './texts/index.js';
import type { PopupReply } from '../../popup/messages.js';
import type { BackgroundCaller, PopupCall } from '../../popup/popup-client.js';
import { BACKEND_SESSION_KEY } from '../../popup/session-store.js';
import { DiagnosticsView } from './diagnostics-view.js';
import { KeysView } from './keys-view.js';
import { PasswordWizard, SmsWizard } from './key-wizards.js';
import { StatusView } from './status-view.js';

const ui = domUnderTest();
const { $, text, click, type, until } = ui;

/** A background that answers each operation from a script and records what was asked. */
function scriptedBackground(answers: Partial<Record<PopupCall['op'], PopupReply<unknown>>>) {
  const asked: PopupCall[] = [];
  const call = (async (request: PopupCall) => {
    asked.push(request);
    return answers[request.op] ?? { ok: false, error: { code: 'ERR_WEBEID_UNKNOWN_ERROR', bridgeCode: 'INTERNAL_ERROR', message: 'not scripted' } };
  }) as BackgroundCaller;
  return { call, asked };
}

const STATUS_OK: PopupReply<unknown> = {
  ok: true,
  result: {
    version: '0.1.0',
    extensionVersion: '0.1.0',
    backends: [{ name: 'pcsc', available: true }],
    readers: [
      { name: 'Virtual PCD 00 01', backend: 'pcsc', cardPresent: true, pinPad: false, cardType: 'eID (applet 1.8)', pinTriesLeft: 2, virtual: true, tokenLabel: 'BELPIC' },
      { name: 'ACS ACR38U', backend: 'pcsc', cardPresent: false, pinPad: true },
    ],
  },
};

const CERTIFICATES_OK: PopupReply<unknown> = {
  ok: true,
  result: {
    certificates: [
      { certificate: 'AAAA', usage: 'authentication', commonName: 'Alice Marie Peeters (Authentication)', reader: 'Virtual PCD 00 01', notBefore: '2025-01-01T00:00:00Z', notAfter: '2099-01-01T00:00:00Z' },
    ],
  },
};

describe('StatusView', () => {
  it('shows the host, each reader, the holder of a virtual card, its type and tries left; the reader test shows the first names', async () => {
    const { call, asked } = scriptedBackground({
      status: STATUS_OK,
      certificates: CERTIFICATES_OK,
      'test-reader': { ok: true, result: { firstNames: 'Alice Marie', surname: 'Peeters', cardType: 'eID (applet 1.8)', documentTypeName: 'eID', validityEnd: '2036-01-01', verified: true, virtual: true } },
    });
    ui.show(<StatusView call={call} t={translator('nl')} language="nl" extensionVersion="0.1.0" />);
    await until(() => text('.holder') !== null, 'holder shown');
    expect(text('#host-state')).toBe('Geïnstalleerd, versie 0.1.0');
    const card = ui.root.querySelector('li[data-reader="Virtual PCD 00 01"]')!;
    expect(card.querySelector('.holder')!.textContent).toBe('Alice Marie Peeters');
    expect(card.querySelector('.virtual')!.textContent).toContain('Virtuele kaart');
    expect(card.querySelector('.card-type')!.textContent).toBe('eID (applet 1.8)');
    expect(card.querySelector('.pin-tries')!.textContent).toBe('2');
    const empty = ui.root.querySelector('li[data-reader="ACS ACR38U"]')!;
    expect(empty.textContent).toContain('Geen kaart in de lezer');
    expect(empty.querySelector('button.test-reader')).toBeNull();

    await act(async () => (card.querySelector('button.test-reader') as HTMLButtonElement).click());
    await until(() => text('#first-names') !== null, 'first names');
    expect(text('#first-names')).toBe('Alice Marie');
    expect(asked.find((a) => a.op === 'test-reader')).toEqual({ op: 'test-reader', reader: 'Virtual PCD 00 01' });
  });

  it('says the host is not installed, in the person’s language, with the install hint', async () => {
    const { call } = scriptedBackground({
      status: { ok: false, error: { code: 'ERR_WEBEID_NATIVE_UNAVAILABLE', bridgeCode: 'NATIVE_UNAVAILABLE', message: 'not found', hint: 'Install the eID Bridge native host' } },
    });
    ui.show(<StatusView call={call} t={translator('fr')} language="fr" extensionVersion="0.1.0" />);
    await until(() => $('#host-state')?.classList.contains('bad') === true, 'host error');
    expect(text('#host-state')).toContain('Install the eID Bridge native host');
    expect(ui.root.querySelector('#readers')).toBeNull();
  });
});

describe('DiagnosticsView', () => {
  it('marks the first broken link with advice, checks the backend, and copies the report', async () => {
    const { call } = scriptedBackground({
      status: { ok: true, result: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [{ name: 'Virtual PCD 00 01', backend: 'pcsc', cardPresent: false, pinPad: false }] } },
    });
    const fetched: string[] = [];
    const fetchImpl: FetchLike = async (url) => {
      fetched.push(url);
      return new Response(JSON.stringify({ status: 'ok', version: '0.1.0' }), { status: 200 });
    };
    let copied = '';
    ui.show(
      <DiagnosticsView call={call} t={translator('nl')} backendUrl="https://127.0.0.1:8443" extensionVersion="0.1.0" copy={async (t) => void (copied = t)} fetchImpl={fetchImpl} userAgent="test" />,
    );
    await until(() => $('#advice') !== null, 'advice');
    const steps = Array.from(ui.root.querySelectorAll('#diagnostic-steps li'), (li) => `${li.getAttribute('data-step')}:${li.getAttribute('data-state')}`);
    expect(steps).toEqual(['extension:ok', 'host:ok', 'pcsc:ok', 'reader:ok', 'card:failed', 'certificates:skipped', 'backend:ok']);
    expect($('#advice')!.getAttribute('data-step')).toBe('card');
    expect(text('#advice')).toContain('Steek uw elektronische identiteitskaart (eID)');
    expect(fetched).toEqual(['https://127.0.0.1:8443/healthz']);

    await click('#copy-report');
    await until(() => text('#copied') !== '', 'copied');
    expect(copied).toContain('[!!] Kaart: probleem (card.none)');
    expect(copied).toContain('https://127.0.0.1:8443 (version 0.1.0)');
  });

  it('shows the guide’s tips and the helpdesk number when every link works', async () => {
    const { call } = scriptedBackground({ status: STATUS_OK, certificates: CERTIFICATES_OK });
    const fetchImpl: FetchLike = async () => new Response(JSON.stringify({ status: 'ok', version: '0.1.0' }), { status: 200 });
    ui.show(<DiagnosticsView call={call} t={translator('de')} backendUrl="https://b.example" extensionVersion="0.1.0" copy={async () => undefined} fetchImpl={fetchImpl} userAgent="" />);
    await until(() => $('#advice') !== null, 'advice');
    expect($('#advice')!.getAttribute('data-step')).toBe('');
    expect(text('#advice')).toContain('privaten Fenster');
    expect(ui.root.textContent).toContain('1700');
  });
});

/** A scripted reference backend behind the fetch the popup uses. */
function scriptedBackend(routes: Record<string, (body: Record<string, unknown>) => { status: number; body: unknown }>) {
  const calls: Array<{ method: string; path: string; body: Record<string, unknown>; auth: string | undefined }> = [];
  const fetchImpl: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    const method = init?.method ?? 'GET';
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    calls.push({ method, path, body, auth: (init?.headers as Record<string, string> | undefined)?.Authorization });
    const route = routes[`${method} ${path}`];
    const answer = route ? route(body) : { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no route' } } };
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };
  return { calls, fetchImpl };
}

function overview(active: Partial<Record<'password' | 'email' | 'sms' | 'totp', boolean>>, email: string | null = null): KeysOverview {
  return {
    person: { givenNames: 'Alice', surname: 'Peeters' },
    contact: { email, phone: null },
    keys: [
      { key: 'eid', level: 500, active: true },
      { key: 'password', level: 200, active: !!active.password, username: active.password ? 'alice' : null },
      { key: 'email', level: 400, active: !!active.email },
      { key: 'sms', level: 400, active: !!active.sms },
      { key: 'totp', level: 400, active: !!active.totp },
    ],
  };
}

describe('SmsWizard', () => {
  it('walks the three steps with the indicator, checking the e-mail, the number without spaces and the code', async () => {
    const { calls, fetchImpl } = scriptedBackend({
      'PUT /api/profile/email': () => ({ status: 200, body: overview({ password: true }, 'alice@example.be') }),
      'POST /api/keys/sms/start': () => ({ status: 200, body: { registrationId: 'reg-1', key: 'sms', expiresAt: '', sentTo: '+32 470 ** ** 56' } }),
      'POST /api/keys/sms/confirm': (body) =>
        body.code === '123456' ? { status: 200, body: overview({ password: true, sms: true }, 'alice@example.be') } : { status: 401, body: { error: { code: 'CODE_INCORRECT', message: 'no', attemptsLeft: 4 } } },
    });
    let finished: KeysOverview | undefined;
    const backend = new BackendApi('https://b.example', 'tok', fetchImpl);
    ui.show(<SmsWizard backend={backend} overview={overview({ password: true })} t={translator('nl')} language="nl" done={(o) => void (finished = o)} />);
    const indicator = () => Array.from(ui.root.querySelectorAll('.steps li'), (li) => li.className);
    expect(indicator()).toEqual(['current', 'todo', 'todo']);
    expect(text('.steps')).toContain('Contactgegevens');

    await type('#contact-email', 'alice@');
    await click('#wizard-next');
    expect(text('#contact-email-error')).toBe('Dit is geen geldig e-mailadres.');
    await type('#contact-email', 'alice@example.be');
    await click('#wizard-next');
    await until(() => $('#phone') !== null, 'step 2');
    expect(indicator()).toEqual(['done', 'current', 'todo']);
    expect(text('.steps li.done .step-mark')).toBe('✓');

    await type('#phone', '+32 470 12 34 56');
    await click('#send-code');
    expect(text('#phone-error')).toBe('Geef uw gsm-nummer met landcode en zonder spaties, bv. +32470123456.');
    await type('#phone', '+32470123456');
    await click('#send-code');
    await until(() => $('#sent-to') !== null, 'code sent');
    await type('#registration-code', '654321');
    await click('#wizard-next');
    await until(() => text('#error') !== null, 'wrong code');
    expect(text('#error')).toBe('De code is niet correct. U hebt nog 4 pogingen.');
    await type('#registration-code', '123 456');
    await click('#wizard-next');
    await until(() => $('#wizard-done') !== null, 'confirmation');
    expect(indicator()).toEqual(['done', 'done', 'current']);
    expect(text('#wizard-done')).toContain('Uw digitale sleutel is nu geactiveerd.');
    await click('#back-to-keys');
    expect(finished?.keys.find((k) => k.key === 'sms')?.active).toBe(true);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['PUT /api/profile/email', 'POST /api/keys/sms/start', 'POST /api/keys/sms/confirm', 'POST /api/keys/sms/confirm']);
    expect(calls[1]!.body).toEqual({ phone: '+32470123456' });
    expect(calls[3]!.body).toMatchObject({ registrationId: 'reg-1', code: '123456' });
    expect(calls.every((c) => c.auth === 'Bearer tok')).toBe(true);
  });
});

describe('KeysView', () => {
  it('signs in with username, password and the e-mail code, then lists the keys with ACTIEF', async () => {
    const browser = new FakeBrowser();
    const { fetchImpl } = scriptedBackend({
      'POST /api/login/password': (body) =>
        body.password === 'juist-wachtwoord'
          ? { status: 200, body: { status: 'code-required', loginRequestId: 'login-1', channel: 'email', sentTo: 'a***@example.be', expiresAt: '' } }
          : { status: 401, body: { error: { code: 'LOGIN_FAILED', message: 'Wrong' } } },
      'POST /api/login/code': () => ({ status: 200, body: { status: 'logged-in', person: { givenNames: 'Alice', surname: 'Peeters' }, level: 400, method: 'email', sessionToken: 'session-1' } }),
      'GET /api/keys': () => ({ status: 200, body: overview({ password: true, email: true }, 'alice@example.be') }),
    });
    const { call } = scriptedBackground({});
    ui.show(<KeysView api={browser.api} call={call} t={translator('nl')} language="nl" backendUrl="https://b.example/" fetchImpl={fetchImpl} />);
    await until(() => $('#login-eid') !== null, 'login screen');
    expect(text('#login-eid')).toBe('AANMELDEN met eID kaartlezer');
    await click('#login-next');
    expect(text('#login-username-error')).toBe('Dit veld is verplicht.');
    await type('#login-username', 'alice');
    await type('#login-password', 'fout-wachtwoord');
    await click('#login-next');
    await until(() => text('#login-error') !== null, 'login refused');
    expect(text('#login-error')).toBe('Verkeerde gebruikersnaam, wachtwoord of code.');
    await type('#login-password', 'juist-wachtwoord');
    await click('#login-next');
    await until(() => $('#login-code') !== null, 'code step');
    expect(text('#code-instructions')).toContain('a***@example.be');
    await type('#login-code', '123456');
    await click('#login-code-next');
    await until(() => $('#keys-overview') !== null, 'overview');
    expect(text('#welcome')).toBe('Welkom, Alice Peeters');
    const state = (key: string) => ui.root.querySelector(`.key-card[data-key="${key}"] .key-state`)!.textContent;
    expect(state('eid')).toBe('ACTIEF');
    expect(state('email')).toBe('ACTIEF');
    expect(state('sms')).toBe('NIET ACTIEF');
    expect(ui.root.querySelector('.key-card[data-key="sms"] [data-action="activate"]')!.textContent).toBe('Activeren');
    expect(browser.storage[BACKEND_SESSION_KEY]).toEqual({ backendUrl: 'https://b.example', token: 'session-1' });
  });

  it('asks the background for the eID sign-in and shows its failure in words', async () => {
    const browser = new FakeBrowser();
    const { call, asked } = scriptedBackground({
      'eid-login': { ok: false, error: { code: 'ERR_WEBEID_USER_CANCELLED', bridgeCode: 'USER_CANCELLED', message: 'cancelled' } },
    });
    ui.show(<KeysView api={browser.api} call={call} t={translator('en')} language="en" backendUrl="https://b.example" fetchImpl={scriptedBackend({}).fetchImpl} />);
    await until(() => $('#login-eid') !== null, 'login screen');
    await click('#login-eid');
    await until(() => text('#login-error') !== null, 'error');
    expect(asked).toEqual([{ op: 'eid-login', lang: 'en' }]);
    expect(text('#login-error')!.length).toBeGreaterThan(5);
  });

  it('disables activating a code key until a username and password exist', async () => {
    const browser = new FakeBrowser();
    browser.storage[BACKEND_SESSION_KEY] = { backendUrl: 'https://b.example', token: 't' };
    const { fetchImpl } = scriptedBackend({ 'GET /api/keys': () => ({ status: 200, body: overview({}) }) });
    ui.show(<KeysView api={browser.api} call={scriptedBackground({}).call} t={translator('nl')} language="nl" backendUrl="https://b.example" fetchImpl={fetchImpl} />);
    await until(() => $('#keys-overview') !== null, 'overview');
    expect(($('.key-card[data-key="sms"] [data-action="activate"]') as HTMLButtonElement).disabled).toBe(true);
    expect(ui.root.textContent).toContain('Maak eerst een gebruikersnaam en wachtwoord aan');
  });
});

describe('PasswordWizard', () => {
  it('fills in the username, and when the login is too old, says so and offers to log out', async () => {
    const { fetchImpl } = scriptedBackend({
      'PUT /api/keys/password': () => ({ status: 403, body: { error: { code: 'REAUTH_REQUIRED', message: 'Log in again' } } }),
    });
    let loggedOut = false;
    ui.show(
      <PasswordWizard backend={new BackendApi('https://b.example', 't', fetchImpl)} overview={overview({ password: true })} t={translator('nl')} language="nl" done={() => undefined} reauth={() => void (loggedOut = true)} />,
    );
    expect(($('#username') as HTMLInputElement).value).toBe('alice');
    await type('#new-password', 'een-nieuw-wachtwoord');
    await type('#confirm-password', 'een-nieuw-wachtwoord');
    await click('#wizard-next');
    await until(() => $('#reauth') !== null, 'reauth offered');
    expect(text('#error')).toContain('Meld u opnieuw aan om uw digitale sleutels te wijzigen.');
    await click('#reauth');
    expect(loggedOut).toBe(true);
  });
});
