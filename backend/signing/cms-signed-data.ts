import { createHash } from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  SignatureAlgorithmIdentifier,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
} from '@peculiar/asn1-cms';
import { id_ecdsaWithSHA384 } from '@peculiar/asn1-ecc';
import { id_sha256, id_sha384, rsaEncryption } from '@peculiar/asn1-rsa';
import { AsnArray, AsnConvert, AsnSetType, OctetString } from '@peculiar/asn1-schema';
import { Certificate, GeneralName, GeneralNames } from '@peculiar/asn1-x509';
import { ObjectIdentifier } from 'asn1js';
import type { HashFunction } from '../../shared/protocol.js';
import { EssCertIdV2, EssCertIdV2List, ID_AA_SIGNING_CERTIFICATE_V2, IssuerSerial, SigningCertificateV2 } from './signing-certificate-v2.js';

/**
 * The algorithms a signature by one key uses throughout: the content digest,
 * the digest of the signed attributes the card signs, and the signature
 * algorithm named in the SignerInfo. Each eID key size gets the digest of
 * matching strength: P-384 cards (applet 1.8) SHA-384, RSA-2048 cards (1.7) SHA-256.
 */
export interface SignatureSuite {
  keyType: 'RSA' | 'EC';
  hash: Extract<HashFunction, 'SHA-256' | 'SHA-384'>;
}

const DIGEST_OIDS: Record<SignatureSuite['hash'], string> = { 'SHA-256': id_sha256, 'SHA-384': id_sha384 };

/** The signature algorithm identifier CMS names for each suite (ECDSA without parameters, RSA with NULL). */
function signatureAlgorithm(suite: SignatureSuite): SignatureAlgorithmIdentifier {
  if (suite.keyType === 'EC') {
    if (suite.hash !== 'SHA-384') throw new Error(`no ECDSA suite with ${suite.hash}`);
    return new SignatureAlgorithmIdentifier({ algorithm: id_ecdsaWithSHA384 });
  }
  if (suite.hash !== 'SHA-256') throw new Error(`no RSA suite with ${suite.hash}`);
  // Not asn1-rsa's sha256WithRSAEncryption: in 2.11.1 that constant carries the SHA-512/256 OID.
  return new SignatureAlgorithmIdentifier(rsaEncryption);
}

/** RFC 5754: the SHA-2 digest identifiers are written without parameters. */
function digestAlgorithm(suite: SignatureSuite): DigestAlgorithmIdentifier {
  return new DigestAlgorithmIdentifier({ algorithm: DIGEST_OIDS[suite.hash] });
}

/** SignedAttributes as their own SET OF, which is what the signature is computed over (RFC 5652, 5.4). */
export class SignedAttributesSet extends AsnArray<Attribute> {
  constructor(items?: Attribute[]) {
    super(items);
    Object.setPrototypeOf(this, SignedAttributesSet.prototype);
  }
}
AsnSetType({ itemType: Attribute })(SignedAttributesSet);

export function digest(hash: SignatureSuite['hash'], data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash.replace('-', '').toLowerCase()).update(data).digest());
}

function bytes(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

/**
 * The signed attributes of a PAdES baseline B-B signature: content-type
 * (id-data), message-digest of the signed byte ranges, and
 * signing-certificate-v2 with the SHA-256 of the signer's certificate and its
 * issuer and serial number. No signing-time: PAdES baseline signatures keep
 * the claimed signing time in the signature dictionary's M entry instead.
 * Returned as the DER SET OF, in DER order, so the same bytes are hashed for
 * the card and later placed in the SignerInfo.
 */
export function pAdESSignedAttributes(suite: SignatureSuite, contentDigest: Uint8Array, signerCertificateDer: Uint8Array): Uint8Array {
  const certificate = AsnConvert.parse(signerCertificateDer, Certificate);
  const signingCertificate = new SigningCertificateV2({
    certs: new EssCertIdV2List([
      new EssCertIdV2({
        certHash: new OctetString(digest('SHA-256', signerCertificateDer)),
        issuerSerial: new IssuerSerial({
          issuer: new GeneralNames([new GeneralName({ directoryName: certificate.tbsCertificate.issuer })]),
          serialNumber: certificate.tbsCertificate.serialNumber,
        }),
      }),
    ]),
  });
  const attributes = [
    new Attribute({ attrType: id_contentType, attrValues: [new ObjectIdentifier({ value: id_data }).toBER()] }),
    new Attribute({ attrType: id_messageDigest, attrValues: [AsnConvert.serialize(new OctetString(contentDigest))] }),
    new Attribute({ attrType: ID_AA_SIGNING_CERTIFICATE_V2, attrValues: [AsnConvert.serialize(signingCertificate)] }),
  ];
  // DER orders the members of a SET OF by their encodings.
  const ordered = attributes
    .map((attribute) => ({ attribute, der: Buffer.from(AsnConvert.serialize(attribute)) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ attribute }) => attribute);
  return bytes(AsnConvert.serialize(new SignedAttributesSet(ordered)));
}

export interface SignedDataInput {
  suite: SignatureSuite;
  /** The DER SET OF that pAdESSignedAttributes made and the card signed. */
  signedAttributes: Uint8Array;
  /** DER signature value as CMS carries it: ECDSA-Sig-Value for EC, the PKCS#1 v1.5 block for RSA. */
  signatureValue: Uint8Array;
  signerCertificate: Uint8Array;
  /** The issuing CAs, signer's issuer first; put in the CMS so a verifier can build the path. */
  chain: readonly Uint8Array[];
}

/** A detached CMS SignedData (ContentInfo, DER) with one SignerInfo, as the PDF's /Contents carries it. */
export function cmsSignedData(input: SignedDataInput): Uint8Array {
  const signer = AsnConvert.parse(input.signerCertificate, Certificate);
  const signedAttrs = [...AsnConvert.parse(input.signedAttributes, SignedAttributesSet)];
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: signer.tbsCertificate.issuer,
        serialNumber: signer.tbsCertificate.serialNumber,
      }),
    }),
    digestAlgorithm: digestAlgorithm(input.suite),
    signedAttrs,
    signatureAlgorithm: signatureAlgorithm(input.suite),
    signature: new OctetString(input.signatureValue),
  });
  const signedData = new SignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlgorithm(input.suite)]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet(
      [input.signerCertificate, ...input.chain].map((der) => new CertificateChoices({ certificate: AsnConvert.parse(der, Certificate) })),
    ),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return bytes(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
}
