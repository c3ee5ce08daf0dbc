import { describe, expect, it } from 'vitest';
import { createTranslator, fillPlaceholders, formatMessage, isLanguage, languageOfTag, type Texts } from './format.js';

describe('text formatter', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fillPlaceholders('Geldig van {from} tot {to}', { from: '1 mei', to: '2 juni' })).toBe('Geldig van 1 mei tot 2 juni');
    expect(fillPlaceholders('Hallo {name}', {})).toBe('Hallo {name}');
  });

  it('chooses the plural form by the language rules', () => {
    const tries = { count: 'n', one: 'nog {n} poging', other: 'nog {n} pogingen' };
    expect(formatMessage('nl', tries, { n: 1 })).toBe('nog 1 poging');
    expect(formatMessage('nl', tries, { n: 2 })).toBe('nog 2 pogingen');
    expect(formatMessage('nl', tries, { n: 0 })).toBe('nog 0 pogingen');
    // French: 0 and 1 both take the singular.
    const essais = { count: 'n', one: '{n} essai', other: '{n} essais' };
    expect(formatMessage('fr', essais, { n: 0 })).toBe('0 essai');
    expect(formatMessage('fr', essais, { n: 2 })).toBe('2 essais');
  });

  it('uses the other form when the count is missing or not a number', () => {
    expect(formatMessage('en', { count: 'n', one: 'one try', other: 'some tries' }, {})).toBe('some tries');
  });

  it('falls back to English for a key a language lacks', () => {
    type K = 'a' | 'b';
    const en: Texts<K> = { a: 'A', b: 'B {x}' };
    const text = createTranslator<K>({ en, nl: { a: 'nl-A' } as Texts<K>, fr: en, de: en });
    expect(text('nl', 'a')).toBe('nl-A');
    expect(text('nl', 'b', { x: 1 })).toBe('B 1');
  });

  it('recognises the four languages and their regional tags', () => {
    expect(isLanguage('de')).toBe(true);
    expect(isLanguage('es')).toBe(false);
    expect(languageOfTag('fr-BE')).toBe('fr');
    expect(languageOfTag('es-ES')).toBeUndefined();
  });
});
