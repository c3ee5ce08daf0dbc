import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, type ErrorCode } from '../../../../shared/errors.js';
import { LANGUAGES } from '../../../../shared/text/format.js';
import { expectSameKeysAndPlaceholders } from '../../../../shared/text/text-tables.test-helper.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { dialogText, errorText, pinIncorrectText } from './index.js';
import { nl } from './nl.js';

/** Codes that only a broken caller causes; the generic text is right for them. */
const PROGRAMMING_ERRORS: ErrorCode[] = ['INVALID_MESSAGE', 'MESSAGE_TOO_LARGE', 'UNKNOWN_COMMAND', 'INVALID_ARGUMENT', 'MISSING_PARAMETER', 'CERTIFICATE_CHOICE_REQUIRED', 'PIN_REQUIRED', 'ACTION_PENDING', 'BUSY', 'INTERNAL_ERROR', 'PIN_INCORRECT'];

describe('texts shown to people', () => {
  it('have every key in nl, fr and de, non-empty, with the same placeholders as English', () => {
    expectSameKeysAndPlaceholders(en, [nl, fr, de]);
  });

  it('tell what to do next for every error a person can meet, in every language', () => {
    for (const language of LANGUAGES) {
      for (const code of ALL_ERROR_CODES) {
        if (PROGRAMMING_ERRORS.includes(code)) continue;
        expect(errorText(language, code), `${language} ${code}`).not.toBe(errorText(language, 'INTERNAL_ERROR'));
      }
    }
    expect(errorText('nl', 'NO_CARD')).toBe('Steek uw identiteitskaart in de kaartlezer.');
    expect(errorText('fr', 'NATIVE_UNAVAILABLE')).toMatch(/Installez eID Bridge/);
  });

  it('use the Dutch wording of the government guides', () => {
    expect(dialogText('nl', 'title.authenticate')).toBe('Aanmelden met eID');
    expect(dialogText('nl', 'pin.label')).toBe('Geef uw pincode in');
  });

  it('count the PIN tries left', () => {
    expect(pinIncorrectText('en', 2)).toBe('Wrong PIN. You have 2 tries left.');
    expect(pinIncorrectText('de', 1)).toMatch(/nur noch einen Versuch/);
    expect(pinIncorrectText('fr', undefined)).toBe('Code PIN incorrect. Veuillez réessayer.');
  });

  it('say "1 try" and "2 tries" in the words of each language', () => {
    const expected = {
      nl: ['Nog 1 poging voor uw pincode geblokkeerd wordt.', 'Nog 2 pogingen voor uw pincode geblokkeerd wordt.', 'Verkeerde pincode. U hebt nog 2 pogingen.'],
      fr: ['Encore 1 essai avant le blocage de votre code PIN.', 'Encore 2 essais avant le blocage de votre code PIN.', 'Code PIN incorrect. Il vous reste 2 essais.'],
      de: ['Noch 1 Versuch, bevor Ihre PIN gesperrt wird.', 'Noch 2 Versuche, bevor Ihre PIN gesperrt wird.', 'Falsche PIN. Sie haben noch 2 Versuche.'],
      en: ['1 try left before your PIN is blocked.', '2 tries left before your PIN is blocked.', 'Wrong PIN. You have 2 tries left.'],
    } as const;
    for (const language of LANGUAGES) {
      const [one, two, wrongTwo] = expected[language];
      expect(dialogText(language, 'pin.triesLeft', { n: 1 })).toBe(one);
      expect(dialogText(language, 'pin.triesLeft', { n: 2 })).toBe(two);
      expect(pinIncorrectText(language, 2)).toBe(wrongTwo);
      expect(dialogText(language, 'pin.incorrect', { n: 1 })).not.toMatch(/\(/);
    }
  });

});
