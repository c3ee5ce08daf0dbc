/**
 * "Mijn digitale sleutels": the person's keys and their state, username and
 * password, and activating or deactivating the e-mail, SMS and app keys.
 * Viewing needs a login; every change needs a login of level 400 or more
 * within the last 5 minutes, and sends an e-mail notice.
 */
import type { FastifyInstance } from 'fastify';
import type { BackendContext } from '../context.js';
import { LEVELS, LOGIN_CODE_TTL_MS, REAUTH_WINDOW_MS, REGISTRATION_CODE_TTL_MS } from '../context.js';
import { ApiError } from '../http/api-error.js';
import { requestCap } from '../http/rate-limits.js';
import { flag, object, optionalText, text } from '../http/schemas.js';
import { clearSessionCookie, currentSession, requireAuth, requireRecentAuth, type Authenticated } from '../http/sessions.js';
import { CODE_KEY_KINDS, type CodeKeyKind, type Person } from '../db/store.js';
import { hashPassword, passwordProblem } from '../security/passwords.js';
import { randomToken } from '../security/tokens.js';
import { languageOf, maskEmail, maskPhone, normalizeEmail, normalizePhone, notifyKeyChange, personJson, USERNAME_PATTERN } from '../people.js';
import type { PageTextKey } from '../pages/texts/index.js';
import { checkRegistrationCode, startRegistration } from './registration.js';

const CHANGE_ON: Record<CodeKeyKind, PageTextKey> = { email: 'changeEmailOn', sms: 'changeSmsOn', totp: 'changeTotpOn' };
const CHANGE_OFF: Record<CodeKeyKind, PageTextKey> = { email: 'changeEmailOff', sms: 'changeSmsOff', totp: 'changeTotpOff' };

/** Refuses a new password with the reason as error code. */
export function checkNewPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (!problem) return;
  const codes = { 'too-short': 'PASSWORD_TOO_SHORT', 'too-long': 'PASSWORD_TOO_LONG', common: 'PASSWORD_COMMON', 'same-as-username': 'PASSWORD_SAME_AS_USERNAME' } as const;
  throw new ApiError(400, codes[problem], `The password is refused (${problem})`);
}

export function checkUsername(username: string): string {
  const u = username.trim();
  if (!USERNAME_PATTERN.test(u)) throw new ApiError(400, 'USERNAME_INVALID', 'A username has 3 to 64 letters, digits or . _ - @');
  return u;
}

async function overview(ctx: BackendContext, person: Person) {
  const [password, codeKeys] = await Promise.all([ctx.store.findPassword(person.id), ctx.store.listCodeKeys(person.id)]);
  const active = (kind: CodeKeyKind) => codeKeys.find((k) => k.kind === kind);
  const when = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    person: personJson(person),
    contact: { email: person.email, phone: person.phone ? maskPhone(person.phone) : null },
    keys: [
      { key: 'eid', level: LEVELS.eid, active: true },
      { key: 'password', level: LEVELS.password, active: !!password, username: password?.username ?? null, changedAt: when(password?.updatedAt) },
      { key: 'email', level: LEVELS.email, active: !!active('email'), activatedAt: when(active('email')?.activatedAt), sentTo: person.email && active('email') ? maskEmail(person.email) : null },
      { key: 'sms', level: LEVELS.sms, active: !!active('sms'), activatedAt: when(active('sms')?.activatedAt), sentTo: person.phone && active('sms') ? maskPhone(person.phone) : null },
      { key: 'totp', level: LEVELS.totp, active: !!active('totp'), activatedAt: when(active('totp')?.activatedAt) },
    ],
  };
}

async function forChange(ctx: BackendContext, request: Parameters<typeof requireAuth>[1]): Promise<Authenticated> {
  const auth = await requireAuth(ctx, request, 400);
  requireRecentAuth(ctx, auth);
  return auth;
}

/** A new username and password, for the password key or an activation. */
export const NEW_PASSWORD = { username: text(256), password: text(1024) };

const PASSWORD_BODY = object({ ...NEW_PASSWORD, endOtherSessions: flag }, ['username', 'password']);
const EMAIL_BODY = object({ email: text(254) }, ['email']);
/** What starting each code key needs: the e-mail key may name a new address, the SMS key needs the number. */
const START_BODY: Record<CodeKeyKind, Record<string, unknown>> = {
  email: object({ email: optionalText(254) }),
  sms: object({ phone: text(32) }, ['phone']),
  totp: object({}),
};
const CONFIRM_BODY = object({ registrationId: text(100), code: text(32) }, ['registrationId', 'code']);

export function registerKeyRoutes(app: FastifyInstance, ctx: BackendContext): void {
  app.get('/api/session', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const current = await currentSession(ctx, request);
    if (!current || current.session.personId === null) return { authenticated: false };
    const person = await ctx.store.findPersonById(current.session.personId);
    if (!person) return { authenticated: false };
    const authTime = current.session.authTime ?? 0;
    return {
      authenticated: true,
      person: personJson(person),
      level: current.session.level,
      method: current.session.method,
      authTime: new Date(authTime).toISOString(),
      changesAllowedUntil: new Date(authTime + REAUTH_WINDOW_MS).toISOString(),
      csrfToken: current.session.csrfToken,
    };
  });

  app.post('/api/logout', async (request, reply) => {
    const current = await currentSession(ctx, request);
    if (current) await ctx.store.deleteSession(current.session.tokenHash);
    clearSessionCookie(reply);
    return { status: 'logged-out' };
  });

  app.get('/api/keys', async (request, reply) => {
    const auth = await requireAuth(ctx, request, LEVELS.password);
    reply.header('Cache-Control', 'no-store');
    return overview(ctx, auth.person);
  });

  app.put('/api/keys/password', { schema: { body: PASSWORD_BODY } }, async (request) => {
    const body = request.body as { username: string; password: string; endOtherSessions?: boolean | null };
    const auth = await forChange(ctx, request);
    const username = checkUsername(body.username);
    const password = body.password;
    checkNewPassword(password, username);
    if (!(await ctx.store.setPassword(auth.person.id, username, await hashPassword(password), ctx.clock.now()))) {
      throw new ApiError(409, 'USERNAME_TAKEN', 'This username is taken');
    }
    if (body.endOtherSessions === true) await ctx.store.deleteOtherSessions(auth.person.id, auth.session.tokenHash);
    await notifyKeyChange(ctx, auth.person, 'changePassword');
    return overview(ctx, auth.person);
  });

  app.delete('/api/keys/password', async (request) => {
    const auth = await forChange(ctx, request);
    if ((await ctx.store.listCodeKeys(auth.person.id)).length > 0) {
      throw new ApiError(409, 'PASSWORD_REQUIRED', 'Deactivate the security-code keys first: they work only with username and password');
    }
    await ctx.store.deletePassword(auth.person.id);
    await notifyKeyChange(ctx, auth.person, 'changePasswordRemoved');
    return overview(ctx, auth.person);
  });

  app.put('/api/profile/email', { schema: { body: EMAIL_BODY } }, async (request) => {
    const auth = await forChange(ctx, request);
    const email = normalizeEmail((request.body as { email: string }).email);
    if (!email) throw new ApiError(400, 'EMAIL_INVALID', 'This is not an e-mail address');
    const owner = await ctx.store.findPersonByEmail(email);
    if (owner && owner.id !== auth.person.id) throw new ApiError(409, 'EMAIL_IN_USE', 'This e-mail address belongs to another key set');
    const previous = auth.person.email;
    if (previous !== email) {
      await ctx.store.setPersonEmail(auth.person.id, email);
      const updated = (await ctx.store.findPersonById(auth.person.id))!;
      // The old address hears of it too: that is where an attacker's change would be noticed.
      await notifyKeyChange(ctx, updated, 'changeContactEmail', previous);
    }
    return overview(ctx, (await ctx.store.findPersonById(auth.person.id))!);
  });

  // One route per code key (an unknown key is a 404 like any unknown address).
  for (const kind of CODE_KEY_KINDS) {
    app.post(`/api/keys/${kind}/start`, { schema: { body: START_BODY[kind] }, config: { rateLimit: requestCap(ctx, 'keyRegistration') } }, async (request, reply) => {
      const body = request.body as { email?: string | null; phone?: string };
      const auth = await forChange(ctx, request);
      const password = await ctx.store.findPassword(auth.person.id);
      if (!password) throw new ApiError(409, 'PASSWORD_REQUIRED', 'Create a username and password first: code keys work only with them');
      const target: { email?: string; phone?: string; account: string; language: ReturnType<typeof languageOf> } = {
        account: password.username,
        language: languageOf(auth.person),
      };
      if (kind === 'email') {
        const given = body.email || undefined;
        const email = given ? normalizeEmail(given) : auth.person.email;
        if (!email) throw new ApiError(given ? 400 : 409, given ? 'EMAIL_INVALID' : 'EMAIL_REQUIRED', 'An e-mail address is needed');
        const owner = await ctx.store.findPersonByEmail(email);
        if (owner && owner.id !== auth.person.id) throw new ApiError(409, 'EMAIL_IN_USE', 'This e-mail address belongs to another key set');
        target.email = email;
      } else if (kind === 'sms') {
        const phone = normalizePhone(body.phone!);
        if (!phone) throw new ApiError(400, 'PHONE_INVALID', 'Give a mobile number with country code, e.g. +32470123456');
        target.phone = phone;
      }
      const id = randomToken();
      const now = ctx.clock.now();
      // Registration codes: 5 minutes. Setting up an app takes longer: the app key gets the login-code time.
      const ttl = kind === 'totp' ? LOGIN_CODE_TTL_MS : REGISTRATION_CODE_TTL_MS;
      const started = await startRegistration(ctx, id, kind, target);
      await ctx.store.createPending({
        id,
        sessionHash: auth.session.tokenHash,
        personId: auth.person.id,
        purpose: 'register-key',
        channel: kind,
        codeHash: started.codeHash,
        payload: started.payload,
        attempts: 0,
        createdAt: now,
        expiresAt: now + ttl,
        usedAt: null,
      });
      reply.header('Cache-Control', 'no-store');
      return { registrationId: id, key: kind, expiresAt: new Date(now + ttl).toISOString(), ...started.answer };
    });

    app.post(`/api/keys/${kind}/confirm`, { schema: { body: CONFIRM_BODY }, config: { rateLimit: requestCap(ctx, 'keyRegistration') } }, async (request) => {
      const auth = await forChange(ctx, request);
      const { registrationId: id, code } = request.body as { registrationId: string; code: string };
      const pending = await ctx.store.findPending(id);
      if (!pending || pending.purpose !== 'register-key' || pending.channel !== kind || pending.personId !== auth.person.id || pending.sessionHash !== auth.session.tokenHash) {
        throw new ApiError(410, 'CODE_EXPIRED', 'This registration does not exist or has expired; start again');
      }
      const { totpStep } = await checkRegistrationCode(ctx, pending, code);
      const now = ctx.clock.now();
      const previousEmail = auth.person.email;
      if (kind === 'email') await ctx.store.setPersonEmail(auth.person.id, pending.payload.email as string);
      if (kind === 'sms') await ctx.store.setPersonPhone(auth.person.id, pending.payload.phone as string);
      await ctx.store.activateCodeKey({
        personId: auth.person.id,
        kind,
        totpSecret: kind === 'totp' ? (pending.payload.secret as string) : null,
        totpLastStep: totpStep,
        activatedAt: now,
      });
      const person = (await ctx.store.findPersonById(auth.person.id))!;
      await notifyKeyChange(ctx, person, CHANGE_ON[kind], previousEmail !== person.email ? previousEmail : null);
      return overview(ctx, person);
    });

    app.delete(`/api/keys/${kind}`, async (request) => {
      const auth = await forChange(ctx, request);
      if (!(await ctx.store.findCodeKey(auth.person.id, kind))) throw new ApiError(409, 'KEY_NOT_ACTIVE', 'This key is not active');
      await ctx.store.deleteCodeKey(auth.person.id, kind);
      await notifyKeyChange(ctx, auth.person, CHANGE_OFF[kind]);
      return overview(ctx, auth.person);
    });
  }
}
