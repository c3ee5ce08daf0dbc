/**
 * The login page's script, served as /assets/login.js. eID: window.eidBridge
 * when the extension offers it, else the Web eID page protocol over
 * window.postMessage. Code keys: username and password, then the code.
 */
import { byId, codeOf, inputValue, postJson, readPageData, setStatus, translator, type Json } from './page.js';
import { CardFailure, webEidRequest } from './web-eid.js';

interface LoginPageData {
  minLevel: number;
  returnTo: string;
}

interface EidBridgePageApi {
  authenticate(challengeNonce: string, options: { lang: string }): Promise<unknown>;
}

const data = readPageData();
const page = data as unknown as LoginPageData;
const tr = translator(data);

function show(id: 'chooser' | 'eid-panel' | 'code-panel'): void {
  for (const panel of ['chooser', 'eid-panel', 'code-panel']) byId(panel).hidden = panel !== id;
}

function done(): void {
  location.assign(page.returnTo || '/demo/welcome');
}

// ---- eID ---------------------------------------------------------------
async function webEidAuthenticate(challengeNonce: string): Promise<unknown> {
  const m = await webEidRequest('authenticate', { challengeNonce, options: { lang: data.lang, userInteractionTimeout: 120000 } });
  return { unverifiedCertificate: m.unverifiedCertificate, algorithm: m.algorithm, signature: m.signature, format: m.format, appVersion: m.appVersion };
}

function authenticateWithCard(challengeNonce: string): Promise<unknown> {
  const bridge = (window as unknown as { eidBridge?: Partial<EidBridgePageApi> }).eidBridge;
  if (bridge && typeof bridge.authenticate === 'function') return bridge.authenticate(challengeNonce, { lang: data.lang });
  return webEidAuthenticate(challengeNonce);
}

function errorCodeOf(e: unknown): string | undefined {
  return codeOf(e) ?? (e instanceof CardFailure ? e.code : (e as { code?: string } | undefined)?.code);
}

function eidMessage(e: unknown): string {
  const code = errorCodeOf(e) || 'ERR_WEBEID_UNKNOWN_ERROR';
  if (code === 'ERR_WEBEID_EXTENSION_UNAVAILABLE') return tr('extensionMissing');
  if (code === 'NATIVE_UNAVAILABLE' || code === 'HOST_DISCONNECTED' || code === 'ERR_WEBEID_NATIVE_UNAVAILABLE') return tr('hostMissing');
  if (code === 'USER_CANCELLED' || code === 'ERR_WEBEID_USER_CANCELLED') return tr('cancelled');
  if (code === 'NO_READER' || code === 'NO_CARD' || code === 'PCSC_UNAVAILABLE' || code === 'CARD_REMOVED') return tr('noReader');
  if (/^(TOKEN_|NONCE_|CERTIFICATE_|CA_|OCSP_|SIGNATURE_|NATIONAL_)/.test(code)) return tr('eidRejected', { code });
  return tr('eidFailed', { code });
}

let busy = false;
function eidLogin(): void {
  if (busy) return;
  busy = true;
  const button = byId<HTMLButtonElement>('eid-login');
  button.disabled = true;
  setStatus(byId('eid-status'), tr('working'));
  postJson('/api/eid/challenge', {})
    .then((challenge) => authenticateWithCard(challenge.challengeNonce as string))
    .then((token) => postJson('/api/eid/login', { authToken: token, minLevel: page.minLevel, language: data.lang }))
    .then(done)
    .catch((e: unknown) => setStatus(byId('eid-status'), eidMessage(e), 'error'))
    .then(() => {
      busy = false;
      button.disabled = false;
    });
}

// ---- username + password + code -----------------------------------------
let currentKey: string | null = null;
let loginRequestId: string | null = null;

function codeError(e: unknown): string {
  const code = errorCodeOf(e);
  if (code === 'TOO_MANY_ATTEMPTS') return tr('tooManyAttempts');
  if (code === 'CODE_EXPIRED') return tr('codeExpired');
  if (code === 'KEY_NOT_ACTIVE') return tr('keyNotActive');
  if (code === 'CODE_INCORRECT') return tr('codeIncorrect');
  if (code === 'LEVEL_TOO_LOW') return tr('keyTooWeak', { level: page.minLevel });
  if (code === 'LOGIN_FAILED') return tr('loginFailed');
  return tr('somethingWrong', { code: code || 'NETWORK' });
}

function openCodeKey(key: string): void {
  currentKey = key;
  loginRequestId = null;
  byId('code-title').textContent = tr(key === 'email' ? 'emailTitle' : key === 'sms' ? 'smsTitle' : 'appTitle');
  byId('credentials-form').hidden = false;
  byId('code-form').hidden = true;
  setStatus(byId('code-status'), '');
  show('code-panel');
  byId('username').focus();
}

byId('credentials-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setStatus(byId('code-status'), tr('working'));
  postJson('/api/login/password', { username: inputValue('username'), password: inputValue('password'), key: currentKey, minLevel: page.minLevel, language: data.lang })
    .then((r: Json) => {
      if (r.status === 'logged-in') return done();
      loginRequestId = r.loginRequestId as string;
      byId<HTMLInputElement>('password').value = '';
      byId('code-info').textContent = r.channel === 'totp' ? tr('codeFromApp') : tr(r.channel === 'sms' ? 'codeSentSms' : 'codeSentEmail', { to: (r.sentTo as string | undefined) ?? '' });
      byId('credentials-form').hidden = true;
      byId('code-form').hidden = false;
      setStatus(byId('code-status'), '');
      byId('code').focus();
    })
    .catch((e: unknown) => setStatus(byId('code-status'), codeError(e), 'error'));
});

byId('code-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setStatus(byId('code-status'), tr('working'));
  postJson('/api/login/code', { loginRequestId, code: inputValue('code') })
    .then(done)
    .catch((e: unknown) => {
      setStatus(byId('code-status'), codeError(e), 'error');
      if (errorCodeOf(e) === 'CODE_EXPIRED') {
        byId('code-form').hidden = true;
        byId('credentials-form').hidden = false;
      }
    });
});

// ---- navigation ----------------------------------------------------------
for (const button of document.querySelectorAll<HTMLButtonElement>('button.key')) {
  button.addEventListener('click', () => {
    const key = button.getAttribute('data-key') ?? '';
    if (key === 'eid') {
      show('eid-panel');
      setStatus(byId('eid-status'), '');
      byId('eid-login').focus();
    } else openCodeKey(key);
  });
}
for (const link of document.querySelectorAll<HTMLAnchorElement>('a.back')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    show('chooser');
  });
}
byId('eid-login').addEventListener('click', eidLogin);
