/** "Uw digitale sleutel activeren": the three steps after a visit to the registration office. */
import { t, type Language, type Messages } from '../i18n/index.js';
import { esc, page } from './html.js';

const SCRIPT_TEXTS: Array<keyof Messages> = [
  'working', 'activationInvalid', 'passwordTooShort', 'passwordTooLong', 'passwordCommon', 'passwordSameAsUsername', 'passwordMismatch',
  'usernameTaken', 'usernameInvalid', 'codeIncorrect', 'codeExpired', 'phoneInvalid', 'somethingWrong', 'registrationCodeEmail',
  'registrationCodeSms', 'scanQr', 'manualSecret', 'activated', 'tooManyAttempts',
];

export function activatePage(language: Language, token: string): string {
  const l = language;
  const body = `
<h1>${esc(t(l, 'activateTitle'))}</h1>
<ol class="steps" aria-label="${esc(t(l, 'activateTitle'))}">
  <li id="step-1" class="current">1 ${esc(t(l, 'activateStep1'))}</li>
  <li id="step-2">2 ${esc(t(l, 'activateStep2'))}</li>
  <li id="step-3">3 ${esc(t(l, 'activateStep3'))}</li>
</ol>
<section class="card" id="code-step">
  <form id="activation-form">
    <p>${esc(t(l, 'enterActivationCode'))}</p>
    <label for="activation-code">${esc(t(l, 'activationCode'))}</label>
    <input type="text" id="activation-code" autocomplete="off" autocapitalize="characters" placeholder="XXXX-XXXX-XXXX-XXXX" required maxlength="40">
    <div class="actions"><button type="submit" class="primary">${esc(t(l, 'next'))}</button></div>
  </form>
</section>
<section class="card" id="key-step" hidden>
  <form id="key-form">
    <p>${esc(t(l, 'chooseKeyToActivate'))}</p>
    <p class="hint">${esc(t(l, 'recommendKeys'))}</p>
    <label><input type="radio" name="key" value="email" checked> ${esc(t(l, 'keyEmail'))}</label>
    <label><input type="radio" name="key" value="totp"> ${esc(t(l, 'keyApp'))}</label>
    <label><input type="radio" name="key" value="sms"> ${esc(t(l, 'keySms'))}</label>
    <div id="phone-field" hidden>
      <label for="phone">${esc(t(l, 'phone'))}</label>
      <input type="tel" id="phone" autocomplete="tel" placeholder="+32470123456" maxlength="20">
      <p class="hint">${esc(t(l, 'phoneHint'))}</p>
    </div>
    <label for="new-username">${esc(t(l, 'username'))}</label>
    <input type="text" id="new-username" autocomplete="username" required maxlength="64">
    <label for="new-password">${esc(t(l, 'password'))}</label>
    <input type="password" id="new-password" autocomplete="new-password" required maxlength="64">
    <label for="new-password-2">${esc(t(l, 'confirmPassword'))}</label>
    <input type="password" id="new-password-2" autocomplete="new-password" required maxlength="64">
    <p class="hint">${esc(t(l, 'passwordRules'))}</p>
    <div class="actions"><button type="submit" class="primary">${esc(t(l, 'activateKey'))}</button></div>
  </form>
</section>
<section class="card" id="confirm-step" hidden>
  <form id="confirm-form">
    <p id="confirm-info"></p>
    <p id="qr-block" hidden><img class="qr" id="qr" alt="QR" width="240" height="240"><br><span class="hint" id="secret"></span></p>
    <p class="hint" id="valid5">${esc(t(l, 'codeValid5'))}</p>
    <label for="registration-code">${esc(t(l, 'registrationCode'))}</label>
    <input type="text" id="registration-code" autocomplete="one-time-code" inputmode="numeric" required maxlength="8">
    <div class="actions"><button type="submit" class="primary">${esc(t(l, 'next'))}</button></div>
  </form>
</section>
<section class="card" id="done-step" hidden>
  <p class="status ok">${esc(t(l, 'activated'))}</p>
  <p><a class="button primary" href="/login?lang=${l}">${esc(t(l, 'loginButton'))}</a></p>
</section>
<p class="status" id="activate-status" role="alert"></p>`;
  return page({ language: l, title: t(l, 'activateTitle'), path: '/activate', query: { token }, body, scripts: ['/assets/activate.js'], scriptTexts: SCRIPT_TEXTS, scriptData: { token } });
}
