/**
 * The one script of the access and mandate pages, served as /assets/access.js.
 * The pages are rendered on the server; this script only sends their forms
 * as JSON to the API (which checks everything again) and shows the answer:
 *  - form[data-api]: send the named fields (dotted names nest) with data-method (POST by default);
 *    {field} in the path is filled from the form; afterwards reload, or show data-result;
 *  - data-lookup: first GET that path and show the person's name, send on the second submit;
 *  - data-check + data-confirm: first show the summary from data-check in the confirm section,
 *    whose "Bevestig" button sends the same fields with "confirmed";
 *  - button[data-api-button]: one action (remove, sign, stop), then reload.
 */
export const ACCESS_SCRIPT = String.raw`'use strict';
(function () {
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var T = data.accessTexts || {};
  function tr(key, values) {
    return String(T[key] || key).replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? String(values[name]) : m; });
  }
  function $(id) { return document.getElementById(id); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function setStatus(text, kind) { var el = $('access-status'); if (!el) return; el.textContent = text; el.className = 'status' + (kind ? ' ' + kind : ''); }
  function get(obj, path) { return path.split('.').reduce(function (o, k) { return o === null || o === undefined ? undefined : o[k]; }, obj); }
  function bodyOf(form) {
    var body = {};
    each(form.elements, function (el) {
      if (!el.name || el.matches(':disabled')) return;
      if (el.type === 'radio' && !el.checked) return;
      if (el.type === 'submit' || el.type === 'button') return;
      var value = el.type === 'checkbox' ? el.checked : el.value.trim();
      if (value === '') return;
      var parts = el.name.split('.');
      var o = body;
      for (var i = 0; i < parts.length - 1; i++) o = o[parts[i]] = o[parts[i]] || {};
      o[parts[parts.length - 1]] = value;
    });
    return body;
  }
  function fillPath(path, body) { return path.replace(/\{([\w.]+)\}/g, function (m, k) { return encodeURIComponent(get(body, k) || ''); }); }
  function api(method, path, body) {
    var headers = { 'X-CSRF-Token': data.csrf || '' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: method, credentials: 'same-origin', headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) {
          if (!r.ok) { var e = new Error(r.statusText); e.code = json.error && json.error.code; throw e; }
          return json;
        });
      });
  }
  function fail(e) {
    var key = 'error.' + ((e && e.code) || '');
    setStatus(T[key] ? tr(key) : tr('error.other', { code: (e && e.code) || 'NETWORK' }), 'error');
  }
  function fill(root, answer) {
    each(root.querySelectorAll('[data-field]'), function (el) { var v = get(answer, el.getAttribute('data-field')); el.textContent = v === undefined || v === null ? '' : String(v); });
    each(root.querySelectorAll('[data-show-if]'), function (el) { el.hidden = !get(answer, el.getAttribute('data-show-if')); });
    each(root.querySelectorAll('[data-href]'), function (el) { el.setAttribute('href', String(get(answer, el.getAttribute('data-href')) || '#')); });
    each(root.querySelectorAll('[data-text]'), function (el) {
      var values = {};
      (el.getAttribute('data-values') || '').split(';').forEach(function (pair) { var p = pair.split('='); if (p[0]) values[p[0]] = get(answer, p[1]); });
      el.textContent = tr(el.getAttribute('data-text'), values);
    });
  }
  function finish(source, answer, resultId) {
    resultId = resultId || source.getAttribute('data-result');
    if (!resultId) { location.reload(); return; }
    var section = $(resultId);
    fill(section, answer);
    section.hidden = false;
    source.hidden = true;
    setStatus('');
  }

  var pending = null;
  each(document.querySelectorAll('form[data-api]'), function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var body = bodyOf(form);
      var method = form.getAttribute('data-method') || 'POST';
      var path = fillPath(form.getAttribute('data-api'), body);
      setStatus(tr('working'));
      var lookup = form.getAttribute('data-lookup');
      if (lookup) {
        var lookupPath = fillPath(lookup, body);
        if (form.getAttribute('data-looked') !== lookupPath) {
          api('GET', lookupPath).then(function (r) {
            form.setAttribute('data-looked', lookupPath);
            var name = form.querySelector('[data-lookup-name]');
            name.textContent = tr('personFound', { name: r.person.name });
            name.hidden = false;
            setStatus('');
          }).catch(fail);
          return;
        }
      }
      var check = form.getAttribute('data-check');
      if (check) {
        api('POST', check, body).then(function (r) {
          var section = $(form.getAttribute('data-confirm'));
          pending = { form: form, body: body, path: path, section: section };
          fill(section, r);
          form.hidden = true;
          section.hidden = false;
          setStatus('');
        }).catch(fail);
        return;
      }
      api(method, path, method === 'DELETE' ? undefined : body).then(function (r) { finish(form, r); }).catch(fail);
    });
  });
  each(document.querySelectorAll('[data-correct]'), function (button) {
    button.addEventListener('click', function () { if (!pending) return; pending.section.hidden = true; pending.form.hidden = false; setStatus(''); });
  });
  each(document.querySelectorAll('[data-final]'), function (button) {
    button.addEventListener('click', function () {
      if (!pending) return;
      var body = Object.assign({}, pending.body, { confirmed: $('confirm-check').checked });
      setStatus(tr('working'));
      api('POST', pending.path, body).then(function (r) { finish(pending.section, r, button.getAttribute('data-result')); }).catch(fail);
    });
  });
  each(document.querySelectorAll('[data-api-button]'), function (button) {
    button.addEventListener('click', function () {
      var method = button.getAttribute('data-method') || 'POST';
      setStatus(tr('working'));
      api(method, button.getAttribute('data-api-button'), method === 'DELETE' ? undefined : {}).then(function () { location.reload(); }).catch(fail);
    });
  });
  // The appointment form: only the fields of the chosen option are sent.
  each(document.querySelectorAll('input[name=appoint]'), function (radio) {
    function sync() {
      each(document.querySelectorAll('fieldset[data-appoint]'), function (fs) {
        var chosen = document.querySelector('input[name=appoint]:checked');
        var on = !!chosen && fs.getAttribute('data-appoint') === chosen.value;
        fs.disabled = !on;
        fs.hidden = !on;
      });
    }
    radio.addEventListener('change', sync);
    sync();
  });
})();
`;
