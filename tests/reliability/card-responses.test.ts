/**
 * Card responses (issue #16, item 2): the BELPIC driver talks to the virtual
 * card (applet 1.7 RSA and 1.8 EC) through a transport that replaces some of
 * the card's answers with random or mutated ones: other status words, 61xx and
 * 6Cxx (once, or on every answer from then on), truncated answers, answers
 * without data, with extra data, or random bytes. Every operation (select,
 * read a certificate, read the identity files with the photo, PIN tries, verify,
 * sign with either key, change the PIN) must end in a result or an
 * EidBridgeError with a catalogued code, within a bounded number of APDUs and
 * 2 s (the resend pause is 0 here), and never send the PIN twice (a VERIFY or
 * CHANGE REFERENCE DATA carrying PIN blocks).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVirtualCard, DEFAULT_VIRTUAL_CARD_PIN, type VirtualBelpicCard } from '../../devtools/virtual-card/virtual-card.js';
import type { ApduTransport } from '../../native-host/src/belpic/apdu.js';
import { BelpicCard } from '../../native-host/src/belpic/card.js';
import { BelpicCardCache } from '../../native-host/src/belpic/certificate-cache.js';
import { filePath, INS } from '../../shared/belpic/card-constants.js';
import { EidBridgeError, isErrorCode } from '../../shared/errors.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount, checkSeed } from './check.js';

/** Far above any genuine operation (reading every identity file with the photo takes under 60). */
const APDU_LIMIT = 1000;

/** An operation's time limit: a genuine one takes milliseconds here (no resend pause). */
const OPERATION_TIMEOUT_MS = 2000;

class UnboundedOperation extends Error {}

type Rewrite = (response: Uint8Array) => Uint8Array;
/** A mutation of the n-th answer of an operation; `forever` ones replace that answer and every later one. */
interface ResponseMutation {
  at: number;
  rewrite: Rewrite;
  forever: boolean;
  label: string;
}

const sw = (word: number) => Uint8Array.of(word >> 8, word & 0xff);
const dataOf = (r: Uint8Array) => r.subarray(0, Math.max(0, r.length - 2));
const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** Status words the driver gives meaning to, and their neighbours. */
const KNOWN_STATUS = [
  0x9000, 0x6100, 0x61ff, 0x6c00, 0x6cff, 0x6282, 0x6b00, 0x6a82, 0x6a86, 0x6982, 0x6983, 0x63c0, 0x63c2, 0x6d00, 0x6e00, 0x6700, 0x6f00, 0x6400,
  0x6581, 0x6a80, 0x6984, 0x6985, 0x6a88, 0x6b01, 0x9001,
];

const mutation: fc.Arbitrary<Omit<ResponseMutation, 'at'>> = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((word) => ({ rewrite: (r: Uint8Array) => join(dataOf(r), sw(word)), forever: false, label: `status ${word.toString(16)}` })),
  fc.tuple(fc.constantFrom(...KNOWN_STATUS), fc.integer({ min: 0, max: 255 })).map(([word, low]) => {
    const w = (word & 0xff) === 0 && (word >> 8 === 0x61 || word >> 8 === 0x6c) ? word | low : word;
    return { rewrite: (r: Uint8Array) => join(dataOf(r), sw(w)), forever: false, label: `status ${w.toString(16)}` };
  }),
  fc.tuple(fc.constantFrom(0x61, 0x6c), fc.integer({ min: 0, max: 255 })).map(([sw1, sw2]) => ({
    rewrite: () => Uint8Array.of(sw1, sw2),
    forever: true,
    label: `${sw1.toString(16)}${sw2.toString(16).padStart(2, '0')} on every answer from here`,
  })),
  fc.tuple(fc.constantFrom(0x61, 0x6c), fc.integer({ min: 0, max: 255 })).map(([sw1, sw2]) => ({
    rewrite: () => Uint8Array.of(sw1, sw2),
    forever: false,
    label: `${sw1.toString(16)}${sw2.toString(16).padStart(2, '0')} without data`,
  })),
  fc.nat().map((n) => ({ rewrite: (r: Uint8Array) => r.slice(0, n % r.length), forever: false, label: `truncated` })),
  fc.constant({ rewrite: (r: Uint8Array) => r.slice(-2), forever: false, label: 'data dropped' }),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((extra) => ({ rewrite: (r: Uint8Array) => join(dataOf(r), extra, r.slice(-2)), forever: false, label: `${extra.length} bytes added` })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ rewrite: () => bytes, forever: false, label: `${bytes.length} random bytes` })),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => ({
    rewrite: (r: Uint8Array) => {
      const c = r.slice();
      if (c.length) c[at % c.length]! ^= 1 << bit;
      return c;
    },
    forever: false,
    label: 'a bit flipped',
  })),
);

/** The card's answers through the mutations of one operation, counting what the driver sent. */
class FuzzingTransport implements ApduTransport {
  readonly atr: Uint8Array;
  fuzzing = false;
  answers = 0;
  sent = 0;
  pinSends = 0;
  mutated = 0;
  private foreverFrom: ResponseMutation | undefined;
  private mutations: ResponseMutation[] = [];

  constructor(private readonly card: VirtualBelpicCard) {
    this.atr = card.atr;
  }

  start(mutations: ResponseMutation[]): void {
    this.fuzzing = true;
    this.answers = this.sent = this.pinSends = this.mutated = 0;
    this.mutations = mutations;
    this.foreverFrom = undefined;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!this.fuzzing) return this.card.transmit(command);
    this.sent++;
    if (this.sent > APDU_LIMIT) throw new UnboundedOperation(`more than ${APDU_LIMIT} APDUs in one operation`);
    // VERIFY with data carries the PIN block (without data it only asks for the tries left); CHANGE REFERENCE DATA carries two.
    if ((command[1] === INS.VERIFY || command[1] === INS.CHANGE_REFERENCE_DATA) && command.length > 5) this.pinSends++;
    const genuine = this.card.transmit(command);
    const index = this.answers++;
    if (this.foreverFrom) {
      this.mutated++;
      return this.foreverFrom.rewrite(genuine);
    }
    const m = this.mutations.find((x) => x.at === index);
    if (!m) return genuine;
    this.mutated++;
    if (m.forever) this.foreverFrom = m;
    return m.rewrite(genuine);
  }
}

interface Profile {
  name: string;
  card: VirtualBelpicCard;
  transport: FuzzingTransport;
  /** APDUs each operation sends to the unchanged card, so mutations land inside it. */
  genuineLength: Record<OperationName, number>;
}

const pin = () => new TextEncoder().encode(DEFAULT_VIRTUAL_CARD_PIN);
const digest = new Uint8Array(createHash('sha256').update('reliability').digest());

const OPERATIONS = {
  select: (t: FuzzingTransport) => BelpicCard.open(t, { cache: new BelpicCardCache(), resendPauseMs: 0 }),
  'read certificate': (_t: FuzzingTransport, d: BelpicCard) => d.readCertificate(filePath('authenticationCertificate')),
  'read identity': (_t: FuzzingTransport, d: BelpicCard) => d.readIdentityFiles({ photo: true }),
  'PIN tries': (_t: FuzzingTransport, d: BelpicCard) => d.pinTriesLeft(),
  verify: (_t: FuzzingTransport, d: BelpicCard) => d.verifyPin(pin()),
  'sign (authentication)': (_t: FuzzingTransport, d: BelpicCard) => d.sign('authentication', digest, 'SHA-256', pin()),
  'sign (signature)': (_t: FuzzingTransport, d: BelpicCard) => d.sign('signing', digest, 'SHA-256', pin()),
  // The same PIN as the new one: the card's PIN stays what the other operations send.
  'change PIN': (_t: FuzzingTransport, d: BelpicCard) => d.changePin(pin(), pin()),
} satisfies Record<string, (t: FuzzingTransport, driver: BelpicCard) => Promise<unknown>>;
type OperationName = keyof typeof OPERATIONS;
const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** A driver opened on the unchanged card, with an empty certificate cache so reads reach the card. */
async function openDriver(profile: Profile): Promise<BelpicCard> {
  profile.transport.fuzzing = false;
  profile.card.reset();
  return BelpicCard.open(profile.transport, { cache: new BelpicCardCache(), resendPauseMs: 0 });
}

async function profileOf(name: '1.7' | '1.8'): Promise<Profile> {
  const card = await createVirtualCard({ profile: name });
  const transport = new FuzzingTransport(card);
  const profile: Profile = { name: `applet ${name}`, card, transport, genuineLength: {} as Record<OperationName, number> };
  for (const op of OPERATION_NAMES) {
    const driver = await openDriver(profile);
    transport.start([]);
    await OPERATIONS[op](transport, driver);
    profile.genuineLength[op] = transport.answers;
  }
  return profile;
}

async function runOne(profile: Profile, op: OperationName, mutations: ResponseMutation[], tally: Tally, worst: { apdus: number; ms: number }): Promise<number> {
  const driver = await openDriver(profile);
  const t = profile.transport;
  t.start(mutations.map((m) => ({ ...m, at: m.at % profile.genuineLength[op] })));
  const problems: string[] = [];
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    // A wait that never ends (rather than a loop of APDUs) shows as this timeout.
    const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new UnboundedOperation(`no end after ${OPERATION_TIMEOUT_MS} ms`)), OPERATION_TIMEOUT_MS)));
    await Promise.race([OPERATIONS[op](t, driver), hung]);
  } catch (e) {
    if (e instanceof UnboundedOperation) problems.push(e.message);
    else if (!(e instanceof EidBridgeError) || !isErrorCode(e.code)) problems.push(`untyped error ${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? String(e)}`);
  }
  clearTimeout(timer);
  if (t.pinSends > 1) problems.push(`the PIN went to the card ${t.pinSends} times`);
  worst.apdus = Math.max(worst.apdus, t.sent);
  worst.ms = Math.max(worst.ms, performance.now() - started);
  tally.count(problems.length === 0, () => `${profile.name} ${op} with ${mutations.map((m) => `${m.label} at answer ${m.at % profile.genuineLength[op]}`).join(', ')}: ${problems.join('; ')}`);
  return t.mutated;
}

const profiles = await Promise.all([profileOf('1.7'), profileOf('1.8')]);

describe('reliability: card responses', () => {
  it('mutated card answers end every driver operation in a result or a typed error, within bounded APDUs, with the PIN sent at most once', { timeout: CHECK_TIMEOUT_MS }, async () => {
    const tally = new Tally('card responses');
    const seed = checkSeed();
    const total = caseCount(1_000_000, 2_000);
    const started = performance.now();
    const caseArbitrary = fc.tuple(
      fc.constantFrom(...profiles),
      fc.constantFrom(...OPERATION_NAMES),
      fc.array(fc.tuple(fc.nat(), mutation).map(([at, m]) => ({ ...m, at })), { minLength: 1, maxLength: 3 }),
    );
    const worst = { apdus: 0, ms: 0 };
    let fed = 0;
    let operations = 0;
    const BATCH = 1000;
    // The count is of mutated answers fed to the driver; each operation gets one to three (or a run of them).
    while (fed < total) {
      for (const [profile, op, mutations] of fc.sample(caseArbitrary, { numRuns: BATCH, seed: seed + operations })) {
        fed += await runOne(profile, op, mutations, tally, worst);
        operations++;
        if (fed >= total) break;
      }
    }
    tally.figures.push(`${fed} mutated answers in ${operations} operations`, `at most ${worst.apdus} APDUs and ${Math.ceil(worst.ms)} ms in one operation`, `${Math.round(performance.now() - started)} ms`, `seed ${seed}`);
    tally.report();
    expect(tally.shortfalls).toEqual([]);
    expect(tally.fellShort).toBe(0);
  });
});
