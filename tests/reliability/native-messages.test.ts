/**
 * Native messages (issue #16, item 1): generated messages to the host, through
 * the real eid-bridge-host process and its framing (dist/, `npm run build:node`),
 * and in-process with a card backend that signs and reads identity files
 * without a reader, so valid requests run all the way through the commands.
 * Every frame must get one result or typed error, the host must not crash,
 * must still answer status afterwards, and its memory must stay flat.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { p384 } from '@noble/curves/nist.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import { createVirtualCard } from '../../devtools/virtual-card/virtual-card.js';
import type { CardBackend, SignOperation, TokenCertificate } from '../../native-host/src/backends/card-backend.js';
import { FrameDecoder, encodeFrame } from '../../native-host/src/framing.js';
import { runHost } from '../../native-host/src/host.js';
import { silentLogger } from '../../native-host/src/logger.js';
import { EidBridgeError } from '../../shared/errors.js';
import { bytesToBase64 } from '../../shared/bytes.js';
import { VERSION } from '../../shared/version.js';
import { HostProcess } from '../helpers/host-process.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount, checkSeed, heapInUse, megabytes } from './check.js';
import { batchArbitrary, judgeBatch, replyProblem, writesOf } from './native-messages.js';

const BATCH = 100;
/** One batch may hold a few frames of a megabyte; a reply that takes longer than this is missing. */
const BATCH_REPLY_TIMEOUT_MS = 30_000;
/**
 * Memory is flat when the second half of the run adds less than this: the first half may raise the
 * high-water mark (megabyte frames, the allocator keeping pages), a leak keeps growing with the count.
 */
const SECOND_HALF_GROWTH_LIMIT = 32 * 1024 * 1024;

interface HostUnderTest {
  write(bytes: Buffer): void;
  /** The next `n` replies, or fewer when the timeout passes first. */
  replies(n: number, timeoutMs: number): Promise<unknown[]>;
  /** Memory the host holds: the process's RSS, or for the host in this process its heap after garbage collection. */
  memory(): number;
  /** Undefined while running; why it stopped otherwise. */
  stopped(): string | undefined;
  close(): Promise<void>;
}

const pki = await createTestPki({ keyType: 'ec' });
const card = await createVirtualCard({ profile: '1.8' });

/** Signs with the test PKI's keys and reads the virtual card's files: the commands run end to end, no reader needed. */
class SoftwareCardBackend implements CardBackend {
  readonly name = 'pcsc' as const;
  private readonly certs: TokenCertificate[] = [
    { tokenId: 'pcsc:software', tokenLabel: 'software', reader: 'software reader', usage: 'authentication', der: pki.authentication.der, keyRef: 'auth' },
    { tokenId: 'pcsc:software', tokenLabel: 'software', reader: 'software reader', usage: 'signing', der: pki.signing!.der, keyRef: 'sign' },
  ];
  constructor(private readonly keys: Record<string, Uint8Array>) {}
  async status() {
    return { name: this.name, available: true };
  }
  async readers() {
    return [{ name: 'software reader', backend: this.name, cardPresent: true, pinPad: false, tokenId: 'pcsc:software', virtual: true }];
  }
  async certificates() {
    return this.certs;
  }
  async sign(op: SignOperation): Promise<Uint8Array> {
    if (op.pin && new TextDecoder().decode(op.pin) === '0000') throw new EidBridgeError('PIN_INCORRECT', 'Wrong PIN', { triesLeft: 2 });
    return p384.sign(op.digest, this.keys[op.certificate.keyRef]!, { prehash: false });
  }
  async changePin() {}
  async readIdentityFiles(_reader: string | undefined, options: { photo?: boolean }) {
    const files: Record<string, Uint8Array> = {};
    for (const id of ['4031', '4032', '4033', '4034', '503C', '503A', '503B', '4040', ...(options.photo ? ['4035'] : [])]) files[id] = card.getFile(id);
    return { reader: 'software reader', tokenId: 'pcsc:software', cardType: 'BELPIC 1.8 eID', virtual: true, files };
  }
  async close() {}
}

async function privateKeyBytes(key: CryptoKey): Promise<Uint8Array> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
}

const softwareKeys = { auth: await privateKeyBytes(pki.authentication.privateKey), sign: await privateKeyBytes(pki.signing!.privateKey) };
const certificates = [bytesToBase64(pki.authentication.der), bytesToBase64(pki.signing!.der), bytesToBase64(pki.root.der)];

const scratch = mkdtempSync(join(tmpdir(), 'eid-bridge-reliability-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The real host, shut off from this machine's card services: no pcscd, no SoftHSM token, no module, its own config file. */
async function startHostProcess(): Promise<HostUnderTest> {
  const host = new HostProcess({
    PCSCLITE_CSOCK_NAME: join(scratch, 'no-pcscd.comm'),
    SOFTHSM2_CONF: join(scratch, 'no-softhsm2.conf'),
    EID_BRIDGE_PKCS11_MODULE: join(scratch, 'libmissing.so'),
    EID_BRIDGE_CONFIG: join(scratch, 'host.json'),
    EID_BRIDGE_LOG_LEVEL: 'error',
  });
  const first = await host.next();
  expect(first).toEqual({ version: VERSION });
  let exit: string | undefined;
  void host.exited.then((code) => (exit = `the host process exited with ${code}; stderr: ${host.stderr.join('').slice(-2000)}`));
  return {
    write: (bytes) => host.writeRaw(bytes),
    async replies(n, timeoutMs) {
      const got: unknown[] = [];
      const deadline = Date.now() + timeoutMs;
      while (got.length < n && exit === undefined) {
        try {
          got.push(await host.next(Math.max(1, deadline - Date.now())));
        } catch {
          break;
        }
      }
      return got;
    },
    memory: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${host.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    stopped: () => exit,
    close: () => host.close(),
  };
}

/** runHost on streams in this process, with the software card. */
async function startHostInProcess(): Promise<HostUnderTest> {
  const input = new PassThrough();
  const output = new PassThrough();
  const decoder = new FrameDecoder(2 * MAX_REPLY);
  const received: unknown[] = [];
  let wake: (() => void) | undefined;
  output.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) received.push(f.ok ? f.message : { undecodable: f.error.message });
    wake?.();
  });
  let stop: string | undefined;
  const backend = new SoftwareCardBackend(softwareKeys);
  runHost({ input, output, backends: [backend], reconfigure: () => [backend], log: silentLogger }).then(
    () => (stop = 'the host loop ended'),
    (e: unknown) => (stop = `the host loop failed: ${String(e)}`),
  );
  const next = async (deadline: number) => {
    while (received.length === 0 && stop === undefined && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return received.shift();
  };
  expect(await next(Date.now() + 5000)).toEqual({ version: VERSION });
  return {
    write: (bytes) => input.write(bytes),
    async replies(n, timeoutMs) {
      const got: unknown[] = [];
      const deadline = Date.now() + timeoutMs;
      while (got.length < n) {
        const r = await next(deadline);
        if (r === undefined) break;
        got.push(r);
      }
      return got;
    },
    memory: heapInUse,
    stopped: () => stop,
    async close() {
      input.end();
    },
  };
}
const MAX_REPLY = 1024 * 1024;

async function runNativeMessages(name: string, start: () => Promise<HostUnderTest>, memoryName: string, total: number): Promise<Tally> {
  const tally = new Tally(name);
  const seed = checkSeed();
  const host = await start();
  const started = performance.now();
  let memoryAfterWarmUp = 0;
  let memoryAtHalf = 0;
  try {
    const batches = Math.ceil(total / BATCH);
    for (let b = 0; b < batches; b++) {
      const size = Math.min(BATCH, total - b * BATCH);
      const [batch] = fc.sample(batchArbitrary(certificates, size), { numRuns: 1, seed: seed + b });
      for (const w of writesOf(batch!)) host.write(w);
      const replies = await host.replies(size, BATCH_REPLY_TIMEOUT_MS);
      // Replies beyond those expected would come now; a short pause would make the check slow, so they show in the next batch.
      judgeBatch(batch!, replies, tally);
      if (b === 0) memoryAfterWarmUp = host.memory();
      if (b === Math.floor(batches / 2)) memoryAtHalf = host.memory();
      const stopped = host.stopped();
      if (stopped) {
        tally.count(false, () => stopped);
        break;
      }
    }
    // Still answering afterwards.
    host.write(encodeFrame({ id: 'status-after', command: 'status', arguments: {} }));
    const [after] = await host.replies(1, BATCH_REPLY_TIMEOUT_MS);
    const statusProblem = after === undefined ? 'no answer' : replyProblem(after) ?? ((after as { id?: unknown; result?: { version?: unknown } }).result?.version === VERSION ? undefined : `not a status result: ${JSON.stringify(after).slice(0, 200)}`);
    tally.count(statusProblem === undefined, () => `status after the run: ${statusProblem}`);
    const memoryAtEnd = host.memory();
    tally.count(memoryAtEnd - memoryAtHalf < SECOND_HALF_GROWTH_LIMIT, () => `${memoryName} grew from ${megabytes(memoryAtHalf)} at half way to ${megabytes(memoryAtEnd)} at the end`);
    tally.figures.push(`${memoryName} ${megabytes(memoryAfterWarmUp)} after the first batch, ${megabytes(memoryAtHalf)} at half way, ${megabytes(memoryAtEnd)} at the end`, `${Math.round(performance.now() - started)} ms`, `seed ${seed}`);
  } finally {
    await host.close();
  }
  tally.report();
  return tally;
}

describe('reliability: native messages', () => {
  it('the host process answers every generated message with a result or a typed error', { timeout: CHECK_TIMEOUT_MS }, async () => {
    const tally = await runNativeMessages('native messages (host process)', startHostProcess, 'host RSS', caseCount(100_000, 1_000));
    expect(tally.shortfalls).toEqual([]);
    expect(tally.fellShort).toBe(0);
  });

  it('the host loop with a card that signs answers every generated message with a result or a typed error', { timeout: CHECK_TIMEOUT_MS }, async () => {
    const tally = await runNativeMessages('native messages (in-process, software card)', startHostInProcess, 'heap', caseCount(100_000, 1_000));
    expect(tally.shortfalls).toEqual([]);
    expect(tally.fellShort).toBe(0);
  });
});
