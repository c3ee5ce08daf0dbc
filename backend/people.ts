/** How a person and their contact data appear in answers and messages. */
import { formatNationalNumber } from '../shared/identifiers.js';
import type { Person } from './db/store.js';
import type { BackendContext } from './context.js';
import { isLanguage, type Language } from '../shared/text/format.js';
import { pageText, type PageTextKey } from './pages/texts/index.js';
import { field } from './http/schemas.js';

export function personJson(person: Person) {
  return {
    name: `${person.givenNames} ${person.surname}`.trim(),
    givenNames: person.givenNames,
    surname: person.surname,
    nationalNumber: person.nationalNumber,
    nationalNumberFormatted: formatNationalNumber(person.nationalNumber),
  };
}

/** Remembers the page language the person logs in with, so messages come in that language. */
export async function rememberLanguage(ctx: BackendContext, person: Person, body: unknown): Promise<Person> {
  const language = field(body, 'language');
  if (!isLanguage(language) || language === person.language) return person;
  await ctx.store.setPersonLanguage(person.id, language);
  return { ...person, language };
}

export function languageOf(person: Person): Language {
  return isLanguage(person.language) ? person.language : 'nl';
}

/** a***@example.be: enough for the person to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** +32 4** ** ** 56 */
export function maskPhone(phone: string): string {
  return phone.length <= 5 ? '***' : `${phone.slice(0, 4)}${'*'.repeat(phone.length - 6)}${phone.slice(-2)}`;
}

export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export function normalizeEmail(email: string): string | undefined {
  const e = email.trim().toLowerCase();
  return e.length <= 254 && EMAIL_PATTERN.test(e) ? e : undefined;
}

/** International format, digits only after the +: +32470123456. A leading 0 is taken as Belgian. */
export function normalizePhone(phone: string): string | undefined {
  let p = phone.replace(/[\s().\-/]/g, '');
  if (p.startsWith('00')) p = `+${p.slice(2)}`;
  else if (/^0\d{8,9}$/.test(p)) p = `+32${p.slice(1)}`;
  return /^\+[1-9]\d{7,14}$/.test(p) ? p : undefined;
}

export const USERNAME_PATTERN = /^[\p{L}\p{N}._@-]{3,64}$/u;

/**
 * Tells the person by e-mail that their keys changed (every change, as the
 * real service does). A failed notice is logged, not fatal: the change is done.
 */
export async function notifyKeyChange(ctx: BackendContext, person: Person, change: PageTextKey, alsoTo?: string | null): Promise<void> {
  const language = languageOf(person);
  const recipients = new Set([person.email, alsoTo].filter((e): e is string => !!e));
  for (const to of recipients) {
    try {
      await ctx.delivery.sendEmail({
        to,
        subject: pageText(language, 'mailKeysChangedSubject'),
        text: pageText(language, 'mailKeysChangedBody', { name: `${person.givenNames} ${person.surname}`.trim(), change: pageText(language, change) }),
      });
    } catch (e) {
      console.error(`eid-bridge backend: could not send the key-change notice: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
