/** "Kies uw digitale sleutel om aan te melden": the login page, shaped like the government's own. */
import { LEVELS } from '../context.js';
import { type Language } from '../../shared/text/format.js';
import { pageText, type PageTextKey } from './texts/index.js';
import { esc, page } from './html.js';
import { ITSME_FAILURE_TEXT, ITSME_START_PATH, type ItsmeFailure } from '../routes/itsme.js';

export interface LoginPageInput {
  language: Language;
  minLevel: number;
  returnTo: string;
  /** An itsme provider is configured: the key choice offers "AANMELDEN via itsme". */
  itsme?: boolean;
  /** Why the last itsme login came back to the key choice. */
  itsmeFailure?: ItsmeFailure;
}

/** The guides send people who have no itsme account to itsme's own step-by-step plan. */
function itsmeGetStartedUrl(language: Language): string {
  return `https://www.itsme.be/${language === 'nl' || language === 'fr' ? language : 'en'}/get-started`;
}

const SCRIPT_TEXTS: Array<PageTextKey> = [
  'working', 'extensionMissing', 'hostMissing', 'noReader', 'cancelled', 'eidRejected', 'eidFailed', 'loginFailed',
  'tooManyAttempts', 'codeExpired', 'keyNotActive', 'codeSentEmail', 'codeSentSms', 'codeFromApp', 'codeIncorrect',
  'emailTitle', 'appTitle', 'smsTitle', 'keyTooWeak', 'somethingWrong',
];

export function loginPage(input: LoginPageInput): string {
  const { language: l, minLevel } = input;
  const keyButton = (key: 'eid' | 'email' | 'totp' | 'sms', label: PageTextKey) => {
    const level = LEVELS[key];
    const tooWeak = level < minLevel;
    return `<button type="button" class="key" data-key="${key}"${tooWeak ? ' disabled aria-describedby="level-notice"' : ''}>
      <span>${esc(pageText(l, label))}</span>
      <span class="level">${esc(pageText(l, 'level', { level }))}</span>
      ${tooWeak ? `<span class="too-weak">${esc(pageText(l, 'keyTooWeak', { level: minLevel }))}</span>` : ''}
    </button>`;
  };
  // A link, not a button: the login continues at the provider's pages, no script involved.
  const itsmeButton = () => {
    const level = LEVELS.eid;
    const start = `${ITSME_START_PATH}?${new URLSearchParams({ return: input.returnTo, lang: l })}`;
    return `<div class="key-with-link">
      <a class="button key" id="itsme-login" href="${esc(start)}">
        <span>${esc(pageText(l, 'itsmeButton'))}</span>
        <span class="level">${esc(pageText(l, 'level', { level }))}</span>
      </a>
      <a class="hint" href="${esc(itsmeGetStartedUrl(l))}" rel="noopener">${esc(pageText(l, 'itsmeCreate'))}</a>
    </div>`;
  };
  const failure = input.itsmeFailure;
  const body = `
<h1>${esc(pageText(l, 'chooseKey'))}</h1>
<p><a href="#help">${esc(pageText(l, 'needHelp'))}</a></p>
${failure ? `<p class="notice status error" id="itsme-error" role="alert">${esc(pageText(l, ITSME_FAILURE_TEXT[failure]))}</p>` : ''}
${minLevel > 0 ? `<p class="notice" id="level-notice">${esc(pageText(l, 'keyTooWeak', { level: minLevel }))}</p>` : ''}
<section class="card" id="chooser">
  <h2>${esc(pageText(l, 'eidSection'))}</h2>
  <div class="keys">${keyButton('eid', 'eidButton')}${input.itsme ? itsmeButton() : ''}</div>
  <h2>${esc(pageText(l, 'codeSection'))}</h2>
  <div class="keys">
    ${keyButton('email', 'emailButton')}
    ${keyButton('totp', 'appButton')}
    ${keyButton('sms', 'smsButton')}
  </div>
</section>

<section class="card" id="eid-panel" hidden>
  <h2>${esc(pageText(l, 'eidTitle'))}</h2>
  <ol>
    <li>${esc(pageText(l, 'eidStep1'))}</li>
    <li>${esc(pageText(l, 'eidStep2'))}</li>
    <li>${esc(pageText(l, 'eidStep3'))}</li>
  </ol>
  <p class="status" id="eid-status" role="status" aria-live="polite"></p>
  <div class="actions">
    <button type="button" class="primary" id="eid-login">${esc(pageText(l, 'loginButton'))}</button>
    <a href="#" class="back">${esc(pageText(l, 'otherKey'))}</a>
  </div>
  <p class="hint">${esc(pageText(l, 'noEid'))}</p>
</section>

<section class="card" id="code-panel" hidden>
  <h2 id="code-title"></h2>
  <form id="credentials-form" autocomplete="on">
    <p><strong>1</strong> ${esc(pageText(l, 'credentialsStep'))}</p>
    <label for="username">${esc(pageText(l, 'username'))}</label>
    <input type="text" id="username" name="username" autocomplete="username" required maxlength="64">
    <label for="password">${esc(pageText(l, 'password'))}</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024">
    <p class="hint">${esc(pageText(l, 'forgot'))}</p>
    <p><strong>2</strong> ${esc(pageText(l, 'nextStep'))}</p>
    <div class="actions">
      <button type="submit" class="primary">${esc(pageText(l, 'next'))}</button>
      <a href="#" class="back">${esc(pageText(l, 'otherKey'))}</a>
    </div>
  </form>
  <form id="code-form" hidden>
    <p id="code-info"></p>
    <label for="code">${esc(pageText(l, 'oneTimeCode'))}</label>
    <input type="text" id="code" name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]{6,8}" required maxlength="8">
    <div class="actions">
      <button type="submit" class="primary">${esc(pageText(l, 'next'))}</button>
      <a href="#" class="back">${esc(pageText(l, 'otherKey'))}</a>
    </div>
  </form>
  <p class="status" id="code-status" role="alert"></p>
</section>

<section class="card" id="help">
  <h2>${esc(pageText(l, 'troubleTitle'))}</h2>
  <ul>
    <li>${esc(pageText(l, 'trouble1'))}</li>
    <li>${esc(pageText(l, 'trouble2'))}</li>
    <li>${esc(pageText(l, 'trouble3'))}</li>
    <li>${esc(pageText(l, 'trouble4'))}</li>
  </ul>
  <p>${esc(pageText(l, 'helpdesk'))}</p>
</section>`;
  const query: Record<string, string> = {};
  if (minLevel) query.minLevel = String(minLevel);
  if (input.returnTo) query.return = input.returnTo;
  return page({
    language: l,
    title: pageText(l, 'chooseKey'),
    path: '/login',
    query,
    body,
    scripts: ['/assets/login.js'],
    scriptTexts: SCRIPT_TEXTS,
    scriptData: { minLevel, returnTo: input.returnTo },
  });
}
