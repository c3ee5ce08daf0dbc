/**
 * Constants of the BELPIC applet as the virtual card answers them, in one place
 * (belpic-card.md: Belpic applet reference manuals 1.7 and 1.8, "Belgian
 * Electronic Identity Card content"). Where a value is our own choice rather
 * than a published fact, the comment says so.
 */

export const ATR_APPLET_1_7 = Uint8Array.from([0x3b, 0x98, 0x13, 0x40, 0x0a, 0xa5, 0x03, 0x01, 0x01, 0x01, 0xad, 0x13, 0x11]);
export const ATR_APPLET_1_8 = Uint8Array.from([
  0x3b, 0x7f, 0x96, 0x00, 0x00, 0x80, 0x31, 0x80, 0x65, 0xb0, 0x85, 0x04, 0x01, 0x20, 0x12, 0x0f, 0xff, 0x82, 0x90, 0x00,
]);

export const BELPIC_APPLET_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x00, 0x30, 0x29, 0x05, 0x70, 0x00, 0xad, 0x13, 0x10, 0x01, 0x01, 0xff]);
export const PKCS15_DF_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x01, 0x77, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35]);

export const SW = {
  OK: 0x9000,
  /** 61xx: xx more bytes to fetch with GET RESPONSE (T=0) */
  BYTES_AVAILABLE: 0x6100,
  /** 63Cx: wrong PIN, x tries left */
  PIN_WRONG: 0x63c0,
  WRONG_LENGTH: 0x6700,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  PIN_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  LC_INCONSISTENT: 0x6a87,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  /** 6Cxx: wrong Le, xx is the right one */
  WRONG_LE: 0x6c00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  VERIFY: 0x20,
  CHANGE_REFERENCE_DATA: 0x24,
  MSE: 0x22,
  PSO: 0x2a,
  GET_RESPONSE: 0xc0,
  INTERNAL_AUTHENTICATE: 0x88,
  /** CLA 80 */
  GET_CARD_DATA: 0xe4,
  /** CLA 80 */
  LOG_OFF: 0xe6,
} as const;

/** Key references of MSE SET (tag 84). */
export const KEY_REF = { BASIC: 0x81, AUTHENTICATION: 0x82, SIGNATURE: 0x83 } as const;
/** The PIN reference of VERIFY / CHANGE REFERENCE DATA (P2). */
export const PIN_REFERENCE = 0x01;
export const PIN_MAX_TRIES = 3;

/** MSE SET algorithm bytes (tag 80) on RSA cards: the hash the data carries, or 01 for a caller-built DigestInfo. */
export const RSA_ALGORITHMS: Record<number, { hash?: 'md5' | 'sha1' | 'sha256'; digestLength?: number; pss?: boolean }> = {
  0x01: {},
  0x02: { hash: 'sha1', digestLength: 20 },
  0x04: { hash: 'md5', digestLength: 16 },
  0x08: { hash: 'sha256', digestLength: 32 },
  0x10: { hash: 'sha1', digestLength: 20, pss: true },
  0x20: { hash: 'sha256', digestLength: 32, pss: true },
};

/** MSE SET algorithm bytes on applet 1.8 (ECDSA): the accepted input lengths. */
export const EC_ALGORITHMS: Record<number, number[]> = {
  0x01: [32], // SHA-256
  0x02: [48], // SHA-384
  0x04: [64], // SHA-512
  0x08: [32], // SHA3-256
  0x10: [48], // SHA3-384
  0x20: [64], // SHA3-512
  0x40: [20, 28, 32, 48, 64], // hash not specified
};

/** DigestInfo prefixes (RFC 8017, 9.2 note 1) the card puts before a bare hash. */
export const DIGEST_INFO_PREFIX: Record<'md5' | 'sha1' | 'sha256', Uint8Array> = {
  md5: Uint8Array.from([0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10]),
  sha1: Uint8Array.from([0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]),
  sha256: Uint8Array.from([0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]),
};

/** File ids and their parent DF. */
export const DF_ID = 'DF01';
export const DF_PKCS15 = 'DF00';
export const MF = '3F00';

export const FILE_IDS = {
  tokenInfo: '5032',
  authenticationCertificate: '5038',
  signatureCertificate: '5039',
  caCertificate: '503A',
  rootCertificate: '503B',
  rrnCertificate: '503C',
  identity: '4031',
  identitySignature: '4032',
  address: '4033',
  addressSignature: '4034',
  photo: '4035',
  basicKey: '4040',
} as const;

/**
 * Allocated file sizes. Certificate files are 2048 bytes on real cards; the
 * others are our choice: big enough for the content, zero-padded like the
 * address file. The identity, photo and RSA signature files have no padding,
 * since their signature or hash covers the file exactly as read.
 */
export const FILE_SIZES = {
  certificate: 2048,
  tokenInfo: 128,
  address: 128,
  ecSignature: 128,
} as const;
