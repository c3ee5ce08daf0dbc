import { describe, expect, it } from 'vitest';
import { resolveLanguage } from './language.js';

describe('the language spoken to the person', () => {
  it('follows the setting, then the page, then the browser', () => {
    expect(resolveLanguage('fr', 'de', 'nl-BE')).toBe('fr');
    expect(resolveLanguage('auto', 'de', 'nl-BE')).toBe('de');
    expect(resolveLanguage('auto', undefined, 'nl-BE')).toBe('nl');
    expect(resolveLanguage('auto', 'et', 'ja-JP')).toBe('en');
  });
});
