/**
 * The fixed facts of the BELPIC applet that every generation shares: AIDs,
 * file ids, instruction bytes, status words, key references, PIN rules and
 * the signature algorithm bytes of MSE SET. The host's driver and the virtual
 * card both read them from here; what differs between applet versions is in
 * card-generations.ts. Explained in docs/card.md; where a real card
 * disagrees, the card wins.
 */

/** BELPIC applet AID, default-selected after a reset (docs/card.md, "File system"). */
export const BELPIC_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x30, 0x29, 0x05, 0x70, 0x00, 0xad, 0x13, 0x10, 0x01, 0x01, 0xff);
/** AID of the PKCS#15 DF (DF00), "PKCS-15" in ASCII after the RID. */
export const PKCS15_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x77, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35);

/** Directory file ids: the master file, the PKCS#15 DF (certificates) and the identity DF. */
export const MF = '3F00';
export const DF_PKCS15 = 'DF00';
export const DF_IDENTITY = 'DF01';
export type BelpicDirectory = typeof MF | typeof DF_PKCS15 | typeof DF_IDENTITY;

/** Each elementary file: its id and the DF it sits in (docs/card.md, "File system"). */
export const FILES = {
  /** EF.DIR: names the PKCS#15 application and its path. */
  applicationDirectory: { id: '2F00', parent: MF },
  /** PKCS#15 object directory (ODF): where the AODF, PrKDF and CDF are. */
  objectDirectory: { id: '5031', parent: DF_PKCS15 },
  tokenInfo: { id: '5032', parent: DF_PKCS15 },
  /** PKCS#15 authentication object directory (AODF): the PIN. */
  authenticationObjects: { id: '5034', parent: DF_PKCS15 },
  /** PKCS#15 private key directory (PrKDF). */
  privateKeys: { id: '5035', parent: DF_PKCS15 },
  /** PKCS#15 certificate directory (CDF). */
  certificates: { id: '5037', parent: DF_PKCS15 },
  authenticationCertificate: { id: '5038', parent: DF_PKCS15 },
  signatureCertificate: { id: '5039', parent: DF_PKCS15 },
  caCertificate: { id: '503A', parent: DF_PKCS15 },
  rootCertificate: { id: '503B', parent: DF_PKCS15 },
  rrnCertificate: { id: '503C', parent: DF_PKCS15 },
  identity: { id: '4031', parent: DF_IDENTITY },
  identitySignature: { id: '4032', parent: DF_IDENTITY },
  address: { id: '4033', parent: DF_IDENTITY },
  addressSignature: { id: '4034', parent: DF_IDENTITY },
  photo: { id: '4035', parent: DF_IDENTITY },
  basicKey: { id: '4040', parent: DF_IDENTITY },
} as const satisfies Record<string, { id: string; parent: BelpicDirectory }>;
export type BelpicFile = keyof typeof FILES;

/** The full path of a file as SELECT by path takes it: "3F00DF014031" ("3F002F00" for a file of the MF). */
export function filePath(file: BelpicFile): string {
  const { id, parent } = FILES[file];
  return parent === MF ? `${MF}${id}` : `${MF}${parent}${id}`;
}

/** Instruction bytes (ISO/IEC 7816-4 with CLA 00, unless noted). */
export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  GET_RESPONSE: 0xc0,
  VERIFY: 0x20,
  CHANGE_REFERENCE_DATA: 0x24,
  MSE: 0x22,
  PSO: 0x2a,
  INTERNAL_AUTHENTICATE: 0x88,
  /** BELPIC proprietary, CLA 80. */
  GET_CARD_DATA: 0xe4,
  /** BELPIC proprietary, CLA 80. */
  LOG_OFF: 0xe6,
} as const;

/** Status words (docs/card.md, "Status words"). */
export const SW = {
  OK: 0x9000,
  /** 61xx: xx more bytes wait for GET RESPONSE (T=0). */
  BYTES_AVAILABLE: 0x6100,
  END_OF_FILE_WARNING: 0x6282,
  /** 63Cx: wrong PIN, x tries left. */
  PIN_WRONG: 0x63c0,
  WRONG_LENGTH: 0x6700,
  SECURITY_NOT_SATISFIED: 0x6982,
  PIN_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  LC_INCONSISTENT: 0x6a87,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  /** Wrong P1-P2; to READ BINARY: the offset is at or past the end of the file. */
  WRONG_P1P2: 0x6b00,
  /** 6Cxx: wrong Le, xx is the right one. */
  WRONG_LE: 0x6c00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  // PC/SC part 10: a PIN-pad reader's own answers to a VERIFY it ran.
  PIN_PAD_TIMEOUT: 0x6400,
  PIN_PAD_CANCELLED: 0x6401,
  PIN_PAD_MISMATCH: 0x6402,
  PIN_PAD_FORMAT: 0x6403,
} as const;

/** GET CARD DATA answer: where the fields the code reads sit. */
export const CARD_DATA = {
  serialOffset: 0,
  serialLength: 16,
  appletVersion: 21,
  /** Length of the answer every generation gives to P2 = 00. */
  length: 28,
} as const;

/** Key references of MSE SET (tag 84). */
export const KEY_REF = { BASIC: 0x81, AUTHENTICATION: 0x82, SIGNATURE: 0x83 } as const;

/**
 * The PKCS#15 objects a card describes in its AODF, PrKDF and CDF
 * (docs/card.md, "PKCS#15 objects"): labels and object ids as real cards
 * carry them. A key and its certificate share an id; the PIN's id is the
 * auth id of the keys it protects. The RRN certificate (503C) is in no
 * directory file: software reads it by path.
 */
export const PKCS15_OBJECTS = {
  pin: { label: 'Basic PIN', id: 0x01 },
  authentication: { label: 'Authentication', id: 0x02, key: KEY_REF.AUTHENTICATION, certificate: 'authenticationCertificate' },
  signature: { label: 'Signature', id: 0x03, key: KEY_REF.SIGNATURE, certificate: 'signatureCertificate' },
  ca: { label: 'CA', id: 0x04, certificate: 'caCertificate' },
  root: { label: 'Root', id: 0x06, certificate: 'rootCertificate' },
} as const;
/** Label of the PKCS#15 application (EF.DIR) and of the token (TokenInfo). */
export const PKCS15_LABEL = 'BELPIC';

/** The PIN: reference (P2 of VERIFY and CHANGE REFERENCE DATA), length in digits, tries. */
export const PIN_REFERENCE = 0x01;
export const PIN_MIN = 4;
export const PIN_MAX = 12;
export const PIN_MAX_TRIES = 3;

export type HashName = 'MD5' | 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA3-256' | 'SHA3-384' | 'SHA3-512';

export const DIGEST_LENGTHS: Record<HashName, number> = {
  MD5: 16,
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
  'SHA3-256': 32,
  'SHA3-384': 48,
  'SHA3-512': 64,
};

/** DigestInfo prefixes for PKCS#1 v1.5 (RFC 8017, section 9.2, note 1): DER up to the hash bytes. */
export const DIGEST_INFO_PREFIX: Record<'MD5' | 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512', Uint8Array> = {
  MD5: Uint8Array.of(0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10),
  'SHA-1': Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
  'SHA-224': Uint8Array.of(0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c),
  'SHA-256': Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  'SHA-384': Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  'SHA-512': Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
};

/**
 * What an MSE SET algorithm byte (tag 80) asks the card to do with the PSO
 * input. `hash` absent: the input is not one fixed hash (a caller-built
 * DigestInfo on RSA cards, any listed length on EC cards).
 */
export interface SignatureAlgorithm {
  hash?: HashName;
  /** RSA only: the padding the card applies. */
  padding?: 'pkcs1' | 'pss';
  /** EC only: the input lengths accepted when no hash is named. */
  inputLengths?: readonly number[];
}

/** Algorithm bytes of RSA cards (V1.1, 1.7). */
export const RSA_SIGNATURE_ALGORITHMS: Readonly<Record<number, SignatureAlgorithm>> = {
  /** The caller built DigestInfo‖hash: works on every RSA card. */
  0x01: { padding: 'pkcs1' },
  0x02: { hash: 'SHA-1', padding: 'pkcs1' },
  0x04: { hash: 'MD5', padding: 'pkcs1' },
  0x08: { hash: 'SHA-256', padding: 'pkcs1' },
  0x10: { hash: 'SHA-1', padding: 'pss' },
  0x20: { hash: 'SHA-256', padding: 'pss' },
};
/** The RSA algorithm byte for a caller-built DigestInfo‖hash. */
export const RSA_DIGEST_INFO_ALGORITHM = 0x01;

/** Algorithm bytes of EC cards (1.8, ECDSA). */
export const EC_SIGNATURE_ALGORITHMS: Readonly<Record<number, SignatureAlgorithm>> = {
  0x01: { hash: 'SHA-256' },
  0x02: { hash: 'SHA-384' },
  0x04: { hash: 'SHA-512' },
  0x08: { hash: 'SHA3-256' },
  0x10: { hash: 'SHA3-384' },
  0x20: { hash: 'SHA3-512' },
  /** Hash not named: the card signs any input of these lengths. */
  0x40: { inputLengths: [20, 28, 32, 48, 64] },
};
/** The EC algorithm byte for an input whose hash has no byte of its own. */
export const EC_UNSPECIFIED_HASH_ALGORITHM = 0x40;

/** The input lengths an algorithm byte accepts. */
export function acceptedInputLengths(algorithm: SignatureAlgorithm): readonly number[] {
  return algorithm.hash ? [DIGEST_LENGTHS[algorithm.hash]] : (algorithm.inputLengths ?? []);
}

/** Identity tag 0F values the driver tells apart (docs/card.md, "Identity file"). */
export const DOCUMENT_TYPE_EID = 1;
export const DOCUMENT_TYPE_KIDS = 6;
