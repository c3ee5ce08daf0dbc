/**
 * The shared part of activating a code key, whether from a logged-in
 * session (digital keys) or from an LRA activation code: send a registration
 * code (or show a TOTP secret), then check what the person types, once.
 */
import QRCode from 'qrcode';
import { randomBytes } from 'node:crypto';
import type { BackendContext } from '../context.js';
import { MAX_CODE_ATTEMPTS } from '../context.js';
import { ApiError } from '../http/api-error.js';
import type { CodeKeyKind, PendingRequest } from '../db/store.js';
import { codeHash, numericCode } from '../security/tokens.js';
import { base32Decode, base32Encode, constantTimeEqual, matchTotp, otpauthUri } from '../security/otp.js';
import { type Language } from '../../shared/text/format.js';
import { pageText } from '../pages/texts/index.js';
import { maskEmail, maskPhone } from '../people.js';

export const TOTP_ISSUER = 'eID Bridge';

export interface RegistrationStart {
  codeHash: string | null;
  payload: Record<string, unknown>;
  answer: Record<string, unknown>;
}

/** Sends the registration code (e-mail, SMS) or makes the TOTP secret and its QR code. */
export async function startRegistration(
  ctx: BackendContext,
  requestId: string,
  kind: CodeKeyKind,
  target: { email?: string; phone?: string; account: string; language: Language },
): Promise<RegistrationStart> {
  if (kind === 'totp') {
    const secret = base32Encode(randomBytes(20));
    const uri = otpauthUri(TOTP_ISSUER, target.account, base32Decode(secret));
    const qrCode = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
    return { codeHash: null, payload: { secret }, answer: { secret, otpauthUri: uri, qrCode } };
  }
  const code = numericCode();
  try {
    if (kind === 'email') {
      await ctx.delivery.sendEmail({ to: target.email!, subject: pageText(target.language, 'mailRegistrationSubject'), text: pageText(target.language, 'mailRegistrationBody', { code }) });
      return { codeHash: codeHash(requestId, code), payload: { email: target.email }, answer: { sentTo: maskEmail(target.email!) } };
    }
    await ctx.delivery.sendSms({ to: target.phone!, text: pageText(target.language, 'smsRegistrationCode', { code }) });
    return { codeHash: codeHash(requestId, code), payload: { phone: target.phone }, answer: { sentTo: maskPhone(target.phone!) } };
  } catch (e) {
    console.error(`eid-bridge backend: sending a registration code failed: ${e instanceof Error ? e.message : String(e)}`);
    throw new ApiError(502, 'DELIVERY_FAILED', 'The registration code could not be sent; try again later');
  }
}

/**
 * Checks a registration code for a pending request: unknown, used or expired
 * requests and too many wrong codes end it. Returns the TOTP step for app keys.
 */
export async function checkRegistrationCode(ctx: BackendContext, pending: PendingRequest, code: string): Promise<{ totpStep: number | null }> {
  const now = ctx.clock.now();
  if (pending.usedAt !== null || now >= pending.expiresAt || pending.attempts >= MAX_CODE_ATTEMPTS) {
    throw new ApiError(410, 'CODE_EXPIRED', 'This registration has expired or was used; start again for a new code');
  }
  const clean = code.replace(/\s/g, '');
  let ok = false;
  let totpStep: number | null = null;
  if (pending.channel === 'totp') {
    const secret = pending.payload.secret;
    const step = typeof secret === 'string' ? matchTotp(base32Decode(secret), clean, now) : undefined;
    ok = step !== undefined;
    totpStep = step ?? null;
  } else {
    ok = pending.codeHash !== null && constantTimeEqual(codeHash(pending.id, clean), pending.codeHash);
  }
  if (!ok) {
    const attempts = await ctx.store.countAttempt(pending.id);
    throw new ApiError(401, 'CODE_INCORRECT', 'The code is not correct', { attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - attempts) });
  }
  if (!(await ctx.store.usePending(pending.id, now))) throw new ApiError(410, 'CODE_EXPIRED', 'This registration was used already');
  return { totpStep };
}
