/** Small helpers for the server-rendered pages: escaping and the common frame. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LANGUAGE_NAMES, LANGUAGES, type Language, type Message } from '../../shared/text/format.js';
import { PAGE_TEXTS, pickLanguage, pageText, type PageTextKey } from './texts/index.js';

const LANGUAGE_COOKIE = 'eidb_lang';

/** The page language: ?lang= (remembered in a cookie), the cookie, Accept-Language, else Dutch. */
export function pageLanguage(request: FastifyRequest, reply: FastifyReply): Language {
  const query = request.query as Record<string, unknown>;
  const lang = pickLanguage(query.lang, request.cookies[LANGUAGE_COOKIE], request.headers['accept-language']);
  if (query.lang === lang) reply.setCookie(LANGUAGE_COOKIE, lang, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
  return lang;
}

/** A server-rendered page: never cached, it may show personal data. */
export function html(reply: FastifyReply, body: string, status = 200) {
  return reply.code(status).header('Content-Type', 'text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);
}

export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Only paths on this site: never another origin, never "//host". */
export function safeReturnPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?!\/)[^\s\\]*$/.test(value) ? value : fallback;
}

export interface PageOptions {
  language: Language;
  title: string;
  /** Path and query of this page, to build the language links. */
  path: string;
  query: Record<string, string>;
  body: string;
  scripts?: string[];
  /** Texts the page script needs, passed as JSON data (not code). */
  scriptTexts?: Array<PageTextKey>;
  scriptData?: Record<string, unknown>;
}

export function page(o: PageOptions): string {
  const languageLinks = LANGUAGES.map((lang) => {
    const q = new URLSearchParams({ ...o.query, lang });
    return lang === o.language
      ? `<strong lang="${lang}" aria-current="true">${lang}</strong>`
      : `<a lang="${lang}" hreflang="${lang}" href="${esc(`${o.path}?${q.toString()}`)}" title="${esc(LANGUAGE_NAMES[lang])}">${lang}</a>`;
  }).join(' ');
  // The page script formats them itself (placeholders, plural forms) with the same formatter.
  const texts: Record<string, Message> = {};
  for (const key of o.scriptTexts ?? []) texts[key] = PAGE_TEXTS[o.language][key];
  // JSON inside <script type="application/json"> is data only; "<" is escaped so it cannot close the element.
  const data = JSON.stringify({ lang: o.language, texts, ...(o.scriptData ?? {}) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${o.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} – eID Bridge</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">eID</span> <span>eID Bridge</span> <span class="subtitle">${esc(pageText(o.language, 'siteTitle'))}</span></div>
  <nav class="languages" aria-label="Taal / Langue / Sprache / Language">${languageLinks}</nav>
</header>
<main>
${o.body}
</main>
<script type="application/json" id="page-data">${data}</script>
${(o.scripts ?? []).map((s) => `<script src="${esc(s)}" defer></script>`).join('\n')}
</body>
</html>`;
}
