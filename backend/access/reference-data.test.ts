import { describe, expect, it } from 'vitest';
import { isValidEnterpriseNumber, isValidNationalNumber } from '../../shared/identifiers.js';
import { DOMAINS, MANDATE_TYPES, REFERENCE_ENTERPRISES } from './reference-data.js';

describe('access reference data', () => {
  it('has valid check digits and known domains for mandate types', () => {
    for (const e of REFERENCE_ENTERPRISES) {
      expect(isValidEnterpriseNumber(e.enterpriseNumber), e.enterpriseNumber).toBe(true);
      for (const r of e.representatives) expect(isValidNationalNumber(r.nationalNumber), r.nationalNumber).toBe(true);
    }
    for (const t of MANDATE_TYPES) expect(DOMAINS.map((d) => d.id)).toContain(t.domain);
  });
});
