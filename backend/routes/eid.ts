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
import { currentSession, ensureSession, startAuthenticatedSession } from '../http/sessions.js';
import { personJson, rememberLanguage } from '../people.js';
import { VERSION } from '../../shared/version.js';

export function nonceStoreOf(ctx: BackendContext): NonceStore {
  return {
    put: (sessionId, issued) => ctx.store.putNonce(sessionId, issued.nonce, issued.expiresAt),
    take: (sessionId) => ctx.store.takeNonce(sessionId),
  };
}

/** The popup (an allowed extension origin) or a bearer caller gets the session token to send as Authorization. */
export function wantsSessionToken(ctx: BackendContext, request: FastifyRequest, viaBearer: boolean): boolean {
  const origin = request.headers.origin;
  return viaBearer || (typeof origin === 'string' && ctx.config.extensionOrigins.includes(origin));
}

export function minLevelOf(body: unknown): number {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).minLevel : undefined;
  if (value === undefined || value === null) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 500) throw new ApiError(400, 'BAD_REQUEST', '"minLevel" must be a whole number from 0 to 500');
  return n;
}

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

  app.post('/api/eid/challenge', async (request, reply) => {
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

  app.post('/api/eid/login', async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    minLevelOf(body); // eID is the highest level: any minimum is met
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
    return {
      status: 'logged-in',
      person: personJson(person),
      level: loggedIn.level,
      method: loggedIn.method,
      csrfToken: loggedIn.csrfToken,
      ...(wantsSessionToken(ctx, request, current?.viaBearer ?? false) ? { sessionToken: loggedIn.sessionToken } : {}),
    };
  });
}
