/**
 * The itsme key: the backend as an OpenID Connect relying party (openid-client).
 * GET /itsme/start sends the browser to the provider with an authorization-code
 * request (PKCE S256, state, nonce); GET /itsme/callback exchanges the code and
 * logs the person in from the ID token, whose signature is checked against the
 * provider's JWKS and whose issuer, audience, expiry and nonce are checked.
 * Registered only when a provider is configured (config.itsme).
 *
 * The extension's popup logs in the same way in a window of its own, and takes
 * the login over with a one-time handoff code bound to a secret only it holds
 * (docs/digital-keys.md, "itsme in the popup").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { isValidNationalNumber } from '../../shared/identifiers.js';
import { isLanguage, type Language } from '../../shared/text/format.js';
import type { BackendContext } from '../context.js';
import { LEVELS } from '../context.js';
import type { ItsmeConfig } from '../config.js';
import { currentSession, ensureSession, startAuthenticatedSession } from '../http/sessions.js';
import { ApiError } from '../http/api-error.js';
import { requestCap } from '../http/rate-limits.js';
import { esc, html, page, pageLanguage, safeReturnPath } from '../pages/html.js';
import { pageText, type PageTextKey } from '../pages/texts/index.js';
import { randomToken, tokenHash } from '../security/tokens.js';
import { constantTimeEqual } from '../security/otp.js';
import { loggedInAnswer } from './eid.js';

export const ITSME_START_PATH = '/itsme/start';
export const ITSME_CALLBACK_PATH = '/itsme/callback';
/** Where a login the popup started ends: the handoff code in the fragment, or ?error=. */
export const ITSME_POPUP_DONE_PATH = '/itsme/popup-done';
export const ITSME_HANDOFF_PATH = '/api/itsme/handoff';
/** Answers only when a provider is configured: the popup shows its itsme button then. */
export const ITSME_AVAILABLE_PATH = '/api/itsme';

/** Long enough for the app's 3-minute confirmation and a slow person; the pending login is single use. */
const PENDING_LOGIN_TTL_MS = 10 * 60_000;
/** The extension takes the handoff over as soon as the window reaches the done page; two minutes is ample. */
const HANDOFF_TTL_MS = 2 * 60_000;
/** A PKCE-style challenge: base64url of a SHA-256, 43 characters. */
const POPUP_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Why an itsme login went back to the key choice, as the `error` query parameter of /login.
 * NOT_STARTED: no pending login for this browser session (a replayed or stale callback).
 */
export const ITSME_FAILURES = [
  'ITSME_EXPIRED',
  'ITSME_CANCELLED',
  'ITSME_WRONG_CODE',
  'ITSME_UNREACHABLE',
  'ITSME_REFUSED',
  'ITSME_NOT_STARTED',
  'NATIONAL_NUMBER_INVALID',
] as const;
export type ItsmeFailure = (typeof ITSME_FAILURES)[number];

/** The level of an itsme login: like eID, the highest (500), so both can activate the other keys. */
export const ITSME_LEVEL = LEVELS.itsme;

export function isItsmeFailure(code: unknown): code is ItsmeFailure {
  return ITSME_FAILURES.includes(code as ItsmeFailure);
}

/**
 * The provider answers every "no" from the app with access_denied. Its error_description starts
 * with a reason code before a colon (`expired:`, `wrong_code:`, `cancelled:`), which is what is
 * matched, never the prose after it; any other or no reason counts as the person saying no.
 */
const DENIAL_REASONS: Readonly<Record<string, ItsmeFailure>> = { expired: 'ITSME_EXPIRED', wrong_code: 'ITSME_WRONG_CODE', cancelled: 'ITSME_CANCELLED' };

export function deniedFailure(description: string | undefined): ItsmeFailure {
  const reason = /^([a-z_]+):/.exec(description ?? '')?.[1];
  return (reason !== undefined && Object.hasOwn(DENIAL_REASONS, reason) ? DENIAL_REASONS[reason] : undefined) ?? 'ITSME_CANCELLED';
}

/** What the start route keeps server-side until the callback; in the database, so any instance can finish the login. */
interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Started by the popup: the challenge its handoff secret must match, and the language of its pages. */
  popup?: { challenge: string; language: Language };
}

/** A finished popup login waiting for the extension: who logged in, and the challenge of the secret that may take it. */
interface Handoff {
  personId: number;
  challenge: string;
}

/**
 * The pending login lives in the challenge-nonce store, which already is what it needs: one
 * record per browser session, taken at most once (DELETE … RETURNING), expiring by itself.
 * The key prefix keeps it apart from the same session's eID challenge.
 */
function pendingKey(sessionHash: string): string {
  return `itsme:${sessionHash}`;
}

/** Handoffs are found by the hash of their code, so the database never holds a usable one. */
function handoffKey(code: string): string {
  return `itsme-handoff:${tokenHash(code)}`;
}

/** A loopback http issuer is the local stand-in; anything else must be https. */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** The provider's metadata, read once and kept; a failed read is tried again at the next login. */
function providerConfiguration(itsme: ItsmeConfig): () => Promise<oidc.Configuration> {
  let discovered: Promise<oidc.Configuration> | undefined;
  return () => {
    if (!discovered) {
      const issuer = new URL(itsme.issuerUrl);
      discovered = oidc
        .discovery(issuer, itsme.clientId, undefined, oidc.ClientSecretBasic(itsme.clientSecret), {
          ...(isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
          timeout: 10,
        })
        .then((configuration) => {
          // Check the ID token's signature against the provider's JWKS too, not only trust the TLS channel it came over.
          oidc.enableNonRepudiationChecks(configuration);
          return configuration;
        });
      discovered.catch(() => (discovered = undefined));
    }
    return discovered;
  };
}

/** A failure the provider or the network caused, told apart from a token the backend refuses. */
function failureOf(error: unknown): ItsmeFailure {
  if (error instanceof oidc.AuthorizationResponseError && error.error === 'access_denied') return deniedFailure(error.error_description);
  // fetch() rejects with a TypeError when it reaches no server; openid-client's own errors are ClientError or the oauth4webapi ones.
  if (error instanceof TypeError || (error instanceof oidc.ClientError && error.code === 'OAUTH_TIMEOUT')) return 'ITSME_UNREACHABLE';
  return 'ITSME_REFUSED';
}

type Popup = PendingLogin['popup'];

/** Back to the key choice the login came from: the backend's page, or (popup) the done page that tells what happened. */
function backToKeyChoice(reply: FastifyReply, failure: ItsmeFailure, returnTo: string | undefined, popup?: Popup): FastifyReply {
  if (popup) return reply.header('Cache-Control', 'no-store').redirect(`${ITSME_POPUP_DONE_PATH}?${new URLSearchParams({ lang: popup.language, error: failure })}`);
  const query = new URLSearchParams({ error: failure, ...(returnTo ? { return: returnTo } : {}) });
  return reply.header('Cache-Control', 'no-store').redirect(`/login?${query}`);
}

/** What the done page says after each way back from itsme (the login page's own texts). */
export const ITSME_FAILURE_TEXT: Readonly<Record<ItsmeFailure, PageTextKey>> = {
  ITSME_EXPIRED: 'itsmeExpired',
  ITSME_CANCELLED: 'itsmeCancelled',
  ITSME_WRONG_CODE: 'itsmeWrongCode',
  ITSME_UNREACHABLE: 'itsmeUnreachable',
  ITSME_REFUSED: 'itsmeRefused',
  ITSME_NOT_STARTED: 'itsmeNotStarted',
  NATIONAL_NUMBER_INVALID: 'itsmeNoNationalNumber',
};

const HANDOFF_BODY = {
  type: 'object',
  required: ['code', 'verifier'],
  additionalProperties: false,
  properties: { code: { type: 'string', maxLength: 100 }, verifier: { type: 'string', minLength: 43, maxLength: 128 } },
} as const;

function claimText(claims: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function registerItsmeRoutes(app: FastifyInstance, ctx: BackendContext): void {
  const itsme = ctx.config.itsme;
  if (!itsme) return;
  const configuration = providerConfiguration(itsme);
  const redirectUri = () => `${ctx.publicUrl}${ITSME_CALLBACK_PATH}`;

  app.get(ITSME_START_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const returnTo = safeReturnPath(query.return, '/demo/welcome');
    const language: Language = isLanguage(query.lang) ? query.lang : 'nl';
    if (query.popup !== undefined && (typeof query.popup !== 'string' || !POPUP_CHALLENGE.test(query.popup))) {
      return backToKeyChoice(reply, 'ITSME_NOT_STARTED', undefined, { challenge: '', language });
    }
    const popup: Popup = typeof query.popup === 'string' ? { challenge: query.popup, language } : undefined;
    let provider: oidc.Configuration;
    try {
      provider = await configuration();
    } catch (error) {
      request.log.warn({ err: error }, 'itsme provider unreachable');
      return backToKeyChoice(reply, 'ITSME_UNREACHABLE', returnTo, popup);
    }
    // Also for the popup: the pending login is bound to this browser's cookie, as state and nonce are.
    const current = await ensureSession(ctx, request, reply);
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), returnTo, ...(popup ? { popup } : {}) };
    await ctx.store.putNonce(pendingKey(current.session.tokenHash), JSON.stringify(pending), ctx.clock.now() + PENDING_LOGIN_TTL_MS);
    const authorizationUrl = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: redirectUri(),
      scope: 'openid profile',
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      // The provider's pages in the language of the key choice the person came from.
      ...(isLanguage(query.lang) ? { ui_locales: query.lang } : {}),
    });
    return reply.header('Cache-Control', 'no-store').redirect(authorizationUrl.href);
  });

  app.get(ITSME_CALLBACK_PATH, async (request: FastifyRequest, reply) => {
    const current = await currentSession(ctx, request);
    // Taken whatever happens next: a callback URL works once.
    const taken = current && (await ctx.store.takeNonce(pendingKey(current.session.tokenHash)));
    if (!current || !taken || taken.expiresAt <= ctx.clock.now()) {
      request.log.warn('itsme callback without a pending login (replayed, expired or from another browser)');
      return backToKeyChoice(reply, 'ITSME_NOT_STARTED', undefined);
    }
    const pending = JSON.parse(taken.nonce) as PendingLogin;
    let claims: Record<string, unknown>;
    try {
      const provider = await configuration();
      const callbackUrl = new URL(request.url, ctx.publicUrl);
      const tokens = await oidc.authorizationCodeGrant(provider, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      claims = { ...idToken };
      // A provider may keep the person's attributes to the userinfo endpoint (the real itsme does for most).
      if (claimText(claims, itsme.nationalNumberClaim) === undefined) {
        claims = { ...(await oidc.fetchUserInfo(provider, tokens.access_token, idToken.sub)), ...idToken };
      }
    } catch (error) {
      const failure = failureOf(error);
      request.log.warn({ err: error }, `itsme login refused: ${failure}`);
      if (failure === 'ITSME_REFUSED') console.error(`eid-bridge backend: itsme login refused: ${(error as Error).message}`);
      return backToKeyChoice(reply, failure, pending.returnTo, pending.popup);
    }
    const nationalNumber = claimText(claims, itsme.nationalNumberClaim)?.replace(/\D/g, '');
    if (!nationalNumber || !isValidNationalNumber(nationalNumber)) {
      request.log.warn(`itsme login refused: claim ${itsme.nationalNumberClaim} holds no valid national number`);
      return backToKeyChoice(reply, 'NATIONAL_NUMBER_INVALID', pending.returnTo, pending.popup);
    }
    const person = await ctx.store.upsertPerson(
      { nationalNumber, givenNames: claimText(claims, 'given_name') ?? '', surname: claimText(claims, 'family_name') ?? '' },
      ctx.clock.now(),
    );
    // As with eID, the login proves the person: it lifts a password lock-out too.
    await ctx.throttle.succeed(person.id);
    if (pending.popup) {
      // The window's cookie session stays anonymous: the login goes to whoever shows the handoff code
      // together with the secret behind the challenge, which only the extension that started it holds.
      const code = randomToken();
      const handoff: Handoff = { personId: person.id, challenge: pending.popup.challenge };
      await ctx.store.putNonce(handoffKey(code), JSON.stringify(handoff), ctx.clock.now() + HANDOFF_TTL_MS);
      // In the fragment: never sent to a server, never in a log or a Referer.
      return reply.header('Cache-Control', 'no-store').redirect(`${ITSME_POPUP_DONE_PATH}?${new URLSearchParams({ lang: pending.popup.language })}#code=${code}`);
    }
    await startAuthenticatedSession(ctx, current, reply, person, 'itsme', ITSME_LEVEL);
    return reply.header('Cache-Control', 'no-store').redirect(pending.returnTo);
  });

  app.get(ITSME_AVAILABLE_PATH, async () => ({ provider: true }));

  // The window the popup opened ends here; the extension closes it on success. Its text is for a
  // person whose extension did not (yet) take over, or after a failure.
  app.get(ITSME_POPUP_DONE_PATH, async (request, reply) => {
    const language = pageLanguage(request, reply);
    const error = (request.query as Record<string, unknown>).error;
    const failure = isItsmeFailure(error) ? error : undefined;
    const message = failure
      ? `<p class="notice status error" id="itsme-error" role="alert">${esc(pageText(language, ITSME_FAILURE_TEXT[failure]))}</p>\n<p>${esc(pageText(language, 'itsmePopupClose'))}</p>`
      : `<p class="notice status" id="itsme-done" role="status">${esc(pageText(language, 'itsmePopupDone'))}</p>`;
    return html(
      reply,
      page({
        language,
        title: pageText(language, 'itsmeButton'),
        path: ITSME_POPUP_DONE_PATH,
        query: failure ? { error: failure } : {},
        body: `<h1>${esc(pageText(language, 'itsmeButton'))}</h1>\n${message}`,
      }),
    );
  });

  // The extension takes a popup login over: the code from the window and the secret it kept.
  app.post(ITSME_HANDOFF_PATH, { schema: { body: HANDOFF_BODY }, config: { rateLimit: requestCap(ctx, 'eidLogin') } }, async (request, reply) => {
    const body = request.body as { code: string; verifier: string };
    // Taken whatever happens next: a handoff code works once, also after a wrong secret.
    const taken = await ctx.store.takeNonce(handoffKey(body.code));
    const handoff = taken && taken.expiresAt > ctx.clock.now() ? (JSON.parse(taken.nonce) as Handoff) : undefined;
    if (!handoff || !constantTimeEqual(await oidc.calculatePKCECodeChallenge(body.verifier), handoff.challenge)) {
      request.log.warn('itsme handoff refused: unknown, used, expired, or another secret');
      throw new ApiError(401, 'ITSME_NOT_STARTED', 'This login via itsme expired or was already used');
    }
    const person = await ctx.store.findPersonById(handoff.personId);
    if (!person) throw new ApiError(401, 'ITSME_NOT_STARTED', 'This login via itsme expired or was already used');
    const current = await currentSession(ctx, request);
    const loggedIn = await startAuthenticatedSession(ctx, current, reply, person, 'itsme', ITSME_LEVEL);
    return loggedInAnswer(ctx, request, current, person, loggedIn);
  });
}
