/** The page, e-mail and SMS texts in the four languages the service speaks. */
import { nl, type Messages } from './nl.js';
import { fr } from './fr.js';
import { de } from './de.js';
import { en } from './en.js';

export type { Messages };
export type Language = 'nl' | 'fr' | 'de' | 'en';
export const LANGUAGES: Language[] = ['nl', 'fr', 'de', 'en'];
export const MESSAGES: Record<Language, Messages> = { nl, fr, de, en };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as string[]).includes(value);
}

/** ?lang= wins, then the language cookie, then Accept-Language, then Dutch. */
export function pickLanguage(query: unknown, cookie: unknown, acceptLanguage: string | undefined): Language {
  if (isLanguage(query)) return query;
  if (isLanguage(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (isLanguage(tag)) return tag;
  }
  return 'nl';
}

export function t(language: Language, key: keyof Messages, values: Record<string, string | number> = {}): string {
  return MESSAGES[language][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}
