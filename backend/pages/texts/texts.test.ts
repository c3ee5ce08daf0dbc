import { describe, expect, it } from 'vitest';
import { expectSameKeysAndPlaceholders } from '../../../shared/text/text-tables.test-helper.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';
import { pageText, pickLanguage } from './index.js';

describe('page texts', () => {
  it('has every text in every language, non-empty, with the same placeholders as English', () => {
    expectSameKeysAndPlaceholders(en, [nl, fr, de]);
  });

  it('picks the language from the query, the cookie, the browser, else Dutch', () => {
    expect(pickLanguage('fr', 'de', 'en')).toBe('fr');
    expect(pickLanguage(undefined, 'de', 'en')).toBe('de');
    expect(pickLanguage(undefined, undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLanguage('xx', undefined, 'es')).toBe('nl');
    expect(pageText('nl', 'chooseKey')).toBe('Kies uw digitale sleutel om aan te melden');
    expect(pageText('en', 'level', { level: 500 })).toBe('level 500');
  });
});
