import { describe, expect, it } from 'vitest';
import { isEidBridgeError } from './errors.js';
import {
  documentTypeName,
  formatCardNumber,
  formatNationalNumber,
  isValidNationalNumber,
  parseAddressFile,
  parseBirthDate,
  parseCardDate,
  parseIdentityFile,
  parseNationalNumber,
  specialStatusName,
  tlvContentLength,
  trimTrailingZeros,
} from './identity-parse.js';
import { encodeBelpicTlv } from './tlv.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...values: number[]) => Uint8Array.from(values);

function identityFile(overrides: Record<number, Uint8Array | string | null> = {}): Uint8Array {
  const base: Record<number, Uint8Array | string> = {
    0x01: '592123456789',
    0x02: bytes(0x53, 0x4c, 0x49, 0x4e, 0x33, 0x66, 0x00, 0x29, 0x6c, 0xff, 0x26, 0x23, 0x66, 0x0b, 0x08, 0x25),
    0x03: '01.02.2021',
    0x04: '01.02.2031',
    0x05: 'Brussel',
    0x06: '85073000259',
    0x07: 'Peeters',
    0x08: 'Alice Marie',
    0x09: 'J',
    0x0a: 'Belg',
    0x0b: 'Leuven',
    0x0c: '30 JUL 1985',
    0x0d: 'V',
    0x0f: '1',
    0x10: '0',
    0x11: new Uint8Array(32).fill(0xab),
  };
  const entries: Array<{ tag: number; value: Uint8Array }> = [];
  const tags = new Set([...Object.keys(base), ...Object.keys(overrides)].map(Number));
  for (const tag of [...tags].sort((a, b) => a - b)) {
    const v = tag in overrides ? overrides[tag] : base[tag];
    if (v === null || v === undefined) continue;
    entries.push({ tag, value: typeof v === 'string' ? utf8(v) : v });
  }
  return encodeBelpicTlv(entries);
}

describe('parseIdentityFile', () => {
  it('reads every standard tag of an eID', () => {
    const id = parseIdentityFile(identityFile({ 0x0e: 'Baron', 0x12: '01', 0x13: '2', 0x14: '1' }));
    expect(id).toMatchObject({
      cardNumber: '592123456789',
      cardNumberFormatted: '592-1234567-89',
      chipNumber: '534C494E336600296CFF2623660B0825',
      validityBegin: '2021-02-01',
      validityEnd: '2031-02-01',
      deliveryMunicipality: 'Brussel',
      nationalNumber: '85073000259',
      nationalNumberFormatted: '85.07.30-002.59',
      surname: 'Peeters',
      firstNames: 'Alice Marie',
      thirdNameInitial: 'J',
      nationality: 'Belg',
      birthPlace: 'Leuven',
      birthDate: '1985-07-30',
      birthDateOnCard: '30 JUL 1985',
      sex: 'F',
      nobleCondition: 'Baron',
      documentType: 1,
      documentTypeName: 'Belgian identity card (eID)',
      specialStatus: 0,
      specialStatusName: 'none',
      photoHash: 'AB'.repeat(32),
      duplicate: '01',
      specialOrganisation: '2',
      specialOrganisationName: 'NATO',
      memberOfFamily: true,
      otherTags: {},
    });
  });

  it('reads a hand-written file with a length continued by FF (255 + 5 = 260 bytes)', () => {
    const longName = 'A'.repeat(260);
    const file = new Uint8Array([
      0x06, 11, ...utf8('85073000160'),
      0x07, 0xff, 0x05, ...utf8(longName),
      0x08, 3, ...utf8('Jan'),
      0x0d, 1, ...utf8('M'),
      0x00, 0x00, 0x00, // padding
    ]);
    const id = parseIdentityFile(file);
    expect(id.surname).toBe(longName);
    expect(id.firstNames).toBe('Jan');
    expect(id.sex).toBe('M');
    expect(id.nationalNumberFormatted).toBe('85.07.30-001.60');
  });

  it('reads a length continued twice (FF FF 02 = 512 bytes)', () => {
    const value = new Uint8Array(512).fill(0x41);
    const file = new Uint8Array([0x06, 11, ...utf8('85073000160'), 0x1f, 0xff, 0xff, 0x02, ...value]);
    const id = parseIdentityFile(file);
    expect(id.otherTags['1F']).toBe('41'.repeat(512));
  });

  it('keeps unknown tags (new cards add tags) and names the newer foreigner tags', () => {
    const id = parseIdentityFile(
      identityFile({ 0x15: '01.01.2020 SYR', 0x16: 'Onbeperkte toegang', 0x17: 'BE0400000185', 0x19: 'X123', 0x1a: new Uint8Array(48).fill(1), 0x1b: 'Brexit', 0x2c: bytes(1, 2, 3) }),
    );
    expect(id.dateAndCountryOfProtection).toBe('01.01.2020 SYR');
    expect(id.workPermitMention).toBe('Onbeperkte toegang');
    expect(id.employerVat1).toBe('BE0400000185');
    expect(id.regionalFileNumber).toBe('X123');
    expect(id.basicKeyHash).toBe('01'.repeat(48));
    expect(id.otherTags).toEqual({ '1B': '427265786974', '2C': '010203' });
  });

  it('maps the three spellings of a woman (F, V, W) to F and M to M', () => {
    for (const [card, expected] of [['F', 'F'], ['V', 'F'], ['W', 'F'], ['M', 'M']] as const) {
      expect(parseIdentityFile(identityFile({ 0x0d: card })).sex).toBe(expected);
    }
  });

  it('trims the spaces cards pad some values with', () => {
    const id = parseIdentityFile(identityFile({ 0x07: 'Peeters   ', 0x08: ' Alice Marie ' }));
    expect(id.surname).toBe('Peeters');
    expect(id.firstNames).toBe('Alice Marie');
  });

  it('names Kids-ID and foreigner cards', () => {
    const kids = parseIdentityFile(identityFile({ 0x0f: '06' }));
    expect(kids.documentType).toBe(6);
    expect(kids.documentTypeName).toBe('Kids-ID (child under 12)');
    const foreigner = parseIdentityFile(identityFile({ 0x01: 'B021329690', 0x0f: '17' }));
    expect(foreigner.documentType).toBe(17);
    expect(foreigner.documentTypeName).toMatch(/^Foreigner card F:/);
    expect(foreigner.cardNumberFormatted).toBe('B021329690');
  });

  it('takes the birth date from the national number when the card text is not a date', () => {
    const id = parseIdentityFile(identityFile({ 0x0c: '??' }));
    expect(id.birthDate).toBe('1985-07-30');
    expect(id.birthDateOnCard).toBe('??');
  });

  it('gives special statuses their names', () => {
    expect(parseIdentityFile(identityFile({ 0x10: '3' })).specialStatusName).toBe('white cane (blind) and extended minority');
    expect(specialStatusName(4)).toBe('yellow cane (partially sighted)');
    expect(specialStatusName(5)).toBe('yellow cane (partially sighted) and extended minority');
  });

  it('refuses a broken TLV structure with a CARD_ERROR', () => {
    const broken = bytes(0x06, 11, 0x38, 0x35);
    expect(() => parseIdentityFile(broken)).toThrow(/damaged/);
    try {
      parseIdentityFile(broken);
    } catch (e) {
      expect(isEidBridgeError(e, 'CARD_ERROR')).toBe(true);
    }
  });
});

describe('parseBirthDate', () => {
  it('reads the three card languages', () => {
    expect(parseBirthDate('30 JUIL 1985')?.iso).toBe('1985-07-30'); // FR
    expect(parseBirthDate('30 JUL 1985')?.iso).toBe('1985-07-30'); // NL
    expect(parseBirthDate('30.JUL.1985')?.iso).toBe('1985-07-30'); // DE
    expect(parseBirthDate('01 FEV 2001')?.iso).toBe('2001-02-01');
    expect(parseBirthDate('15 MAAR 1975')?.iso).toBe('1975-03-15');
    expect(parseBirthDate('15.MÄR.1975')?.iso).toBe('1975-03-15');
    expect(parseBirthDate('15 MAA 1975')?.iso).toBe('1975-03-15');
    // The same text in decomposed Unicode (A + combining diaeresis) reads the same.
    expect(parseBirthDate('15.MA\u0308R.1975')?.iso).toBe('1975-03-15');
    expect(parseBirthDate('15 MARS 1975')?.iso).toBe('1975-03-15');
    expect(parseBirthDate('03 AOUT 1990')?.iso).toBe('1990-08-03');
    expect(parseBirthDate('03.MAI.1990')?.iso).toBe('1990-05-03');
    expect(parseBirthDate('03 MEI 1990')?.iso).toBe('1990-05-03');
    expect(parseBirthDate('24.DEZ.1999')?.iso).toBe('1999-12-24');
    expect(parseBirthDate('24 DEC 1999')?.iso).toBe('1999-12-24');
    expect(parseBirthDate('09 OKT 1999')?.iso).toBe('1999-10-09');
  });

  it('keeps a blank day or month as 00', () => {
    expect(parseBirthDate('   JUL 1985')?.iso).toBe('1985-07-00');
    expect(parseBirthDate('.JUL.1985')?.iso).toBe('1985-07-00');
    expect(parseBirthDate('        1985')?.iso).toBe('1985-00-00');
    expect(parseBirthDate('00 JAN 1960')?.iso).toBe('1960-01-00');
    expect(parseBirthDate('15      1960')?.iso).toBe('1960-00-15');
  });

  it('rejects what is not a date', () => {
    expect(parseBirthDate('30 XYZ 1985')).toBeUndefined();
    expect(parseBirthDate('31 FEB 1985')).toBeUndefined();
    expect(parseBirthDate('yesterday')).toBeUndefined();
  });
});

describe('small formats', () => {
  it('parses validity dates', () => {
    expect(parseCardDate('01.02.2031')).toBe('2031-02-01');
    expect(parseCardDate('1 2 2031')).toBe('2031-02-01');
    expect(parseCardDate('2031-02-01')).toBeUndefined();
  });

  it('formats card numbers', () => {
    expect(formatCardNumber('592123456789')).toBe('592-1234567-89');
    expect(formatCardNumber('B021329690')).toBe('B021329690');
  });

  it('checks and formats the national number test vectors', () => {
    expect(formatNationalNumber('85073000160')).toBe('85.07.30-001.60');
    expect(parseNationalNumber('85073000160')).toMatchObject({ sex: 'M', bis: false, birthDate: '1985-07-30' });
    expect(parseNationalNumber('85073000259')).toMatchObject({ sex: 'F', bis: false, birthDate: '1985-07-30' });
    expect(parseNationalNumber('01010100126')).toMatchObject({ sex: 'M', birthDate: '2001-01-01' });
    expect(parseNationalNumber('85431500183')).toMatchObject({ bis: true, sex: 'M', birthDate: '1985-03-15' });
    expect(parseNationalNumber('75211000559')).toMatchObject({ bis: true, sex: undefined, birthDate: '1975-01-10' });
    expect(isValidNationalNumber('85073000161')).toBe(false);
  });

  it('names unknown document types without failing', () => {
    expect(documentTypeName(63)).toBe('Foreigner card (type 63)');
    expect(documentTypeName(99)).toBe('Unknown document type 99');
  });

  it('trims the address padding and finds the TLV end', () => {
    const file = bytes(0x01, 2, 0x41, 0x42, 0x00, 0x00, 0x00);
    expect(trimTrailingZeros(file)).toEqual(bytes(0x01, 2, 0x41, 0x42));
    expect(tlvContentLength(file)).toBe(4);
    // A value ending in 00 that a reader stripped: the TLV says it is longer.
    expect(tlvContentLength(bytes(0x11, 3, 0xaa, 0xbb))).toBe(5);
  });
});

describe('parseAddressFile', () => {
  it('reads street, postal code and municipality from a zero-padded file', () => {
    const file = new Uint8Array(117);
    file.set(encodeBelpicTlv([
      { tag: 0x01, value: utf8('Wetstraat 16') },
      { tag: 0x02, value: utf8('1000') },
      { tag: 0x03, value: utf8('Brussel') },
    ]));
    expect(parseAddressFile(file)).toEqual({ streetAndNumber: 'Wetstraat 16', postalCode: '1000', municipality: 'Brussel' });
  });

  it('reads accented UTF-8 and the version tag', () => {
    const file = encodeBelpicTlv([
      { tag: 0x00, value: bytes(0x01) },
      { tag: 0x01, value: utf8('Rue de l’Église 3') },
      { tag: 0x02, value: utf8('4000') },
      { tag: 0x03, value: utf8('Liège') },
    ]);
    expect(parseAddressFile(file)).toEqual({ fileStructureVersion: '01', streetAndNumber: 'Rue de l’Église 3', postalCode: '4000', municipality: 'Liège' });
  });
});
