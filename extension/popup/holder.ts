/** The card holder's name from the authentication certificate's common name ("Given Surname (Authentication)"). */
import type { CertificateDescription } from '../../shared/protocol.js';

export function holderName(commonName: string): string {
  return commonName.replace(/\s*\((Authentication|Signature)\)\s*$/i, '').trim();
}

/** The holder's name for each reader, from that reader's authentication (else any) certificate. */
export function holdersByReader(certificates: CertificateDescription[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const usage of ['signing', 'authentication'] as const) {
    for (const c of certificates) if (c.usage === usage) out.set(c.reader, holderName(c.commonName));
  }
  return out;
}
