/**
 * The itsme key: the backend as an OpenID Connect relying party (openid-client).
 * GET /itsme/start sends the browser to the provider with an authorization-code
 * request (PKCE S256, state, nonce); GET /itsme/callback exchanges the code and
 * logs the person in from the ID token, whose signature is checked against the
 * provider's JWKS and whose issuer, audience, expiry and nonce are checked.
 * Registered only when a provider is configured (config.itsme).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { isValidNationalNumber } from '../../shared/identifiers.js';
import { isLanguage } from '../../shared/text/format.js';
import type { BackendContext } from '../context.js';
import { LEVELS } from '../context.js';
import type { ItsmeConfig } from '../config.js';
import { currentSession, ensureSession, startAuthenticatedSession } from '../http/sessions.js';
import { safeReturnPath } from '../pages/html.js';

export const ITSME_START_PATH = '/itsme/start';
export const ITSME_CALLBACK_PATH = '/itsme/callback';

/** Long enough for the app's 3-minute confirmation and a slow person; the pending login is single use. */
const PENDING_LOGIN_TTL_MS = 10 * 60_000;

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

export function isItsmeFailure(code: unknown): code is ItsmeFailure {
  return ITSME_FAILURES.includes(code as ItsmeFailure);
}

/**
 * The provider answers every "no" from the app with access_denied; its error_description says
 * which: the confirmation time ran out, a wrong 5-digit code, else the person said no.
 */
function deniedFailure(description: string | undefined): ItsmeFailure {
  if (/\b(expired|timed? ?out|time ran out)\b/i.test(description ?? '')) return 'ITSME_EXPIRED';
  if (/\b(wrong|incorrect|invalid) (code|pin)\b/i.test(description ?? '')) return 'ITSME_WRONG_CODE';
  return 'ITSME_CANCELLED';
}

/** What the start route keeps server-side until the callback; in the database, so any instance can finish the login. */
interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/**
 * The pending login lives in the challenge-nonce store, which already is what it needs: one
 * record per browser session, taken at most once (DELETE … RETURNING), expiring by itself.
 * The key prefix keeps it apart from the same session's eID challenge.
 */
function pendingKey(sessionHash: string): string {
  return `itsme:${sessionHash}`;
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

function backToKeyChoice(reply: FastifyReply, failure: ItsmeFailure, returnTo: string | undefined): FastifyReply {
  const query = new URLSearchParams({ error: failure, ...(returnTo ? { return: returnTo } : {}) });
  return reply.header('Cache-Control', 'no-store').redirect(`/login?${query}`);
}

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
    let provider: oidc.Configuration;
    try {
      provider = await configuration();
    } catch (error) {
      request.log.warn({ err: error }, 'itsme provider unreachable');
      return backToKeyChoice(reply, 'ITSME_UNREACHABLE', returnTo);
    }
    const current = await ensureSession(ctx, request, reply);
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), returnTo };
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
      return backToKeyChoice(reply, failure, pending.returnTo);
    }
    const nationalNumber = claimText(claims, itsme.nationalNumberClaim)?.replace(/\D/g, '');
    if (!nationalNumber || !isValidNationalNumber(nationalNumber)) {
      request.log.warn(`itsme login refused: claim ${itsme.nationalNumberClaim} holds no valid national number`);
      return backToKeyChoice(reply, 'NATIONAL_NUMBER_INVALID', pending.returnTo);
    }
    const person = await ctx.store.upsertPerson(
      { nationalNumber, givenNames: claimText(claims, 'given_name') ?? '', surname: claimText(claims, 'family_name') ?? '' },
      ctx.clock.now(),
    );
    // As with eID, the login proves the person: it lifts a password lock-out too.
    await ctx.throttle.succeed(person.id);
    // The login service gives itsme, like eID, its highest level: both can activate the other keys.
    await startAuthenticatedSession(ctx, current, reply, person, 'itsme', LEVELS.eid);
    return reply.header('Cache-Control', 'no-store').redirect(pending.returnTo);
  });
}
