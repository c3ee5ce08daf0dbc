import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../../shared/text/format.js';
import { expectSameKeysAndPlaceholders } from '../../../../shared/text/text-tables.test-helper.js';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { popupText } from './index.js';
import { nl } from './nl.js';

describe('popup translations', () => {
  it('have every key in nl, fr and de, non-empty, with the same placeholders as English', () => {
    expectSameKeysAndPlaceholders(en, [nl, fr, de]);
  });

  it('use the government guides’ Dutch wording for the key screens', () => {
    expect(popupText('nl', 'tab.keys')).toBe('Mijn digitale sleutels');
    expect(popupText('nl', 'tab.help')).toBe('Lukt het aanmelden niet?');
    expect(popupText('nl', 'keys.active')).toBe('ACTIEF');
    expect(popupText('nl', 'keys.activate')).toBe('Activeren');
    expect(popupText('nl', 'sms.noSpaces')).toBe('Geef uw gsm-nummer in zonder spaties');
    expect(popupText('nl', 'keys.validity')).toBe('Opgelet! De code blijft maar 5 minuten geldig. Vul hem dus tijdig in.');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(popupText('fr', 'keys.welcome', { name: 'Alice' })).toBe('Bienvenue, Alice');
    expect(popupText('de', 'keys.welcome')).toBe('Willkommen, {name}');
  });

  it('say "1 attempt" and "2 attempts" in the words of each language', () => {
    const expected = {
      nl: ['U hebt nog 1 poging.', 'U hebt nog 2 pogingen.'],
      fr: ['Il vous reste 1 essai.', 'Il vous reste 2 essais.'],
      de: ['Sie haben noch 1 Versuch.', 'Sie haben noch 2 Versuche.'],
      en: ['1 attempt left.', '2 attempts left.'],
    } as const;
    for (const language of LANGUAGES) {
      expect(popupText(language, 'err.attemptsLeft', { n: 1 })).toBe(expected[language][0]);
      expect(popupText(language, 'err.attemptsLeft', { n: 2 })).toBe(expected[language][1]);
    }
  });
});
