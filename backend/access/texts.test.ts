import { describe, expect, it } from 'vitest';
import { ACCESS_MESSAGES } from './texts.js';
import { ACCESS_PAGE_TEXTS } from './page-texts.js';
import { REQUEST_FORM_TEXTS } from './pdf-texts.js';
import { DOMAINS, MANDATE_TYPES, REFERENCE_ENTERPRISES } from './reference-data.js';
import { isValidEnterpriseNumber, isValidNationalNumber } from '../../shared/identifiers.js';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

describe('access texts', () => {
  for (const [name, table] of Object.entries({ ACCESS_MESSAGES, ACCESS_PAGE_TEXTS, REQUEST_FORM_TEXTS })) {
    it(`${name}: every language has every text, non-empty, with the same placeholders as Dutch`, () => {
      const nl = table.nl as Record<string, string>;
      for (const lang of ['fr', 'de', 'en'] as const) {
        const other = table[lang] as Record<string, string>;
        expect(Object.keys(other).sort(), lang).toEqual(Object.keys(nl).sort());
        for (const [key, text] of Object.entries(other)) {
          expect(text.trim(), `${lang}.${key}`).not.toBe('');
          expect(placeholders(text), `${lang}.${key}`).toEqual(placeholders(nl[key]!));
        }
      }
    });
  }

  it('has valid reference data: check digits, known domains for mandate types', () => {
    for (const e of REFERENCE_ENTERPRISES) {
      expect(isValidEnterpriseNumber(e.enterpriseNumber), e.enterpriseNumber).toBe(true);
      for (const r of e.representatives) expect(isValidNationalNumber(r.nationalNumber), r.nationalNumber).toBe(true);
    }
    for (const t of MANDATE_TYPES) expect(DOMAINS.map((d) => d.id)).toContain(t.domain);
  });
});
