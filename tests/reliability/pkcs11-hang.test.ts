/**
 * Service faults (issue #16, item 6, the PKCS#11 part): a PKCS#11 module
 * that hangs, through the real eid-bridge-host. The module
 * (tests/fixtures/hanging-pkcs11, built here with gcc) forwards to SoftHSM2
 * and blocks in the call its control file names, while that file exists.
 * Each case: authenticate
 * with the module blocked in C_GetSlotList, C_Login or C_Sign, and `status`
 * sent right behind it. The authenticate must end in PKCS11_MODULE_HUNG
 * within the call's limit and a margin, `status` must answer and name the
 * PKCS#11 backend unavailable, the host must still run with no stuck module
 * process left beside it, and the next authenticate (the module answering
 * again) must work in the same host process. Needs gcc, SoftHSM2 and `npm run build:node`.
 */
import { createHash, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import { buildHangingPkcs11Module, hangingPkcs11Env } from '../helpers/hanging-pkcs11.js';
import { HostProcess } from '../helpers/host-process.js';
import { createSoftHsmToken, softHsmAvailable, type SoftHsmToken } from '../helpers/softhsm.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount } from './check.js';

const ORIGIN = 'https://www.belgium.be';
const PIN = '1234';
/** The limit every PKCS#11 call gets in this check (EID_BRIDGE_PKCS11_TIMEOUT_MS), far below the real ones. */
const CALL_LIMIT_MS = 1500;
/** Killing the module's process and answering, on a busy machine. */
const ANSWER_MARGIN_MS = 3000;
const HANGING_CALLS = ['C_GetSlotList', 'C_Login', 'C_Sign'] as const;

/** The host's child processes (the module's process, when one runs), each as its /proc stat line. */
function childProcesses(pid: number): string[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  if (children === '') return [];
  return children.split(/\s+/).flatMap((child) => {
    try {
      return [readFileSync(`/proc/${child}/stat`, 'utf8').slice(0, 60)];
    } catch {
      return []; // reaped between the two reads
    }
  });
}

/** The host's child processes still there after `withinMs`: the killed module process takes a moment to be reaped. */
async function moduleProcessesAfter(pid: number, withinMs: number): Promise<string[]> {
  const deadline = performance.now() + withinMs;
  let left = childProcesses(pid);
  while (left.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = childProcesses(pid);
  }
  return left;
}

function verifiesOverOriginAndNonce(result: Record<string, unknown>, nonce: string): boolean {
  const signed = Buffer.concat([createHash('sha256').update(ORIGIN).digest(), createHash('sha256').update(nonce).digest()]);
  const cert = new X509Certificate(Buffer.from(result.unverifiedCertificate as string, 'base64'));
  return createVerify('sha256').update(signed).verify(cert.publicKey, Buffer.from(result.signature as string, 'base64'));
}

describe.skipIf(!softHsmAvailable())('reliability: a PKCS#11 module that hangs', () => {
  let dir: string;
  let token: SoftHsmToken;
  let host: HostProcess;
  let controlFile: string;
  const tally = new Tally('pkcs11-module-hangs');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eid-pkcs11-hang-'));
    const module = buildHangingPkcs11Module(dir);
    token = await createSoftHsmToken({ label: 'eid-hang', pki: await createTestPki({ keyType: 'rsa' }), userPin: PIN });
    controlFile = join(dir, 'hang-in');
    host = new HostProcess({
      ...token.env,
      EID_BRIDGE_BACKENDS: 'pkcs11',
      EID_BRIDGE_PKCS11_MODULE: module,
      EID_BRIDGE_PKCS11_TIMEOUT_MS: String(CALL_LIMIT_MS),
      EID_BRIDGE_CONFIG: join(dir, 'no-host.json'),
      ...hangingPkcs11Env(token.modulePath, controlFile),
    });
    await host.next();
  }, 60_000);

  afterAll(async () => {
    await host?.close();
    await token?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'answers the request with PKCS11_MODULE_HUNG in time, keeps answering status, and works again once the module does',
    async () => {
      const rounds = caseCount(10, 1);
      const slowest: number[] = [];
      for (let round = 0; round < rounds; round++) {
        for (const call of HANGING_CALLS) {
          writeFileSync(controlFile, call);
          const started = performance.now();
          const nonce = randomBytes(32).toString('base64');
          host.send({ id: 'hung', command: 'authenticate', arguments: { challengeNonce: nonce, origin: ORIGIN, pin: PIN } });
          host.send({ id: 'status-meanwhile', command: 'status', arguments: {} });
          const answer = await host.next(CALL_LIMIT_MS + ANSWER_MARGIN_MS + 5000);
          const answeredMs = performance.now() - started;
          const status = await host.next(ANSWER_MARGIN_MS);
          slowest.push(answeredMs);
          const error = answer.error as { code?: string; message?: string } | undefined;
          tally.count(answer.id === 'hung' && error?.code === 'PKCS11_MODULE_HUNG' && answeredMs <= CALL_LIMIT_MS + ANSWER_MARGIN_MS, () =>
            `hanging in ${call}: ${JSON.stringify(answer)} after ${Math.round(answeredMs)} ms`,
          );
          const backends = (status.result as { backends?: Array<{ name: string; available: boolean; reason?: string }> } | undefined)?.backends;
          const pkcs11 = backends?.find((b) => b.name === 'pkcs11');
          tally.count(status.id === 'status-meanwhile' && pkcs11?.available === false && /does not answer/.test(pkcs11.reason ?? ''), () =>
            `status after a hang in ${call}: ${JSON.stringify(status)}`,
          );
          const leftOver = await moduleProcessesAfter(host.child.pid!, ANSWER_MARGIN_MS);
          tally.count(host.child.exitCode === null && leftOver.length === 0, () =>
            `after a hang in ${call}: host exit code ${host.child.exitCode}, processes left beside it: ${leftOver.join('; ')}`,
          );

          rmSync(controlFile);
          const again = await host.request('authenticate', { challengeNonce: nonce, origin: ORIGIN, pin: PIN });
          tally.count(again.result !== undefined && verifiesOverOriginAndNonce(again.result, nonce), () =>
            `authenticate after a hang in ${call}: ${JSON.stringify(again.error ?? again.result)}`,
          );
          const recovered = await host.request('status');
          const recoveredPkcs11 = (recovered.result as { backends?: Array<{ name: string; available: boolean }> } | undefined)?.backends?.find(
            (b) => b.name === 'pkcs11',
          );
          tally.count(recoveredPkcs11?.available === true, () => `status after recovering from ${call}: ${JSON.stringify(recovered)}`);
        }
      }
      tally.figures.push(`limit ${CALL_LIMIT_MS} ms, slowest answer ${Math.round(Math.max(...slowest))} ms`);
      tally.report();
      expect(tally.shortfalls).toEqual([]);
      expect(tally.fellShort).toBe(0);
    },
    CHECK_TIMEOUT_MS,
  );

});
