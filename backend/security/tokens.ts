/** Random secrets and their stored form. */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

/** 256-bit random token, base64url: session tokens, link tokens, request ids. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Sessions and links are stored by hash only, so a leaked database holds no usable token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A numeric code from the CSPRNG: 6 digits (≈ 20 bits) as NIST asks of out-of-band codes. */
export function numericCode(digits = 6): string {
  let code = '';
  for (let i = 0; i < digits; i++) code += String(randomInt(10));
  return code;
}

/** The LRA's paper activation code: 4 groups of 4 from an alphabet without look-alikes (0/O, 1/I/L). */
const PAPER_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function paperCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += PAPER_ALPHABET[randomInt(PAPER_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

export function normalizePaperCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * A code is stored as an HMAC keyed by the request it belongs to, so the same
 * code for another request never matches: codes are bound to their request.
 */
export function codeHash(requestId: string, code: string): string {
  return createHmac('sha256', requestId).update(code).digest('base64url');
}
