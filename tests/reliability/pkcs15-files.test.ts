/**
 * PKCS#15 files (issue #16, item 3): the host reads a card's certificates by
 * their fixed file ids and has no PKCS#15 parser of its own, but on the
 * PKCS#11 path the module does: OpenSC finds the PIN, the keys and the
 * certificates through the card's EF.DIR, ODF, TokenInfo, AODF, PrKDF and CDF.
 * This check damages one of those files on the virtual card (bytes, or DER
 * nodes replaced, retagged, dropped or repeated), puts the card in the vpcd
 * reader of the real pcscd, and has the real eid-bridge-host with OpenSC's
 * module ask status, list the certificates and authenticate.
 *
 * A case holds when every request is answered within its limit with a result
 * or a catalogued error other than INTERNAL_ERROR, a token verifies with the
 * card's authentication certificate for its origin and challenge, the PIN goes
 * to the card at most once per request, and, the file put right and the card
 * put back, the next login works with the same host process.
 * Uses "Virtual PCD 00 01" (TCP 35964); run it under the shared lock.
 */
import { createHash, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES, INS } from '../../shared/belpic/card-constants.js';
import { isErrorCode } from '../../shared/errors.js';
import { createVirtualCard, type VirtualBelpicCard } from '../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../../devtools/virtual-card/vpcd-client.js';
import { PcscContext } from '../../native-host/src/pcsc/pcsc.js';
import { HostProcess } from '../helpers/host-process.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount, checkSeed, preview } from './check.js';
import { BYTE_MUTATIONS, DER_MUTATIONS, type Mutation } from './mutations.js';

const PORT = 35964;
const READER = 'Virtual PCD 00 01';
const OPENSC_PKCS11 = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const ORIGIN = 'https://www.belgium.be';
const PIN = '2580';
/** Time for one request: the module's calls each have their own limit, far below this. */
const REQUEST_LIMIT_MS = 15_000;
/** pcscd sees a card come or go within its polling interval; this is far more. */
const READER_LIMIT_MS = 10_000;

const PKCS15_FILES: string[] = [FILES.applicationDirectory, FILES.objectDirectory, FILES.tokenInfo, FILES.authenticationObjects, FILES.privateKeys, FILES.certificates].map((f) => f.id);

type Reply = Awaited<ReturnType<HostProcess['request']>>;

let card: VirtualBelpicCard;
let vpcd: VpcdConnection;
let context: PcscContext;
let host: HostProcess;
let tmp: string;
/** VERIFY commands carrying a PIN since the last reset of this count. */
let pinsSent = 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'eid-pkcs15-'));
  card = await createVirtualCard({ profile: '1.7', pin: PIN });
  card.onTransmit = (command) => {
    if (command[1] === INS.VERIFY && command.length > 5) pinsSent++;
  };
  context = await PcscContext.open();
  vpcd = await connectToVpcd(card, { port: PORT, retryForMs: 10_000 });
  await context.waitForCard(READER, READER_LIMIT_MS);
  host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pkcs11', EID_BRIDGE_PKCS11_MODULE: OPENSC_PKCS11, EID_BRIDGE_CONFIG: join(tmp, 'no-host.json') });
  await host.next();
}, 60_000);

afterAll(async () => {
  await host?.close();
  await vpcd?.close();
  context?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Takes the card out, waits until the host no longer lists it, changes its files, and puts it back. */
async function reinsertWith(change: () => void): Promise<void> {
  await vpcd.remove();
  const deadline = Date.now() + READER_LIMIT_MS;
  for (;;) {
    const readers = ((await host.request('status', {}, undefined, REQUEST_LIMIT_MS)).result?.readers ?? []) as Array<{ name: string; cardPresent: boolean }>;
    if (!readers.some((r) => r.name === READER && r.cardPresent)) break;
    if (Date.now() > deadline) throw new Error(`the host still lists a card in "${READER}" ${READER_LIMIT_MS} ms after it was taken out`);
    await new Promise((r) => setTimeout(r, 50));
  }
  change();
  await vpcd.insert();
  await context.waitForCard(READER, READER_LIMIT_MS);
}

/** What a Web eID validator checks: the signature over H(origin) ‖ H(nonce) with the card's authentication key. */
function tokenVerifies(token: Record<string, unknown>, nonce: string): boolean {
  if (token.unverifiedCertificate !== Buffer.from(card.pki.authentication.der).toString('base64')) return false;
  const hash = token.algorithm === 'ES384' ? 'sha384' : 'sha256';
  const signed = Buffer.concat([createHash(hash).update(ORIGIN).digest(), createHash(hash).update(nonce).digest()]);
  const key = new X509Certificate(card.pki.authentication.der).publicKey;
  return createVerify(hash).update(signed).verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(String(token.signature), 'base64'));
}

function authenticateArguments(nonce: string) {
  return { challengeNonce: nonce, origin: ORIGIN, pin: PIN, certificate: Buffer.from(card.pki.authentication.der).toString('base64') };
}

/** A request's reply, or the error of a request that got none in time. */
async function ask(command: string, args: Record<string, unknown> = {}): Promise<Reply | Error> {
  return host.request(command, args, `${command}-${Math.random()}`, REQUEST_LIMIT_MS).catch((e: Error) => e);
}

/** Why a reply is not a result or a catalogued error (undefined when it is one). */
function untypedReply(reply: Reply | Error): string | undefined {
  if (reply instanceof Error) return reply.message;
  if (reply.result !== undefined) return undefined;
  if (reply.error && isErrorCode(reply.error.code) && reply.error.code !== 'INTERNAL_ERROR') return undefined;
  return preview(reply.error ?? reply);
}

describe('PKCS#15 files damaged, read by OpenSC for the host', () => {
  it(
    'every request ends in a result or a typed error, tokens verify, the PIN goes once, and the card put right works',
    async () => {
      const runs = caseCount(100, 3);
      const seed = checkSeed();
      const tally = new Tally('PKCS#15 files through OpenSC');
      const originals = new Map(PKCS15_FILES.map((id) => [id, card.getFile(id)]));
      const cases = fc.sample(fc.tuple(fc.constantFrom(...PKCS15_FILES), fc.oneof(...BYTE_MUTATIONS, ...DER_MUTATIONS)), { numRuns: runs, seed });
      const outcomes = new Map<string, number>();
      let tokens = 0;
      let triesSpent = 0;

      // The intact card logs in first: the check starts from a working setup.
      const first = await ask('authenticate', authenticateArguments(randomBytes(32).toString('base64')));
      expect(first instanceof Error ? first.message : first.error).toBeUndefined();

      for (const [fileId, mutate] of cases as Array<[string, Mutation]>) {
        const damaged = mutate(originals.get(fileId)!);
        await reinsertWith(() => card.setFile(fileId, damaged));
        const problems: string[] = [];
        for (const command of ['status', 'list-certificates', 'authenticate'] as const) {
          const nonce = randomBytes(32).toString('base64');
          pinsSent = 0;
          const reply = await ask(command, command === 'authenticate' ? authenticateArguments(nonce) : {});
          const untyped = untypedReply(reply);
          if (untyped) problems.push(`${command} answered ${untyped}`);
          if (pinsSent > 1) problems.push(`${command} sent the PIN to the card ${pinsSent} times`);
          if (command !== 'authenticate' || reply instanceof Error) continue;
          const outcome = reply.result ? 'token' : reply.error!.code;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (reply.result) {
            tokens++;
            if (!tokenVerifies(reply.result, nonce)) problems.push('a token that does not verify with the authentication certificate');
          }
        }
        if (card.pinTriesLeft() < 3) triesSpent++;

        // Put right and back in, the card logs in again with the same host (which also gives back any try the module spent).
        await reinsertWith(() => card.setFile(fileId, originals.get(fileId)!));
        const nonce = randomBytes(32).toString('base64');
        const after = await ask('authenticate', authenticateArguments(nonce));
        if (after instanceof Error || !after.result || !tokenVerifies(after.result, nonce)) problems.push(`the intact card afterwards: ${after instanceof Error ? after.message : preview(after.error)}`);
        tally.count(problems.length === 0, () => `${fileId} as ${Buffer.from(damaged).toString('hex').slice(0, 120)}: ${problems.join('; ')}`);
      }
      const answers = [...outcomes].map(([k, n]) => `${k} ${n}`).join(', ');
      tally.figures.push(`${runs} damaged files (${PKCS15_FILES.join(', ')}); authenticate answered: ${answers}; ${tokens} tokens, all checked; a PIN try lost to the damage in ${triesSpent}; seed ${seed}`);
      tally.report();
      expect(tally.shortfalls).toEqual([]);
    },
    CHECK_TIMEOUT_MS,
  );
});
