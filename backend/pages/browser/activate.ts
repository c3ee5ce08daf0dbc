/** The activation page's script, served as /assets/activate.js: paper code, key, username and password, registration code. */
import { byId, codeOf, inputValue, postJson, readPageData, setStatus, translator } from './page.js';

const data = readPageData();
const tr = translator(data);
const status = (text: string, kind?: 'error') => setStatus(byId('activate-status'), text, kind);

function step(n: number): void {
  ['code-step', 'key-step', 'confirm-step', 'done-step'].forEach((id, i) => (byId(id).hidden = i !== n - 1));
  for (const i of [1, 2, 3]) byId(`step-${i}`).className = i < n ? 'done' : i === n ? 'current' : '';
}

/** API error codes this page explains in words; others get the generic text with the code. */
const MESSAGES: Record<string, string> = {
  ACTIVATION_INVALID: 'activationInvalid',
  PASSWORD_TOO_SHORT: 'passwordTooShort',
  PASSWORD_TOO_LONG: 'passwordTooLong',
  PASSWORD_COMMON: 'passwordCommon',
  PASSWORD_SAME_AS_USERNAME: 'passwordSameAsUsername',
  USERNAME_TAKEN: 'usernameTaken',
  USERNAME_INVALID: 'usernameInvalid',
  CODE_INCORRECT: 'codeIncorrect',
  CODE_EXPIRED: 'codeExpired',
  PHONE_INVALID: 'phoneInvalid',
  TOO_MANY_ATTEMPTS: 'tooManyAttempts',
};

function fail(e: unknown): void {
  const code = codeOf(e);
  const key = code ? MESSAGES[code] : undefined;
  status(key ? tr(key) : tr('somethingWrong', { code: code || 'NETWORK' }), 'error');
}

let activationId: string | null = null;

byId('activation-form').addEventListener('submit', (event) => {
  event.preventDefault();
  status(tr('working'));
  postJson('/api/activation/start', { token: data.token, activationCode: inputValue('activation-code') })
    .then((r) => {
      activationId = r.activationId as string;
      status('');
      step(2);
    })
    .catch(fail);
});

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=key]')) {
  radio.addEventListener('change', () => {
    byId('phone-field').hidden = radio.value !== 'sms' || !radio.checked;
  });
}

byId('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (inputValue('new-password') !== inputValue('new-password-2')) {
    status(tr('passwordMismatch'), 'error');
    return;
  }
  const key = document.querySelector<HTMLInputElement>('input[name=key]:checked')?.value ?? '';
  const body: Record<string, unknown> = { activationId, key, username: inputValue('new-username'), password: inputValue('new-password') };
  if (key === 'sms') body.phone = inputValue('phone');
  status(tr('working'));
  postJson('/api/activation/key', body)
    .then((r) => {
      status('');
      byId('qr-block').hidden = key !== 'totp';
      byId('valid5').hidden = key === 'totp';
      if (key === 'totp') {
        byId('confirm-info').textContent = tr('scanQr');
        byId<HTMLImageElement>('qr').src = r.qrCode as string;
        byId('secret').textContent = tr('manualSecret', { secret: r.secret as string });
      } else {
        byId('confirm-info').textContent = tr(key === 'sms' ? 'registrationCodeSms' : 'registrationCodeEmail');
      }
      step(3);
      byId('registration-code').focus();
    })
    .catch(fail);
});

byId('confirm-form').addEventListener('submit', (event) => {
  event.preventDefault();
  status(tr('working'));
  postJson('/api/activation/confirm', { activationId, code: inputValue('registration-code') })
    .then(() => {
      status('');
      step(4);
      byId('step-3').className = 'done';
    })
    .catch((e: unknown) => {
      fail(e);
      if (codeOf(e) === 'CODE_EXPIRED') step(2);
    });
});
