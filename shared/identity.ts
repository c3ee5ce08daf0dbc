/**
 * Identity data read from a Belgian eID card (files 4031 identity, 4033 address,
 * 4035 photo) and the verdict of its integrity check. Shapes shared by the host,
 * the CLI and the extension.
 */

export interface IdentityData {
  /** Tag 00, hex, when the card has it (old cards do not). */
  fileStructureVersion?: string;
  cardNumber: string;
  /** eID/Kids-ID: 123-4567890-12; foreigner cards print theirs as is. */
  cardNumberFormatted?: string;
  /** hex */
  chipNumber: string;
  /** ISO dates (YYYY-MM-DD) */
  validityBegin: string;
  validityEnd: string;
  deliveryMunicipality: string;
  /** 11 digits */
  nationalNumber: string;
  /** YY.MM.DD-SSS.CC */
  nationalNumberFormatted: string;
  surname: string;
  /** The first two given names, space separated. */
  firstNames: string;
  thirdNameInitial?: string;
  nationality: string;
  birthPlace: string;
  /**
   * ISO date; month or day may be "00" when the card leaves them blank. Empty
   * only when neither the card's text nor the national number gives a date.
   */
  birthDate: string;
  /** As printed on the card, in the card's language. */
  birthDateOnCard: string;
  /** 'F' for the card's F, V and W; 'X' only if a card ever holds something else. */
  sex: 'M' | 'F' | 'X';
  nobleCondition?: string;
  /** Tag 0F: 1 eID, 6 Kids-ID, 11–36 and 61–69 foreigner cards. */
  documentType: number;
  documentTypeName: string;
  specialStatus: number;
  specialStatusName: string;
  /** hex of tag 11 */
  photoHash: string;
  duplicate?: string;
  /** Tag 13 code: 1 SHAPE, 2 NATO, 4 former EU blue card holder, 5 researcher. */
  specialOrganisation?: string;
  specialOrganisationName?: string;
  memberOfFamily?: boolean;
  /** Tag 15 */
  dateAndCountryOfProtection?: string;
  /** Tag 16 */
  workPermitMention?: string;
  /** Tags 17 and 18 */
  employerVat1?: string;
  employerVat2?: string;
  /** Tag 19 */
  regionalFileNumber?: string;
  /** Tag 1A, hex: SHA-384 of the basic key file 4040 (applet 1.8). */
  basicKeyHash?: string;
  /** Tags we do not name, kept as hex so nothing is lost (new cards add tags). */
  otherTags: Record<string, string>;
}

export interface AddressData {
  /** Tag 00, hex, when present. */
  fileStructureVersion?: string;
  streetAndNumber: string;
  postalCode: string;
  municipality: string;
}

export type CheckOutcome = 'valid' | 'invalid' | 'not-checked';

export interface IdentityVerification {
  /**
   * True only when the identity signature is valid, the RRN certificate is
   * trusted, and every other check that could run (address when read, photo
   * when read) is valid. Anything else is "not verified", never "valid".
   */
  verified: boolean;
  identitySignature: CheckOutcome;
  addressSignature: CheckOutcome;
  photoHash: CheckOutcome;
  /** Applet 1.8: SHA-384 of the basic key file 4040 equals identity tag 1A (when 4040 was read). */
  basicKeyHash?: CheckOutcome;
  /** The RRN certificate is issued directly by a trusted root, is no CA and is for signing. */
  rrnCertificate: 'trusted' | 'untrusted' | 'not-checked';
  /** Plain-language reasons for anything not valid. */
  problems: string[];
  /**
   * Plain-language notes that do not change the verdict, e.g. an RRN
   * certificate that is not named RRN (the government's test cards).
   */
  warnings: string[];
  /** The digest the signatures were made with, e.g. "SHA-256" (when one verified). */
  signatureHash?: string;
  /** RSA-1024, RSA-2048, EC P-384, ... of the RRN key. */
  rrnKeyType?: string;
  /** Subject and issuer of the RRN certificate, for display. */
  rrnSubject?: string;
  rrnIssuer?: string;
  /** The trusted root the RRN certificate chains to. */
  trustedRoot?: string;
}

/** Raw card files by file id, base64, so they can be saved and verified offline. */
export type RawCardFiles = Partial<Record<'4031' | '4032' | '4033' | '4034' | '4035' | '4040' | '503C' | '5038' | '5039' | '503A' | '503B', string>>;

export interface ReadIdentityResult {
  identity: IdentityData;
  address?: AddressData;
  /** base64 JPEG, only when asked for */
  photo?: string;
  verification: IdentityVerification;
  rawFiles: RawCardFiles;
  cardType: string;
  virtual?: boolean;
}
