/** The texts of the access-management, exception and mandate pages: one file per language (nl, fr, de, en), English naming the keys. */
import { createTranslator, isTextKey, type Language, type Texts } from '../../../../shared/text/format.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

/** The keys of this surface: English names them, every language has each. */
export type AccessPageKey = keyof typeof en;

export const ACCESS_PAGE_TEXTS: Readonly<Record<Language, Texts<AccessPageKey>>> = { nl, fr, de, en };

export const accessPageText = createTranslator(ACCESS_PAGE_TEXTS);

export function hasAccessPageKey(key: string): key is AccessPageKey {
  return isTextKey(en, key);
}
