/**
 * The local registration office (LRA, the municipality): staff create an
 * activation code for a person who showed an ID document; the person gets
 * the paper code and an e-mail with a link (valid 2 weeks), and at home
 * enters the code, chooses a key, sets username and password and confirms
 * the registration code.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseNationalNumber } from '../../shared/identifiers.js';
import type { BackendContext } from '../context.js';
import { ACTIVATION_LINK_TTL_MS, LOGIN_CODE_TTL_MS, REGISTRATION_CODE_TTL_MS } from '../context.js';
import { ApiError } from '../http/api-error.js';
import { requestCap } from '../http/rate-limits.js';
import { object, oneOf, optionalText, text } from '../http/schemas.js';
import { requireStaff } from '../http/staff.js';
import { currentSession, ensureSession } from '../http/sessions.js';
import { CODE_KEY_KINDS, type CodeKeyKind } from '../db/store.js';
import { codeHash, normalizePaperCode, paperCode, randomToken, tokenHash } from '../security/tokens.js';
import { constantTimeEqual } from '../security/otp.js';
import { hashPassword } from '../security/passwords.js';
import { isLanguage } from '../../shared/text/format.js';
import { pageText } from '../pages/texts/index.js';
import { languageOf, maskEmail, normalizeEmail, normalizePhone, notifyKeyChange, personJson } from '../people.js';
import { checkNewPassword, checkUsername, NEW_PASSWORD } from './keys.js';
import { checkRegistrationCode, startRegistration } from './registration.js';
import { wantsSessionToken } from './eid.js';

const MAX_ACTIVATION_ATTEMPTS = 5;
/** Time to finish the steps after entering the paper code. */
const ACTIVATION_SESSION_MS = 30 * 60_000;

const ACTIVATION_CODE_BODY = object(
  { nationalNumber: text(32), email: text(254), language: optionalText(2), givenNames: optionalText(200), surname: optionalText(200) },
  ['nationalNumber', 'email'],
);
const ACTIVATION_START_BODY = object({ token: text(100), activationCode: text(64) }, ['token', 'activationCode']);
const ACTIVATION_KEY_BODY = {
  ...object({ activationId: text(100), key: oneOf(CODE_KEY_KINDS), ...NEW_PASSWORD, phone: optionalText(32) }, ['activationId', 'key', 'username', 'password']),
  // The SMS key needs the mobile number.
  if: { properties: { key: { const: 'sms' } } },
  then: { required: ['phone'], properties: { phone: text(32) } },
};
const ACTIVATION_CONFIRM_BODY = object({ activationId: text(100), code: text(32) }, ['activationId', 'code']);

function invalidActivation(extra: Record<string, unknown> = {}): ApiError {
  return new ApiError(400, 'ACTIVATION_INVALID', 'This activation link or code is not valid (any more)', extra);
}

export function registerLraRoutes(app: FastifyInstance, ctx: BackendContext): void {
  app.post('/api/lra/activation-codes', { schema: { body: ACTIVATION_CODE_BODY }, config: { rateLimit: requestCap(ctx, 'staff') } }, async (request, reply) => {
    const staff = requireStaff(ctx, request, 'lra');
    const body = request.body as { nationalNumber: string; email: string; language?: string | null; givenNames?: string | null; surname?: string | null };
    const nn = parseNationalNumber(body.nationalNumber);
    if (!nn) throw new ApiError(400, 'NATIONAL_NUMBER_INVALID', 'This is not a valid national or BIS number');
    const email = normalizeEmail(body.email);
    if (!email) throw new ApiError(400, 'EMAIL_INVALID', 'A personal e-mail address is required');
    const language = body.language || 'nl';
    const existingOwner = await ctx.store.findPersonByEmail(email);
    if (existingOwner && existingOwner.nationalNumber !== nn.nationalNumber) {
      throw new ApiError(409, 'EMAIL_IN_USE', 'This e-mail address already belongs to another key set');
    }
    const now = ctx.clock.now();
    const person = await ctx.store.upsertPerson(
      {
        nationalNumber: nn.nationalNumber,
        givenNames: body.givenNames ?? '',
        surname: body.surname ?? '',
        language: isLanguage(language) ? language : 'nl',
      },
      now,
    );
    const id = randomToken(16);
    const code = paperCode();
    const link = randomToken();
    const expiresAt = now + ACTIVATION_LINK_TTL_MS;
    await ctx.store.createActivationCode({
      id,
      personId: person.id,
      linkTokenHash: tokenHash(link),
      codeHash: codeHash(id, normalizePaperCode(code)),
      email,
      createdBy: staff,
      attempts: 0,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    const lang = isLanguage(language) ? language : languageOf(person);
    const url = `${ctx.publicUrl}/activate?token=${encodeURIComponent(link)}&lang=${lang}`;
    try {
      await ctx.delivery.sendEmail({
        to: email,
        subject: pageText(lang, 'mailActivationSubject'),
        text: pageText(lang, 'mailActivationBody', { name: `${person.givenNames} ${person.surname}`.trim(), link: url, date: new Date(expiresAt).toISOString().slice(0, 10) }),
      });
    } catch (e) {
      request.log.error({ err: e }, 'sending the activation e-mail failed');
      throw new ApiError(502, 'DELIVERY_FAILED', 'The activation e-mail could not be sent');
    }
    reply.code(201);
    return { activationCode: code, expiresAt: new Date(expiresAt).toISOString(), person: personJson(person), emailSentTo: email };
  });

  app.post('/api/activation/start', { schema: { body: ACTIVATION_START_BODY }, config: { rateLimit: requestCap(ctx, 'activation') } }, async (request, reply) => {
    const { token: link, activationCode: code } = request.body as { token: string; activationCode: string };
    return ctx.throttle.attempt(request.ip, async (attempt) => {
      const activation = await ctx.store.findActivationByLink(tokenHash(link));
      const now = ctx.clock.now();
      if (!activation || activation.usedAt !== null || now >= activation.expiresAt || activation.attempts >= MAX_ACTIVATION_ATTEMPTS) {
        throw invalidActivation();
      }
      if (!constantTimeEqual(codeHash(activation.id, normalizePaperCode(code)), activation.codeHash)) {
        const attempts = await ctx.store.countActivationAttempt(activation.id);
        await attempt.fail();
        throw invalidActivation({ attemptsLeft: Math.max(0, MAX_ACTIVATION_ATTEMPTS - attempts) });
      }
      const current = await ensureSession(ctx, request, reply);
      const person = await ctx.store.findPersonById(activation.personId);
      if (!person) throw invalidActivation();
      const id = randomToken();
      await ctx.store.createPending({
        id,
        sessionHash: current.session.tokenHash,
        personId: person.id,
        purpose: 'activation',
        channel: 'none',
        codeHash: null,
        payload: { activationId: activation.id },
        attempts: 0,
        createdAt: now,
        expiresAt: now + ACTIVATION_SESSION_MS,
        usedAt: null,
      });
      reply.header('Cache-Control', 'no-store');
      return {
        activationId: id,
        person: personJson(person),
        email: maskEmail(activation.email),
        // The popup carries the activation in its bearer token: the steps that follow are bound to this session.
        ...(wantsSessionToken(ctx, request, current.viaBearer) ? { sessionToken: current.token } : {}),
      };
    });
  });

  async function pendingActivation(request: FastifyRequest, id: string) {
    const current = await currentSession(ctx, request);
    const pending = await ctx.store.findPending(id);
    if (!pending || pending.purpose !== 'activation' || !current || pending.sessionHash !== current.session.tokenHash || pending.usedAt !== null) {
      throw invalidActivation();
    }
    const activation = await ctx.store.findActivation(pending.payload.activationId as string);
    if (!activation || activation.usedAt !== null || ctx.clock.now() >= activation.expiresAt) throw invalidActivation();
    return { pending, activation };
  }

  app.post('/api/activation/key', { schema: { body: ACTIVATION_KEY_BODY }, config: { rateLimit: requestCap(ctx, 'activation') } }, async (request, reply) => {
    const body = request.body as { activationId: string; key: CodeKeyKind; username: string; password: string; phone?: string | null };
    const id = body.activationId;
    const { pending, activation } = await pendingActivation(request, id);
    const kind = body.key;
    const username = checkUsername(body.username);
    const password = body.password;
    checkNewPassword(password, username);
    const owner = await ctx.store.findPasswordByUsername(username);
    if (owner && owner.personId !== activation.personId) throw new ApiError(409, 'USERNAME_TAKEN', 'This username is taken');
    let phone: string | undefined;
    if (kind === 'sms') {
      phone = normalizePhone(body.phone!);
      if (!phone) throw new ApiError(400, 'PHONE_INVALID', 'Give a mobile number with country code, e.g. +32470123456');
    }
    const person = (await ctx.store.findPersonById(activation.personId))!;
    const started = await startRegistration(ctx, id, kind, { email: activation.email, ...(phone ? { phone } : {}), account: username, language: languageOf(person) });
    const now = ctx.clock.now();
    const ttl = kind === 'totp' ? LOGIN_CODE_TTL_MS : REGISTRATION_CODE_TTL_MS;
    await ctx.store.updatePending(pending.id, {
      channel: kind,
      codeHash: started.codeHash,
      payload: { activationId: activation.id, username, passwordHash: await hashPassword(password), ...started.payload, ...(phone ? { phone } : {}) },
      expiresAt: now + ttl,
      attempts: 0,
    });
    reply.header('Cache-Control', 'no-store');
    return { activationId: id, key: kind, expiresAt: new Date(now + ttl).toISOString(), ...started.answer };
  });

  app.post('/api/activation/confirm', { schema: { body: ACTIVATION_CONFIRM_BODY }, config: { rateLimit: requestCap(ctx, 'activation') } }, async (request) => {
    const { activationId: id, code } = request.body as { activationId: string; code: string };
    const { pending, activation } = await pendingActivation(request, id);
    if (pending.channel === 'none') throw new ApiError(400, 'BAD_REQUEST', 'Choose a key first');
    const { totpStep } = await checkRegistrationCode(ctx, pending, code);
    const kind = pending.channel as CodeKeyKind;
    const now = ctx.clock.now();
    const result = await ctx.store.completeActivation({
      activationId: activation.id,
      personId: activation.personId,
      username: pending.payload.username as string,
      passwordHash: pending.payload.passwordHash as string,
      key: { personId: activation.personId, kind, totpSecret: kind === 'totp' ? (pending.payload.secret as string) : null, totpLastStep: totpStep, activatedAt: now },
      email: activation.email,
      phone: (pending.payload.phone as string | undefined) ?? null,
      now,
    });
    if (result === 'used') throw invalidActivation();
    if (result === 'username-taken') throw new ApiError(409, 'USERNAME_TAKEN', 'This username is taken');
    const person = (await ctx.store.findPersonById(activation.personId))!;
    await notifyKeyChange(ctx, person, kind === 'email' ? 'changeEmailOn' : kind === 'sms' ? 'changeSmsOn' : 'changeTotpOn');
    return { status: 'activated', key: kind, person: personJson(person) };
  });
}
