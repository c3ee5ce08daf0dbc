/**
 * Builds the file system of a virtual BELPIC card from a test PKI: the
 * certificate files, the identity and address files (BELPIC TLV) signed with
 * the RRN key, the photo, the token info and, on applet 1.8, the basic key.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseNationalNumber } from '../../shared/identifiers.js';
import type { TestPki } from '../test-pki/test-pki.js';
import { encodeBelpicTlv, type BelpicTlvEntry } from '../../shared/tlv.js';
import { DF_ID, DF_PKCS15, FILE_IDS, FILE_SIZES } from './belpic-constants.js';
import type { CardProfileFacts } from './card-profiles.js';
import { EidBridgeError } from '../../shared/errors.js';
import { encodePortraitJpeg } from './portrait-jpeg.js';

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

export interface CardFile {
  /** The DF holding the file. */
  parent: typeof DF_ID | typeof DF_PKCS15;
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

function padded(content: Uint8Array, size: number): number {
  return Math.max(size, content.length);
}

/** A minimal PKCS#15 TokenInfo (version, serial number, manufacturer, label "BELPIC", token flags). */
function tokenInfo(chipSerial: Uint8Array): Uint8Array {
  const tlv = (tag: number, value: Uint8Array | number[]) => [tag, value.length, ...value];
  const body = [
    ...tlv(0x02, [0x00]),
    ...tlv(0x04, chipSerial),
    ...tlv(0x0c, text('eID Bridge virtual card')),
    ...tlv(0x80, text('BELPIC')),
    ...tlv(0x03, [0x04, 0xa0]), // readonly, prnGeneration
  ];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** ECDSA signatures sit DER-encoded in a zero-padded file; RSA ones fill the file exactly. */
function signWithRrnKey(pki: TestPki, data: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: Buffer.from(pki.rrn.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  return new Uint8Array(sign(pki.keyType === 'ec' ? 'sha384' : 'sha256', data, key));
}

export function buildCardContent(facts: CardProfileFacts, pki: TestPki, details: VirtualCardHolderDetails): CardContent {
  const files = new Map<string, CardFile>();
  const person = pki.person;
  const nationalNumber = parseNationalNumber(person.nationalNumber);
  if (!nationalNumber) {
    throw new EidBridgeError('INVALID_ARGUMENT', `not a valid national number: ${person.nationalNumber}`, { argument: 'person.nationalNumber' });
  }
  const seed = createHash('sha256').update(pki.authentication.der).digest();
  const chipSerial = new Uint8Array(seed.subarray(0, 16));

  const certificateFile = (der: Uint8Array | undefined): CardFile => ({
    parent: DF_PKCS15,
    content: der ?? new Uint8Array(0),
    size: padded(der ?? new Uint8Array(0), FILE_SIZES.certificate),
  });
  files.set(FILE_IDS.authenticationCertificate, certificateFile(pki.authentication.der));
  // A card without a signature key keeps an all-zero signature certificate file.
  files.set(FILE_IDS.signatureCertificate, certificateFile(facts.withSigning ? pki.signing?.der : undefined));
  files.set(FILE_IDS.caCertificate, certificateFile(pki.citizenCa.der));
  files.set(FILE_IDS.rootCertificate, certificateFile(pki.root.der));
  files.set(FILE_IDS.rrnCertificate, certificateFile(pki.rrn.der));
  const info = tokenInfo(chipSerial);
  files.set(FILE_IDS.tokenInfo, { parent: DF_PKCS15, content: info, size: padded(info, FILE_SIZES.tokenInfo) });

  const photo = encodePortraitJpeg();
  files.set(FILE_IDS.photo, { parent: DF_ID, content: photo, size: photo.length });

  let basicKey: KeyObject | undefined;
  let basicKeyHash: Uint8Array | undefined;
  if (facts.appletVersion === 0x18) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    basicKey = pair.privateKey;
    const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
    files.set(FILE_IDS.basicKey, { parent: DF_ID, content: spki, size: spki.length });
    basicKeyHash = new Uint8Array(createHash('sha384').update(spki).digest());
  }

  const certificate = pki.authentication.certificate;
  const validityBegin = certificate.notBefore;
  const validityEnd = new Date(validityBegin);
  validityEnd.setUTCFullYear(validityEnd.getUTCFullYear() + facts.validityYears);
  const givenNames = person.givenNames.trim().split(/\s+/);
  const womanLetter = { nl: 'V', fr: 'F', de: 'W' }[details.language];
  const photoHash = createHash(facts.appletVersion === 0x18 ? 'sha384' : 'sha256').update(photo).digest();

  const identityEntries: BelpicTlvEntry[] = [
    { tag: 0x01, value: text(cardNumber(facts, seed.subarray(16))) },
    { tag: 0x02, value: chipSerial },
    { tag: 0x03, value: text(formatCardDate(validityBegin)) },
    { tag: 0x04, value: text(formatCardDate(validityEnd)) },
    { tag: 0x05, value: text(details.deliveryMunicipality) },
    { tag: 0x06, value: text(nationalNumber.nationalNumber) },
    { tag: 0x07, value: text(person.surname) },
    { tag: 0x08, value: text(givenNames.slice(0, 2).join(' ')) },
    { tag: 0x09, value: text(givenNames[2]?.[0] ?? '') },
    { tag: 0x0a, value: text(details.nationality) },
    { tag: 0x0b, value: text(details.birthPlace) },
    { tag: 0x0c, value: text(formatCardBirthDate(nationalNumber.birthDate, details.language)) },
    { tag: 0x0d, value: text(nationalNumber.sex === 'F' ? womanLetter : 'M') },
    { tag: 0x0e, value: new Uint8Array(0) }, // no noble condition: real cards keep the empty field
    { tag: 0x0f, value: text(facts.documentType) },
    { tag: 0x10, value: text('0') },
    { tag: 0x11, value: new Uint8Array(photoHash) },
  ];
  if (basicKeyHash) identityEntries.push({ tag: 0x1a, value: basicKeyHash });
  const identity = encodeBelpicTlv(identityEntries);
  files.set(FILE_IDS.identity, { parent: DF_ID, content: identity, size: identity.length });

  const identitySignature = signWithRrnKey(pki, identity);
  const signatureFileSize = pki.keyType === 'ec' ? FILE_SIZES.ecSignature : identitySignature.length;
  files.set(FILE_IDS.identitySignature, { parent: DF_ID, content: identitySignature, size: padded(identitySignature, signatureFileSize) });

  const address = encodeBelpicTlv([
    { tag: 0x01, value: text(details.streetAndNumber) },
    { tag: 0x02, value: text(details.postalCode) },
    { tag: 0x03, value: text(details.municipality) },
  ]);
  files.set(FILE_IDS.address, { parent: DF_ID, content: address, size: padded(address, FILE_SIZES.address) });
  // Over the address without its padding, followed by the identity signature (for EC: its DER bytes, without the file's padding).
  const addressSignature = signWithRrnKey(pki, Uint8Array.from([...address, ...identitySignature]));
  files.set(FILE_IDS.addressSignature, { parent: DF_ID, content: addressSignature, size: padded(addressSignature, signatureFileSize) });

  const content: CardContent = { files, chipSerial };
  if (basicKey) content.basicKey = basicKey;
  return content;
}
