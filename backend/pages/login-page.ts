/** "Kies uw digitale sleutel om aan te melden": the login page, shaped like the government's own. */
import { LEVELS } from '../context.js';
import { t, type Language, type Messages } from '../i18n/index.js';
import { esc, page } from './html.js';

export interface LoginPageInput {
  language: Language;
  minLevel: number;
  returnTo: string;
}

const SCRIPT_TEXTS: Array<keyof Messages> = [
  'working', 'extensionMissing', 'hostMissing', 'noReader', 'cancelled', 'eidRejected', 'eidFailed', 'loginFailed',
  'tooManyAttempts', 'codeExpired', 'keyNotActive', 'codeSentEmail', 'codeSentSms', 'codeFromApp', 'codeIncorrect',
  'emailTitle', 'appTitle', 'smsTitle', 'keyTooWeak', 'somethingWrong',
];

export function loginPage(input: LoginPageInput): string {
  const { language: l, minLevel } = input;
  const keyButton = (key: 'eid' | 'email' | 'totp' | 'sms', label: keyof Messages) => {
    const level = LEVELS[key];
    const tooWeak = level < minLevel;
    return `<button type="button" class="key" data-key="${key}"${tooWeak ? ' disabled aria-describedby="level-notice"' : ''}>
      <span>${esc(t(l, label))}</span>
      <span class="level">${esc(t(l, 'level', { level }))}</span>
      ${tooWeak ? `<span class="too-weak">${esc(t(l, 'keyTooWeak', { level: minLevel }))}</span>` : ''}
    </button>`;
  };
  const body = `
<h1>${esc(t(l, 'chooseKey'))}</h1>
<p><a href="#help">${esc(t(l, 'needHelp'))}</a></p>
${minLevel > 0 ? `<p class="notice" id="level-notice">${esc(t(l, 'keyTooWeak', { level: minLevel }))}</p>` : ''}
<section class="card" id="chooser">
  <h2>${esc(t(l, 'eidSection'))}</h2>
  <div class="keys">${keyButton('eid', 'eidButton')}</div>
  <h2>${esc(t(l, 'codeSection'))}</h2>
  <div class="keys">
    ${keyButton('email', 'emailButton')}
    ${keyButton('totp', 'appButton')}
    ${keyButton('sms', 'smsButton')}
  </div>
</section>

<section class="card" id="eid-panel" hidden>
  <h2>${esc(t(l, 'eidTitle'))}</h2>
  <ol>
    <li>${esc(t(l, 'eidStep1'))}</li>
    <li>${esc(t(l, 'eidStep2'))}</li>
    <li>${esc(t(l, 'eidStep3'))}</li>
  </ol>
  <p class="status" id="eid-status" role="status" aria-live="polite"></p>
  <div class="actions">
    <button type="button" class="primary" id="eid-login">${esc(t(l, 'loginButton'))}</button>
    <a href="#" class="back">${esc(t(l, 'otherKey'))}</a>
  </div>
  <p class="hint">${esc(t(l, 'noEid'))}</p>
</section>

<section class="card" id="code-panel" hidden>
  <h2 id="code-title"></h2>
  <form id="credentials-form" autocomplete="on">
    <p><strong>1</strong> ${esc(t(l, 'credentialsStep'))}</p>
    <label for="username">${esc(t(l, 'username'))}</label>
    <input type="text" id="username" name="username" autocomplete="username" required maxlength="64">
    <label for="password">${esc(t(l, 'password'))}</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024">
    <p class="hint">${esc(t(l, 'forgot'))}</p>
    <p><strong>2</strong> ${esc(t(l, 'nextStep'))}</p>
    <div class="actions">
      <button type="submit" class="primary">${esc(t(l, 'next'))}</button>
      <a href="#" class="back">${esc(t(l, 'otherKey'))}</a>
    </div>
  </form>
  <form id="code-form" hidden>
    <p id="code-info"></p>
    <label for="code">${esc(t(l, 'oneTimeCode'))}</label>
    <input type="text" id="code" name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]{6,8}" required maxlength="8">
    <div class="actions">
      <button type="submit" class="primary">${esc(t(l, 'next'))}</button>
      <a href="#" class="back">${esc(t(l, 'otherKey'))}</a>
    </div>
  </form>
  <p class="status" id="code-status" role="alert"></p>
</section>

<section class="card" id="help">
  <h2>${esc(t(l, 'troubleTitle'))}</h2>
  <ul>
    <li>${esc(t(l, 'trouble1'))}</li>
    <li>${esc(t(l, 'trouble2'))}</li>
    <li>${esc(t(l, 'trouble3'))}</li>
    <li>${esc(t(l, 'trouble4'))}</li>
  </ul>
  <p>${esc(t(l, 'helpdesk'))}</p>
</section>`;
  const query: Record<string, string> = {};
  if (minLevel) query.minLevel = String(minLevel);
  if (input.returnTo) query.return = input.returnTo;
  return page({
    language: l,
    title: t(l, 'chooseKey'),
    path: '/login',
    query,
    body,
    scripts: ['/assets/login.js'],
    scriptTexts: SCRIPT_TEXTS,
    scriptData: { minLevel, returnTo: input.returnTo },
  });
}
