/**
 * HOTP (RFC 4226) and TOTP (RFC 6238), and the base32 that authenticator
 * apps exchange secrets in. TOTP as every app supports it: SHA-1, 6 digits,
 * 30-second steps.
 */
import { createHmac } from 'node:crypto';

export type OtpHash = 'sha1' | 'sha256' | 'sha512';

export function hotp(secret: Uint8Array, counter: number | bigint, digits = 6, hash: OtpHash = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hash, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
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

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as otpauth URIs carry it. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32_ALPHABET.indexOf(ch);
    if (index < 0) throw new Error('Not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…; the defaults (SHA1, 6, 30) are left out because many apps ignore them. */
export function otpauthUri(issuer: string, account: string, secret: Uint8Array): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32Encode(secret)}&issuer=${encodeURIComponent(issuer)}`;
}
