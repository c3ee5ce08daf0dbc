/**
 * Service faults (issue #16, item 6, the host part): pcscd stopped in the
 * middle of an authenticate through the real eid-bridge-host, then started
 * again. The request must end in PCSC_UNAVAILABLE, the error that says what
 * happened (or its result, when the stop came too late to matter), and the
 * next request must work with the same host process. So that stopping pcscd disturbs nobody, the check runs its own
 * pcscd in a private mount namespace (its /run/pcscd bound to a folder of the
 * test) with vpcd on ports of its own; host and pcscd meet over that folder's
 * socket (PCSCLITE_CSOCK_NAME). Needs root, unshare, pcscd with vpcd and
 * `npm run build:node`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../../devtools/virtual-card/vpcd-client.js';
import { HostProcess } from '../helpers/host-process.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount, checkSeed } from './check.js';
import { startPrivatePcscd, type PrivatePcscd } from './private-pcscd.js';

/** vpcd listens on this port for the first reader and the next for the second: away from the shared pcscd's 35963/35964. */
const PRIVATE_VPCD_PORT = 30100;
const ORIGIN = 'https://www.belgium.be';
const PIN = '2580';
const ANSWER_LIMIT_MS = 5000;
/** pcscd starting, vpcd's card reconnecting (its retry pauses grow to 2 s) and the reader polling: well within this. */
const RECOVERY_LIMIT_MS = 20_000;

let tmp: string;
let pcscd: PrivatePcscd;
let card: VirtualBelpicCard;
let vpcd: VpcdConnection | undefined;
let host: HostProcess | undefined;
/** Set to stop pcscd when the card receives its n-th APDU from now (the middle of an operation). */
let stopPcscdAtApdu: number | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'eid-service-faults-'));
  pcscd = await startPrivatePcscd(PRIVATE_VPCD_PORT);
  card = await createVirtualCard({ profile: '1.8', pin: PIN });
  card.onTransmit = () => {
    if (stopPcscdAtApdu !== undefined && --stopPcscdAtApdu === 0) {
      stopPcscdAtApdu = undefined;
      void pcscd.stop();
    }
  };
  // The card keeps dialling while pcscd is away, as the emulator does when vpcd closes the link.
  vpcd = await connectToVpcd(card, { port: PRIVATE_VPCD_PORT, retryForMs: 60_000 });
  host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pcsc', PCSCLITE_CSOCK_NAME: pcscd.socket, EID_BRIDGE_CONFIG: join(tmp, 'no-host.json') });
  await host.next();
}, 60_000);

afterAll(async () => {
  await host?.close();
  await vpcd?.close();
  await pcscd?.remove();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function authenticate() {
  return host!.request(
    'authenticate',
    { challengeNonce: randomBytes(32).toString('base64'), origin: ORIGIN, pin: PIN, certificate: Buffer.from(card.pki.authentication.der).toString('base64') },
    `auth-${Math.random()}`,
    RECOVERY_LIMIT_MS,
  );
}

/** Authenticates until it works, as a person would retry; how long it took, or undefined past the limit. */
async function recoveredWithinMs(): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < RECOVERY_LIMIT_MS) {
    const reply = await authenticate().catch(() => undefined);
    if (reply?.result) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

describe('pcscd stopped during an operation', () => {
  it(
    'authenticate ends in a typed error, and the next one works with the same host once pcscd is back',
    async () => {
      const first = await recoveredWithinMs();
      expect(first, 'the host authenticates before any fault').toBeDefined();
      const runs = caseCount(20, 3);
      const seed = checkSeed();
      const tally = new Tally('service faults: pcscd restarted during authenticate');
      let slowest = 0;
      const answers = new Map<string, number>();
      for (let i = 0; i < runs; i++) {
        // The authenticate sends a dozen APDUs at most; stopping at one of the first few lands mid-operation.
        stopPcscdAtApdu = 1 + ((seed + i * 7) % 6);
        const t0 = Date.now();
        const reply = await authenticate().catch((e: Error) => e);
        const ms = Date.now() - t0;
        stopPcscdAtApdu = undefined;
        await pcscd.stop();
        // The answer says what happened: the PC/SC service stopped (not a card, reader or certificate problem the person would look for).
        const told = !(reply instanceof Error) && (reply.result !== undefined || reply.error?.code === 'PCSC_UNAVAILABLE');
        const answer = reply instanceof Error ? 'no answer' : (reply.error?.code ?? 'result');
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
        await pcscd.start();
        const recovered = await recoveredWithinMs();
        if (recovered !== undefined) slowest = Math.max(slowest, recovered);
        const stuck = recovered === undefined ? ` (card ${vpcd!.connected ? 'in vpcd' : 'not connected to vpcd'}; status: ${JSON.stringify((await host!.request('status')).result?.readers ?? 'none')}; authenticate: ${JSON.stringify((await authenticate()).error)})` : '';
        tally.count(
          told && ms < ANSWER_LIMIT_MS && recovered !== undefined,
          () => `run ${i}: answered ${reply instanceof Error ? reply.message : JSON.stringify(reply.error ?? 'a result')} after ${ms} ms; ${recovered === undefined ? `no working authenticate within ${RECOVERY_LIMIT_MS} ms of pcscd's restart${stuck}` : `working again after ${recovered} ms`}`,
        );
      }
      tally.figures.push(`answers: ${[...answers].map(([a, n]) => `${a} ${n}`).join(', ')}`, `slowest recovery ${slowest} ms after pcscd was back, seed ${seed}`);
      tally.report();
      expect(tally.shortfalls).toEqual([]);
    },
    CHECK_TIMEOUT_MS,
  );
});
