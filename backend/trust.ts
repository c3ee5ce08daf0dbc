/**
 * Which certificate authorities the eID login trusts, and how it reaches the
 * network while checking a card: what EID_BRIDGE_TRUSTED_ROOTS names (a
 * PEM/DER file or a directory) plus the real Belgian roots built into the
 * native host, the built-in Belgian issuing CAs, revocation (OCSP) and
 * fetching a missing issuing CA. Test roots only when configured.
 *
 * Every address taken from a certificate (AIA caIssuers, AIA OCSP) goes
 * through the guarded fetcher: the Belgian PKI's hosts only, public addresses
 * only, no redirects, capped and timed. An OCSP responder the operator
 * configured is trusted as configured.
 */
import { X509Certificate } from 'node:crypto';
import { builtInIssuingCas, builtInRoots, BELGIAN_PKI_HOSTS, loadTrustedRoots } from '../shared-node/trusted-roots.js';
import { createGuardedFetch, type HostResolver } from '../shared-node/guarded-fetch.js';
import type { TokenValidatorOptions } from '../shared/token-validator/validator.js';
import type { BackendConfig, OcspPolicy } from './config.js';

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

/** A CA certificate is small; anything bigger is not one. */
const CA_CERTIFICATE_MAX_BYTES = 64 * 1024;
/** An OCSP answer for one certificate, with its responder's certificate, fits easily. */
const OCSP_RESPONSE_MAX_BYTES = 64 * 1024;
const CA_FETCH_TIMEOUT_MS = 5000;

type NetworkConfig = Pick<BackendConfig, 'ocsp' | 'ocspTimeoutMs' | 'ocspUrl' | 'fetchIntermediates' | 'pkiHosts'>;

function ocspPolicy(setting: BackendConfig['ocsp']): OcspPolicy {
  if (setting === true) return 'all';
  if (setting === false) return 'off';
  return setting;
}

/**
 * The anchors whose certificates are real Belgian ones: the built-in roots
 * and issuing CAs, and any configured anchor a built-in root signed (an
 * operator may trust a Citizen CA directly; its cards still get OCSP).
 */
function belgianAnchors(trustedCertificates: readonly Uint8Array[], issuingCas: readonly Uint8Array[]): Uint8Array[] {
  const roots = builtInRoots().map((r) => r.certificate);
  const signedByRoot = trustedCertificates.filter((der) => {
    const certificate = new X509Certificate(der);
    return roots.some((root) => certificate.checkIssued(root) && certificate.verify(root.publicKey));
  });
  return [...roots.map((c) => new Uint8Array(c.raw)), ...issuingCas, ...signedByRoot];
}

/**
 * What the token validator gets besides its trust anchors: the built-in
 * Belgian issuing CAs (so real cards need no fetch), OCSP by the configured
 * policy, and AIA fetching when switched on. `resolve` is for tests.
 */
export function eidCheckOptions(
  config: NetworkConfig,
  trustedCertificates: readonly Uint8Array[],
  resolve?: HostResolver,
): Pick<TokenValidatorOptions, 'intermediateCertificates' | 'ocsp' | 'fetchIntermediates'> {
  const allowedHosts = config.pkiHosts ?? BELGIAN_PKI_HOSTS;
  const fromCertificate = (maxBytes: number, timeoutMs: number) =>
    createGuardedFetch({ allowedHosts, maxBytes, timeoutMs, ...(resolve ? { resolve } : {}) });
  // Parsed and checked against their roots once, for both uses below.
  const issuingCas = builtInIssuingCas().map((c) => new Uint8Array(c.raw));
  const options: Pick<TokenValidatorOptions, 'intermediateCertificates' | 'ocsp' | 'fetchIntermediates'> = { intermediateCertificates: issuingCas };
  const policy = ocspPolicy(config.ocsp);
  if (policy !== 'off') {
    options.ocsp = {
      ...(config.ocspUrl ? { responderUrl: config.ocspUrl } : {}),
      fetch: config.ocspUrl
        ? createGuardedFetch({ allowedHosts: 'any', publicAddressesOnly: false, maxBytes: OCSP_RESPONSE_MAX_BYTES, timeoutMs: config.ocspTimeoutMs })
        : fromCertificate(OCSP_RESPONSE_MAX_BYTES, config.ocspTimeoutMs),
      ...(policy === 'belgian-roots' ? { trustAnchors: belgianAnchors(trustedCertificates, issuingCas) } : {}),
    };
  }
  if (config.fetchIntermediates) options.fetchIntermediates = { fetch: fromCertificate(CA_CERTIFICATE_MAX_BYTES, CA_FETCH_TIMEOUT_MS) };
  return options;
}
