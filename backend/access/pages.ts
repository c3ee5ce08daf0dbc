/**
 * The pages of the access management, the exception procedure and the
 * mandates, in nl, fr, de, en. Each page reads its data through the JSON API
 * (an in-process request with the visitor's own cookie), so a page shows
 * exactly what the API allows this person; changes go through the API too
 * (/assets/access.js).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BackendContext } from '../context.js';
import { currentSession } from '../http/sessions.js';
import type { Language } from '../../shared/text/format.js';
import { esc, html, page, pageLanguage as language } from '../pages/html.js';
import { ACCESS_PAGE_TEXTS, accessPageText as pt, hasAccessPageKey, type AccessPageKey } from './texts/pages/index.js';
import { ACCESS_MIN_LEVEL } from './management.js';
import { MANDATE_TYPES } from './reference-data.js';

type Json = Record<string, unknown>;

export function registerAccessPages(app: FastifyInstance, ctx: BackendContext): void {
  /** The API's answer for this visitor (same cookie, same checks). */
  async function viaApi(request: FastifyRequest, url: string): Promise<{ status: number; json: Json }> {
    const r = await app.inject({ method: 'GET', url, headers: request.headers.cookie ? { cookie: request.headers.cookie } : {} });
    return { status: r.statusCode, json: r.json<Json>() };
  }

  function render(reply: FastifyReply, l: Language, title: AccessPageKey, path: string, query: Record<string, string>, body: string, csrf: string, status = 200) {
    const full = `${body}\n<p class="status" id="access-status" role="alert"></p>`;
    return html(reply, page({ language: l, title: pt(l, title), path, query, body: full, scripts: ['/assets/access.js'], scriptData: { accessTexts: ACCESS_PAGE_TEXTS[l], csrf } }), status);
  }

  function errorText(l: Language, json: Json): string {
    const code = (json.error as { code?: string } | undefined)?.code ?? 'INTERNAL_ERROR';
    const key = `error.${code}`;
    return hasAccessPageKey(key) ? pt(l, key) : pt(l, 'error.other', { code });
  }

  /** The logged-in visitor with a strong enough key, or a page asking to log in. */
  async function loggedIn(request: FastifyRequest, reply: FastifyReply, l: Language, title: AccessPageKey, returnTo: string) {
    const current = await currentSession(ctx, request);
    if (current && current.session.personId !== null && current.session.level >= ACCESS_MIN_LEVEL) return current.session.csrfToken;
    const login = `/login?minLevel=${ACCESS_MIN_LEVEL}&lang=${l}&return=${encodeURIComponent(returnTo)}`;
    const body = `<h1>${esc(pt(l, title))}</h1><section class="card"><p>${esc(pt(l, 'loginFirst'))}</p>
<p><a class="button primary" id="access-login" href="${esc(login)}">${esc(pt(l, 'loginButton'))}</a></p>
<p><a href="/access/exception?lang=${l}">${esc(pt(l, 'noEid'))}</a></p></section>`;
    await render(reply, l, title, returnTo.split('?')[0]!, {}, body, '', 401);
    return undefined;
  }

  function errorPage(reply: FastifyReply, l: Language, title: AccessPageKey, path: string, json: Json, status: number, back = true) {
    const body = `<h1>${esc(pt(l, title))}</h1><section class="card"><p class="status error" id="access-error">${esc(errorText(l, json))}</p>${back ? `<p><a href="/access?lang=${l}">${esc(pt(l, 'accessTitle'))}</a></p>` : ''}</section>`;
    return render(reply, l, title, path, {}, body, '', status);
  }

  app.get('/access', async (request, reply) => {
    const l = language(request, reply);
    const csrf = await loggedIn(request, reply, l, 'accessTitle', '/access');
    if (csrf === undefined) return reply;
    const me = await viaApi(request, `/api/access/me?lang=${l}`);
    const roles = (me.json.roles as Array<{ enterpriseNumber: string; enterpriseNumberFormatted: string; name: string; role: string; domainName?: string }>) ?? [];
    const roleRows = roles
      .map((r) => {
        const label = pt(l, `role_${r.role}` as AccessPageKey) + (r.domainName ? ` – ${r.domainName}` : '');
        const link = r.role === 'tb' ? '' : ` <a href="/access/enterprise?number=${esc(r.enterpriseNumber)}&amp;lang=${l}">${esc(pt(l, 'manage'))}</a>`;
        return `<li>${esc(r.name)} (${esc(r.enterpriseNumberFormatted)}): ${esc(label)}${link}</li>`;
      })
      .join('');
    const body = `<h1>${esc(pt(l, 'accessTitle'))}</h1>
<section class="card"><p>${esc(pt(l, 'accessIntro'))}</p><p>${esc(pt(l, 'accessIntro2'))}</p></section>
<section class="card"><h2>${esc(pt(l, 'appointTitle'))}</h2>
<form method="get" action="/access/appoint" id="enterprise-form">
<input type="hidden" name="lang" value="${l}">
<label for="enterprise-number">${esc(pt(l, 'enterpriseNumber'))}</label>
<input type="text" id="enterprise-number" name="number" required maxlength="20" placeholder="0123.456.749" inputmode="numeric">
<div class="actions"><button type="submit" class="primary">${esc(pt(l, 'next'))}</button></div>
</form>
<p><a href="/access/exception?lang=${l}">${esc(pt(l, 'noEid'))}</a></p></section>
${roles.length ? `<section class="card"><h2>${esc(pt(l, 'yourEnterprises'))}</h2><ul id="roles">${roleRows}</ul></section>` : ''}
<p><a href="/mandates?lang=${l}">${esc(pt(l, 'mandatesTitle'))}</a></p>`;
    return render(reply, l, 'accessTitle', '/access', {}, body, csrf);
  });

  function appointFields(l: Language, withRequesterName: boolean, selfAllowed: boolean): string {
    const input = (name: string, label: AccessPageKey, type = 'text', extra = '') =>
      `<label for="f-${esc(name)}">${esc(pt(l, label))}</label><input type="${type}" id="f-${esc(name)}" name="${esc(name)}" ${extra}>`;
    return `${
      withRequesterName
        ? `${input('requester.nationalNumber', 'nationalNumberOrBis', 'text', 'required maxlength="20"')}${input('requester.givenNames', 'givenNames', 'text', 'required maxlength="200"')}${input('requester.surname', 'surname', 'text', 'required maxlength="200"')}${input('requester.email', 'yourEmail', 'email', 'required maxlength="254"')}${input('requester.phone', 'yourPhone', 'tel', 'required maxlength="20"')}${input('enterpriseNumber', 'enterpriseNumber', 'text', 'required maxlength="20"')}`
        : ''
    }
<h3>${esc(pt(l, 'whoIsHtb'))}</h3>
<label><input type="radio" name="appoint" value="self" ${selfAllowed ? 'checked' : 'disabled'}> ${esc(pt(l, 'self'))}</label>
<label><input type="radio" name="appoint" value="other" ${selfAllowed ? '' : 'checked'}> ${esc(pt(l, 'other'))}</label>
${withRequesterName ? '' : `<fieldset data-appoint="self">${input('email', 'yourEmail', 'email', 'maxlength="254"')}${input('phone', 'yourPhone', 'tel', 'maxlength="20"')}</fieldset>`}
<fieldset data-appoint="other"><p class="hint">${esc(pt(l, 'otherHint'))}</p>
${input('htb.nationalNumber', 'htbNationalNumber', 'text', 'maxlength="20"')}${input('htb.email', 'htbEmail', 'email', 'maxlength="254"')}${input('htb.phone', 'htbPhone', 'tel', 'maxlength="20"')}
${withRequesterName ? '' : `${input('requester.email', 'yourEmail', 'email', 'maxlength="254"')}${input('requester.phone', 'yourPhone', 'tel', 'maxlength="20"')}`}
<p class="hint">${esc(pt(l, 'yourContactHint'))}</p></fieldset>
${input('enterpriseEmail', 'enterpriseEmail', 'email', 'required maxlength="254"')}
<p class="hint">${esc(pt(l, 'enterpriseEmailHint'))}</p>`;
  }

  function confirmSection(l: Language): string {
    const row = (label: AccessPageKey, field: string) => `<dt>${esc(pt(l, label))}</dt><dd data-field="${field}"></dd>`;
    return `<section class="card" id="confirm-section" hidden><h2>${esc(pt(l, 'confirmTitle'))}</h2>
<dl class="person">${row('enterpriseNumber', 'summary.enterprise.enterpriseNumberFormatted')}${row('name', 'summary.enterprise.name')}
${row('htbTitle', 'summary.htb.name')}${row('htbNationalNumber', 'summary.htb.nationalNumberFormatted')}${row('htbEmail', 'summary.htb.email')}${row('htbPhone', 'summary.htb.phone')}${row('enterpriseEmail', 'summary.enterpriseEmail')}</dl>
<p>${esc(pt(l, 'statement'))}</p>
<label><input type="checkbox" id="confirm-check"> ${esc(pt(l, 'confirmCheck'))}</label>
<div class="actions"><button type="button" data-correct>${esc(pt(l, 'correct'))}</button><button type="button" class="primary" id="confirm-button" data-final data-result="done-section">${esc(pt(l, 'confirm'))}</button></div></section>`;
  }

  app.get('/access/appoint', async (request, reply) => {
    const l = language(request, reply);
    const number = String((request.query as Json).number ?? '').slice(0, 30);
    const csrf = await loggedIn(request, reply, l, 'appointTitle', `/access/appoint?number=${encodeURIComponent(number)}`);
    if (csrf === undefined) return reply;
    const status = await viaApi(request, `/api/access/enterprises/${encodeURIComponent(number.replace(/[^0-9A-Za-z]/g, ''))}/status?lang=${l}`);
    if (status.status !== 200) return errorPage(reply, l, 'appointTitle', '/access/appoint', status.json, status.status);
    const s = status.json as { enterprise: { enterpriseNumber: string; enterpriseNumberFormatted: string; name: string; address: string }; registered: boolean; htb: { name: string } | null; youAreHtb: boolean };
    const n = s.enterprise.enterpriseNumber;
    const state = s.htb ? pt(l, 'registeredHtb', { name: s.htb.name }) : pt(l, 'notRegistered');
    const body = `<h1>${esc(pt(l, 'appointTitle'))}</h1>
<section class="card"><p><strong id="enterprise-name">${esc(s.enterprise.name)}</strong> (${esc(s.enterprise.enterpriseNumberFormatted)})<br>${esc(s.enterprise.address)}</p>
<p id="enterprise-state">${esc(state)}</p>${s.youAreHtb ? `<p class="notice" id="already-htb">${esc(pt(l, 'youAreHtb'))}</p>` : ''}</section>
<section class="card"><form id="appoint-form" data-api="/api/access/enterprises/${n}/htb" data-check="/api/access/enterprises/${n}/htb/check" data-confirm="confirm-section">
${appointFields(l, false, !s.youAreHtb)}
<div class="actions"><button type="submit" class="primary">${esc(pt(l, 'next'))}</button></div></form></section>
${confirmSection(l)}
<section class="card" id="done-section" hidden><p class="status ok" data-text="done" data-values="enterprise=summary.enterprise.name;name=summary.htb.name;email=emailSentTo"></p>
<p><a href="/access?lang=${l}">${esc(pt(l, 'accessTitle'))}</a></p></section>`;
    return render(reply, l, 'appointTitle', '/access/appoint', { number }, body, csrf);
  });

  app.get('/access/exception', async (request, reply) => {
    const l = language(request, reply);
    const current = await currentSession(ctx, request);
    const body = `<h1>${esc(pt(l, 'exceptionTitle'))}</h1>
<section class="card"><p>${esc(pt(l, 'noEid'))}</p>
<form id="exception-form" data-api="/api/access/exception-requests" data-check="/api/access/exception-requests/check" data-confirm="confirm-section">
<input type="hidden" name="language" value="${l}">
${appointFields(l, true, true)}
<div class="actions"><button type="submit" class="primary">${esc(pt(l, 'next'))}</button></div></form></section>
${confirmSection(l)}
<section class="card" id="done-section" hidden><p class="status ok" id="ticket-done" data-text="ticketDone" data-values="ticket=ticket"></p>
<p>${esc(pt(l, 'ticketSteps'))}</p><p><a class="button primary" id="pdf-link" data-href="pdfUrl" href="#">${esc(pt(l, 'downloadPdf'))}</a></p>
<p>${esc(pt(l, 'exceptionSignIntro'))}</p><p><button type="button" class="primary" id="sign-form" data-sign-from data-result="signed-section">${esc(pt(l, 'signWithEid'))}</button></p></section>
<section class="card" id="signed-section" hidden><p class="status ok" id="form-signed">${esc(pt(l, 'exceptionSigned'))}</p></section>`;
    return render(reply, l, 'exceptionTitle', '/access/exception', {}, body, current?.session.csrfToken ?? '');
  });

  app.get('/access/enterprise', async (request, reply) => {
    const l = language(request, reply);
    const number = String((request.query as Json).number ?? '').replace(/[^0-9A-Za-z]/g, '').slice(0, 20);
    const csrf = await loggedIn(request, reply, l, 'accessTitle', `/access/enterprise?number=${encodeURIComponent(number)}`);
    if (csrf === undefined) return reply;
    const r = await viaApi(request, `/api/access/enterprises/${encodeURIComponent(number)}?lang=${l}`);
    if (r.status !== 200) return errorPage(reply, l, 'accessTitle', '/access/enterprise', r.json, r.status);
    type PersonRow = { name: string; nationalNumber: string; nationalNumberFormatted: string; email: string | null };
    const v = r.json as {
      enterprise: { enterpriseNumber: string; enterpriseNumberFormatted: string; name: string };
      email: string;
      htb: PersonRow | null;
      coHtbs: PersonRow[];
      domains: Array<{ id: string; name: string; managers: PersonRow[]; contactEmail: string | null }>;
      log: Array<{ at: string; actor: { name: string }; description: string }>;
    };
    const n = v.enterprise.enterpriseNumber;
    const base = `/api/access/enterprises/${n}`;
    const removeButton = (path: string) => `<button type="button" data-method="DELETE" data-api-button="${esc(path)}">${esc(pt(l, 'remove'))}</button>`;
    const person = (p: PersonRow) => `${esc(p.name || p.nationalNumberFormatted)} (${esc(p.nationalNumberFormatted)})${p.email ? ` – ${esc(p.email)}` : ''}`;
    const lookupForm = (id: string, path: string, label: AccessPageKey) => `<form id="${id}" data-api="${esc(path)}" data-lookup="${base}/persons/{nationalNumber}">
<label for="${id}-nn">${esc(pt(l, 'insz'))}</label><input type="text" id="${id}-nn" name="nationalNumber" required maxlength="20">
<label for="${id}-email">${esc(pt(l, 'contactEmail'))}</label><input type="email" id="${id}-email" name="email" maxlength="254">
<p class="hint" data-lookup-name hidden></p><p class="hint">${esc(pt(l, 'lookupHint'))}</p>
<div class="actions"><button type="submit">${esc(pt(l, label))}</button></div></form>`;
    const domainRows = v.domains
      .map(
        (d) => `<tr id="domain-${esc(d.id)}"><td>${esc(d.name)}</td>
<td><ul>${d.managers.map((m) => `<li>${person(m)} ${removeButton(`${base}/domains/${d.id}/managers/${m.nationalNumber}`)}</li>`).join('')}</ul>
<details><summary>${esc(pt(l, 'addTb'))} +</summary>${lookupForm(`add-tb-${d.id}`, `${base}/domains/${d.id}/managers`, 'add')}</details></td>
<td>${d.contactEmail ? `<span class="contact">${esc(d.contactEmail)}</span> ${removeButton(`${base}/domains/${d.id}/contact`)}` : ''}
<details><summary>${esc(pt(l, d.contactEmail ? 'change' : 'addEmail'))} +</summary><form data-method="PUT" data-api="${base}/domains/${d.id}/contact"><input type="email" name="email" required maxlength="254" aria-label="${esc(pt(l, 'domainContact'))}"><button type="submit">${esc(pt(l, d.contactEmail ? 'change' : 'add'))}</button></form></details></td></tr>`,
      )
      .join('');
    const body = `<h1>${esc(pt(l, 'accessTitle'))}</h1>
<section class="card"><h2 id="enterprise-name">${esc(v.enterprise.name)} (${esc(v.enterprise.enterpriseNumberFormatted)})</h2>
<form id="email-form" data-method="PUT" data-api="${base}/email"><label for="enterprise-email">${esc(pt(l, 'contactEmail'))}</label>
<input type="email" id="enterprise-email" name="email" value="${esc(v.email)}" required maxlength="254"> <button type="submit">${esc(pt(l, 'change'))}</button></form></section>
<section class="card"><h2>${esc(pt(l, 'htbTitle'))}</h2><p id="htb">${v.htb ? person(v.htb) : esc(pt(l, 'none'))}</p>
<h3>${esc(pt(l, 'coHtbTitle'))}</h3><ul id="co-htbs">${v.coHtbs.map((c) => `<li>${person(c)} ${removeButton(`${base}/co-htbs/${c.nationalNumber}`)}</li>`).join('') || `<li>${esc(pt(l, 'none'))}</li>`}</ul>
${lookupForm('add-co-htb', `${base}/co-htbs`, 'add')}</section>
<section class="card"><h2>${esc(pt(l, 'tbTitle'))}</h2><p class="hint">${esc(pt(l, 'tbNote'))}</p>
<table class="outbox" id="domains"><thead><tr><th>${esc(pt(l, 'domain'))}</th><th>${esc(pt(l, 'name'))}</th><th>${esc(pt(l, 'domainContact'))}</th></tr></thead><tbody>${domainRows}</tbody></table></section>
<section class="card"><h2>${esc(pt(l, 'logTitle'))}</h2><table class="outbox" id="log"><thead><tr><th>${esc(pt(l, 'when'))}</th><th>${esc(pt(l, 'who'))}</th><th>${esc(pt(l, 'what'))}</th></tr></thead><tbody>
${v.log.map((e) => `<tr><td>${esc(e.at.replace('T', ' ').slice(0, 16))}</td><td>${esc(e.actor.name)}</td><td>${esc(e.description)}</td></tr>`).join('')}</tbody></table></section>`;
    return render(reply, l, 'accessTitle', '/access/enterprise', { number }, body, csrf);
  });

  app.get('/mandates', async (request, reply) => {
    const l = language(request, reply);
    const csrf = await loggedIn(request, reply, l, 'mandatesTitle', '/mandates');
    if (csrf === undefined) return reply;
    const r = await viaApi(request, `/api/mandates?lang=${l}`);
    if (r.status !== 200) return errorPage(reply, l, 'mandatesTitle', '/mandates', r.json, r.status);
    type Party = { type: string; id: string; name: string; signed: boolean };
    const mandates = r.json.mandates as Array<{ id: string; typeName: string; giver: Party; holder: Party; startDate: string; endDate: string | null; state: string; stateName: string; youActFor: string[] }>;
    const party = (p: Party) => `${esc(p.name || p.id)} (${esc(p.id)})${p.signed ? ' ✓' : ''}`;
    const open = ['waiting-for-signature', 'future', 'active'];
    const rows = mandates
      .map((m) => {
        // The giver signs first, then the holder: the button shows for the side whose turn it is.
        const myTurn = (m.youActFor.includes('giver') && !m.giver.signed) || (m.youActFor.includes('holder') && m.giver.signed && !m.holder.signed);
        const actions = [
          m.state === 'waiting-for-signature' && myTurn ? `<button type="button" class="primary" data-eid-sign="/api/mandates/${esc(m.id)}/signature">${esc(pt(l, 'signWithEid'))}</button>` : '',
          `<a href="/api/mandates/${esc(m.id)}/pdf?lang=${l}" data-mandate-pdf>${esc(pt(l, 'downloadMandatePdf'))}</a>`,
          open.includes(m.state) ? `<button type="button" data-api-button="/api/mandates/${esc(m.id)}/stop">${esc(pt(l, 'stop'))}</button>` : '',
          open.includes(m.state) && m.endDate
            ? `<details><summary>${esc(pt(l, 'extend'))}</summary><form data-api="/api/mandates/${esc(m.id)}/extend"><input type="date" name="endDate" required aria-label="${esc(pt(l, 'newEndDate'))}"><button type="submit">${esc(pt(l, 'extend'))}</button></form></details>`
            : '',
          open.includes(m.state) && m.youActFor.includes('giver')
            ? `<details><summary>${esc(pt(l, 'transfer'))}</summary><form data-api="/api/mandates/${esc(m.id)}/transfer"><select name="holder.type" aria-label="${esc(pt(l, 'newHolder'))}"><option value="enterprise">${esc(pt(l, 'enterprise'))}</option><option value="citizen">${esc(pt(l, 'citizen'))}</option></select><input type="text" name="holder.id" required maxlength="20" aria-label="${esc(pt(l, 'partyId'))}"><button type="submit">${esc(pt(l, 'transfer'))}</button></form></details>`
            : '',
        ].join(' ');
        return `<tr data-mandate="${esc(m.id)}"><td>${esc(m.typeName)}</td><td>${party(m.giver)}</td><td>${party(m.holder)}</td><td>${esc(m.startDate)} – ${esc(m.endDate ?? '')}</td><td class="state">${esc(m.stateName)}</td><td>${actions}</td></tr>`;
      })
      .join('');
    const partyFields = (side: 'giver' | 'holder') => `<fieldset><legend>${esc(pt(l, side))}</legend>
<select name="${side}.type" aria-label="${esc(pt(l, side))}"><option value="citizen">${esc(pt(l, 'citizen'))}</option><option value="enterprise">${esc(pt(l, 'enterprise'))}</option></select>
<input type="text" name="${side}.id" required maxlength="20" aria-label="${esc(pt(l, 'partyId'))}" placeholder="${esc(pt(l, 'partyId'))}"></fieldset>`;
    const body = `<h1>${esc(pt(l, 'mandatesTitle'))}</h1>
<section class="card"><p>${esc(pt(l, 'mandatesIntro'))} ${esc(pt(l, 'mandateSignGiverFirst'))}</p>
${mandates.length ? `<table class="outbox" id="mandates"><thead><tr><th>${esc(pt(l, 'mandateType'))}</th><th>${esc(pt(l, 'giver'))}</th><th>${esc(pt(l, 'holder'))}</th><th>${esc(pt(l, 'startDate'))}</th><th>${esc(pt(l, 'state'))}</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : `<p id="no-mandates">${esc(pt(l, 'noMandates'))}</p>`}</section>
<section class="card"><h2>${esc(pt(l, 'createMandate'))}</h2><form id="mandate-form" data-api="/api/mandates">
${partyFields('giver')}${partyFields('holder')}
<label for="mandate-type">${esc(pt(l, 'mandateType'))}</label><select id="mandate-type" name="type">${MANDATE_TYPES.map((t) => `<option value="${esc(t.id)}">${esc(t.names[l])}</option>`).join('')}</select>
<label for="start-date">${esc(pt(l, 'startDate'))}</label><input type="date" id="start-date" name="startDate" required>
<label for="end-date">${esc(pt(l, 'endDate'))}</label><input type="date" id="end-date" name="endDate">
<div class="actions"><button type="submit" class="primary">${esc(pt(l, 'createMandate'))}</button></div></form></section>
<section class="card"><h2>${esc(pt(l, 'importTitle'))}</h2><p class="hint">${esc(pt(l, 'importHint'))}</p>
<form id="import-form" data-api="/api/mandates/import" data-result="import-result"><textarea name="csv" rows="6" cols="70" required aria-label="CSV"></textarea>
<div class="actions"><button type="submit">${esc(pt(l, 'importButton'))}</button></div></form>
<div id="import-result" hidden><p class="status ok"><span data-text="importCreated" data-values="created=created"></span> <span data-text="importRefused" data-values="failed=failed"></span></p><p><a href="/mandates?lang=${l}">${esc(pt(l, 'mandatesTitle'))}</a></p></div></section>`;
    return render(reply, l, 'mandatesTitle', '/mandates', {}, body, csrf);
  });
}
