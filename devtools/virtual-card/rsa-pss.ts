/**
 * EMSA-PSS encoding (RFC 8017, 9.1.1) of a hash the caller computed, for the
 * RSA card's PSS algorithm bytes (10 = SHA-1, 20 = SHA-256). node:crypto
 * (and WebCrypto) sign PSS only over a whole message, which they hash
 * themselves, and no well-kept package offers the encoding of a given hash
 * alone; so the card encodes here and applies the raw RSA private-key
 * operation itself. Salt length = hash length.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DIGEST_LENGTHS } from '../../shared/belpic/card-constants.js';

type PssHash = 'SHA-1' | 'SHA-256';

function mgf1(hash: PssHash, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let filled = 0;
  for (let counter = 0; filled < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter, 0);
    const block = createHash(hash).update(seed).update(c).digest();
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
  }
  return out;
}

/** The encoded message EM for a modulus of modulusBits bits (length = ceil((modulusBits-1)/8)). */
export function emsaPssEncode(hash: PssHash, mHash: Uint8Array, modulusBits: number): Uint8Array {
  const hLen = DIGEST_LENGTHS[hash];
  if (mHash.length !== hLen) throw new RangeError(`a ${hash} hash has ${hLen} bytes`);
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  if (emLen < hLen + hLen + 2) throw new RangeError('modulus too small for PSS');
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - hLen - 1] = 0x01;
  db.set(salt, db.length - hLen);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ mask[i]!;
  db[0] = db[0]! & (0xff >> (8 * emLen - emBits));
  const em = new Uint8Array(emLen);
  em.set(db, 0);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}
