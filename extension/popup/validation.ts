/**
 * Checks the popup makes before it sends a form, with the same rules as the
 * backend (so the person hears of a mistake at once, in their language);
 * the backend still checks everything again.
 */
import type { PopupKey } from '../ui/popup/texts/index.js';

export const USERNAME_PATTERN = /^[\p{L}\p{N}._@-]{3,64}$/u;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type FieldErrors<F extends string> = Partial<Record<F, PopupKey>>;

/** The mobile number as the seed guide asks for it: "zonder spaties", international (+32…). */
export function phoneProblem(phone: string): PopupKey | undefined {
  if (!phone.trim()) return 'v.required';
  return /^\+[1-9]\d{7,14}$/.test(phone.trim()) ? undefined : 'v.phone';
}

export function emailProblem(email: string): PopupKey | undefined {
  if (!email.trim()) return 'v.required';
  return email.trim().length <= 254 && EMAIL_PATTERN.test(email.trim()) ? undefined : 'v.email';
}

/** Registration and login codes: 6 digits (spaces the person types are ignored). */
export function codeProblem(code: string): PopupKey | undefined {
  const clean = code.replace(/\s/g, '');
  if (!clean) return 'v.required';
  return /^\d{6}$/.test(clean) ? undefined : 'v.code';
}

export function credentialsProblems(input: { username: string; password: string; confirm?: string }): FieldErrors<'username' | 'password' | 'confirm'> {
  const errors: FieldErrors<'username' | 'password' | 'confirm'> = {};
  if (!input.username.trim()) errors.username = 'v.required';
  else if (!USERNAME_PATTERN.test(input.username.trim())) errors.username = 'v.username';
  if (!input.password) errors.password = 'v.required';
  else if (input.confirm !== undefined && [...input.password].length < 8) errors.password = 'v.passwordShort';
  if (input.confirm !== undefined && input.password && input.confirm !== input.password) errors.confirm = 'v.passwordMismatch';
  return errors;
}

export function hasErrors(errors: Record<string, unknown>): boolean {
  return Object.values(errors).some((v) => v !== undefined);
}
