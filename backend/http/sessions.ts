/**
 * Sessions: a 256-bit random token in an HttpOnly cookie (pages) or an
 * Authorization: Bearer header (the extension popup), stored by hash. Every
 * (re)authentication gets a new token. Cookie sessions need the CSRF token in
 * X-CSRF-Token for changes; bearer sessions cannot be sent by another site.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BackendContext, LoginMethod } from '../context.js';
import { ANONYMOUS_SESSION_TTL_MS, REAUTH_WINDOW_MS, SESSION_TTL_MS } from '../context.js';
import type { Person, Session } from '../db/store.js';
import { randomToken, tokenHash } from '../security/tokens.js';
import { constantTimeEqual } from '../security/otp.js';
import { ApiError } from './api-error.js';

export const SESSION_COOKIE = 'eidb_session';

export interface CurrentSession {
  session: Session;
  token: string;
  viaBearer: boolean;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

export async function currentSession(ctx: BackendContext, request: FastifyRequest): Promise<CurrentSession | undefined> {
  const fromBearer = bearer(request);
  const token = fromBearer ?? request.cookies[SESSION_COOKIE];
  if (!token || token.length > 100) return undefined;
  const session = await ctx.store.findSession(tokenHash(token), ctx.clock.now());
  return session && { session, token, viaBearer: fromBearer !== undefined };
}

function setCookie(ctx: BackendContext, reply: FastifyReply, token: string, ttlMs: number): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    secure: ctx.secureCookies,
    // Lax: the cookie comes along when a person follows a link here, never on another site's POST.
    sameSite: 'lax',
    maxAge: Math.floor(ttlMs / 1000),
  });
}

/** The caller's session, or a new anonymous one (for a challenge nonce or a pending login). */
export async function ensureSession(ctx: BackendContext, request: FastifyRequest, reply: FastifyReply): Promise<CurrentSession> {
  const existing = await currentSession(ctx, request);
  if (existing) return existing;
  const token = randomToken();
  const now = ctx.clock.now();
  const session: Session = {
    tokenHash: tokenHash(token),
    personId: null,
    level: 0,
    method: null,
    authTime: null,
    csrfToken: randomToken(24),
    createdAt: now,
    expiresAt: now + ANONYMOUS_SESSION_TTL_MS,
  };
  await ctx.store.createSession(session);
  setCookie(ctx, reply, token, ANONYMOUS_SESSION_TTL_MS);
  return { session, token, viaBearer: false };
}

export interface LoggedIn {
  sessionToken: string;
  csrfToken: string;
  level: number;
  method: LoginMethod;
}

/** Logs the person in with a brand-new session token, replacing the old session. */
export async function startAuthenticatedSession(
  ctx: BackendContext,
  previous: CurrentSession | undefined,
  reply: FastifyReply,
  person: Person,
  method: LoginMethod,
  level: number,
): Promise<LoggedIn> {
  const token = randomToken();
  const now = ctx.clock.now();
  const session: Session = {
    tokenHash: tokenHash(token),
    personId: person.id,
    level,
    method,
    authTime: now,
    csrfToken: randomToken(24),
    createdAt: now,
    expiresAt: now + SESSION_TTL_MS,
  };
  await ctx.store.rotateSession(previous?.session.tokenHash ?? null, session);
  setCookie(ctx, reply, token, SESSION_TTL_MS);
  return { sessionToken: token, csrfToken: session.csrfToken, level, method };
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

export interface Authenticated extends CurrentSession {
  person: Person;
}

/**
 * The logged-in person, at the given minimum level. For changes (POST, PUT,
 * DELETE) over a cookie the CSRF token must come along.
 */
export async function requireAuth(ctx: BackendContext, request: FastifyRequest, minLevel = 400): Promise<Authenticated> {
  const current = await currentSession(ctx, request);
  if (!current || current.session.personId === null) throw new ApiError(401, 'UNAUTHENTICATED', 'Log in first');
  if (request.method !== 'GET' && request.method !== 'HEAD' && !current.viaBearer) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !constantTimeEqual(sent, current.session.csrfToken)) {
      throw new ApiError(403, 'CSRF_TOKEN_INVALID', 'The X-CSRF-Token header is missing or wrong');
    }
  }
  if (current.session.level < minLevel) {
    throw new ApiError(403, 'LEVEL_TOO_LOW', `This needs a digital key of level ${minLevel} or higher`, { required: minLevel, level: current.session.level });
  }
  const person = await ctx.store.findPersonById(current.session.personId);
  if (!person) throw new ApiError(401, 'UNAUTHENTICATED', 'Log in first');
  return { ...current, person };
}

/** Key changes need a login within the last 5 minutes (log in again to renew). */
export function requireRecentAuth(ctx: BackendContext, auth: Authenticated): void {
  const authTime = auth.session.authTime ?? 0;
  if (ctx.clock.now() - authTime > REAUTH_WINDOW_MS) {
    throw new ApiError(403, 'REAUTH_REQUIRED', 'Log in again to change your digital keys (a login within the last 5 minutes is needed)');
  }
}
