import { describe, expect, it } from 'vitest';
import { de } from './de.js';
import { en } from './en.js';
import { fr } from './fr.js';
import { pt } from './index.js';
import { nl } from './nl.js';

describe('popup translations', () => {
  it('have every key in nl, fr and de, non-empty, with the same placeholders as English', () => {
    for (const table of [nl, fr, de]) {
      expect(Object.keys(table).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(table)) {
        expect(text.trim(), key).not.toBe('');
        const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
      }
    }
  });

  it('use the government guides’ Dutch wording for the key screens', () => {
    expect(pt('nl', 'tab.keys')).toBe('Mijn digitale sleutels');
    expect(pt('nl', 'tab.help')).toBe('Lukt het aanmelden niet?');
    expect(pt('nl', 'keys.active')).toBe('ACTIEF');
    expect(pt('nl', 'keys.activate')).toBe('Activeren');
    expect(pt('nl', 'sms.noSpaces')).toBe('Geef uw gsm-nummer in zonder spaties');
    expect(pt('nl', 'keys.validity')).toBe('Opgelet! De code blijft maar 5 minuten geldig. Vul hem dus tijdig in.');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(pt('fr', 'keys.welcome', { name: 'Alice' })).toBe('Bienvenue, Alice');
    expect(pt('de', 'keys.welcome')).toBe('Willkommen, {name}');
  });
});
