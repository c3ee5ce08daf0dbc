/** The texts of the backend's own pages, e-mails and SMS: one file per language (nl, fr, de, en), English naming the keys. */
import { createTranslator, isLanguage, isTextKey, type Language, languageOfTag, type Texts } from '../../../shared/text/format.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

/** The keys of this surface: English names them, every language has each. */
export type PageTextKey = keyof typeof en;

export const PAGE_TEXTS: Readonly<Record<Language, Texts<PageTextKey>>> = { nl, fr, de, en };

export const pageText = createTranslator(PAGE_TEXTS);

export function hasPageTextKey(key: string): key is PageTextKey {
  return isTextKey(en, key);
}

/** ?lang= wins, then the language cookie, then Accept-Language, then Dutch. */
export function pickLanguage(query: unknown, cookie: unknown, acceptLanguage: string | undefined): Language {
  if (isLanguage(query)) return query;
  if (isLanguage(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const language = languageOfTag(part);
    if (language) return language;
  }
  return 'nl';
}
