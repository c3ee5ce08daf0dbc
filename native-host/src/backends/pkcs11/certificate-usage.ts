/**
 * Which certificates on a token are for logging in and which for signing,
 * judged by key usage the way the Belgian card's certificates are made:
 * authentication has digitalSignature (and clientAuth when an EKU is
 * present), the qualified signature certificate has nonRepudiation.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { CertificateUsage } from '../../../../shared/protocol.js';

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';

/**
 * The usage of a certificate, or undefined when it is neither (a CA
 * certificate, a certificate without key usage, an unparsable one).
 */
export function certificateUsage(der: Uint8Array): CertificateUsage | undefined {
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(Uint8Array.from(der));
  } catch {
    return undefined;
  }
  const basicConstraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (basicConstraints?.ca) return undefined;
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (!keyUsage) return undefined;
  const usages = keyUsage.usages;
  if (usages & x509.KeyUsageFlags.nonRepudiation) return 'signing';
  if (usages & x509.KeyUsageFlags.digitalSignature) {
    const eku = certificate.getExtension(x509.ExtendedKeyUsageExtension);
    if (eku && !eku.usages.some((usage) => usage === EKU_CLIENT_AUTH || usage === EKU_ANY)) return undefined;
    return 'authentication';
  }
  return undefined;
}
