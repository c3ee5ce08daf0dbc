import { describe, expect, it } from 'vitest';
import { LANGUAGES, MESSAGES, pickLanguage, t } from './index.js';

describe('page texts', () => {
  it('has every text in every language, with the same placeholders', () => {
    const keys = Object.keys(MESSAGES.nl);
    for (const lang of LANGUAGES) {
      expect(Object.keys(MESSAGES[lang]).sort()).toEqual([...keys].sort());
      for (const key of keys) {
        const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        const k = key as keyof typeof MESSAGES.nl;
        expect(placeholders(MESSAGES[lang][k]), `${lang}.${key}`).toEqual(placeholders(MESSAGES.nl[k]));
        expect(MESSAGES[lang][k].length, `${lang}.${key}`).toBeGreaterThan(0);
      }
    }
  });

  it('picks the language from the query, the cookie, the browser, else Dutch', () => {
    expect(pickLanguage('fr', 'de', 'en')).toBe('fr');
    expect(pickLanguage(undefined, 'de', 'en')).toBe('de');
    expect(pickLanguage(undefined, undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLanguage('xx', undefined, 'es')).toBe('nl');
    expect(t('nl', 'chooseKey')).toBe('Kies uw digitale sleutel om aan te melden');
    expect(t('en', 'level', { level: 500 })).toBe('level 500');
  });
});
