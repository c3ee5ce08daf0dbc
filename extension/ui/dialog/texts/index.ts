/**
 * The card dialog's words: one file per language (nl, fr, de, en), English
 * naming the keys. The options page and the popup also show these texts for
 * the errors the host and the background report.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
import { createTranslator, isTextKey, type Language, type Texts } from '../../../../shared/text/format.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

/** The surface's keys: those of the English table. */
export type DialogTextKey = keyof typeof en;

export const DIALOG_TEXTS: Readonly<Record<Language, Texts<DialogTextKey>>> = { nl, fr, de, en };

export const dialogText = createTranslator(DIALOG_TEXTS);

function hasDialogKey(key: string): key is DialogTextKey {
  return isTextKey(en, key);
}

/** What went wrong and what to do next; the generic text for a code only a broken caller causes. */
export function errorText(language: Language, code: ErrorCode): string {
  const key = `error.${code}`;
  return dialogText(language, hasDialogKey(key) ? key : 'error.default');
}

/** After a wrong PIN: the tries left, with a warning before the last one. */
export function pinIncorrectText(language: Language, triesLeft: number | undefined): string {
  if (triesLeft === undefined) return dialogText(language, 'pin.incorrectUnknown');
  if (triesLeft === 1) return dialogText(language, 'pin.incorrectLast');
  return dialogText(language, 'pin.incorrect', { n: triesLeft });
}
