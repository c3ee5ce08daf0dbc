/**
 * One-time codes of the authenticator-app key: TOTP (RFC 6238) on HOTP
 * (RFC 4226), computed by the `otpauth` library, and the base32 that apps
 * exchange secrets in. TOTP as every app supports it: SHA-1, 6 digits,
 * 30-second steps. Every comparison of a secret value goes through
 * `crypto.timingSafeEqual`.
 */
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

export type OtpHash = 'sha1' | 'sha256' | 'sha512';

const ALGORITHM: Record<OtpHash, string> = { sha1: 'SHA1', sha256: 'SHA256', sha512: 'SHA512' };

function secretOf(bytes: Uint8Array): Secret {
  return new Secret({ buffer: Uint8Array.from(bytes).buffer });
}

export function hotp(secret: Uint8Array, counter: number, digits = 6, hash: OtpHash = 'sha1'): string {
  return HOTP.generate({ secret: secretOf(secret), counter, digits, algorithm: ALGORITHM[hash] });
}

export const TOTP_STEP_SECONDS = 30;

export function totpStep(timeMs: number, stepSeconds = TOTP_STEP_SECONDS): number {
  return Math.floor(timeMs / 1000 / stepSeconds);
}

export function totp(secret: Uint8Array, timeMs: number, options: { digits?: number; hash?: OtpHash; stepSeconds?: number } = {}): string {
  return hotp(secret, totpStep(timeMs, options.stepSeconds), options.digits ?? 6, options.hash ?? 'sha1');
}

/**
 * Finds the time step a code belongs to, allowing one step of drift each way.
 * Returns the step (the caller rejects steps not newer than the last accepted one), or undefined.
 */
export function matchTotp(secret: Uint8Array, code: string, timeMs: number, window = 1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const now = totpStep(timeMs);
  let found: number | undefined;
  // Check every candidate step so the time spent does not tell which one matched.
  for (let step = now - window; step <= now + window; step++) {
    if (constantTimeEqual(hotp(secret, step), code) && found === undefined) found = step;
  }
  return found;
}

/** Equal strings, compared in time that does not depend on where they differ (only on their length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** RFC 4648 base32 without padding, as otpauth URIs carry it. */
export function base32Encode(bytes: Uint8Array): string {
  return secretOf(bytes).base32;
}

export function base32Decode(text: string): Uint8Array {
  return Secret.fromBase32(text.toUpperCase().replace(/[\s=-]/g, '')).bytes;
}

/** otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…; the defaults (SHA1, 6, 30) are left out because many apps ignore them. */
export function otpauthUri(issuer: string, account: string, secret: Uint8Array): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32Encode(secret)}&issuer=${encodeURIComponent(issuer)}`;
}
