/** The activation page's script, served as /assets/activate.js. */
export const ACTIVATE_SCRIPT = String.raw`'use strict';
(function () {
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var texts = data.texts;
  function tr(key, values) {
    return String(texts[key] || key).replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? String(values[name]) : m; });
  }
  function $(id) { return document.getElementById(id); }
  function setStatus(text, kind) { var el = $('activate-status'); el.textContent = text; el.className = 'status' + (kind ? ' ' + kind : ''); }
  function step(n) {
    ['code-step', 'key-step', 'confirm-step', 'done-step'].forEach(function (id, i) { $(id).hidden = i !== n - 1; });
    [1, 2, 3].forEach(function (i) { var li = $('step-' + i); li.className = i < n ? 'done' : i === n ? 'current' : ''; });
  }
  function api(path, body) {
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (json) { if (!r.ok) { var e = new Error(r.statusText); e.code = json.error && json.error.code; throw e; } return json; }); });
  }
  var MESSAGES = {
    ACTIVATION_INVALID: 'activationInvalid', PASSWORD_TOO_SHORT: 'passwordTooShort', PASSWORD_TOO_LONG: 'passwordTooLong',
    PASSWORD_COMMON: 'passwordCommon', PASSWORD_SAME_AS_USERNAME: 'passwordSameAsUsername', USERNAME_TAKEN: 'usernameTaken',
    USERNAME_INVALID: 'usernameInvalid', CODE_INCORRECT: 'codeIncorrect', CODE_EXPIRED: 'codeExpired', PHONE_INVALID: 'phoneInvalid',
    TOO_MANY_ATTEMPTS: 'tooManyAttempts'
  };
  function fail(e) { var key = MESSAGES[e && e.code]; setStatus(key ? tr(key) : tr('somethingWrong', { code: (e && e.code) || 'NETWORK' }), 'error'); }

  var activationId = null;
  $('activation-form').addEventListener('submit', function (event) {
    event.preventDefault();
    setStatus(tr('working'));
    api('/api/activation/start', { token: data.token, activationCode: $('activation-code').value })
      .then(function (r) { activationId = r.activationId; setStatus(''); step(2); })
      .catch(fail);
  });
  Array.prototype.forEach.call(document.querySelectorAll('input[name=key]'), function (radio) {
    radio.addEventListener('change', function () { $('phone-field').hidden = radio.value !== 'sms' || !radio.checked; });
  });
  $('key-form').addEventListener('submit', function (event) {
    event.preventDefault();
    if ($('new-password').value !== $('new-password-2').value) { setStatus(tr('passwordMismatch'), 'error'); return; }
    var key = document.querySelector('input[name=key]:checked').value;
    var body = { activationId: activationId, key: key, username: $('new-username').value, password: $('new-password').value };
    if (key === 'sms') body.phone = $('phone').value;
    setStatus(tr('working'));
    api('/api/activation/key', body)
      .then(function (r) {
        setStatus('');
        $('qr-block').hidden = key !== 'totp';
        $('valid5').hidden = key === 'totp';
        if (key === 'totp') {
          $('confirm-info').textContent = tr('scanQr');
          $('qr').src = r.qrCode;
          $('secret').textContent = tr('manualSecret', { secret: r.secret });
        } else {
          $('confirm-info').textContent = tr(key === 'sms' ? 'registrationCodeSms' : 'registrationCodeEmail');
        }
        step(3);
        $('registration-code').focus();
      })
      .catch(fail);
  });
  $('confirm-form').addEventListener('submit', function (event) {
    event.preventDefault();
    setStatus(tr('working'));
    api('/api/activation/confirm', { activationId: activationId, code: $('registration-code').value })
      .then(function () { setStatus(''); step(4); $('step-3').className = 'done'; })
      .catch(function (e) { fail(e); if (e.code === 'CODE_EXPIRED') step(2); });
  });
})();
`;
