/** Which language the extension speaks to the person. */
import { isLanguage, languageOfTag, type Language } from '../../shared/text/format.js';

/**
 * The language to use: the person's setting, else the page's request (Web eID
 * `options.lang`), else the browser's language, else English.
 */
export function resolveLanguage(setting: string, pageLanguage: unknown, uiLanguage: string): Language {
  if (isLanguage(setting)) return setting;
  return languageOfTag(pageLanguage) ?? languageOfTag(uiLanguage) ?? 'en';
}
