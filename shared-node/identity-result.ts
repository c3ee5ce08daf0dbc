/**
 * From the raw files of one card to what the host answers and the CLI shows:
 * parsed identity and address, photo, raw files and the integrity verdict.
 * One place, so `read-identity` (host and CLI) and `verify DIR` agree.
 */
import type { X509Certificate } from 'node:crypto';
import { EidBridgeError } from '../shared/errors.js';
import type { RawCardFiles, ReadIdentityResult } from '../shared/identity.js';
import { isForeignerDocument, parseAddressFile, parseIdentityFile, tlvContentLength } from '../shared/identity-parse.js';
import { isEmptyFile, parseCertificate, verifyIdentityFiles, type CardFileId, type CardFiles } from './identity-verify.js';
import type { TrustedRoot } from './trusted-roots.js';
import { bytesToBase64 } from '../shared/bytes.js';

export const CARD_FILE_IDS: readonly CardFileId[] = ['4031', '4032', '4033', '4034', '4035', '4040', '503C', '5038', '5039', '503A', '503B'];

export interface BuildIdentityOptions {
  includeAddress: boolean;
  includePhoto: boolean;
  trustedRoots: ReadonlyArray<TrustedRoot | X509Certificate>;
  now?: Date;
  virtual?: boolean;
  /** As the card driver names it; otherwise derived from the files. */
  cardType?: string;
}

/**
 * A reader that strips trailing zero bytes may cut zero bytes off the last
 * identity value; the TLV lengths tell how many, so they are put back.
 */
export function completeIdentityFile(bytes: Uint8Array): Uint8Array {
  const end = tlvContentLength(bytes);
  if (end <= bytes.length) return bytes;
  const out = new Uint8Array(end);
  out.set(bytes);
  return out;
}

/** "BELPIC 1.8 eID": the applet generation follows from the RRN key, the rest from tag 0F. */
export function describeCardType(files: CardFiles, documentType: number): string {
  let generation = 'BELPIC';
  try {
    if (!isEmptyFile(files['503C'])) {
      const key = parseCertificate(files['503C']!).publicKey;
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (key.asymmetricKeyType === 'ec') generation = 'BELPIC 1.8';
      else if (bits !== undefined && bits <= 1024) generation = 'BELPIC V1.1';
      else if (key.asymmetricKeyType === 'rsa') generation = 'BELPIC 1.7';
    }
  } catch {
    // An unreadable RRN certificate is reported by the verification.
  }
  const kind = documentType === 1 ? 'eID' : documentType === 6 ? 'Kids-ID' : isForeignerDocument(documentType) ? 'foreigner card' : 'card';
  return `${generation} ${kind}`;
}


export function buildIdentityResult(files: CardFiles, options: BuildIdentityOptions): ReadIdentityResult {
  const identityFile = files['4031'];
  if (!identityFile || identityFile.length === 0) {
    throw new EidBridgeError('CARD_ERROR', 'The card has no identity file (4031)');
  }
  const identity = parseIdentityFile(completeIdentityFile(identityFile));
  const trustedRoots = options.trustedRoots.map((r) => ('certificate' in r ? r.certificate : r));
  const verifyOptions = options.now ? { trustedRoots, now: options.now } : { trustedRoots };
  const verification = verifyIdentityFiles(files, verifyOptions);

  // Only what the person agreed to share leaves the host, raw files included.
  const shared = new Set<CardFileId>(CARD_FILE_IDS);
  if (!options.includeAddress) {
    shared.delete('4033');
    shared.delete('4034');
  }
  if (!options.includePhoto) shared.delete('4035');
  const rawFiles: RawCardFiles = {};
  for (const id of CARD_FILE_IDS) {
    const bytes = files[id];
    if (bytes && shared.has(id)) rawFiles[id] = bytesToBase64(bytes);
  }

  const result: ReadIdentityResult = {
    identity,
    verification,
    rawFiles,
    cardType: options.cardType ?? describeCardType(files, identity.documentType),
  };
  if (options.includeAddress && files['4033'] && files['4033'].length > 0) result.address = parseAddressFile(files['4033']);
  if (options.includePhoto && files['4035'] && files['4035'].length > 0) result.photo = bytesToBase64(files['4035']);
  if (options.virtual !== undefined) result.virtual = options.virtual;
  return result;
}
