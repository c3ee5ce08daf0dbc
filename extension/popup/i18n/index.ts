/** The popup's words in nl, fr, de and en, with {name} placeholders. */
import type { Language } from '../../lib/i18n.js';
import { de } from './de.js';
import { en, type PopupKey } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

export type { PopupKey };

const TABLES: Record<Language, Record<PopupKey, string>> = { nl, fr, de, en };

export function pt(language: Language, key: PopupKey, params: Record<string, string | number> = {}): string {
  const template = TABLES[language][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A translator bound to one language. */
export type Translate = (key: PopupKey, params?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  return (key, params) => pt(language, key, params);
}

export function hasPopupKey(key: string): key is PopupKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
