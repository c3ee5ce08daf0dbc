/**
 * Turns the identity (4031) and address (4033) files of a Belgian eID card
 * into IdentityData and AddressData. Pure code with no Node API, so the
 * extension can use it as well as the host and the CLI.
 *
 * Field meanings come from the "Belgian Electronic Identity Card content"
 * document, as docs/card.md summarises it (section "Identity and address files").
 */
import { EidBridgeError } from './errors.js';
import { formatNationalNumber, parseNationalNumber } from './identifiers.js';
import type { AddressData, IdentityData } from './identity.js';
import { belpicTlvText, decodeBelpicTlv, type BelpicTlvEntry } from './tlv.js';
import { bytesToHex } from './bytes.js';

export { formatNationalNumber, parseNationalNumber, isValidNationalNumber } from './identifiers.js';
export type { NationalNumberInfo } from './identifiers.js';

/** Identity file tags (file 4031). */
export const IDENTITY_TAG = {
  FILE_STRUCTURE_VERSION: 0x00,
  CARD_NUMBER: 0x01,
  CHIP_NUMBER: 0x02,
  VALIDITY_BEGIN: 0x03,
  VALIDITY_END: 0x04,
  DELIVERY_MUNICIPALITY: 0x05,
  NATIONAL_NUMBER: 0x06,
  SURNAME: 0x07,
  FIRST_NAMES: 0x08,
  THIRD_NAME_INITIAL: 0x09,
  NATIONALITY: 0x0a,
  BIRTH_PLACE: 0x0b,
  BIRTH_DATE: 0x0c,
  SEX: 0x0d,
  NOBLE_CONDITION: 0x0e,
  DOCUMENT_TYPE: 0x0f,
  SPECIAL_STATUS: 0x10,
  PHOTO_HASH: 0x11,
  DUPLICATE: 0x12,
  SPECIAL_ORGANISATION: 0x13,
  MEMBER_OF_FAMILY: 0x14,
  DATE_AND_COUNTRY_OF_PROTECTION: 0x15,
  WORK_PERMIT_MENTION: 0x16,
  EMPLOYER_VAT_1: 0x17,
  EMPLOYER_VAT_2: 0x18,
  REGIONAL_FILE_NUMBER: 0x19,
  BASIC_KEY_HASH: 0x1a,
} as const;

/** Address file tags (file 4033). */
export const ADDRESS_TAG = {
  FILE_STRUCTURE_VERSION: 0x00,
  STREET_AND_NUMBER: 0x01,
  POSTAL_CODE: 0x02,
  MUNICIPALITY: 0x03,
} as const;

/** Tag 0F. Codes and card letters as the residence-permit legislation names them. */
const DOCUMENT_TYPES: Record<number, string> = {
  1: 'Belgian identity card (eID)',
  6: 'Kids-ID (child under 12)',
  7: 'Bootstrap card',
  8: 'Habilitation card',
  11: 'Foreigner card A: certificate of registration in the foreigners register, temporary residence',
  12: 'Foreigner card B: certificate of registration in the foreigners register',
  13: 'Foreigner card C: identity card for foreigners',
  14: 'Foreigner card D: long-term resident (EU)',
  15: 'Foreigner card E: registration certificate (EU citizen)',
  16: 'Foreigner card E+: document certifying permanent residence (EU citizen)',
  17: 'Foreigner card F: residence card of a family member of an EU citizen',
  18: 'Foreigner card F+: permanent residence card of a family member of an EU citizen',
  19: 'Foreigner card H: European blue card',
  20: 'Foreigner card I: intra-corporate transferee (Directive 2014/66/EU)',
  21: 'Foreigner card J: long-term mobility intra-corporate transferee (Directive 2014/66/EU)',
  22: 'Foreigner card M: beneficiary of the Brexit withdrawal agreement',
  23: 'Foreigner card N: Brexit, local border traffic',
  27: 'Foreigner card K: residence permit (Regulation (EC) 1030/2002)',
  28: 'Foreigner card L: residence permit (Regulation (EC) 1030/2002)',
  31: 'Foreigner card EU: registration certificate (EU citizen)',
  32: 'Foreigner card EU+: document certifying permanent residence (EU citizen)',
  33: 'Foreigner card A: residence permit (Regulation (EC) 1030/2002)',
  34: 'Foreigner card B: residence permit (Regulation (EC) 1030/2002)',
  35: 'Foreigner card F: residence card of a family member (Regulation (EC) 1030/2002)',
  36: 'Foreigner card F+: permanent residence card of a family member (Regulation (EC) 1030/2002)',
};

export function documentTypeName(code: number): string {
  const known = DOCUMENT_TYPES[code];
  if (known) return known;
  if ((code >= 11 && code <= 36) || (code >= 61 && code <= 69)) return `Foreigner card (type ${code})`;
  return `Unknown document type ${code}`;
}

export function isForeignerDocument(code: number): boolean {
  return (code >= 11 && code <= 36) || (code >= 61 && code <= 69);
}

/** Tag 10: a sum of flags, 1 white cane, 2 extended minority, 4 yellow cane. */
const SPECIAL_STATUS: Record<number, string> = {
  0: 'none',
  1: 'white cane (blind)',
  2: 'extended minority',
  3: 'white cane (blind) and extended minority',
  4: 'yellow cane (partially sighted)',
  5: 'yellow cane (partially sighted) and extended minority',
};

export function specialStatusName(code: number): string {
  return SPECIAL_STATUS[code] ?? `unknown special status ${code}`;
}

/** Tag 13. */
const SPECIAL_ORGANISATIONS: Record<string, string> = {
  '1': 'SHAPE',
  '2': 'NATO',
  '4': 'former EU blue card holder',
  '5': 'researcher',
};

export function specialOrganisationName(code: string): string {
  const trimmed = code.replace(/^0+(?=\d)/, '');
  return SPECIAL_ORGANISATIONS[trimmed] ?? `special organisation ${code}`;
}

/**
 * Month abbreviations as the cards print them in French, Dutch and German
 * (docs/card.md, "Identity and address files", tag 0C), plus the spellings seen without accents.
 */
const MONTHS: Record<string, number> = {
  JAN: 1,
  FEV: 2,
  FÉV: 2,
  FEB: 2,
  MARS: 3,
  MAAR: 3,
  MAA: 3,
  MRT: 3,
  MÄR: 3,
  MÄRZ: 3,
  MAER: 3,
  MAR: 3,
  MRZ: 3,
  AVR: 4,
  APR: 4,
  MAI: 5,
  MEI: 5,
  JUIN: 6,
  JUN: 6,
  JUIL: 7,
  JUL: 7,
  AOUT: 8,
  AOÛT: 8,
  AUG: 8,
  SEPT: 9,
  SEP: 9,
  OCT: 10,
  OKT: 10,
  NOV: 11,
  DEC: 12,
  DÉC: 12,
  DEZ: 12,
};

export interface ParsedCardDate {
  year: number;
  /** 0 when blank on the card */
  month: number;
  /** 0 when blank on the card */
  day: number;
  /** YYYY-MM-DD with 00 for a blank month or day */
  iso: string;
}

function isoOf(year: number, month: number, day: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/**
 * Parses the birth date as printed on the card: "30 JUIL 1985" (FR),
 * "30 JUL 1985" (NL), "30.JUL.1985" (DE). The day or the month may be blank
 * (spaces, or nothing between the separators) when the person's exact date is
 * unknown. Numeric months ("30.07.1985") are accepted too. Returns undefined
 * when the text is not a date.
 */
export function parseBirthDate(text: string): ParsedCardDate | undefined {
  const match = /^(.*?)(\d{4})\s*$/u.exec(text);
  if (!match) return undefined;
  const year = Number(match[2]);
  const head = match[1]!.toUpperCase();
  const tokens = head.split(/[\s.\-/]+/u).filter((t) => t.length > 0);
  let day = 0;
  let month = 0;
  const numbers = tokens.filter((t) => /^\d{1,2}$/u.test(t)).map(Number);
  const words = tokens.filter((t) => !/^\d+$/u.test(t));
  if (tokens.length > numbers.length + words.length || words.length > 1) return undefined;
  if (words.length === 1) {
    const m = MONTHS[words[0]!.normalize('NFC')];
    if (m === undefined) return undefined;
    month = m;
    if (numbers.length > 1) return undefined;
    day = numbers[0] ?? 0;
  } else if (numbers.length === 2) {
    [day, month] = numbers as [number, number];
  } else if (numbers.length === 1) {
    // One number and no month: the month is blank, so the number is the day
    // ("15 .  .1985"), unless nothing stood before it (then it cannot be told).
    day = numbers[0]!;
  } else if (numbers.length > 2) {
    return undefined;
  }
  if (month > 12 || day > 31) return undefined;
  if (month !== 0 && day !== 0) {
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  }
  return { year, month, day, iso: isoOf(year, month, day) };
}

/** Parses a validity date "DD.MM.YYYY" (also with spaces or dashes) to ISO; undefined if it is not one. */
export function parseCardDate(text: string): string | undefined {
  const m = /^\s*(\d{1,2})[.\s-]+(\d{1,2})[.\s-]+(\d{4})\s*$/u.exec(text);
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return isoOf(year, month, day);
}

/** eID and Kids-ID card numbers are 12 digits, printed 123-4567890-12. */
export function formatCardNumber(cardNumber: string): string {
  return /^\d{12}$/u.test(cardNumber)
    ? `${cardNumber.slice(0, 3)}-${cardNumber.slice(3, 10)}-${cardNumber.slice(10)}`
    : cardNumber;
}

export function normaliseSex(value: string): 'M' | 'F' | 'X' {
  const v = value.trim().toUpperCase();
  if (v === 'M') return 'M';
  // French F(emme), Dutch V(rouw), German W(eiblich).
  if (v === 'F' || v === 'V' || v === 'W') return 'F';
  return 'X';
}


function decode(bytes: Uint8Array, what: string): BelpicTlvEntry[] {
  try {
    return decodeBelpicTlv(bytes);
  } catch (e) {
    throw new EidBridgeError('CARD_ERROR', `The ${what} file is damaged: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseIntegerText(text: string): number | undefined {
  return /^\d+$/u.test(text) ? Number(text) : undefined;
}

type OptionalTextField =
  | 'thirdNameInitial'
  | 'nobleCondition'
  | 'duplicate'
  | 'dateAndCountryOfProtection'
  | 'workPermitMention'
  | 'employerVat1'
  | 'employerVat2'
  | 'regionalFileNumber';

/**
 * Parses the identity file (4031). Unknown tags are kept in `otherTags`
 * (hex) so newer cards lose nothing. Throws CARD_ERROR only when the TLV
 * structure itself is broken or the national number is missing.
 */
export function parseIdentityFile(bytes: Uint8Array): IdentityData {
  const entries = decode(bytes, 'identity');
  const values = new Map<number, Uint8Array>();
  const otherTags: Record<string, string> = {};
  const T = IDENTITY_TAG;
  const named = new Set<number>(Object.values(T));
  for (const { tag, value } of entries) {
    if (named.has(tag) && !values.has(tag)) values.set(tag, value);
    else otherTags[tag.toString(16).padStart(2, '0').toUpperCase()] = bytesToHex(value);
  }
  const text = (tag: number): string => {
    const v = values.get(tag);
    return v ? belpicTlvText(v) : '';
  };
  const optionalText = (tag: number): string | undefined => {
    const v = values.get(tag);
    if (!v) return undefined;
    const t = belpicTlvText(v);
    return t === '' ? undefined : t;
  };

  const nationalNumber = text(T.NATIONAL_NUMBER).replace(/\s/gu, '');
  if (nationalNumber === '') throw new EidBridgeError('CARD_ERROR', 'The identity file holds no national number');
  const nnInfo = parseNationalNumber(nationalNumber);

  const birthDateOnCard = text(T.BIRTH_DATE);
  const birthDate = parseBirthDate(birthDateOnCard)?.iso ?? nnInfo?.birthDate ?? '';

  const documentTypeText = text(T.DOCUMENT_TYPE);
  const documentType = parseIntegerText(documentTypeText) ?? 0;
  const specialStatus = parseIntegerText(text(T.SPECIAL_STATUS)) ?? 0;

  let sex = normaliseSex(text(T.SEX));
  // A card without a readable sex field: the national number still tells (not for BIS +20).
  if (sex === 'X' && nnInfo?.sex) sex = nnInfo.sex;

  const cardNumber = text(T.CARD_NUMBER);
  const validityBeginText = text(T.VALIDITY_BEGIN);
  const validityEndText = text(T.VALIDITY_END);

  const identity: IdentityData = {
    cardNumber,
    cardNumberFormatted: formatCardNumber(cardNumber),
    chipNumber: bytesToHex(values.get(T.CHIP_NUMBER) ?? new Uint8Array()),
    validityBegin: parseCardDate(validityBeginText) ?? validityBeginText,
    validityEnd: parseCardDate(validityEndText) ?? validityEndText,
    deliveryMunicipality: text(T.DELIVERY_MUNICIPALITY),
    nationalNumber,
    nationalNumberFormatted: formatNationalNumber(nationalNumber),
    surname: text(T.SURNAME),
    firstNames: text(T.FIRST_NAMES),
    nationality: text(T.NATIONALITY),
    birthPlace: text(T.BIRTH_PLACE),
    birthDate,
    birthDateOnCard,
    sex,
    documentType,
    documentTypeName: documentTypeText === '' ? 'Unknown document type' : documentTypeName(documentType),
    specialStatus,
    specialStatusName: specialStatusName(specialStatus),
    photoHash: bytesToHex(values.get(T.PHOTO_HASH) ?? new Uint8Array()),
    otherTags,
  };

  const version = values.get(T.FILE_STRUCTURE_VERSION);
  if (version) identity.fileStructureVersion = bytesToHex(version);
  // Fields only some cards carry: present in the result only when the card has them.
  const OPTIONAL_TEXT: ReadonlyArray<readonly [number, OptionalTextField]> = [
    [T.THIRD_NAME_INITIAL, 'thirdNameInitial'],
    [T.NOBLE_CONDITION, 'nobleCondition'],
    [T.DUPLICATE, 'duplicate'],
    [T.DATE_AND_COUNTRY_OF_PROTECTION, 'dateAndCountryOfProtection'],
    [T.WORK_PERMIT_MENTION, 'workPermitMention'],
    [T.EMPLOYER_VAT_1, 'employerVat1'],
    [T.EMPLOYER_VAT_2, 'employerVat2'],
    [T.REGIONAL_FILE_NUMBER, 'regionalFileNumber'],
  ];
  for (const [tag, field] of OPTIONAL_TEXT) {
    const value = optionalText(tag);
    if (value) identity[field] = value;
  }
  const organisation = optionalText(T.SPECIAL_ORGANISATION);
  if (organisation) {
    identity.specialOrganisation = organisation;
    identity.specialOrganisationName = specialOrganisationName(organisation);
  }
  const family = optionalText(T.MEMBER_OF_FAMILY);
  if (family !== undefined) identity.memberOfFamily = family !== '0';
  const basicKeyHash = values.get(T.BASIC_KEY_HASH);
  if (basicKeyHash && basicKeyHash.length > 0) identity.basicKeyHash = bytesToHex(basicKeyHash);
  return identity;
}

/** Parses the address file (4033); the file is zero-padded. */
export function parseAddressFile(bytes: Uint8Array): AddressData {
  const entries = decode(bytes, 'address');
  const get = (tag: number): string => {
    const entry = entries.find((e) => e.tag === tag);
    return entry ? belpicTlvText(entry.value) : '';
  };
  const address: AddressData = {
    streetAndNumber: get(ADDRESS_TAG.STREET_AND_NUMBER),
    postalCode: get(ADDRESS_TAG.POSTAL_CODE),
    municipality: get(ADDRESS_TAG.MUNICIPALITY),
  };
  const version = entries.find((e) => e.tag === ADDRESS_TAG.FILE_STRUCTURE_VERSION);
  if (version && entries.indexOf(version) === 0) address.fileStructureVersion = bytesToHex(version.value);
  return address;
}

/** The address file without its trailing 00 padding: what the address signature covers. */
export function trimTrailingZeros(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  return bytes.subarray(0, end);
}

/**
 * Where the TLV content of a file ends (the first padding byte), computed by
 * walking the entries. May be past `bytes.length` when a reader stripped zero
 * bytes that belonged to the last value.
 */
export function tlvContentLength(bytes: Uint8Array): number {
  let pos = 0;
  let first = true;
  while (pos < bytes.length) {
    const tag = bytes[pos]!;
    if (tag === 0 && (!first || pos + 1 >= bytes.length || bytes[pos + 1] === 0)) return pos;
    first = false;
    pos += 1;
    let length = 0;
    for (;;) {
      if (pos >= bytes.length) return pos;
      const part = bytes[pos]!;
      pos += 1;
      length += part;
      if (part !== 0xff) break;
    }
    pos += length;
  }
  return pos;
}
