/**
 * The identity files of a card, signed with a test PKI's RRN key the way the
 * national register signs them (docs/card.md, "Integrity of the identity
 * data"), for generations and shapes the virtual card does not play: V1.1
 * cards and the government's test cards.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import type { CardFiles } from '../../shared-node/identity-verify.js';
import { encodeBelpicTlv, type BelpicTlvEntry } from '../../shared/tlv.js';
import { createTestPki, GOVERNMENT_TEST_CARD_NAMES, V11_PKI_OPTIONS, type TestPki, type TestPkiOptions } from './test-pki.js';

type NodeHash = 'sha1' | 'sha256' | 'sha384';

export interface SignedCardFilesOptions {
  /** Identity entries without the photo hash (tag 11), which is added from the photo. */
  identity: BelpicTlvEntry[];
  address: BelpicTlvEntry[];
  photo: Uint8Array;
  /** Digest of the photo hash (its length tells a verifier which one). */
  photoHash: NodeHash;
  /** Digest the RRN key signs with; RSA cards re-signed under a newer CA use SHA-256 beside a SHA-1 photo hash. */
  signatureHash: NodeHash;
  /**
   * File sizes the card allocates: the content is followed by zero bytes up
   * to this length, as a reader that reads each file to its end sees it.
   */
  allocated?: Partial<Record<'4031' | '4033' | '503C', number>>;
}

const PHOTO_HASH_TAG = 0x11;

function zeroPadded(bytes: Uint8Array, length: number | undefined): Uint8Array {
  if (length === undefined || length <= bytes.length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}

/** 4031–4035 and 503C, signed by the PKI's RRN key. */
export function signedCardFiles(pki: TestPki, options: SignedCardFilesOptions): CardFiles {
  const rrnKey = createPrivateKey({ key: Buffer.from(pki.rrn.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  const photoHash = new Uint8Array(createHash(options.photoHash).update(options.photo).digest());
  // Tags ascend, so the photo hash goes between tag 10 and tag 12.
  const identity = encodeBelpicTlv(
    [...options.identity.filter((e) => e.tag !== PHOTO_HASH_TAG), { tag: PHOTO_HASH_TAG, value: photoHash }].sort((a, b) => a.tag - b.tag),
  );
  const identitySignature = new Uint8Array(sign(options.signatureHash, identity, rrnKey));
  const address = encodeBelpicTlv(options.address);
  // The address signature covers the address without its padding, then the identity signature.
  const addressSignature = new Uint8Array(sign(options.signatureHash, Buffer.concat([address, identitySignature]), rrnKey));
  return {
    '4031': zeroPadded(identity, options.allocated?.['4031']),
    '4032': identitySignature,
    '4033': zeroPadded(address, options.allocated?.['4033']),
    '4034': addressSignature,
    '4035': options.photo,
    '503C': zeroPadded(pki.rrn.der, options.allocated?.['503C']),
  };
}

const text = (s: string) => new TextEncoder().encode(s);

/** A man born 1985-07-30 (national number with a valid checksum), French card. */
export const SAMPLE_IDENTITY: BelpicTlvEntry[] = [
  { tag: 0x01, value: text('590123456789') },
  { tag: 0x06, value: text('85073000160') },
  { tag: 0x07, value: text('Janssens') },
  { tag: 0x08, value: text('Jan Pieter') },
  { tag: 0x0c, value: text('30 JUIL 1985') },
  { tag: 0x0d, value: text('M') },
  { tag: 0x0f, value: text('1') },
];

export const SAMPLE_ADDRESS: BelpicTlvEntry[] = [
  { tag: 0x01, value: text('Rue Haute 1') },
  { tag: 0x02, value: text('1000') },
  { tag: 0x03, value: text('Bruxelles') },
];

/** Not a real JPEG: the verifier only hashes the photo. */
export const SAMPLE_PHOTO = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);

export interface TestCard {
  pki: TestPki;
  files: CardFiles;
}

export interface V11CardOptions {
  /** SHA-1 as issued; SHA-256 for a card re-signed under a newer CA. */
  signatureHash?: 'sha1' | 'sha256';
  pki?: TestPkiOptions;
}

/**
 * A V1.1 card: RSA-1024 RRN key, SHA-1 certificates, a SHA-1 photo hash,
 * and identity, address and certificate files zero-padded to their
 * allocated sizes.
 */
export async function createV11TestCard(options: V11CardOptions = {}): Promise<TestCard> {
  const pki = await createTestPki({ ...V11_PKI_OPTIONS, ...options.pki });
  const files = signedCardFiles(pki, {
    identity: SAMPLE_IDENTITY,
    address: SAMPLE_ADDRESS,
    photo: SAMPLE_PHOTO,
    photoHash: 'sha1',
    signatureHash: options.signatureHash ?? 'sha1',
    allocated: { '4031': 512, '4033': 117, '503C': 2048 },
  });
  return { pki, files };
}

/**
 * A card shaped like the government's test cards: the RRN certificate "test
 * RRN" issued by "eID test Root CA". RSA-2048 and SHA-256 like applet 1.7
 * unless `pki` says otherwise (V11_PKI_OPTIONS for an old test card).
 */
export async function createGovernmentTestCard(options: { pki?: TestPkiOptions } = {}): Promise<TestCard> {
  const pki = await createTestPki({ ...GOVERNMENT_TEST_CARD_NAMES, ...options.pki });
  const hash: NodeHash = pki.signatureHash === 'SHA-1' ? 'sha1' : pki.keyType === 'ec' ? 'sha384' : 'sha256';
  const files = signedCardFiles(pki, {
    identity: SAMPLE_IDENTITY,
    address: SAMPLE_ADDRESS,
    photo: SAMPLE_PHOTO,
    photoHash: hash,
    signatureHash: hash,
    allocated: { '4033': 117, '503C': 2048 },
  });
  return { pki, files };
}
