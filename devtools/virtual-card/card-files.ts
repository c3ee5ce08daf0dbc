/**
 * Builds the file system of a virtual BELPIC card from a test PKI: the
 * PKCS#15 files (pkcs15-files.ts), the certificate files, the identity and
 * address files (BELPIC TLV) signed with the RRN key, the photo and, on
 * applet 1.8, the basic key.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseNationalNumber } from '../../shared/identifiers.js';
import type { TestPki } from '../test-pki/test-pki.js';
import { encodeBelpicTlv, type BelpicTlvEntry } from '../../shared/tlv.js';
import { FILES, type BelpicDirectory, type BelpicFile } from '../../shared/belpic/card-constants.js';
import { hasFile } from '../../shared/belpic/card-generations.js';
import { ADDRESS_TAG, IDENTITY_TAG } from '../../shared/identity-parse.js';
import type { CardProfileFacts } from './card-profiles.js';
import { EidBridgeError } from '../../shared/errors.js';
import { portraitJpeg } from './portrait.js';
import { buildPkcs15Files } from './pkcs15-files.js';

export type CardLanguage = 'nl' | 'fr' | 'de';

/** What the card says about its holder beyond the PKI's person (name and national number). */
export interface VirtualCardHolderDetails {
  /** The card's language: month names of the birth date and the letter for women. */
  language: CardLanguage;
  birthPlace: string;
  deliveryMunicipality: string;
  nationality: string;
  streetAndNumber: string;
  postalCode: string;
  municipality: string;
}

export const DEFAULT_HOLDER_DETAILS: Omit<VirtualCardHolderDetails, 'nationality'> = {
  language: 'nl',
  birthPlace: 'Gent',
  deliveryMunicipality: 'Leuven',
  streetAndNumber: 'Kerkstraat 12',
  postalCode: '3000',
  municipality: 'Leuven',
};

/**
 * Allocated file sizes. Certificate files are 2048 bytes on real cards; the
 * others are our choice: big enough for the content, zero-padded like the
 * address file. The identity, photo and RSA signature files have no padding,
 * since their signature or hash covers the file exactly as read.
 */
const FILE_SIZES = {
  certificate: 2048,
  address: 128,
  ecSignature: 128,
} as const;

export interface CardFile {
  /** The DF holding the file. */
  parent: BelpicDirectory;
  /** Content without padding. */
  content: Uint8Array;
  /** Allocated size; bytes past the content read as 00. */
  size: number;
}

export interface CardContent {
  files: Map<string, CardFile>;
  /** 16 bytes: GET CARD DATA bytes 0–15 and identity tag 02. */
  chipSerial: Uint8Array;
  /** The 1.8 basic key (INTERNAL AUTHENTICATE), absent on RSA cards. */
  basicKey?: KeyObject;
}

const MONTHS: Record<CardLanguage, string[]> = {
  nl: ['JAN', 'FEB', 'MAAR', 'APR', 'MEI', 'JUN', 'JUL', 'AUG', 'SEP', 'OKT', 'NOV', 'DEC'],
  fr: ['JAN', 'FEV', 'MARS', 'AVR', 'MAI', 'JUIN', 'JUIL', 'AOUT', 'SEPT', 'OCT', 'NOV', 'DEC'],
  de: ['JAN', 'FEB', 'MÄR', 'APR', 'MAI', 'JUN', 'JUL', 'AUG', 'SEP', 'OKT', 'NOV', 'DEZ'],
};

/** Birth date as the card prints it: "30 JUL 1985" (nl, fr) or "30.JUL.1985" (de); unknown day or month blank. */
export function formatCardBirthDate(isoDate: string, language: CardLanguage): string {
  const [year, month, day] = isoDate.split('-');
  const monthName = Number(month) > 0 ? MONTHS[language][Number(month) - 1]! : '';
  const dayText = Number(day) > 0 ? day! : '';
  const separator = language === 'de' ? '.' : ' ';
  return `${dayText}${separator}${monthName}${separator}${year}`.trim();
}

function formatCardDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}.${pad(date.getUTCMonth() + 1)}.${date.getUTCFullYear()}`;
}

/** Number from the first bytes of a hash, for identifiers that should stay the same for one PKI. */
function digitsFrom(seed: Uint8Array, count: number): string {
  let digits = '';
  for (const b of seed) digits += String(b % 10);
  return digits.slice(0, count);
}

/** Card numbers end in two check digits: the number before them modulo 97 (97 for 0). */
function withMod97Check(digits: string): string {
  const check = Number(BigInt(digits) % 97n) || 97;
  return `${digits}${String(check).padStart(2, '0')}`;
}

function cardNumber(facts: CardProfileFacts, seed: Uint8Array): string {
  // Foreigner cards: a letter and 9 digits ("B021329690"); eID and Kids-ID: 12 digits.
  return facts.caName === 'Foreigner CA' ? `B${withMod97Check(`0${digitsFrom(seed, 6)}`)}` : withMod97Check(`59${digitsFrom(seed, 8)}`);
}

const text = (s: string) => new TextEncoder().encode(s);

/** ECDSA signatures sit DER-encoded in a zero-padded file; RSA ones fill the file exactly. */
function signWithRrnKey(facts: CardProfileFacts, pki: TestPki, data: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: Buffer.from(pki.rrn.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  return new Uint8Array(sign(facts.generation.identityHash, data, key));
}

export function buildCardContent(facts: CardProfileFacts, pki: TestPki, details: VirtualCardHolderDetails): CardContent {
  const files = new Map<string, CardFile>();
  const put = (name: BelpicFile, content: Uint8Array, size = content.length) => {
    files.set(FILES[name].id, { parent: FILES[name].parent, content, size: Math.max(size, content.length) });
  };
  const person = pki.person;
  const nationalNumber = parseNationalNumber(person.nationalNumber);
  if (!nationalNumber) {
    throw new EidBridgeError('INVALID_ARGUMENT', `not a valid national number: ${person.nationalNumber}`, { argument: 'person.nationalNumber' });
  }
  const seed = createHash('sha256').update(pki.authentication.der).digest();
  const chipSerial = new Uint8Array(seed.subarray(0, 16));

  // A card without a signature key keeps an all-zero signature certificate file.
  const certificate = (name: BelpicFile, der: Uint8Array | undefined) => put(name, der ?? new Uint8Array(0), FILE_SIZES.certificate);
  certificate('authenticationCertificate', pki.authentication.der);
  certificate('signatureCertificate', facts.withSigning ? pki.signing?.der : undefined);
  certificate('caCertificate', pki.citizenCa.der);
  certificate('rootCertificate', pki.root.der);
  certificate('rrnCertificate', pki.rrn.der);
  const pkcs15 = buildPkcs15Files(facts.generation, { withSigning: facts.withSigning, chipSerial });
  for (const [name, content] of Object.entries(pkcs15) as [BelpicFile, Uint8Array][]) put(name, content);

  const photo = portraitJpeg();
  put('photo', photo);

  let basicKey: KeyObject | undefined;
  let basicKeyHash: Uint8Array | undefined;
  if (hasFile(facts.generation, 'basicKey')) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    basicKey = pair.privateKey;
    const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
    put('basicKey', spki);
    // Tag 1A is SHA-384 of the basic key file on every generation that has one.
    basicKeyHash = new Uint8Array(createHash('SHA-384').update(spki).digest());
  }

  const validityBegin = pki.authentication.certificate.notBefore;
  const validityEnd = new Date(validityBegin);
  validityEnd.setUTCFullYear(validityEnd.getUTCFullYear() + facts.validityYears);
  const givenNames = person.givenNames.trim().split(/\s+/);
  const womanLetter = { nl: 'V', fr: 'F', de: 'W' }[details.language];
  const photoHash = createHash(facts.generation.identityHash).update(photo).digest();

  const identityEntries: BelpicTlvEntry[] = [
    { tag: IDENTITY_TAG.CARD_NUMBER, value: text(cardNumber(facts, seed.subarray(16))) },
    { tag: IDENTITY_TAG.CHIP_NUMBER, value: chipSerial },
    { tag: IDENTITY_TAG.VALIDITY_BEGIN, value: text(formatCardDate(validityBegin)) },
    { tag: IDENTITY_TAG.VALIDITY_END, value: text(formatCardDate(validityEnd)) },
    { tag: IDENTITY_TAG.DELIVERY_MUNICIPALITY, value: text(details.deliveryMunicipality) },
    { tag: IDENTITY_TAG.NATIONAL_NUMBER, value: text(nationalNumber.nationalNumber) },
    { tag: IDENTITY_TAG.SURNAME, value: text(person.surname) },
    { tag: IDENTITY_TAG.FIRST_NAMES, value: text(givenNames.slice(0, 2).join(' ')) },
    { tag: IDENTITY_TAG.THIRD_NAME_INITIAL, value: text(givenNames[2]?.[0] ?? '') },
    { tag: IDENTITY_TAG.NATIONALITY, value: text(details.nationality) },
    { tag: IDENTITY_TAG.BIRTH_PLACE, value: text(details.birthPlace) },
    { tag: IDENTITY_TAG.BIRTH_DATE, value: text(formatCardBirthDate(nationalNumber.birthDate, details.language)) },
    { tag: IDENTITY_TAG.SEX, value: text(nationalNumber.sex === 'F' ? womanLetter : 'M') },
    { tag: IDENTITY_TAG.NOBLE_CONDITION, value: new Uint8Array(0) }, // none: real cards keep the empty field
    { tag: IDENTITY_TAG.DOCUMENT_TYPE, value: text(facts.documentType) },
    { tag: IDENTITY_TAG.SPECIAL_STATUS, value: text('0') },
    { tag: IDENTITY_TAG.PHOTO_HASH, value: new Uint8Array(photoHash) },
  ];
  if (basicKeyHash) identityEntries.push({ tag: IDENTITY_TAG.BASIC_KEY_HASH, value: basicKeyHash });
  const identity = encodeBelpicTlv(identityEntries);
  put('identity', identity);

  const identitySignature = signWithRrnKey(facts, pki, identity);
  const signatureFileSize = facts.generation.key.type === 'EC' ? FILE_SIZES.ecSignature : identitySignature.length;
  put('identitySignature', identitySignature, signatureFileSize);

  const address = encodeBelpicTlv([
    { tag: ADDRESS_TAG.STREET_AND_NUMBER, value: text(details.streetAndNumber) },
    { tag: ADDRESS_TAG.POSTAL_CODE, value: text(details.postalCode) },
    { tag: ADDRESS_TAG.MUNICIPALITY, value: text(details.municipality) },
  ]);
  put('address', address, FILE_SIZES.address);
  // Over the address without its padding, followed by the identity signature (for EC: its DER bytes, without the file's padding).
  const addressSignature = signWithRrnKey(facts, pki, Uint8Array.from([...address, ...identitySignature]));
  put('addressSignature', addressSignature, signatureFileSize);

  const content: CardContent = { files, chipSerial };
  if (basicKey) content.basicKey = basicKey;
  return content;
}
