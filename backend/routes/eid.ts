/**
 * eID login: the page asks for a challenge nonce (bound to its session), the
 * extension has the card sign it, and the page posts the Web eID token back.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { issueChallengeNonce, type NonceStore } from '../../shared/token-validator/nonce-store.js';
import { isValidNationalNumber } from '../../shared/identifiers.js';
import type { BackendContext } from '../context.js';
import { LEVELS } from '../context.js';
import { ApiError } from '../http/api-error.js';
import { currentSession, ensureSession, SESSION_COOKIE, startAuthenticatedSession, type CurrentSession, type LoggedIn } from '../http/sessions.js';
import { isExtensionOrigin, type BackendConfig } from '../config.js';
import { requestCap } from '../http/rate-limits.js';
import { minLevel, object, optionalText } from '../http/schemas.js';
import type { Person } from '../db/store.js';
import { personJson, rememberLanguage } from '../people.js';
import { VERSION } from '../../shared/version.js';

export function nonceStoreOf(ctx: BackendContext): NonceStore {
  return {
    put: (sessionId, issued) => ctx.store.putNonce(sessionId, issued.nonce, issued.expiresAt),
    take: (sessionId) => ctx.store.takeNonce(sessionId),
  };
}

/** The answer to every successful login, whatever the key. */
export function loggedInAnswer(ctx: BackendContext, request: FastifyRequest, current: CurrentSession | undefined, person: Person, loggedIn: LoggedIn) {
  return {
    status: 'logged-in',
    person: personJson(person),
    level: loggedIn.level,
    method: loggedIn.method,
    csrfToken: loggedIn.csrfToken,
    ...(wantsSessionToken(ctx, request, current?.viaBearer ?? false) ? { sessionToken: loggedIn.sessionToken } : {}),
  };
}

/**
 * A request from an extension page (the popup, the background) that carries no session cookie,
 * as backend-api.ts sends every request. Such a request rides on nothing the browser adds by
 * itself, so it can neither be another site's forgery nor give away the cookie's session.
 */
export function fromExtensionWithoutCookie(config: BackendConfig, request: FastifyRequest): boolean {
  return isExtensionOrigin(config, request.headers.origin) && request.cookies[SESSION_COOKIE] === undefined;
}

/**
 * Whether the answer may carry the session token, for the caller to send as Authorization: Bearer.
 * Yes to a caller that already authenticates that way, and to the extension's cookie-less requests;
 * never for a session that came in the cookie, which stays HttpOnly (a script of the backend's own
 * pages never reads it), and never to a web page, which cannot send an extension's Origin.
 */
export function wantsSessionToken(ctx: BackendContext, request: FastifyRequest, viaBearer: boolean): boolean {
  return viaBearer || fromExtensionWithoutCookie(ctx.config, request);
}

/** What the login routes take besides their credentials: the level the service asks for, the page language. */
export const LOGIN_OPTIONS = { minLevel, language: optionalText(8) };

/** The body of an eID login: the Web eID token is checked by the token validator, with its own error codes. */
const EID_LOGIN_BODY = object({ ...LOGIN_OPTIONS });

export function registerEidRoutes(app: FastifyInstance, ctx: BackendContext): void {
  // What a client (the popup, a relying party) needs to know before logging in.
  app.get('/api/info', async () => ({
    service: 'eID Bridge reference backend',
    version: VERSION,
    publicOrigin: ctx.publicOrigin,
    levels: LEVELS,
    keys: ['eid', 'password', 'email', 'sms', 'totp'],
    languages: ['nl', 'fr', 'de', 'en'],
  }));

  app.post('/api/eid/challenge', { config: { rateLimit: requestCap(ctx, 'eidChallenge') } }, async (request, reply) => {
    const current = await ensureSession(ctx, request, reply);
    const issued = await issueChallengeNonce(nonceStoreOf(ctx), current.session.tokenHash, { clock: ctx.clock });
    reply.header('Cache-Control', 'no-store');
    return {
      challengeNonce: issued.nonce,
      expiresAt: new Date(issued.expiresAt).toISOString(),
      // The popup keeps its (still anonymous) session as a bearer token: it sends no cookie.
      ...(wantsSessionToken(ctx, request, current.viaBearer) ? { sessionToken: current.token } : {}),
    };
  });

  // eID is the highest level: any minimum the schema lets through is met.
  app.post('/api/eid/login', { schema: { body: EID_LOGIN_BODY }, config: { rateLimit: requestCap(ctx, 'eidLogin') } }, async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const current = await currentSession(ctx, request);
    const validated = await ctx.validator.validateWithStore(body?.authToken, nonceStoreOf(ctx), current?.session.tokenHash ?? '');
    const { person: fromCard } = validated;
    if (!isValidNationalNumber(fromCard.nationalNumber)) {
      throw new ApiError(401, 'NATIONAL_NUMBER_INVALID', 'The certificate carries no valid national number');
    }
    const person = await rememberLanguage(
      ctx,
      await ctx.store.upsertPerson({ nationalNumber: fromCard.nationalNumber, givenNames: fromCard.givenNames, surname: fromCard.surname }, ctx.clock.now()),
      body,
    );
    // An eID login proves the person: it lifts a password lock-out too.
    await ctx.throttle.succeed(person.id);
    const loggedIn = await startAuthenticatedSession(ctx, current, reply, person, 'eid', LEVELS.eid);
    return loggedInAnswer(ctx, request, current, person, loggedIn);
  });
}
