/**
 * The pages a person sees: the login page, the activation page after a visit
 * to the registration office, a demo relying party that asks for a minimum
 * level, and (development mode, staff only) the outbox of e-mails and SMS not sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BackendContext } from '../context.js';
import { LEVELS } from '../context.js';
import { currentSession } from '../http/sessions.js';
import { ApiError } from '../http/api-error.js';
import { requireStaff } from '../http/staff.js';
import { pageText } from '../pages/texts/index.js';
import { personJson } from '../people.js';
import { esc, html, page, pageLanguage as language, safeReturnPath } from '../pages/html.js';
import { loginPage } from '../pages/login-page.js';
import { isItsmeFailure } from './itsme.js';
import { activatePage } from '../pages/activate-page.js';
import { loadPageScripts, PAGE_SCRIPTS } from '../pages/browser-scripts.js';
import { STYLE_CSS } from '../pages/style.js';

function minLevelQuery(request: FastifyRequest): number {
  const n = Number((request.query as Record<string, unknown>).minLevel ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= LEVELS.eid ? n : 0;
}

/** The outbox exists only in development mode with a channel unconfigured, and is read with the staff token. */
function requireOutbox(ctx: BackendContext, request: FastifyRequest): void {
  if (!ctx.config.devMode || !ctx.delivery.usesOutbox) throw new ApiError(404, 'NOT_FOUND', 'No outbox: e-mail and SMS are delivered for real');
  requireStaff(ctx, request, 'staff');
}

const METHOD_LABEL = { eid: 'eidButton', itsme: 'itsmeButton', email: 'keyEmail', sms: 'keySms', totp: 'keyApp', password: 'username' } as const;

export function registerPageRoutes(app: FastifyInstance, ctx: BackendContext): void {
  app.get('/', async (_request, reply) => reply.redirect('/demo'));

  app.get('/assets/style.css', async (_request, reply) => reply.header('Content-Type', 'text/css; charset=utf-8').header('Cache-Control', 'max-age=300').send(STYLE_CSS));
  // The page scripts (pages/browser/*.ts), ready before the server listens.
  const scripts = loadPageScripts();
  app.addHook('onReady', async () => {
    await scripts;
  });
  for (const name of PAGE_SCRIPTS) {
    app.get(`/assets/${name}.js`, async (_request, reply) =>
      reply.header('Content-Type', 'text/javascript; charset=utf-8').header('Cache-Control', 'max-age=300').send((await scripts).get(name)),
    );
  }

  // No icon: answer without a body rather than a 404 in every browser console.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('Cache-Control', 'max-age=86400').send());

  app.get('/login', async (request, reply) => {
    const lang = language(request, reply);
    const minLevel = minLevelQuery(request);
    const returnTo = safeReturnPath((request.query as Record<string, unknown>).return, `/demo/welcome?minLevel=${minLevel}`);
    const error = (request.query as Record<string, unknown>).error;
    return html(reply, loginPage({ language: lang, minLevel, returnTo, itsme: Boolean(ctx.config.itsme), ...(isItsmeFailure(error) ? { itsmeFailure: error } : {}) }));
  });

  app.get('/activate', async (request, reply) => {
    const lang = language(request, reply);
    const token = (request.query as Record<string, unknown>).token;
    return html(reply, activatePage(lang, typeof token === 'string' ? token.slice(0, 100) : ''));
  });

  // A demo relying party: it asks for a minimum level and refuses a weaker key.
  app.get('/demo', async (request, reply) => {
    const lang = language(request, reply);
    const minLevel = minLevelQuery(request) || 400;
    const levels = [200, 400, 500]
      .map((level) => `<li><a href="/demo?minLevel=${level}&amp;lang=${lang}">${esc(pageText(lang, 'level', { level }))}</a></li>`)
      .join('');
    const loginUrl = `/login?minLevel=${minLevel}&lang=${lang}&return=${encodeURIComponent(`/demo/welcome?minLevel=${minLevel}`)}`;
    const body = `<h1>${esc(pageText(lang, 'demoTitle'))}</h1>
<section class="card"><p>${esc(pageText(lang, 'demoIntro', { level: minLevel }))}</p>
<p><a class="button primary" id="demo-login" href="${esc(loginUrl)}">${esc(pageText(lang, 'loginButton'))}</a></p>
<ul>${levels}</ul></section>`;
    return html(reply, page({ language: lang, title: pageText(lang, 'demoTitle'), path: '/demo', query: { minLevel: String(minLevel) }, body }));
  });

  app.get('/demo/welcome', async (request, reply) => {
    const lang = language(request, reply);
    const need = minLevelQuery(request);
    const current = await currentSession(ctx, request);
    const person = current?.session.personId ? await ctx.store.findPersonById(current.session.personId) : undefined;
    if (!current || !person) return reply.redirect(`/login?minLevel=${need}&lang=${lang}`);
    const got = current.session.level;
    if (got < need) {
      const loginUrl = `/login?minLevel=${need}&lang=${lang}&return=${encodeURIComponent(`/demo/welcome?minLevel=${need}`)}`;
      const body = `<h1>${esc(pageText(lang, 'demoTitle'))}</h1><section class="card"><p class="status error" id="refused">${esc(pageText(lang, 'demoRefused', { got, need }))}</p>
<p><a class="button primary" href="${esc(loginUrl)}">${esc(pageText(lang, 'otherKey'))}</a></p></section>`;
      return html(reply, page({ language: lang, title: pageText(lang, 'demoTitle'), path: '/demo/welcome', query: { minLevel: String(need) }, body }), 403);
    }
    const p = personJson(person);
    const method = current.session.method as keyof typeof METHOD_LABEL | null;
    const body = `<h1>${esc(pageText(lang, 'welcomeTitle'))}</h1><section class="card"><dl class="person" id="person">
<dt>${esc(pageText(lang, 'name'))}</dt><dd>${esc(p.name)}</dd>
<dt>${esc(pageText(lang, 'nationalNumber'))}</dt><dd>${esc(p.nationalNumberFormatted)}</dd>
<dt>${esc(pageText(lang, 'keyUsed'))}</dt><dd>${esc(method ? pageText(lang, METHOD_LABEL[method]) : '')} (${esc(pageText(lang, 'level', { level: got }))})</dd>
</dl>
<p><button type="button" id="logout" data-csrf="${esc(current.session.csrfToken)}">${esc(pageText(lang, 'logout'))}</button></p></section>`;
    return html(reply, page({ language: lang, title: pageText(lang, 'welcomeTitle'), path: '/demo/welcome', query: { minLevel: String(need) }, body, scripts: ['/assets/welcome.js'] }));
  });

  // Development mode only, and only for staff: the outbox holds security codes, which would let anyone who knows a password log in.
  app.get('/api/dev/outbox', async (request, reply) => {
    requireOutbox(ctx, request);
    reply.header('Cache-Control', 'no-store');
    const messages = await ctx.store.listOutbox(100);
    return { messages: messages.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() })) };
  });

  app.get('/dev/outbox', async (request, reply) => {
    requireOutbox(ctx, request);
    const lang = language(request, reply);
    const messages = await ctx.store.listOutbox(100);
    const rows = messages
      .map((m) => `<tr><td>${esc(new Date(m.createdAt).toISOString())}</td><td>${esc(m.channel)}</td><td>${esc(m.recipient)}</td><td><strong>${esc(m.subject)}</strong><pre>${esc(m.body)}</pre></td></tr>`)
      .join('');
    const body = `<h1>${esc(pageText(lang, 'outboxTitle'))}</h1>${messages.length ? `<table class="outbox"><tbody>${rows}</tbody></table>` : `<p>${esc(pageText(lang, 'outboxEmpty'))}</p>`}`;
    return html(reply, page({ language: lang, title: pageText(lang, 'outboxTitle'), path: '/dev/outbox', query: {}, body }));
  });
}
