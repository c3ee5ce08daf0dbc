/**
 * The PKCS#15 files of a virtual BELPIC card (EF.DIR, ODF, TokenInfo, AODF,
 * PrKDF, CDF), encoded with asn1js from the card-generations row and the
 * PKCS#15 object table in shared/belpic/card-constants.ts. The layout follows
 * the one published for real cards (docs/card.md, "PKCS#15 objects"),
 * including its quirks: an explicit implicitTrust FALSE in each certificate
 * entry and no maxLength on the PIN.
 */
import * as asn1js from 'asn1js';
import {
  DF_PKCS15,
  filePath,
  MF,
  PIN_MIN,
  PIN_REFERENCE,
  PKCS15_AID,
  PKCS15_LABEL,
  PKCS15_OBJECTS,
  type BelpicFile,
} from '../../shared/belpic/card-constants.js';
import type { CardGeneration } from '../../shared/belpic/card-generations.js';
import { concatBytes, hexToBytes } from '../../shared/bytes.js';

/** OID 2.16.56.2 (Belgian citizen), the discretionary data of the application template. */
const BELGIAN_CITIZEN_OID = '2.16.56.2';

const CONTEXT = 3;
const APPLICATION = 2;

/** PIN blocks are 8 bytes, padded with FF. */
const PIN_STORED_LENGTH = 8;
const PIN_PAD_CHAR = 0xff;

/** Bit numbers of the PKCS#15 BIT STRING types the card uses. */
const OBJECT_FLAG = { private: 0, modifiable: 1 } as const;
const TOKEN_FLAG = { prnGeneration: 2, eidCompliant: 3 } as const;
const PIN_FLAG = { initialized: 4, needsPadding: 5 } as const;
const KEY_USAGE = { sign: 2, nonRepudiation: 9 } as const;
const KEY_ACCESS = { sensitive: 0, alwaysSensitive: 2, neverExtractable: 3, local: 4 } as const;
/** PinType ENUMERATED: bcd(0). */
const PIN_TYPE_BCD = 0;

/** A named-bit BIT STRING in DER: trailing zero bits dropped. */
function namedBits(bits: readonly number[]): asn1js.BitString {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (highest & 7) });
}

/** An IMPLICIT context or application tag on a primitive value (its content octets kept). */
function implicit(tagClass: number, tagNumber: number, value: { valueBlock: { valueHexView: Uint8Array } }): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass, tagNumber }, valueHex: value.valueBlock.valueHexView });
}

/** A constructed tag around its content: EXPLICIT tagging, or IMPLICIT on a SEQUENCE. */
function tagged(tagClass: number, tagNumber: number, value: asn1js.AsnType[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass, tagNumber }, value });
}

const sequence = (...value: asn1js.AsnType[]) => new asn1js.Sequence({ value });
const octets = (bytes: Uint8Array | number[]) => new asn1js.OctetString({ valueHex: Uint8Array.from(bytes) });
const integer = (value: number) => new asn1js.Integer({ value });
const utf8 = (value: string) => new asn1js.Utf8String({ value });

/** PKCS#15 Path: SEQUENCE { efidOrPath OCTET STRING }. */
function path(hex: string): asn1js.Sequence {
  return sequence(octets(hexToBytes(hex)));
}

/** The DER of the elements one after another (a directory file holds a list of entries). */
function der(...elements: asn1js.AsnType[]): Uint8Array {
  return concatBytes(...elements.map((element) => new Uint8Array(element.toBER(false))));
}

/** CommonObjectAttributes: label, flags, and the PIN that protects the object. */
function commonObject(label: string, flags: readonly number[], extra: asn1js.AsnType[] = []): asn1js.Sequence {
  return sequence(utf8(label), namedBits(flags), octets([PKCS15_OBJECTS.pin.id]), ...extra);
}

/** EF.DIR (2F00): one application template naming the PKCS#15 DF. */
function applicationDirectory(): Uint8Array {
  return der(
    tagged(APPLICATION, 1, [
      implicit(APPLICATION, 15, octets(PKCS15_AID)),
      implicit(APPLICATION, 16, utf8(PKCS15_LABEL)),
      implicit(APPLICATION, 17, octets(hexToBytes(`${MF}${DF_PKCS15}`))),
      tagged(APPLICATION, 19, [new asn1js.ObjectIdentifier({ value: BELGIAN_CITIZEN_OID })]),
    ]),
  );
}

/** ODF (5031): [0] private keys, [4] certificates, [8] authentication objects, each by path. */
function objectDirectory(): Uint8Array {
  return der(
    tagged(CONTEXT, 0, [path(filePath('privateKeys'))]),
    tagged(CONTEXT, 4, [path(filePath('certificates'))]),
    tagged(CONTEXT, 8, [path(filePath('authenticationObjects'))]),
  );
}

/** TokenInfo (5032): version 0, the chip serial, label BELPIC, PRN generation and eID compliant. */
function tokenInfo(chipSerial: Uint8Array): Uint8Array {
  return der(
    sequence(
      integer(0),
      octets(chipSerial),
      implicit(CONTEXT, 0, utf8(PKCS15_LABEL)),
      namedBits([TOKEN_FLAG.prnGeneration, TOKEN_FLAG.eidCompliant]),
    ),
  );
}

/** AODF (5034): the one PIN, BCD in an 8-byte block padded with FF, reference 01, verified at the MF. */
function authenticationObjects(): Uint8Array {
  return der(
    sequence(
      sequence(utf8(PKCS15_OBJECTS.pin.label), namedBits([OBJECT_FLAG.private, OBJECT_FLAG.modifiable])),
      sequence(octets([PKCS15_OBJECTS.pin.id])),
      tagged(CONTEXT, 1, [
        sequence(
          namedBits([PIN_FLAG.initialized, PIN_FLAG.needsPadding]),
          new asn1js.Enumerated({ value: PIN_TYPE_BCD }),
          integer(PIN_MIN),
          integer(PIN_STORED_LENGTH),
          implicit(CONTEXT, 0, integer(PIN_REFERENCE)),
          octets([PIN_PAD_CHAR]),
          path(MF),
        ),
      ]),
    ),
  );
}

type KeyObject = typeof PKCS15_OBJECTS.authentication | typeof PKCS15_OBJECTS.signature;

/**
 * One PrKDF entry. RSA keys are the untagged choice with their modulus
 * length; EC keys the [0] choice, with the field length after the path.
 */
function privateKey(generation: CardGeneration, object: KeyObject): asn1js.AsnType {
  const signature = object === PKCS15_OBJECTS.signature;
  // The signature key asks for the PIN before every use (userConsent 1).
  const common = commonObject(object.label, [OBJECT_FLAG.private, OBJECT_FLAG.modifiable], signature ? [integer(1)] : []);
  const keyAttributes = sequence(
    octets([object.id]),
    namedBits([signature ? KEY_USAGE.nonRepudiation : KEY_USAGE.sign]),
    namedBits([KEY_ACCESS.sensitive, KEY_ACCESS.alwaysSensitive, KEY_ACCESS.neverExtractable, KEY_ACCESS.local]),
    integer(object.key),
  );
  const keyPath = path(`${MF}${DF_PKCS15}`);
  const key = generation.key;
  if (key.type === 'RSA') return sequence(common, keyAttributes, tagged(CONTEXT, 1, [sequence(keyPath, integer(key.bits))]));
  return tagged(CONTEXT, 0, [common, keyAttributes, tagged(CONTEXT, 1, [sequence(keyPath, integer(EC_FIELD_BITS[key.curve]))])]);
}

const EC_FIELD_BITS = { 'P-384': 384 } as const;

/** PrKDF (5035): the authentication key, and the signature key when the card has one. */
function privateKeys(generation: CardGeneration, withSigning: boolean): Uint8Array {
  const keys = withSigning ? [PKCS15_OBJECTS.authentication, PKCS15_OBJECTS.signature] : [PKCS15_OBJECTS.authentication];
  return der(...keys.map((object) => privateKey(generation, object)));
}

type CertificateObject = typeof PKCS15_OBJECTS.authentication | typeof PKCS15_OBJECTS.signature | typeof PKCS15_OBJECTS.ca | typeof PKCS15_OBJECTS.root;

/** One CDF entry: label, id, authority for the CA certificates, the file by path. */
function certificate(object: CertificateObject): asn1js.Sequence {
  const authority = object === PKCS15_OBJECTS.ca || object === PKCS15_OBJECTS.root;
  return sequence(
    commonObject(object.label, [OBJECT_FLAG.modifiable]),
    sequence(
      octets([object.id]),
      ...(authority ? [new asn1js.Boolean({ value: true })] : []),
      implicit(CONTEXT, 3, new asn1js.Boolean({ value: false })),
    ),
    tagged(CONTEXT, 1, [sequence(path(filePath(object.certificate)))]),
  );
}

/** CDF (5037): the holder's certificates, then the CA and the root. */
function certificates(withSigning: boolean): Uint8Array {
  const { authentication, signature, ca, root } = PKCS15_OBJECTS;
  const objects: CertificateObject[] = withSigning ? [authentication, signature, ca, root] : [authentication, ca, root];
  return der(...objects.map(certificate));
}

/** The PKCS#15 files by BelpicFile name. */
export function buildPkcs15Files(
  generation: CardGeneration,
  options: { withSigning: boolean; chipSerial: Uint8Array },
): Partial<Record<BelpicFile, Uint8Array>> {
  return {
    applicationDirectory: applicationDirectory(),
    objectDirectory: objectDirectory(),
    tokenInfo: tokenInfo(options.chipSerial),
    authenticationObjects: authenticationObjects(),
    privateKeys: privateKeys(generation, options.withSigning),
    certificates: certificates(options.withSigning),
  };
}
