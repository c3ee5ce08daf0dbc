/**
 * Creates the card backends from the host configuration, in order of
 * preference: BELPIC over PC/SC (no middleware needed), then PKCS#11 (the
 * official middleware or any token). Backends open their library or service
 * on first use, so creating them costs nothing at start-up.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import type { BackendName } from '../../../shared/protocol.js';
import type { HostConfig } from '../config.js';
import type { CardBackend } from './card-backend.js';
import { PcscBackend } from './pcsc-backend.js';
import { pkcs11CallCapFromEnv } from './pkcs11/module-process.js';
import { Pkcs11Backend } from './pkcs11/pkcs11-backend.js';

const FACTORIES: Record<BackendName, (config: HostConfig) => CardBackend> = {
  pcsc: () => new PcscBackend(),
  pkcs11: (config) => new Pkcs11Backend({ ...(config.pkcs11Module && { modulePath: config.pkcs11Module }), ...pkcs11CallCapFromEnv(process.env) }),
};

export function createBackends(config: HostConfig): CardBackend[] {
  const unknown = config.backends.filter((n) => !(n in FACTORIES));
  if (unknown.length > 0) {
    throw new EidBridgeError('INVALID_ARGUMENT', `Unknown card backends: ${unknown.join(', ')} (known: pcsc, pkcs11)`);
  }
  return [...new Set(config.backends)].map((n) => FACTORIES[n](config));
}
