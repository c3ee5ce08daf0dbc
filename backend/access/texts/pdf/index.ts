/** The labels of the exception-procedure form (PDF): one file per language (nl, fr, de, en), English naming the keys. */
import { createTranslator, type Language, type Texts } from '../../../../shared/text/format.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

/** The keys of this surface: English names them, every language has each. */
export type RequestFormKey = keyof typeof en;

export const REQUEST_FORM_TEXTS: Readonly<Record<Language, Texts<RequestFormKey>>> = { nl, fr, de, en };

export const requestFormText = createTranslator(REQUEST_FORM_TEXTS);
