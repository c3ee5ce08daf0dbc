/**
 * Common passwords, refused as new passwords (NIST SP 800-63B: check against a list of
 * commonly used values). Compared in lower case, after trimming; the check also
 * refuses one character repeated and plain digit or keyboard sequences.
 */
import commonPasswords from './common-passwords.json' with { type: 'json' };

// The list is data, kept apart from the code: one JSON array of lower-case passwords.
const COMMON_PASSWORDS = new Set<string>(commonPasswords);

const SEQUENCES = ['0123456789', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'azertyuiop', 'asdfghjkl', 'zxcvbnm'];

export function isCommonPassword(password: string): boolean {
  const p = password.trim().toLowerCase();
  if (COMMON_PASSWORDS.has(p)) return true;
  if (/^(.)\1*$/.test(p)) return true;
  // Digits or letters taken straight from a keyboard row or the alphabet, e.g. "23456789".
  if (SEQUENCES.some((s) => s.includes(p))) return true;
  return false;
}
