/**
 * A STAND-IN for itsme, for demos and tests only: an OpenID Connect provider
 * (oidc-provider) that plays the itsme app. The person types a phone number
 * (BE +32, without the leading 0); a page counts the 3 minutes down and shows
 * a 5-digit code; a second page plays the phone ("I log in", then the code and
 * "Confirm"), and the provider logs in whoever the stand-in's directory lists
 * for that number. No phone, no app, no identity check: never configure a
 * real backend for it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { CompactSign, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { languageOfTag, type Language } from '../../shared/text/format.js';
import { providerText } from './texts.js';

/** Someone the stand-in can log in: the phone number without the country code and the leading 0. */
export interface StandInPerson {
  phone: string;
  nationalNumber: string;
  givenName: string;
  familyName: string;
}

/** Valid test national numbers (mod-97 checksum), never a real person's. */
export const STAND_IN_PEOPLE: StandInPerson[] = [
  { phone: '470123456', nationalNumber: '85073000160', givenName: 'Jan', familyName: 'Janssens' },
  { phone: '470654321', nationalNumber: '85073000259', givenName: 'Alice Marie', familyName: 'Peeters' },
];

/**
 * For tests of the relying party: the ID token the token endpoint hands out is changed after
 * signing. 'other-key' signs it with a key the JWKS does not hold (under the real key's id),
 * 'other-audience' names another client and signs it with the real key.
 */
export type Tampering = 'other-key' | 'other-audience' | 'expired';

export interface ItsmeProviderOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The claim that carries the national number, as the backend is configured to read it. */
  nationalNumberClaim?: string;
  people?: StandInPerson[];
  tamper?: Tampering;
  /** How long the person has to confirm in the app after sending the phone number; 180 as the real app. */
  confirmSeconds?: number;
}

export interface ItsmeProvider {
  issuer: string;
  close(): Promise<void>;
}

const ALG = 'ES256';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The app answers "no" with access_denied. The error_description starts with a reason code and a
 * colon, for the relying party to match (backend/routes/itsme.ts); the words after it are for people
 * reading a log. The code goes there because oidc-provider turns an interaction's result into an
 * error response with only error and error_description (lib/actions/authorization/resume.js).
 */
export const DENIALS = {
  cancelled: 'cancelled: the person refused in the app',
  expired: 'expired: the 3 minutes to confirm in the app ran out',
  wrongCode: 'wrong_code: the 5-digit itsme code did not match',
} as const;

/** A login between the phone number and the confirmation in the app: who, the code to type, until when. */
interface PendingConfirmation {
  person: StandInPerson;
  code: string;
  deadline: number;
}

function html(language: Language, title: string, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(title)} (stand-in)</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}.stand-in{background:#fff3cd;border:2px dashed #b8860b;padding:.5rem}
.prefix{font-weight:700;margin-right:.25rem}button{font:inherit;padding:.5rem 1rem;margin:.25rem .5rem .25rem 0}.error{color:#b00020;font-weight:600}</style></head><body>
<p class="stand-in" id="stand-in"><strong>${escapeHtml(providerText(language, 'standIn'))}</strong></p>
<h1>${escapeHtml(title)}</h1>
${body}</body></html>`;
}

function phonePage(language: Language, uid: string, message = ''): string {
  const t = (key: Parameters<typeof providerText>[1]) => escapeHtml(providerText(language, key));
  return html(language, providerText(language, 'title'), `<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="phone">${t('phoneLabel')}</label>
<p><span class="prefix">BE (+32)</span><input id="phone" name="phone" inputmode="numeric" autocomplete="tel-national" placeholder="4xxxxxxxx" pattern="4[0-9 ]{8,11}" required></p>
<p>${t('phoneHint')}</p>
${message ? `<p role="alert" class="error">${escapeHtml(message)}</p>` : ''}
<button type="submit" name="step" value="phone">${t('send')}</button>
</form>`);
}

/** "+32 470 12 34 56", as the app's notice shows the number. */
function shownPhone(phone: string): string {
  return `+32 ${phone.slice(0, 3)} ${phone.slice(3, 5)} ${phone.slice(5, 7)} ${phone.slice(7)}`;
}

function waitPage(language: Language, uid: string, pending: PendingConfirmation, now: number): string {
  const seconds = Math.max(0, Math.ceil((pending.deadline - now) / 1000));
  const clock = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const timeLeft = escapeHtml(providerText(language, 'timeLeft', { time: '\u0000' })).replace('\u0000', `<strong id="countdown">${clock(seconds)}</strong>`);
  const code = escapeHtml(providerText(language, 'codeToType', { code: '\u0000' })).replace('\u0000', `<strong id="itsme-code">${pending.code}</strong>`);
  return html(language, providerText(language, 'waitTitle'), `<p>${escapeHtml(providerText(language, 'waitNotice', { phone: shownPhone(pending.person.phone) }))}</p>
<p>${timeLeft}</p>
<p>${code}</p>
<p><a id="open-phone" href="/interaction/${escapeHtml(uid)}/phone">${escapeHtml(providerText(language, 'openPhone'))}</a></p>
<form method="post" action="/interaction/${escapeHtml(uid)}" id="expired-form"><input type="hidden" name="step" value="expired"></form>
<script>
const deadline = Date.now() + ${seconds * 1000};
const countdown = document.getElementById('countdown');
const tick = () => {
  const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  countdown.textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
  if (left === 0) document.getElementById('expired-form').submit();
  else setTimeout(tick, 500);
};
tick();
</script>`);
}

function appPage(language: Language, uid: string, client: string, step: 'request' | 'confirm'): string {
  const t = (key: Parameters<typeof providerText>[1]) => escapeHtml(providerText(language, key));
  const action = `/interaction/${escapeHtml(uid)}/phone`;
  if (step === 'request') {
    return html(language, providerText(language, 'phoneTitle'), `<p>${escapeHtml(providerText(language, 'loginRequest', { client }))}</p>
<form method="post" action="${action}">
<button type="submit" name="step" value="login">${t('logIn')}</button>
<button type="submit" name="step" value="refuse">${t('refuse')}</button>
</form>`);
  }
  return html(language, providerText(language, 'confirmTitle'), `<p>${t('confirmData')}</p>
<form method="post" action="${action}">
<label for="code">${t('codeLabel')}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="off" pattern="[0-9]{5}" maxlength="5" required>
<button type="submit" name="step" value="confirm">${t('confirm')}</button>
<button type="submit" name="step" value="refuse" formnovalidate>${t('refuse')}</button>
</form>`);
}

/** The language the relying party asked for (ui_locales), else the browser's, else Dutch. */
function pageLanguage(uiLocales: unknown, acceptLanguage: string | undefined): Language {
  for (const tag of [...String(uiLocales ?? '').split(' '), ...(acceptLanguage ?? '').split(',')]) {
    const language = languageOfTag(tag.split(';')[0]!.trim());
    if (language) return language;
  }
  return 'nl';
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/** The national number of the phone as typed: spaces and a leading 0 or +32 are forgiven. */
function findByPhone(people: StandInPerson[], typed: string): StandInPerson | undefined {
  const digits = typed.replace(/\D/g, '').replace(/^(32|0)/, '');
  return people.find((p) => p.phone === digits);
}

export async function startItsmeProvider(options: ItsmeProviderOptions): Promise<ItsmeProvider> {
  const people = options.people ?? STAND_IN_PEOPLE;
  const claim = options.nationalNumberClaim ?? 'national_number';
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: ALG, use: 'sig' };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const issuer = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: ALG,
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['given_name', 'family_name', claim] },
    // The claims of the granted scopes in the ID token itself, so a relying party needs no userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const person = people.find((p) => p.nationalNumber === sub);
      if (!person) return undefined;
      return { accountId: sub, claims: async () => ({ sub, given_name: person.givenName, family_name: person.familyName, [claim]: person.nationalNumber }) };
    },
  });

  if (options.tamper) {
    const tampering = options.tamper;
    const { privateKey: otherKey } = await generateKeyPair(ALG);
    const realKey = await importJWK(signingJwk, ALG);
    provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.path !== '/token' || typeof body?.id_token !== 'string') return;
      const header = decodeProtectedHeader(body.id_token);
      const payload = JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (tampering === 'other-audience') payload.aud = 'another-relying-party';
      if (tampering === 'expired') {
        // Issued and expired an hour ago, well beyond any clock tolerance.
        const now = Math.floor(Date.now() / 1000);
        Object.assign(payload, { iat: now - 7200, exp: now - 3600 });
      }
      const key = tampering === 'other-key' ? otherKey : realKey;
      body.id_token = await new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: ALG, kid: header.kid!, typ: header.typ }).sign(key);
    });
  }

  const oidcHandler = provider.callback();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)(\/phone)?$/.exec(request.url ?? '');
    if (!match) return void oidcHandler(request, response);
    void handleInteraction(request, response, match[1]!, Boolean(match[2])).catch((error: unknown) => {
      response.statusCode = 400;
      response.end(`stand-in itsme: ${(error as Error).message}`);
    });
  });

  const confirmMs = (options.confirmSeconds ?? 180) * 1000;
  const pendingConfirmations = new Map<string, PendingConfirmation>();

  async function handleInteraction(request: IncomingMessage, response: ServerResponse, uid: string, onPhone: boolean): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (details.uid !== uid) throw new Error('unknown interaction');
    const language = pageLanguage(details.params.ui_locales, request.headers['accept-language']);
    const show = (page: string) => {
      response.statusCode = 200;
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.setHeader('Cache-Control', 'no-store');
      response.end(page);
    };
    const deny = (description: string) => {
      pendingConfirmations.delete(uid);
      return provider.interactionFinished(request, response, { error: 'access_denied', error_description: description }, { mergeWithLastSubmission: false });
    };
    const pending = pendingConfirmations.get(uid);
    const form = request.method === 'POST' ? await readForm(request) : new URLSearchParams();
    const step = form.get('step');

    if (!onPhone) {
      if (request.method === 'GET') return show(pending ? waitPage(language, uid, pending, Date.now()) : phonePage(language, uid));
      // The page's countdown reached 0 (a second of slack for the clocks of page and server).
      if (step === 'expired' && pending) {
        return pending.deadline - 1000 <= Date.now() ? deny(DENIALS.expired) : show(waitPage(language, uid, pending, Date.now()));
      }
      const person = findByPhone(people, form.get('phone') ?? '');
      if (!person) return show(phonePage(language, uid, providerText(language, 'unknownPhone')));
      const confirmation = { person, code: String(randomInt(0, 100_000)).padStart(5, '0'), deadline: Date.now() + confirmMs };
      pendingConfirmations.set(uid, confirmation);
      return show(waitPage(language, uid, confirmation, Date.now()));
    }

    // The stand-in phone: only for a login that has a phone number, and only within the time.
    if (!pending) return show(phonePage(language, uid));
    if (pending.deadline <= Date.now()) return deny(DENIALS.expired);
    const client = String(details.params.client_id);
    if (request.method === 'GET') return show(appPage(language, uid, client, 'request'));
    if (step === 'refuse') return deny(DENIALS.cancelled);
    if (step === 'login') return show(appPage(language, uid, client, 'confirm'));
    if (step !== 'confirm') throw new Error('unknown step');
    if (form.get('code') !== pending.code) return deny(DENIALS.wrongCode);
    pendingConfirmations.delete(uid);
    const grant = new provider.Grant({ accountId: pending.person.nationalNumber, clientId: client });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { login: { accountId: pending.person.nationalNumber }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
