/** "Uw digitale sleutel activeren": the three steps after a visit to the registration office. */
import { type Language } from '../../shared/text/format.js';
import { pageText, type PageTextKey } from './texts/index.js';
import { esc, page } from './html.js';

const SCRIPT_TEXTS: Array<PageTextKey> = [
  'working', 'activationInvalid', 'passwordTooShort', 'passwordTooLong', 'passwordCommon', 'passwordSameAsUsername', 'passwordMismatch',
  'usernameTaken', 'usernameInvalid', 'codeIncorrect', 'codeExpired', 'phoneInvalid', 'somethingWrong', 'registrationCodeEmail',
  'registrationCodeSms', 'scanQr', 'manualSecret', 'activated', 'tooManyAttempts',
];

export function activatePage(language: Language, token: string): string {
  const l = language;
  const body = `
<h1>${esc(pageText(l, 'activateTitle'))}</h1>
<ol class="steps" aria-label="${esc(pageText(l, 'activateTitle'))}">
  <li id="step-1" class="current">1 ${esc(pageText(l, 'activateStep1'))}</li>
  <li id="step-2">2 ${esc(pageText(l, 'activateStep2'))}</li>
  <li id="step-3">3 ${esc(pageText(l, 'activateStep3'))}</li>
</ol>
<section class="card" id="code-step">
  <form id="activation-form">
    <p>${esc(pageText(l, 'enterActivationCode'))}</p>
    <label for="activation-code">${esc(pageText(l, 'activationCode'))}</label>
    <input type="text" id="activation-code" autocomplete="off" autocapitalize="characters" placeholder="XXXX-XXXX-XXXX-XXXX" required maxlength="40">
    <div class="actions"><button type="submit" class="primary">${esc(pageText(l, 'next'))}</button></div>
  </form>
</section>
<section class="card" id="key-step" hidden>
  <form id="key-form">
    <p>${esc(pageText(l, 'chooseKeyToActivate'))}</p>
    <p class="hint">${esc(pageText(l, 'recommendKeys'))}</p>
    <label><input type="radio" name="key" value="email" checked> ${esc(pageText(l, 'keyEmail'))}</label>
    <label><input type="radio" name="key" value="totp"> ${esc(pageText(l, 'keyApp'))}</label>
    <label><input type="radio" name="key" value="sms"> ${esc(pageText(l, 'keySms'))}</label>
    <div id="phone-field" hidden>
      <label for="phone">${esc(pageText(l, 'phone'))}</label>
      <input type="tel" id="phone" autocomplete="tel" placeholder="+32470123456" maxlength="20">
      <p class="hint">${esc(pageText(l, 'phoneHint'))}</p>
    </div>
    <label for="new-username">${esc(pageText(l, 'username'))}</label>
    <input type="text" id="new-username" autocomplete="username" required maxlength="64">
    <label for="new-password">${esc(pageText(l, 'password'))}</label>
    <input type="password" id="new-password" autocomplete="new-password" required maxlength="64">
    <label for="new-password-2">${esc(pageText(l, 'confirmPassword'))}</label>
    <input type="password" id="new-password-2" autocomplete="new-password" required maxlength="64">
    <p class="hint">${esc(pageText(l, 'passwordRules'))}</p>
    <div class="actions"><button type="submit" class="primary">${esc(pageText(l, 'activateKey'))}</button></div>
  </form>
</section>
<section class="card" id="confirm-step" hidden>
  <form id="confirm-form">
    <p id="confirm-info"></p>
    <p id="qr-block" hidden><img class="qr" id="qr" alt="QR" width="240" height="240"><br><span class="hint" id="secret"></span></p>
    <p class="hint" id="valid5">${esc(pageText(l, 'codeValid5'))}</p>
    <label for="registration-code">${esc(pageText(l, 'registrationCode'))}</label>
    <input type="text" id="registration-code" autocomplete="one-time-code" inputmode="numeric" required maxlength="8">
    <div class="actions"><button type="submit" class="primary">${esc(pageText(l, 'next'))}</button></div>
  </form>
</section>
<section class="card" id="done-step" hidden>
  <p class="status ok">${esc(pageText(l, 'activated'))}</p>
  <p><a class="button primary" href="/login?lang=${l}">${esc(pageText(l, 'loginButton'))}</a></p>
</section>
<p class="status" id="activate-status" role="alert"></p>`;
  return page({ language: l, title: pageText(l, 'activateTitle'), path: '/activate', query: { token }, body, scripts: ['/assets/activate.js'], scriptTexts: SCRIPT_TEXTS, scriptData: { token } });
}
