/**
 * What read-identity answers (host and CLI alike) for the government's test
 * cards: verified, with the warning about the RRN certificate's name in the
 * verification a page receives.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createGovernmentTestCard, createV11TestCard } from '../devtools/test-pki/card-files.js';
import { buildIdentityResult } from './identity-result.js';

describe('buildIdentityResult', () => {
  it('answers a test card as verified, with the name warning, and the raw files a server can check again', async () => {
    const { files, pki } = await createGovernmentTestCard();
    const result = buildIdentityResult(files, {
      includeAddress: true,
      includePhoto: false,
      trustedRoots: [{ certificate: new X509Certificate(pki.root.der), source: 'test root', builtIn: false }],
    });
    expect(result.identity).toMatchObject({ surname: 'Janssens', nationalNumber: '85073000160' });
    expect(result.verification).toMatchObject({ verified: true, rrnCertificate: 'trusted', problems: [] });
    expect(result.verification.warnings).toEqual([expect.stringMatching(/named "CN=test RRN, O=test RRN, C=BE"/)]);
    expect(result.rawFiles['503C']).toBeDefined();
    expect(result.rawFiles['4035']).toBeUndefined();
  });

  it('names a V1.1 card by its RSA-1024 RRN key and gives no warning', async () => {
    const { files, pki } = await createV11TestCard();
    const result = buildIdentityResult(files, { includeAddress: true, includePhoto: true, trustedRoots: [new X509Certificate(pki.root.der)] });
    expect(result.cardType).toBe('BELPIC V1.1 eID');
    expect(result.verification).toMatchObject({ verified: true, warnings: [] });
    expect(result.address).toMatchObject({ streetAndNumber: 'Rue Haute 1', postalCode: '1000', municipality: 'Bruxelles' });
  });
});
