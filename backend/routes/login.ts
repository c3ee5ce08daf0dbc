/**
 * Username + password with a security code (e-mail, SMS or authenticator
 * app), or username + password alone (level 200). Step 1 checks the password
 * and sends the code, bound to this login request and session; step 2 checks
 * the code once.
 */
import type { FastifyInstance } from 'fastify';
import type { BackendContext, LoginMethod } from '../context.js';
import { LEVELS, LOGIN_CODE_TTL_MS, MAX_CODE_ATTEMPTS } from '../context.js';
import { ApiError } from '../http/api-error.js';
import { requestCap } from '../http/rate-limits.js';
import { object, oneOf, text } from '../http/schemas.js';
import { currentSession, ensureSession, startAuthenticatedSession } from '../http/sessions.js';
import { verifyAgainstDummy, verifyPassword } from '../security/passwords.js';
import { codeHash, numericCode, randomToken } from '../security/tokens.js';
import { base32Decode, constantTimeEqual, matchTotp } from '../security/otp.js';
import { languageOf, maskEmail, maskPhone, rememberLanguage } from '../people.js';
import { pageText } from '../pages/texts/index.js';
import { LOGIN_OPTIONS, loggedInAnswer, wantsSessionToken } from './eid.js';

const LOGIN_KEYS = ['email', 'sms', 'totp', 'password'] as const;
type LoginKey = (typeof LOGIN_KEYS)[number];

function loginFailed(): ApiError {
  return new ApiError(401, 'LOGIN_FAILED', 'Wrong username, password or code');
}

const PASSWORD_LOGIN_BODY = object(
  { username: text(256), password: text(1024), key: oneOf(LOGIN_KEYS), ...LOGIN_OPTIONS },
  ['username', 'password', 'key'],
);
const CODE_LOGIN_BODY = object({ loginRequestId: text(100), code: text(32) }, ['loginRequestId', 'code']);

export function registerLoginRoutes(app: FastifyInstance, ctx: BackendContext): void {
  app.post('/api/login/password', { schema: { body: PASSWORD_LOGIN_BODY }, config: { rateLimit: requestCap(ctx, 'passwordLogin') } }, async (request, reply) => {
    const body = request.body as { username: string; password: string; key: LoginKey; minLevel?: number | null };
    const { username, password, key } = body;
    const minLevel = body.minLevel ?? 0;
    if (LEVELS[key] < minLevel) {
      throw new ApiError(403, 'LEVEL_TOO_LOW', `This service needs level ${minLevel}; this key gives ${LEVELS[key]}`, { required: minLevel, level: LEVELS[key] });
    }
    return ctx.throttle.attempt(request.ip, async (attempt) => {
      const account = await ctx.store.findPasswordByUsername(username);
      const passwordOk = account ? await verifyPassword(password, account.passwordHash) : await verifyAgainstDummy(password);
      if (!account || !passwordOk) {
        await attempt.fail(account?.personId);
        throw loginFailed();
      }
      // A locked account answers exactly like a wrong password (and the address spent an attempt on it).
      if (await ctx.throttle.isLocked(account.personId)) {
        await attempt.fail(account.personId);
        throw loginFailed();
      }
      const found = await ctx.store.findPersonById(account.personId);
      if (!found) throw loginFailed();
      // The code goes out in the language of the page the person is using.
      const person = await rememberLanguage(ctx, found, body);
      const current = await ensureSession(ctx, request, reply);

      if (key === 'password') {
        await ctx.throttle.succeed(person.id);
        const loggedIn = await startAuthenticatedSession(ctx, current, reply, person, 'password', LEVELS.password);
        return loggedInAnswer(ctx, request, current, person, loggedIn);
      }

      const codeKey = await ctx.store.findCodeKey(person.id, key);
      if (!codeKey) throw new ApiError(409, 'KEY_NOT_ACTIVE', `The key "${key}" is not activated for this account`);
      const id = randomToken();
      const now = ctx.clock.now();
      const code = key === 'totp' ? undefined : numericCode();
      await ctx.store.createPending({
        id,
        sessionHash: current.session.tokenHash,
        personId: person.id,
        purpose: 'login',
        channel: key,
        codeHash: code ? codeHash(id, code) : null,
        payload: { minLevel },
        attempts: 0,
        createdAt: now,
        expiresAt: now + LOGIN_CODE_TTL_MS,
        usedAt: null,
      });
      let sentTo: string | undefined;
      const language = languageOf(person);
      try {
        if (key === 'email' && code) {
          if (!person.email) throw new ApiError(409, 'KEY_NOT_ACTIVE', 'No e-mail address on file');
          await ctx.delivery.sendEmail({ to: person.email, subject: pageText(language, 'mailLoginCodeSubject'), text: pageText(language, 'mailLoginCodeBody', { code }) });
          sentTo = maskEmail(person.email);
        } else if (key === 'sms' && code) {
          if (!person.phone) throw new ApiError(409, 'KEY_NOT_ACTIVE', 'No mobile number on file');
          await ctx.delivery.sendSms({ to: person.phone, text: pageText(language, 'smsLoginCode', { code }) });
          sentTo = maskPhone(person.phone);
        }
      } catch (e) {
        if (e instanceof ApiError) throw e;
        request.log.error({ err: e }, 'sending a login code failed');
        throw new ApiError(502, 'DELIVERY_FAILED', 'The security code could not be sent; try again later');
      }
      reply.header('Cache-Control', 'no-store');
      return {
        status: 'code-required',
        loginRequestId: id,
        channel: key,
        ...(sentTo ? { sentTo } : {}),
        expiresAt: new Date(now + LOGIN_CODE_TTL_MS).toISOString(),
        ...(wantsSessionToken(ctx, request, current.viaBearer) ? { sessionToken: current.token } : {}),
      };
    });
  });

  app.post('/api/login/code', { schema: { body: CODE_LOGIN_BODY }, config: { rateLimit: requestCap(ctx, 'codeLogin') } }, async (request, reply) => {
    const body = request.body as { loginRequestId: string; code: string };
    const id = body.loginRequestId;
    const code = body.code.replace(/\s/g, '');
    return ctx.throttle.attempt(request.ip, async (attempt) => {      const current = await currentSession(ctx, request);
      const pending = await ctx.store.findPending(id);
      const now = ctx.clock.now();
      // Bound to the request and to the session that asked for it.
      if (!pending || pending.purpose !== 'login' || !current || pending.sessionHash !== current.session.tokenHash || pending.personId === null) {
        throw new ApiError(410, 'CODE_EXPIRED', 'This login request does not exist, has expired or was used');
      }
      if (pending.usedAt !== null || now >= pending.expiresAt || pending.attempts >= MAX_CODE_ATTEMPTS) {
        throw new ApiError(410, 'CODE_EXPIRED', 'This login request does not exist, has expired or was used');
      }
      const personId = pending.personId;
      let ok = false;
      if (!(await ctx.throttle.isLocked(personId))) {
        if (pending.channel === 'totp') {
          const key = await ctx.store.findCodeKey(personId, 'totp');
          const step = key?.totpSecret ? matchTotp(base32Decode(key.totpSecret), code, now) : undefined;
          // The step must be newer than the last one accepted: a code seen once cannot be replayed.
          ok = step !== undefined && (await ctx.store.acceptTotpStep(personId, step));
        } else {
          ok = pending.codeHash !== null && constantTimeEqual(codeHash(id, code), pending.codeHash);
        }
      }
      if (!ok) {
        const attempts = await ctx.store.countAttempt(id);
        await attempt.fail(personId);
        throw new ApiError(401, 'CODE_INCORRECT', 'The code is not correct', { attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - attempts) });
      }
      if (!(await ctx.store.usePending(id, now))) throw new ApiError(410, 'CODE_EXPIRED', 'This login request was used already');
      const person = await ctx.store.findPersonById(personId);
      if (!person) throw loginFailed();
      await ctx.throttle.succeed(person.id);
      const method = pending.channel as LoginMethod;
      const loggedIn = await startAuthenticatedSession(ctx, current, reply, person, method, LEVELS[method as 'email' | 'sms' | 'totp']);
      return loggedInAnswer(ctx, request, current, person, loggedIn);
    });
  });
}
