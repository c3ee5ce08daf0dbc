/** The popup's and the options page's words: one file per language (nl, fr, de, en), English naming the keys. */
import { createTranslator, isTextKey, type Language, type TextParams, type Texts } from '../../../../shared/text/format.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

/** The surface's keys: those of the English table. */
export type PopupKey = keyof typeof en;

export const POPUP_TEXTS: Readonly<Record<Language, Texts<PopupKey>>> = { nl, fr, de, en };

export const popupText = createTranslator(POPUP_TEXTS);

/** A translator bound to one language, as the popup's components receive it. */
export type Translate = (key: PopupKey, params?: TextParams) => string;

export function translator(language: Language): Translate {
  return (key, params) => popupText(language, key, params);
}

export function hasPopupKey(key: string): key is PopupKey {
  return isTextKey(en, key);
}
