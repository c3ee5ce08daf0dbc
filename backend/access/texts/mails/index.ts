/** The access-management e-mails and change-log lines: one file per language (nl, fr, de, en), English naming the keys. */
import { createTranslator, isTextKey, type Language, type Texts } from '../../../../shared/text/format.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

/** The keys of this surface: English names them, every language has each. */
export type AccessMailKey = keyof typeof en;

export const ACCESS_MAIL_TEXTS: Readonly<Record<Language, Texts<AccessMailKey>>> = { nl, fr, de, en };

export const accessMailText = createTranslator(ACCESS_MAIL_TEXTS);

export function hasAccessMailKey(key: string): key is AccessMailKey {
  return isTextKey(en, key);
}
