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
import { currentSession, ensureSession, startAuthenticatedSession, type CurrentSession, type LoggedIn } from '../http/sessions.js';
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

/** The popup (an allowed extension origin) or a bearer caller gets the session token to send as Authorization. */
export function wantsSessionToken(ctx: BackendContext, request: FastifyRequest, viaBearer: boolean): boolean {
  const origin = request.headers.origin;
  return viaBearer || (typeof origin === 'string' && ctx.config.extensionOrigins.includes(origin));
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
      // The popup keeps its (still anonymous) session as a bearer token: no cookie needed across origins.
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
