/**
 * Card data (issue #16, item 3): the files of a virtual card signed by the test
 * PKI (applet 1.7 RSA and 1.8 EC), mutated by fast-check, through parsing
 * (BELPIC TLV, identity, address, the host's certificate description) and
 * through verification. Only typed errors (RangeError from the TLV decoder,
 * EidBridgeError from the parsers and the host; verification never throws),
 * and never "verified" when the data it vouches for differs from what was
 * signed: the identity and address as parsed, the photo, the basic key when
 * given, the RRN certificate, or the signature's own bytes.
 *
 * PKCS#15 files (ODF, CDF, TokenInfo, ...) are not parsed by the host, which
 * reads the certificate files by their fixed ids; OpenSC parses them on the
 * PKCS#11 path, and pkcs15-files.test.ts damages them there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../../devtools/virtual-card/virtual-card.js';
import { describeCertificate } from '../../native-host/src/certificates.js';
import { EidBridgeError } from '../../shared/errors.js';
import { parseAddressFile, parseIdentityFile } from '../../shared/identity-parse.js';
import { decodeBelpicTlv, encodeBelpicTlv } from '../../shared/tlv.js';
import { trimDerCertificate, verifyIdentityFiles, type CardFileId, type CardFiles } from '../../shared-node/identity-verify.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount, checkSeed, preview } from './check.js';
import { BYTE_MUTATIONS, type Mutation } from './mutations.js';

/** Byte mutations, and TLV-aware ones that keep a file parseable while changing what it says. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  ...BYTE_MUTATIONS,
  // A TLV entry's value replaced, or its tag changed, keeping the structure intact.
  fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 40 }), fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined })).map(([which, value, tag]): Mutation => (b) => {
    let entries;
    try {
      entries = decodeBelpicTlv(b);
    } catch {
      return b;
    }
    if (!entries.length) return b;
    const i = which % entries.length;
    entries[i] = tag === undefined ? { tag: entries[i]!.tag, value } : { tag, value: entries[i]!.value };
    return encodeBelpicTlv(entries);
  }),
  // Two TLV entries swapped.
  fc.tuple(fc.nat(), fc.nat()).map(([x, y]): Mutation => (b) => {
    let entries;
    try {
      entries = decodeBelpicTlv(b);
    } catch {
      return b;
    }
    if (entries.length < 2) return b;
    const i = x % entries.length;
    const j = y % entries.length;
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    return encodeBelpicTlv(entries);
  }),
);

const TARGETS = ['4031', '4032', '4033', '4034', '4035', '503C', '503A', '503B', '4040'] as const satisfies readonly CardFileId[];
type Target = (typeof TARGETS)[number];

interface Card {
  name: string;
  card: VirtualBelpicCard;
  files: CardFiles;
  roots: Uint8Array[];
}

async function cardOf(profile: '1.7' | '1.8'): Promise<Card> {
  const card = await createVirtualCard({ profile });
  const files: CardFiles = {};
  for (const id of TARGETS) {
    try {
      files[id] = card.getFile(id);
    } catch {
      // only applet 1.8 has a basic key (4040)
    }
  }
  return { name: `applet ${profile}`, card, files, roots: [card.pki.root.der] };
}

/** The error types each layer may throw for bad data. */
function untyped(e: unknown, allowed: ReadonlyArray<new (...args: never[]) => Error>): boolean {
  return !allowed.some((type) => e instanceof type);
}

/** What a layer made of the file: its result as JSON, or the error it threw (typed or not). */
function attempt(run: () => unknown, allowed: ReadonlyArray<new (...args: never[]) => Error>): { value?: string; untypedError?: string } {
  try {
    return { value: JSON.stringify(run()) };
  } catch (e) {
    return untyped(e, allowed) ? { untypedError: `${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? String(e)}` } : {};
  }
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The part of a signature file the verifier relies on: RSA the modulus length, EC the DER signature. */
function signatureBody(file: Uint8Array, profile: Card): Uint8Array {
  const ec = profile.card.pki.rrn.certificate.publicKey.algorithm.name === 'ECDSA';
  const length = ec ? file[1]! + 2 : 256;
  const out = new Uint8Array(length);
  out.set(file.subarray(0, length));
  return out;
}

/**
 * The data a verified result vouches for, unchanged? Identity and address as
 * they parse, photo and basic key byte for byte, the RRN certificate as DER,
 * a signature's own bytes. CA certificates (503A/503B) are not relied on when
 * the RRN certificate is issued by a trusted root directly, as here.
 */
function vouchedDataUnchanged(target: Target, original: Uint8Array, changed: Uint8Array, card: Card): boolean {
  const same = (parse: (b: Uint8Array) => unknown) => attempt(() => parse(original), [EidBridgeError]).value === attempt(() => parse(changed), [EidBridgeError]).value;
  switch (target) {
    case '4031':
      return same(parseIdentityFile);
    case '4033':
      return same(parseAddressFile);
    case '4032':
    case '4034':
      return equalBytes(signatureBody(original, card), signatureBody(changed, card));
    case '503C':
      return equalBytes(trimDerCertificate(original), trimDerCertificate(changed));
    case '503A':
    case '503B':
      return true;
    case '4040':
      // An empty basic key file is a file not given: the result says basicKeyHash was not checked.
      return changed.length === 0 || equalBytes(original, changed);
    default:
      return equalBytes(original, changed);
  }
}

function checkOneFile(card: Card, target: Target, mutations: Mutation[], verify: boolean, tally: Tally): void {
  const original = card.files[target]!;
  const changed = mutations.reduce((b, m) => m(b), original);
  const problems: string[] = [];
  const tlv = attempt(() => decodeBelpicTlv(changed), [RangeError]);
  if (tlv.untypedError) problems.push(`TLV decoder: ${tlv.untypedError}`);
  if (target === '4031') {
    const r = attempt(() => parseIdentityFile(changed), [EidBridgeError]);
    if (r.untypedError) problems.push(`identity parser: ${r.untypedError}`);
  }
  if (target === '4033') {
    const r = attempt(() => parseAddressFile(changed), [EidBridgeError]);
    if (r.untypedError) problems.push(`address parser: ${r.untypedError}`);
  }
  if (target.startsWith('503')) {
    const r = attempt(() => describeCertificate({ der: trimDerCertificate(changed), usage: 'authentication', tokenId: 't', tokenLabel: 't', reader: 'r', keyRef: '1' }), [EidBridgeError]);
    if (r.untypedError) problems.push(`host certificate description: ${r.untypedError}`);
  }
  if (verify) {
    let verified = false;
    try {
      verified = verifyIdentityFiles({ ...card.files, [target]: changed }, { trustedRoots: card.roots }).verified;
    } catch (e) {
      problems.push(`verification threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    }
    if (verified && !vouchedDataUnchanged(target, original, changed, card)) problems.push('verified although the data it vouches for changed');
  }
  tally.count(problems.length === 0, () => `${card.name} file ${target} (${changed.length} bytes, ${preview(Buffer.from(changed).toString('hex'), 80)}): ${problems.join('; ')}`);
}

const cards = await Promise.all([cardOf('1.7'), cardOf('1.8')]);

describe('reliability: card data', () => {
  it('mutated card files give only typed errors and never a verified result for changed data', { timeout: CHECK_TIMEOUT_MS }, () => {
    const tally = new Tally('card data');
    const seed = checkSeed();
    const total = caseCount(1_000_000, 5_000);
    // Verification costs milliseconds a file (signatures, the certificate chain), parsing microseconds:
    // every file is parsed, one in VERIFY_ONE_IN also verified, so the full count fits in minutes.
    const VERIFY_ONE_IN = 10;
    const started = performance.now();
    // The unchanged files verify: otherwise "never verified" would hold for the wrong reason.
    for (const card of cards) expect(verifyIdentityFiles(card.files, { trustedRoots: card.roots }).problems).toEqual([]);
    // Only files the card has (applet 1.7 has no basic key).
    const caseArbitrary = fc
      .constantFrom(...cards)
      .chain((card) => fc.tuple(fc.constant(card), fc.constantFrom(...TARGETS.filter((id) => card.files[id])), fc.array(mutation, { minLength: 1, maxLength: 3 })));
    const BATCH = 1000;
    let verifiedCount = 0;
    for (let done = 0; done < total; done += BATCH) {
      fc.sample(caseArbitrary, { numRuns: Math.min(BATCH, total - done), seed: seed + done }).forEach(([card, target, mutations], i) => {
        const verify = (done + i) % VERIFY_ONE_IN === 0;
        if (verify) verifiedCount++;
        checkOneFile(card, target, mutations, verify, tally);
      });
    }
    // BELPIC TLV on its own: what encodes decodes back, and any bytes decode or throw RangeError.
    const tlvCases = fc.sample(
      fc.oneof(
        fc.array(fc.record({ tag: fc.integer({ min: 1, max: 255 }), value: fc.uint8Array({ maxLength: 600 }) }), { maxLength: 12 }).map((entries) => ({ entries })),
        fc.uint8Array({ maxLength: 1200 }).map((bytes) => ({ bytes })),
      ),
      { numRuns: Math.ceil(total / 10), seed },
    );
    for (const c of tlvCases) {
      if ('entries' in c) {
        const back = attempt(() => decodeBelpicTlv(encodeBelpicTlv(c.entries)), []);
        tally.count(back.value === JSON.stringify(c.entries), () => `TLV round trip of ${preview(c.entries)} gave ${back.value ?? back.untypedError}`);
      } else {
        const r = attempt(() => decodeBelpicTlv(c.bytes), [RangeError]);
        tally.count(!r.untypedError, () => `TLV decoder on ${preview(Buffer.from(c.bytes).toString('hex'))}: ${r.untypedError}`);
      }
    }
    tally.figures.push(`${total} mutated files parsed, ${verifiedCount} of them also verified, ${tlvCases.length} TLV encodings and byte strings`, `${Math.round(performance.now() - started)} ms`, `seed ${seed}`);
    tally.report();
    expect(tally.shortfalls).toEqual([]);
    expect(tally.fellShort).toBe(0);
  });
});
