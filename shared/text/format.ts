/**
 * The one text formatter of eID Bridge, used by every surface (the card
 * dialog, the popup, the backend's pages, mails and PDF forms). It runs in any
 * JavaScript runtime.
 *
 * A message is either a plain template with `{name}` placeholders, or a set
 * of plural forms chosen with `Intl.PluralRules` by the number in one
 * parameter, so no text has to fake a plural ("poging(en)", "1 tries").
 */

export const LANGUAGES = ['nl', 'fr', 'de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language named in itself, for language pickers. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { nl: 'Nederlands', fr: 'Français', de: 'Deutsch', en: 'English' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The first supported language among BCP 47 tags such as "fr-BE" or "en". */
export function languageOfTag(tag: unknown): Language | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag.trim().slice(0, 2).toLowerCase();
  return isLanguage(primary) ? primary : undefined;
}

/**
 * Plural forms of one message. `count` names the parameter that selects the
 * form; `other` is required (every language has it), the rest as the
 * language's plural rules need (Dutch, French, German and English use `one`).
 */
export interface PluralMessage {
  readonly count: string;
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

export type Message = string | PluralMessage;
export type TextParams = Readonly<Record<string, string | number>>;

/** One language's texts of one surface: every key of the surface's English table. */
export type Texts<K extends string> = Readonly<Record<K, Message>>;

const pluralRules = new Map<Language, Intl.PluralRules>();

function pluralCategory(language: Language, n: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(language);
  if (!rules) {
    rules = new Intl.PluralRules(language);
    pluralRules.set(language, rules);
  }
  return rules.select(n);
}

/** Replaces `{name}` with the parameter's value; an unknown name stays visible, so a missing value is seen, not hidden. */
export function fillPlaceholders(template: string, params: TextParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
}

export function formatMessage(language: Language, message: Message, params: TextParams = {}): string {
  if (typeof message === 'string') return fillPlaceholders(message, params);
  const n = Number(params[message.count]);
  const form = Number.isFinite(n) ? (message[pluralCategory(language, n)] ?? message.other) : message.other;
  return fillPlaceholders(form, params);
}

/** Whether a key (built at run time, e.g. "err." + a code) names a text of a surface whose English table is `english`. */
export function isTextKey<K extends string>(english: Texts<K>, key: string): key is K {
  return Object.prototype.hasOwnProperty.call(english, key);
}

/** A translator for one surface: `text(language, key, params)`, falling back to English for a key a language lacks. */
export type Translator<K extends string> = (language: Language, key: K, params?: TextParams) => string;

export function createTranslator<K extends string>(tables: Readonly<Record<Language, Texts<K>>>): Translator<K> {
  return (language, key, params) => formatMessage(language, tables[language][key] ?? tables.en[key], params);
}
