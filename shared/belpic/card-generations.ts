/**
 * The BELPIC applet generations, one row each: everything the host's driver
 * and the virtual card look up per applet version. Adding a generation is one
 * new row here (and its name in CardGenerationName); code asks this table
 * instead of comparing version numbers. Explained in docs/card.md,
 * "Card generations".
 */
import { equalBytes } from '../bytes.js';
import {
  CARD_DATA,
  DIGEST_INFO_PREFIX,
  EC_SIGNATURE_ALGORITHMS,
  EC_UNSPECIFIED_HASH_ALGORITHM,
  RSA_DIGEST_INFO_ALGORITHM,
  RSA_SIGNATURE_ALGORITHMS,
  type BelpicFile,
  type HashName,
  type SignatureAlgorithm,
} from './card-constants.js';

/** An ATR and the bits of it that must match (1 bits of the mask). */
export interface AtrPattern {
  value: Uint8Array;
  mask: Uint8Array;
}

export type CardGenerationName = 'V1.1' | '1.7' | '1.8';

export interface CardGeneration {
  name: CardGenerationName;
  /** The applet version as people read it: "applet 1.1". */
  appletLabel: string;
  /** GET CARD DATA byte 21 values of this generation; the virtual card answers the first. */
  appletVersions: readonly number[];
  atr: AtrPattern;
  /** How GET CARD DATA is asked, how long the answer is, and where it tells the PIN tries left (FF: unknown). */
  cardData: { command: Uint8Array; length: number; pinTriesLeftOffset?: number };
  key: { type: 'RSA'; bits: number } | { type: 'EC'; curve: 'P-384'; signatureLength: number };
  /** MSE SET algorithm bytes the card accepts. */
  signatureAlgorithms: Readonly<Record<number, SignatureAlgorithm>>;
  /** Hash of the photo (identity tag 11) and of the RRN signatures, on cards issued today. */
  identityHash: HashName;
  /** The files the card holds. */
  files: readonly BelpicFile[];
  /** How to learn the PIN tries left without spending one; 'none' where no probe is safe. */
  pinTriesProbe: 'card-data' | 'verify-without-data' | 'none';
  /** INTERNAL AUTHENTICATE with the basic key proves the chip genuine. */
  internalAuthenticate: boolean;
  /**
   * GET CARD DATA bytes the virtual card answers where generations differ (OS
   * version at 18, the low global-OS-version byte at 23, PKCS#1 support at 25);
   * absent for a generation the virtual card does not play.
   */
  virtualChip?: { osVersion: number; globalOsVersion: number; pkcs1Support: number };
}

const FF = 0xff;

/** V1.1 and 1.7 cards: the same ATR once the bytes that vary are masked out. */
const RSA_CARD_ATR: AtrPattern = {
  value: Uint8Array.of(0x3b, 0x98, 0x13, 0x40, 0x0a, 0xa5, 0x03, 0x01, 0x01, 0x01, 0xad, 0x13, 0x11),
  mask: Uint8Array.of(FF, FF, 0x00, FF, 0x00, FF, FF, FF, FF, FF, FF, FF, 0x00),
};
/** 1.8 cards: one exact ATR. */
const EC_CARD_ATR_VALUE = Uint8Array.of(
  0x3b, 0x7f, 0x96, 0x00, 0x00, 0x80, 0x31, 0x80, 0x65, 0xb0, 0x85, 0x04, 0x01, 0x20, 0x12, 0x0f, 0xff, 0x82, 0x90, 0x00,
);
const EC_CARD_ATR: AtrPattern = { value: EC_CARD_ATR_VALUE, mask: new Uint8Array(EC_CARD_ATR_VALUE.length).fill(FF) };

/** GET CARD DATA, P2 = 00: the 28 bytes every generation answers. */
const GET_CARD_DATA = Uint8Array.of(0x80, 0xe4, 0x00, 0x00, CARD_DATA.length);
/** GET CARD DATA, P2 = 01 (1.8): 31 bytes, byte 28 the PIN tries left. */
const GET_CARD_DATA_WITH_PIN_TRIES = Uint8Array.of(0x80, 0xe4, 0x00, 0x01, 0x1f);

const FILES_OF_EVERY_GENERATION: readonly BelpicFile[] = [
  'applicationDirectory',
  'objectDirectory',
  'tokenInfo',
  'authenticationObjects',
  'privateKeys',
  'certificates',
  'authenticationCertificate',
  'signatureCertificate',
  'caCertificate',
  'rootCertificate',
  'rrnCertificate',
  'identity',
  'identitySignature',
  'address',
  'addressSignature',
  'photo',
];

export const CARD_GENERATIONS: Readonly<Record<CardGenerationName, CardGeneration>> = {
  'V1.1': {
    name: 'V1.1',
    appletLabel: '1.1',
    appletVersions: [0x10, 0x11],
    atr: RSA_CARD_ATR,
    cardData: { command: GET_CARD_DATA, length: CARD_DATA.length },
    key: { type: 'RSA', bits: 1024 },
    signatureAlgorithms: RSA_SIGNATURE_ALGORITHMS,
    identityHash: 'SHA-1',
    files: FILES_OF_EVERY_GENERATION,
    // VERIFY without data is not safe on these cards.
    pinTriesProbe: 'none',
    internalAuthenticate: false,
  },
  '1.7': {
    name: '1.7',
    appletLabel: '1.7',
    appletVersions: [0x17],
    atr: RSA_CARD_ATR,
    cardData: { command: GET_CARD_DATA, length: CARD_DATA.length },
    key: { type: 'RSA', bits: 2048 },
    signatureAlgorithms: RSA_SIGNATURE_ALGORITHMS,
    // Older 1.7 cards carry SHA-1; the verifier follows the photo-hash length.
    identityHash: 'SHA-256',
    files: FILES_OF_EVERY_GENERATION,
    pinTriesProbe: 'verify-without-data',
    internalAuthenticate: false,
    virtualChip: { osVersion: 0x01, globalOsVersion: 0x01, pkcs1Support: 0x21 },
  },
  '1.8': {
    name: '1.8',
    appletLabel: '1.8',
    appletVersions: [0x18],
    atr: EC_CARD_ATR,
    cardData: { command: GET_CARD_DATA_WITH_PIN_TRIES, length: 31, pinTriesLeftOffset: 28 },
    key: { type: 'EC', curve: 'P-384', signatureLength: 96 },
    signatureAlgorithms: EC_SIGNATURE_ALGORITHMS,
    identityHash: 'SHA-384',
    files: [...FILES_OF_EVERY_GENERATION, 'basicKey'],
    pinTriesProbe: 'card-data',
    internalAuthenticate: true,
    virtualChip: { osVersion: 0x02, globalOsVersion: 0x02, pkcs1Support: 0x00 },
  },
};

export function cardGeneration(name: CardGenerationName): CardGeneration {
  return CARD_GENERATIONS[name];
}

export function atrMatches(atr: Uint8Array, pattern: AtrPattern): boolean {
  if (atr.length !== pattern.value.length) return false;
  if (pattern.mask.every((b) => b === FF)) return equalBytes(atr, pattern.value);
  return atr.every((b, i) => (b & pattern.mask[i]!) === (pattern.value[i]! & pattern.mask[i]!));
}

/** The generations a card with this ATR can be; GET CARD DATA's applet version tells them apart. */
export function generationsWithAtr(atr: Uint8Array): CardGeneration[] {
  return Object.values(CARD_GENERATIONS).filter((generation) => atrMatches(atr, generation.atr));
}

/** The generation among `candidates` whose applet version this is. */
export function generationWithAppletVersion(candidates: readonly CardGeneration[], appletVersion: number): CardGeneration | undefined {
  return candidates.find((generation) => generation.appletVersions.includes(appletVersion));
}

export function hasFile(generation: CardGeneration, file: BelpicFile): boolean {
  return generation.files.includes(file);
}

/**
 * The MSE SET algorithm byte and the PSO input for signing a digest. RSA
 * cards get a DigestInfo the caller built (byte 01 works on every RSA card);
 * EC cards get the bare hash under the byte naming it, or "hash not named".
 */
export function signatureInput(
  generation: CardGeneration,
  hash: keyof typeof DIGEST_INFO_PREFIX,
  digest: Uint8Array,
): { algorithm: number; input: Uint8Array } {
  if (generation.key.type === 'EC') {
    const named = Object.entries(generation.signatureAlgorithms).find(([, rule]) => rule.hash === hash);
    return { algorithm: named ? Number(named[0]) : EC_UNSPECIFIED_HASH_ALGORITHM, input: digest };
  }
  const prefix = DIGEST_INFO_PREFIX[hash];
  const input = new Uint8Array(prefix.length + digest.length);
  input.set(prefix, 0);
  input.set(digest, prefix.length);
  return { algorithm: RSA_DIGEST_INFO_ALGORITHM, input };
}
