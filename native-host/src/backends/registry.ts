/**
 * Which card backends the host runs, in order of preference: BELPIC over
 * PC/SC (no middleware needed), then PKCS#11 (the official middleware or any
 * token). EID_BRIDGE_BACKENDS=pcsc,pkcs11 chooses and orders them;
 * EID_BRIDGE_PKCS11_MODULE names the PKCS#11 module. Backends open their
 * library or service on first use, so creating them costs nothing at start-up.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import type { Logger } from '../logger.js';
import type { CardBackend } from './card-backend.js';
import { PcscBackend } from './pcsc-backend.js';
import { Pkcs11Backend } from './pkcs11/pkcs11-backend.js';
import { PKCS11_MODULE_ENV } from './pkcs11/module-paths.js';

const FACTORIES: Record<string, (env: NodeJS.ProcessEnv) => CardBackend> = {
  pcsc: () => new PcscBackend(),
  pkcs11: (env) => new Pkcs11Backend(env[PKCS11_MODULE_ENV] ? { modulePath: env[PKCS11_MODULE_ENV] } : {}),
};

export function createBackends(env: NodeJS.ProcessEnv, log: Logger): CardBackend[] {
  const names = (env.EID_BRIDGE_BACKENDS ?? 'pcsc,pkcs11')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in FACTORIES));
  if (unknown.length > 0) {
    throw new EidBridgeError('INVALID_ARGUMENT', `EID_BRIDGE_BACKENDS names unknown backends: ${unknown.join(', ')} (known: pcsc, pkcs11)`);
  }
  log.debug('card backends', { backends: names });
  return [...new Set(names)].map((n) => (FACTORIES[n] as (env: NodeJS.ProcessEnv) => CardBackend)(env));
}
