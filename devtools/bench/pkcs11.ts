/**
 * PKCS#11 figures on a SoftHSM2 token: what calling the module from a
 * process of its own (with a time limit per call) costs against calling it in
 * the host's process, per call and per authentication (the certificates read,
 * then one signature with the PIN), and the host's authenticate round trip.
 * SoftHSM2 answers in microseconds, so these are the overhead alone; a real
 * card's signature takes hundreds of milliseconds on top.
 */
import { randomBytes } from 'node:crypto';
import { createTestPki } from '../test-pki/test-pki.js';
import { openPkcs11Module, Pkcs11Backend } from '../../native-host/src/index.js';
import { HostProcess } from '../../tests/helpers/host-process.js';
import { createSoftHsmToken } from '../../tests/helpers/softhsm.js';
import { median, ms, percentile, row } from './stats.js';

const PIN = '1234';
const CALLS = 2000;
const AUTHENTICATIONS = 100;
const STARTS = 10;

async function times(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn();
    result.push(performance.now() - t);
  }
  return result;
}

export async function benchPkcs11(): Promise<void> {
  console.log('\nPKCS#11 on SoftHSM2: module in the host process (before) and in a process of its own (now)');
  const token = await createSoftHsmToken({ label: 'bench', pki: await createTestPki({ keyType: 'rsa' }), userPin: PIN });
  const savedConf = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
  try {
    for (const [label, inProcess] of [
      ['in process', true],
      ['own process', false],
    ] as const) {
      const starts = await times(STARTS, async () => {
        const opened = await openPkcs11Module(token.modulePath, { inProcess });
        await opened.module.close(opened.ownsInitialization);
      });
      row(`${label}: load + C_Initialize (median of ${STARTS})`, ms(median(starts)));

      const opened = await openPkcs11Module(token.modulePath, { inProcess });
      const calls = await times(CALLS, () => opened.module.C_GetSlotList(true));
      row(`${label}: one call, C_GetSlotList (median of ${CALLS})`, ms(median(calls)));
      row(`${label}: one call, p99`, ms(percentile(calls, 99)));
      await opened.module.close(opened.ownsInitialization);

      const backend = new Pkcs11Backend({ modulePath: token.modulePath, moduleInProcess: inProcess });
      const digest = randomBytes(32);
      const authentications = await times(AUTHENTICATIONS, async () => {
        const certificate = (await backend.certificates()).find((c) => c.usage === 'authentication')!;
        await backend.sign({ certificate, digest, digestAlgorithm: 'SHA-256', pin: new TextEncoder().encode(PIN) });
      });
      row(`${label}: certificates + sign (median of ${AUTHENTICATIONS})`, ms(median(authentications)));
      row(`${label}: certificates + sign, p90`, ms(percentile(authentications, 90)));
      await backend.close();
    }

    const host = new HostProcess({ ...token.env, EID_BRIDGE_BACKENDS: 'pkcs11', EID_BRIDGE_PKCS11_MODULE: token.modulePath });
    await host.next();
    const nonce = randomBytes(32).toString('base64');
    const authenticate = () => host.request('authenticate', { challengeNonce: nonce, origin: 'https://www.belgium.be', pin: PIN });
    const first = await times(1, authenticate);
    row('host authenticate, first (module process starts)', ms(first[0]!));
    const trips = await times(AUTHENTICATIONS, authenticate);
    row(`host authenticate round trip (median of ${AUTHENTICATIONS})`, ms(median(trips)));
    row('host authenticate round trip, p90', ms(percentile(trips, 90)));
    await host.close();
  } finally {
    if (savedConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = savedConf;
    await token.cleanup();
  }
}
