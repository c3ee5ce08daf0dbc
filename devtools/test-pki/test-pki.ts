/**
 * A throw-away PKI shaped like the Belgian eID PKI, for tests, the virtual
 * card and SoftHSM2 tokens: a root, a Citizen CA (or Foreigner CA), the
 * citizen's authentication and signature certificates and the RRN
 * certificate that signs the identity files. The root's name says TEST and
 * no real Belgian root is involved, so nothing from here can pass for a real
 * certificate.
 *
 * The names and extensions follow the real cards (docs/card.md, "The real
 * PKI"): subject C=BE, CN "Given Surname (Authentication)", SN, GN and
 * serialNumber = national number; the CA is identified by its serialNumber.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

export type TestKeyType = 'rsa' | 'ec';

export interface TestPerson {
  givenNames: string;
  surname: string;
  nationalNumber: string;
}

export interface TestCertificateAndKey {
  certificate: x509.X509Certificate;
  der: Uint8Array;
  pem: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** DER PKCS#8, for importing into tokens */
  privateKeyPkcs8: Uint8Array;
  /** PEM PKCS#8 */
  privateKeyPem: string;
}

/** The digest every certificate of the PKI is signed with. */
export type TestSignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384';

export interface TestPki {
  keyType: TestKeyType;
  signatureHash: TestSignatureHash;
  person: TestPerson;
  root: TestCertificateAndKey;
  citizenCa: TestCertificateAndKey;
  authentication: TestCertificateAndKey;
  /** Absent for a card without a signature key (Kids-ID). */
  signing?: TestCertificateAndKey;
  rrn: TestCertificateAndKey;
}

export interface TestPkiOptions {
  keyType?: TestKeyType;
  person?: Partial<TestPerson>;
  caName?: 'Citizen CA' | 'Foreigner CA';
  withSigning?: boolean;
  /** Leaf validity; defaults to now − 1 day … now + 5 years. */
  notBefore?: Date;
  notAfter?: Date;
  /** Reuse an existing root, to make two cards under one root. */
  root?: TestCertificateAndKey;
  /** The root's common name (default TEST_ROOT_CA_NAME). */
  rootCommonName?: string;
  /** CN and O of the RRN certificate (default "RRN", as on cards issued to people). */
  rrnName?: string;
  /** RSA size of the card's own keys: authentication, signature, RRN (default 2048; V1.1 cards 1024). */
  cardKeyBits?: number;
  /** Digest of every certificate signature (default SHA-256 for RSA, SHA-384 for EC; V1.1 SHA-1). */
  signatureHash?: TestSignatureHash;
}

/**
 * The shape of the government's own test cards: the RRN certificate is
 * named "test RRN" and the root "eID test Root CA" (docs/card.md,
 * "The government's test cards").
 */
export const GOVERNMENT_TEST_CARD_NAMES = { rootCommonName: 'eID test Root CA', rrnName: 'test RRN' } as const;

/** The oldest cards (V1.1): RSA-1024 card keys and SHA-1 everywhere. */
export const V11_PKI_OPTIONS = { keyType: 'rsa', cardKeyBits: 1024, signatureHash: 'SHA-1' } as const satisfies TestPkiOptions;

/** A woman born 1985-07-30: a valid test national number (checksum 59). */
export const DEFAULT_TEST_PERSON: TestPerson = {
  givenNames: 'Alice Marie',
  surname: 'Peeters',
  nationalNumber: '85073000259',
};

export const TEST_ROOT_CA_NAME = 'Belgium TEST Root CA';
/** Real Citizen CAs carry a serialNumber like "201801"; ours is clearly a test one. */
export const TEST_CA_SERIAL_NUMBER = '202501';

const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;

const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_GIVEN_NAME = '2.5.4.42';

/** The attribute names the real certificates show, so subject strings read like theirs. */
const EXTRA_NAMES: Record<string, string> = { [OID_SERIAL_NUMBER]: 'serialNumber', [OID_GIVEN_NAME]: 'GN' };

const FILE_NAMES = {
  root: 'root',
  citizenCa: 'citizen-ca',
  authentication: 'authentication',
  signing: 'signing',
  rrn: 'rrn',
} as const;

type KeyAlgorithm = RsaHashedKeyGenParams | EcKeyGenParams;

/** RSA cards sign with SHA-256 (V1.1: SHA-1), P-384 cards with SHA-384. */
function defaultSignatureHash(keyType: TestKeyType): TestSignatureHash {
  return keyType === 'rsa' ? 'SHA-256' : 'SHA-384';
}

/** An RSA key carries its digest from generation on, so it is made with the PKI's. */
function keyAlgorithm(keyType: TestKeyType, hash: TestSignatureHash, modulusLength = 2048): KeyAlgorithm {
  return keyType === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash }
    : { name: 'ECDSA', namedCurve: 'P-384' };
}

function signingAlgorithmFor(key: CryptoKey, hash: TestSignatureHash): Algorithm | EcdsaParams {
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5', hash };
}

function keyTypeOf(key: CryptoKey): TestKeyType {
  return key.algorithm.name === 'ECDSA' ? 'ec' : 'rsa';
}

async function generateKeyPair(keyType: TestKeyType, hash: TestSignatureHash, modulusLength?: number): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(keyAlgorithm(keyType, hash, modulusLength), true, ['sign', 'verify'])) as CryptoKeyPair;
}

function randomSerialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  return Buffer.from(bytes).toString('hex');
}

function name(attributes: Array<[string, string]>): x509.Name {
  return new x509.Name(
    attributes.map(([type, value]) => ({ [type]: [value] })),
    EXTRA_NAMES,
  );
}

async function bundle(certificate: x509.X509Certificate, keys: CryptoKeyPair): Promise<TestCertificateAndKey> {
  const privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certificate,
    der: new Uint8Array(certificate.rawData),
    pem: certificate.toString('pem'),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    privateKeyPkcs8,
    privateKeyPem: x509.PemConverter.encode(privateKeyPkcs8.slice().buffer, 'PRIVATE KEY'),
  };
}

interface IssueParams {
  subject: x509.Name;
  keys: CryptoKeyPair;
  issuer: TestCertificateAndKey;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
  hash: TestSignatureHash;
}

async function issue(params: IssueParams): Promise<TestCertificateAndKey> {
  const issuerSki = params.issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions = [
    ...params.extensions,
    await x509.SubjectKeyIdentifierExtension.create(params.keys.publicKey, false, crypto),
    issuerSki
      ? new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId, false)
      : await x509.AuthorityKeyIdentifierExtension.create(params.issuer.publicKey, false, crypto),
  ];
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: params.subject,
      issuer: params.issuer.certificate.subjectName,
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey: params.keys.publicKey,
      signingKey: params.issuer.privateKey,
      signingAlgorithm: signingAlgorithmFor(params.issuer.privateKey, params.hash),
      extensions,
    },
    crypto,
  );
  return bundle(certificate, params.keys);
}

function caExtensions(pathLength?: number): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

interface RootParams {
  keys: CryptoKeyPair;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  hash: TestSignatureHash;
}

async function createRoot({ keys, commonName, notBefore, notAfter, hash }: RootParams): Promise<TestCertificateAndKey> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: name([
        ['C', 'BE'],
        ['O', 'eID Bridge TEST PKI'],
        ['CN', commonName],
      ]),
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signingAlgorithmFor(keys.privateKey, hash),
      extensions: [...caExtensions(), ski, new x509.AuthorityKeyIdentifierExtension(ski.keyId, false)],
    },
    crypto,
  );
  return bundle(certificate, keys);
}

function earliest(...dates: Date[]): Date {
  return new Date(Math.min(...dates.map((d) => d.getTime())));
}

function latest(...dates: Date[]): Date {
  return new Date(Math.max(...dates.map((d) => d.getTime())));
}

export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const keyType = options.keyType ?? 'rsa';
  const person: TestPerson = { ...DEFAULT_TEST_PERSON, ...options.person };
  const caName = options.caName ?? 'Citizen CA';
  const withSigning = options.withSigning ?? true;
  const hash = options.signatureHash ?? defaultSignatureHash(keyType);
  const rrnName = options.rrnName ?? 'RRN';
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - DAY_MS);
  const notAfter = options.notAfter ?? new Date(now + 5 * YEAR_MS);
  if (notAfter.getTime() <= notBefore.getTime()) throw new Error('notAfter must be after notBefore');
  // The CAs cover the leaves, also when a test asks for an expired or future leaf.
  const caNotBefore = earliest(new Date(now - DAY_MS), new Date(notBefore.getTime() - DAY_MS));
  const caNotAfter = latest(new Date(now + 10 * YEAR_MS), new Date(notAfter.getTime() + DAY_MS));

  const [rootKeys, caKeys, authKeys, signKeys, rrnKeys] = await Promise.all([
    options.root ? undefined : generateKeyPair(keyType, hash),
    generateKeyPair(keyType, hash),
    generateKeyPair(keyType, hash, options.cardKeyBits),
    withSigning ? generateKeyPair(keyType, hash, options.cardKeyBits) : undefined,
    generateKeyPair(keyType, hash, options.cardKeyBits),
  ]);
  const root =
    options.root ??
    (await createRoot({
      keys: rootKeys!,
      commonName: options.rootCommonName ?? TEST_ROOT_CA_NAME,
      notBefore: caNotBefore,
      notAfter: new Date(caNotAfter.getTime() + 5 * YEAR_MS),
      hash,
    }));

  const citizenCa = await issue({
    subject: name([
      ['C', 'BE'],
      ['CN', caName],
      [OID_SERIAL_NUMBER, TEST_CA_SERIAL_NUMBER],
    ]),
    keys: caKeys!,
    issuer: root,
    notBefore: caNotBefore,
    notAfter: caNotAfter,
    extensions: caExtensions(0),
    hash,
  });

  const fullName = `${person.givenNames} ${person.surname}`;
  const personName = (role: string) =>
    name([
      ['C', 'BE'],
      ['CN', `${fullName} (${role})`],
      ['SN', person.surname],
      [OID_GIVEN_NAME, person.givenNames],
      [OID_SERIAL_NUMBER, person.nationalNumber],
    ]);

  const authentication = await issue({
    subject: personName('Authentication'),
    keys: authKeys!,
    issuer: citizenCa,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
    hash,
  });

  const signing = signKeys
    ? await issue({
        subject: personName('Signature'),
        keys: signKeys,
        issuer: citizenCa,
        notBefore,
        notAfter,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, false),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
        ],
        hash,
      })
    : undefined;

  const rrn = await issue({
    subject: name([
      ['C', 'BE'],
      ['O', rrnName],
      ['CN', rrnName],
    ]),
    keys: rrnKeys!,
    issuer: root,
    notBefore: caNotBefore,
    notAfter: caNotAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    ],
    hash,
  });

  const pki: TestPki = { keyType, signatureHash: hash, person, root, citizenCa, authentication, rrn };
  if (signing) pki.signing = signing;
  return pki;
}

interface PersonFile extends TestPerson {
  keyType: TestKeyType;
  signatureHash?: TestSignatureHash;
}

/**
 * Writes <name>.pem, <name>.der and <name>.key.pem for root, citizen-ca,
 * authentication, signing (when present) and rrn, plus person.json.
 * The private keys are test keys; the files are written owner-readable only.
 */
export async function writeTestPki(pki: TestPki, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [field, fileName] of Object.entries(FILE_NAMES) as Array<[keyof typeof FILE_NAMES, string]>) {
    const item = pki[field];
    if (!item) continue;
    await writeFile(join(dir, `${fileName}.pem`), item.pem);
    await writeFile(join(dir, `${fileName}.der`), item.der);
    await writeFile(join(dir, `${fileName}.key.pem`), item.privateKeyPem, { mode: 0o600 });
  }
  const personFile: PersonFile = { ...pki.person, keyType: pki.keyType, signatureHash: pki.signatureHash };
  await writeFile(join(dir, 'person.json'), JSON.stringify(personFile, null, 2) + '\n');
}

function importAlgorithm(certificate: x509.X509Certificate, hash: TestSignatureHash): RsaHashedImportParams | EcKeyImportParams {
  const algorithm = certificate.publicKey.algorithm as Algorithm & { namedCurve?: string };
  if (algorithm.name === 'ECDSA' || algorithm.name === 'EC') {
    return { name: 'ECDSA', namedCurve: algorithm.namedCurve ?? 'P-384' };
  }
  return { name: 'RSASSA-PKCS1-v1_5', hash };
}

async function readCertificateAndKey(dir: string, fileName: string, hash: TestSignatureHash): Promise<TestCertificateAndKey> {
  const der = new Uint8Array(await readFile(join(dir, `${fileName}.der`)));
  const certificate = new x509.X509Certificate(der);
  const privateKeyPem = await readFile(join(dir, `${fileName}.key.pem`), 'utf8');
  const pkcs8 = x509.PemConverter.decodeFirst(privateKeyPem);
  const algorithm = importAlgorithm(certificate, hash);
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const publicKey = await crypto.subtle.importKey('spki', certificate.publicKey.rawData, algorithm, true, ['verify']);
  return {
    certificate,
    der,
    pem: certificate.toString('pem'),
    privateKey,
    publicKey,
    privateKeyPkcs8: new Uint8Array(pkcs8),
    privateKeyPem,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

/** The reverse of writeTestPki, so a virtual card keeps its PKI between runs. */
export async function readTestPki(dir: string): Promise<TestPki> {
  const personFile = JSON.parse(await readFile(join(dir, 'person.json'), 'utf8')) as Partial<PersonFile>;
  // Folders written before the hash was recorded hold RSA keys for SHA-256.
  const storedHash = personFile.signatureHash ?? 'SHA-256';
  const [root, citizenCa, authentication, rrn] = await Promise.all([
    readCertificateAndKey(dir, FILE_NAMES.root, storedHash),
    readCertificateAndKey(dir, FILE_NAMES.citizenCa, storedHash),
    readCertificateAndKey(dir, FILE_NAMES.authentication, storedHash),
    readCertificateAndKey(dir, FILE_NAMES.rrn, storedHash),
  ]);
  const person: TestPerson = {
    givenNames: personFile.givenNames ?? DEFAULT_TEST_PERSON.givenNames,
    surname: personFile.surname ?? DEFAULT_TEST_PERSON.surname,
    nationalNumber: personFile.nationalNumber ?? DEFAULT_TEST_PERSON.nationalNumber,
  };
  const keyType = personFile.keyType ?? keyTypeOf(authentication.privateKey);
  const signatureHash = personFile.signatureHash ?? defaultSignatureHash(keyType);
  const pki: TestPki = { keyType, signatureHash, person, root, citizenCa, authentication, rrn };
  if (await exists(join(dir, `${FILE_NAMES.signing}.der`))) {
    pki.signing = await readCertificateAndKey(dir, FILE_NAMES.signing, storedHash);
  }
  return pki;
}
