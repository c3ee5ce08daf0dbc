/**
 * Every BELPIC constant in one place. Sources: the public Belpic applet
 * reference manuals (1.7, 1.8), "Belgian Electronic Identity Card content",
 * ISO/IEC 7816-4 and PC/SC part 10. Where a real card disagrees, the card wins.
 */

/** ATR of V1.1 and applet 1.7 cards, compared under ATR_MASK_RSA. */
export const ATR_RSA = Uint8Array.of(0x3b, 0x98, 0x13, 0x40, 0x0a, 0xa5, 0x03, 0x01, 0x01, 0x01, 0xad, 0x13, 0x11);
export const ATR_MASK_RSA = Uint8Array.of(0xff, 0xff, 0x00, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00);
/** ATR of applet 1.8 cards (exact). */
export const ATR_18 = Uint8Array.of(
  0x3b, 0x7f, 0x96, 0x00, 0x00, 0x80, 0x31, 0x80, 0x65, 0xb0, 0x85, 0x04, 0x01, 0x20, 0x12, 0x0f, 0xff, 0x82, 0x90, 0x00,
);

/** BELPIC applet AID; default-selected after reset, selected again if another application left something else selected. */
export const BELPIC_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x30, 0x29, 0x05, 0x70, 0x00, 0xad, 0x13, 0x10, 0x01, 0x01, 0xff);

/** Applet versions (GET CARD DATA byte 21). */
export const APPLET_V11 = 0x11;
export const APPLET_V17 = 0x17;
export const APPLET_V18 = 0x18;

/** GET CARD DATA: 28 bytes; on 1.8 P2=01 asks for 31 bytes, byte 28 = PIN tries left (FF unknown). */
export const GET_CARD_DATA = Uint8Array.of(0x80, 0xe4, 0x00, 0x00, 0x1c);
export const GET_CARD_DATA_18 = Uint8Array.of(0x80, 0xe4, 0x00, 0x01, 0x1f);
export const CARD_DATA = {
  serialOffset: 0,
  serialLength: 16,
  appletVersion: 21,
  pinTriesLeft18: 28,
} as const;

/** INS bytes (ISO 7816-4 unless noted). */
export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  GET_RESPONSE: 0xc0,
  VERIFY: 0x20,
  CHANGE_REFERENCE_DATA: 0x24,
  MSE: 0x22,
  PSO: 0x2a,
  /** BELPIC proprietary (CLA 80). */
  LOG_OFF: 0xe6,
} as const;

/** Key references for MSE SET. */
export const KEY_AUTHENTICATION = 0x82;
export const KEY_SIGNATURE = 0x83;

/** MSE SET algorithm byte, RSA cards: PKCS#1 v1.5 over a caller-built DigestInfo‖hash (works on every RSA card). */
export const ALG_RSA_PKCS1 = 0x01;
/** MSE SET algorithm byte, 1.8 (ECDSA), by the hash the input is. */
export const ALG_EC = { 'SHA-256': 0x01, 'SHA-384': 0x02, 'SHA-512': 0x04, unspecified: 0x40 } as const;

/** READ BINARY chunk size: 252 bytes, as the official middleware reads. */
export const READ_CHUNK = 0xfc;
/** Files are at most a few KB (the photo ~3 KB); stop runaway reads. */
export const MAX_FILE_SIZE = 0x8000;
/** Old cards want a short pause before resending a command after 6Cxx. */
export const RESEND_PAUSE_MS = 20;

/** File ids; all under 3F00 and DF00 (certificates) or DF01 (identity). */
export const FILES = {
  authenticationCertificate: '3F00DF005038',
  signatureCertificate: '3F00DF005039',
  caCertificate: '3F00DF00503A',
  rootCertificate: '3F00DF00503B',
  rrnCertificate: '3F00DF00503C',
  tokenInfo: '3F00DF005032',
  identity: '3F00DF014031',
  identitySignature: '3F00DF014032',
  address: '3F00DF014033',
  addressSignature: '3F00DF014034',
  photo: '3F00DF014035',
  basicKey: '3F00DF014040',
} as const;

/** Status words. */
export const SW = {
  OK: 0x9000,
  END_OF_FILE_WARNING: 0x6282,
  WRONG_LENGTH: 0x6700,
  SECURITY_NOT_SATISFIED: 0x6982,
  PIN_BLOCKED: 0x6983,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  LC_INCONSISTENT: 0x6a87,
  WRONG_OFFSET: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  // PC/SC part 10 reader answers to a PIN-pad VERIFY
  PIN_PAD_TIMEOUT: 0x6400,
  PIN_PAD_CANCELLED: 0x6401,
  PIN_PAD_MISMATCH: 0x6402,
  PIN_PAD_FORMAT: 0x6403,
} as const;

export const PIN_MIN = 4;
export const PIN_MAX = 12;

/** DigestInfo prefixes for PKCS#1 v1.5 (RFC 8017, section 9.2 note 1). */
export const DIGEST_INFO_PREFIX: Record<'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512', Uint8Array> = {
  'SHA-1': Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
  'SHA-224': Uint8Array.of(0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c),
  'SHA-256': Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  'SHA-384': Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  'SHA-512': Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
};

export const DIGEST_LENGTHS = { 'SHA-1': 20, 'SHA-224': 28, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;

/** PIN_VERIFY_STRUCTURE values for this card (PC/SC part 10, as the official middleware fills them). */
export const PIN_PAD = {
  timerOut: 30,
  timerOut2: 30,
  formatString: 0x89,
  pinBlockString: 0x47,
  pinLengthFormat: 0x04,
  maxDigits: PIN_MAX,
  minDigits: PIN_MIN,
  entryValidationCondition: 0x02,
  numberMessage: 0x01,
  msgIndex: 0x00,
  langIds: { en: 0x0409, nl: 0x0813, fr: 0x080c, de: 0x0407 },
  /** VERIFY with a template block the reader fills in: 0x20 then FF filler. */
  verifyApdu: Uint8Array.of(0x00, 0x20, 0x00, 0x01, 0x08, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  /** CHANGE REFERENCE DATA with two template blocks: the current PIN at data offset 0, the new one at 8. */
  modifyApdu: Uint8Array.of(
    0x00, 0x24, 0x00, 0x01, 0x10,
    0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  ),
  insertionOffsetOld: 0x00,
  insertionOffsetNew: 0x08,
  /** bConfirmPIN: ask for the new PIN twice (bit 0) and for the current PIN (bit 1). */
  confirmPin: 0x03,
  /** Three prompts: current PIN, new PIN, new PIN again. */
  modifyNumberMessage: 0x03,
} as const;

/** Identity document types (identity tag 0F). */
export const DOCUMENT_TYPE_EID = 1;
export const DOCUMENT_TYPE_KIDS = 6;
export const IDENTITY_TAG_DOCUMENT_TYPE = 0x0f;
