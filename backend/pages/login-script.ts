/**
 * The login page's script, served as /assets/login.js (plain browser
 * JavaScript, no dependencies). eID: window.eidBridge when the extension
 * offers it, else the Web eID page protocol over window.postMessage.
 */
export const LOGIN_SCRIPT = String.raw`'use strict';
(function () {
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var texts = data.texts;
  function tr(key, values) {
    return String(texts[key] || key).replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? String(values[name]) : m; });
  }
  function $(id) { return document.getElementById(id); }
  function show(id) { ['chooser', 'eid-panel', 'code-panel'].forEach(function (p) { $(p).hidden = p !== id; }); }
  function setStatus(id, text, kind) { var el = $(id); el.textContent = text; el.className = 'status' + (kind ? ' ' + kind : ''); }

  function api(path, body) {
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (json) { if (!r.ok) { var e = new Error((json.error && json.error.message) || r.statusText); e.code = json.error && json.error.code; throw e; } return json; }); });
  }

  function done() { location.assign(data.returnTo || '/demo/welcome'); }

  // ---- eID ---------------------------------------------------------------
  var LIBRARY_VERSION = '2.0.0';
  function webEidAuthenticate(challengeNonce) {
    return new Promise(function (resolve, reject) {
      var action = 'web-eid:authenticate';
      var acked = false;
      var ackTimer = setTimeout(function () {
        if (!acked) { cleanup(); var e = new Error('no extension'); e.code = 'ERR_WEBEID_EXTENSION_UNAVAILABLE'; reject(e); }
      }, 1500);
      function cleanup() { clearTimeout(ackTimer); window.removeEventListener('message', onMessage); }
      function onMessage(event) {
        if (event.source !== window || !event.data || typeof event.data.action !== 'string') return;
        var m = event.data;
        if (m.action === action + '-ack') { acked = true; return; }
        if (m.action === action + '-success') {
          cleanup();
          resolve({ unverifiedCertificate: m.unverifiedCertificate, algorithm: m.algorithm, signature: m.signature, format: m.format, appVersion: m.appVersion });
        } else if (m.action === action + '-failure') {
          cleanup();
          var e = new Error((m.error && m.error.message) || 'failed'); e.code = m.error && m.error.code; reject(e);
        }
      }
      window.addEventListener('message', onMessage);
      window.postMessage({ action: action, libraryVersion: LIBRARY_VERSION, challengeNonce: challengeNonce, options: { lang: data.lang, userInteractionTimeout: 120000 } }, location.origin);
    });
  }

  function authenticateWithCard(challengeNonce) {
    var bridge = window.eidBridge;
    if (bridge && typeof bridge.authenticate === 'function') return bridge.authenticate(challengeNonce, { lang: data.lang });
    return webEidAuthenticate(challengeNonce);
  }

  function eidMessage(e) {
    var code = (e && e.code) || 'ERR_WEBEID_UNKNOWN_ERROR';
    if (code === 'ERR_WEBEID_EXTENSION_UNAVAILABLE') return tr('extensionMissing');
    if (code === 'NATIVE_UNAVAILABLE' || code === 'HOST_DISCONNECTED' || code === 'ERR_WEBEID_NATIVE_UNAVAILABLE') return tr('hostMissing');
    if (code === 'USER_CANCELLED' || code === 'ERR_WEBEID_USER_CANCELLED') return tr('cancelled');
    if (code === 'NO_READER' || code === 'NO_CARD' || code === 'PCSC_UNAVAILABLE' || code === 'CARD_REMOVED') return tr('noReader');
    if (/^(TOKEN_|NONCE_|CERTIFICATE_|CA_|OCSP_|SIGNATURE_|NATIONAL_)/.test(code)) return tr('eidRejected', { code: code });
    return tr('eidFailed', { code: code });
  }

  var busy = false;
  function eidLogin() {
    if (busy) return;
    busy = true;
    $('eid-login').disabled = true;
    setStatus('eid-status', tr('working'));
    api('/api/eid/challenge', {})
      .then(function (c) { return authenticateWithCard(c.challengeNonce); })
      .then(function (token) { return api('/api/eid/login', { authToken: token, minLevel: data.minLevel, language: data.lang }); })
      .then(done)
      .catch(function (e) { setStatus('eid-status', eidMessage(e), 'error'); })
      .then(function () { busy = false; $('eid-login').disabled = false; });
  }

  // ---- username + password + code -----------------------------------------
  var currentKey = null;
  var loginRequestId = null;
  function codeError(e) {
    var code = e && e.code;
    if (code === 'TOO_MANY_ATTEMPTS') return tr('tooManyAttempts');
    if (code === 'CODE_EXPIRED') return tr('codeExpired');
    if (code === 'KEY_NOT_ACTIVE') return tr('keyNotActive');
    if (code === 'CODE_INCORRECT') return tr('codeIncorrect');
    if (code === 'LEVEL_TOO_LOW') return tr('keyTooWeak', { level: data.minLevel });
    if (code === 'LOGIN_FAILED') return tr('loginFailed');
    return tr('somethingWrong', { code: code || 'NETWORK' });
  }
  function openCodeKey(key) {
    currentKey = key;
    loginRequestId = null;
    $('code-title').textContent = tr(key === 'email' ? 'emailTitle' : key === 'sms' ? 'smsTitle' : 'appTitle');
    $('credentials-form').hidden = false;
    $('code-form').hidden = true;
    setStatus('code-status', '');
    show('code-panel');
    $('username').focus();
  }
  $('credentials-form').addEventListener('submit', function (event) {
    event.preventDefault();
    setStatus('code-status', tr('working'));
    api('/api/login/password', { username: $('username').value, password: $('password').value, key: currentKey, minLevel: data.minLevel, language: data.lang })
      .then(function (r) {
        if (r.status === 'logged-in') return done();
        loginRequestId = r.loginRequestId;
        $('password').value = '';
        $('code-info').textContent = r.channel === 'totp' ? tr('codeFromApp') : tr(r.channel === 'sms' ? 'codeSentSms' : 'codeSentEmail', { to: r.sentTo || '' });
        $('credentials-form').hidden = true;
        $('code-form').hidden = false;
        setStatus('code-status', '');
        $('code').focus();
      })
      .catch(function (e) { setStatus('code-status', codeError(e), 'error'); });
  });
  $('code-form').addEventListener('submit', function (event) {
    event.preventDefault();
    setStatus('code-status', tr('working'));
    api('/api/login/code', { loginRequestId: loginRequestId, code: $('code').value })
      .then(done)
      .catch(function (e) {
        setStatus('code-status', codeError(e), 'error');
        if (e.code === 'CODE_EXPIRED') { $('code-form').hidden = true; $('credentials-form').hidden = false; }
      });
  });

  // ---- navigation ----------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll('button.key'), function (b) {
    b.addEventListener('click', function () {
      var key = b.getAttribute('data-key');
      if (key === 'eid') { show('eid-panel'); setStatus('eid-status', ''); $('eid-login').focus(); } else openCodeKey(key);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('a.back'), function (a) {
    a.addEventListener('click', function (event) { event.preventDefault(); show('chooser'); });
  });
  $('eid-login').addEventListener('click', eidLogin);
})();
`;
