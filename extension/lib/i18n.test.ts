import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.js';
import { errorText, LANGUAGES, pinIncorrectText, resolveLanguage, t } from './i18n.js';

/** Codes that only a broken caller causes; the generic text is right for them. */
const PROGRAMMING_ERRORS: ErrorCode[] = ['INVALID_MESSAGE', 'MESSAGE_TOO_LARGE', 'UNKNOWN_COMMAND', 'INVALID_ARGUMENT', 'MISSING_PARAMETER', 'CERTIFICATE_CHOICE_REQUIRED', 'PIN_REQUIRED', 'ACTION_PENDING', 'BUSY', 'INTERNAL_ERROR', 'PIN_INCORRECT'];

describe('texts shown to people', () => {
  it('tell what to do next for every error a person can meet, in every language', () => {
    for (const language of LANGUAGES) {
      for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
        if (PROGRAMMING_ERRORS.includes(code)) continue;
        expect(errorText(language, code), `${language} ${code}`).not.toBe(errorText(language, 'INTERNAL_ERROR'));
      }
    }
    expect(errorText('nl', 'NO_CARD')).toBe('Steek uw identiteitskaart in de kaartlezer.');
    expect(errorText('fr', 'NATIVE_UNAVAILABLE')).toMatch(/Installez eID Bridge/);
  });

  it('use the Dutch wording of the government guides', () => {
    expect(t('nl', 'title.authenticate')).toBe('Aanmelden met eID');
    expect(t('nl', 'pin.label')).toBe('Geef uw pincode in');
  });

  it('count the PIN tries left', () => {
    expect(pinIncorrectText('en', 2)).toBe('Wrong PIN. You have 2 tries left.');
    expect(pinIncorrectText('de', 1)).toMatch(/nur noch einen Versuch/);
    expect(pinIncorrectText('fr', undefined)).toBe('Code PIN incorrect. Veuillez réessayer.');
  });

  it('follow the setting, then the page, then the browser', () => {
    expect(resolveLanguage('fr', 'de', 'nl-BE')).toBe('fr');
    expect(resolveLanguage('auto', 'de', 'nl-BE')).toBe('de');
    expect(resolveLanguage('auto', undefined, 'nl-BE')).toBe('nl');
    expect(resolveLanguage('auto', 'et', 'ja-JP')).toBe('en');
  });
});
