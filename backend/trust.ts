/**
 * Which certificate authorities the eID login trusts: what
 * EID_BRIDGE_TRUSTED_ROOTS names (a PEM/DER file or a directory), plus the
 * real Belgian roots built into the native host. Test roots only when configured.
 */
import { loadTrustedRoots } from '../shared-node/trusted-roots.js';

export interface TrustConfiguration {
  certificates: Uint8Array[];
  sources: string[];
  problems: string[];
}

export async function loadEidTrust(trustedRootsPath: string | undefined): Promise<TrustConfiguration> {
  const env: NodeJS.ProcessEnv = trustedRootsPath ? { EID_BRIDGE_TRUSTED_ROOTS: trustedRootsPath } : {};
  const set = await loadTrustedRoots({ env });
  return {
    certificates: set.roots.map((r) => new Uint8Array(r.certificate.raw)),
    sources: set.roots.map((r) => r.source),
    problems: set.problems,
  };
}
