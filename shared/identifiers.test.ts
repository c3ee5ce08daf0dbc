import { describe, expect, it } from 'vitest';
import {
  formatEnterpriseNumber,
  formatNationalNumber,
  isValidEnterpriseNumber,
  isValidNationalNumber,
  parseEnterpriseNumber,
  parseNationalNumber,
} from './identifiers.js';

describe('national number', () => {
  it('accepts the documented valid numbers with their meaning', () => {
    expect(parseNationalNumber('85073000160')).toMatchObject({ sex: 'M', bis: false, birthDate: '1985-07-30' });
    expect(parseNationalNumber('85073000259')).toMatchObject({ sex: 'F', bis: false, birthDate: '1985-07-30' });
    expect(parseNationalNumber('01010100126')).toMatchObject({ sex: 'M', bis: false, birthDate: '2001-01-01' });
    expect(parseNationalNumber('85431500183')).toMatchObject({ bis: true, sex: 'M', birthDate: '1985-03-15' });
    expect(parseNationalNumber('75211000559')).toMatchObject({ bis: true, sex: undefined, birthDate: '1975-01-10' });
  });

  it('accepts the usual separators and formats as the card prints', () => {
    expect(isValidNationalNumber('85.07.30-001.60')).toBe(true);
    expect(isValidNationalNumber('85 07 30 001 60')).toBe(true);
    expect(formatNationalNumber('85073000160')).toBe('85.07.30-001.60');
    expect(parseNationalNumber('85073000160')?.formatted).toBe('85.07.30-001.60');
  });

  it('rejects a wrong checksum, wrong length, letters and impossible dates', () => {
    expect(isValidNationalNumber('85073000161')).toBe(false);
    expect(isValidNationalNumber('8507300016')).toBe(false);
    expect(isValidNationalNumber('850730001600')).toBe(false);
    expect(isValidNationalNumber('8507300016a')).toBe(false);
    expect(isValidNationalNumber('')).toBe(false);
    // 1985-02-30 does not exist: build a number with a correct checksum for it
    const first9 = '850230001';
    const cc = String(97 - (Number(first9) % 97)).padStart(2, '0');
    expect(isValidNationalNumber(first9 + cc)).toBe(false);
  });

  it('allows unknown month or day (00)', () => {
    const first9 = '850000001';
    const cc = String(97 - (Number(first9) % 97)).padStart(2, '0');
    expect(parseNationalNumber(first9 + cc)?.birthDate).toBe('1985-00-00');
  });
});

describe('enterprise number', () => {
  it('accepts the documented valid numbers', () => {
    for (const n of ['0400000185', '0812345603', '1234567894']) expect(isValidEnterpriseNumber(n)).toBe(true);
    expect(parseEnterpriseNumber('BE 0812.345.603')).toBe('0812345603');
    expect(parseEnterpriseNumber('812345603')).toBe('0812345603');
    expect(formatEnterpriseNumber('0812345603')).toBe('0812.345.603');
  });

  it('rejects wrong checksums and first digits other than 0 or 1', () => {
    expect(isValidEnterpriseNumber('0400000186')).toBe(false);
    expect(isValidEnterpriseNumber('2234567894')).toBe(false);
    expect(isValidEnterpriseNumber('04000001')).toBe(false);
  });
});
