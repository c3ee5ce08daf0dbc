/**
 * Identity data read from a Belgian eID card (files 4031 identity, 4033 address,
 * 4035 photo) and the verdict of its integrity check. Shapes shared by the host,
 * the CLI and the extension.
 */

export interface IdentityData {
  cardNumber: string;
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
  /** ISO date; month or day may be "00" when the card leaves them blank. */
  birthDate: string;
  /** As printed on the card, in the card's language. */
  birthDateOnCard: string;
  sex: 'M' | 'F';
  nobleCondition?: string;
  /** Tag 0F: 1 eID, 6 Kids-ID, 11–36 and 61–69 foreigner cards. */
  documentType: number;
  documentTypeName: string;
  specialStatus: number;
  specialStatusName: string;
  /** hex of tag 11 */
  photoHash: string;
  duplicate?: string;
  specialOrganisation?: string;
  memberOfFamily?: boolean;
  /** Tags we do not name, kept as hex so nothing is lost (new cards add tags). */
  otherTags: Record<string, string>;
}

export interface AddressData {
  streetAndNumber: string;
  postalCode: string;
  municipality: string;
}

export type CheckOutcome = 'valid' | 'invalid' | 'not-checked';

export interface IdentityVerification {
  /** True only when every check below is valid and the RRN certificate is trusted. */
  verified: boolean;
  identitySignature: CheckOutcome;
  addressSignature: CheckOutcome;
  photoHash: CheckOutcome;
  /** The RRN certificate chains to a trusted root. */
  rrnCertificate: 'trusted' | 'untrusted' | 'not-checked';
  /** Plain-language reasons for anything not valid. */
  problems: string[];
}

/** Raw card files by file id, base64, so they can be saved and verified offline. */
export type RawCardFiles = Partial<Record<'4031' | '4032' | '4033' | '4034' | '4035' | '503C' | '5038' | '5039' | '503A' | '503B', string>>;

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
