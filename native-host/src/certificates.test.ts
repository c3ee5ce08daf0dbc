/** Certificates as the host reads them from a card or token. */
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import { EidBridgeError } from '../../shared/errors.js';
import type { CardBackend, TokenCertificate } from './backends/card-backend.js';
import { chooseCertificate, describeCertificate } from './certificates.js';

const pki = await createTestPki({ keyType: 'ec', withSigning: false });
const token = { tokenId: 'pcsc:1', tokenLabel: 'card', reader: 'reader', usage: 'authentication' as const, keyRef: '1' };

describe('describeCertificate', () => {
  it('describes a certificate from the card', () => {
    expect(describeCertificate({ ...token, der: pki.authentication.der })).toMatchObject({ keyType: 'EC', keySize: 384, usage: 'authentication' });
  });

  /** A certificate whose EC public key point does not start with 04 (uncompressed): X.509 parses, the key does not. */
  function withDamagedKey(der: Uint8Array): Uint8Array {
    const copy = der.slice();
    const at = Buffer.from(copy).indexOf(Buffer.from([0x03, 0x62, 0x00, 0x04]));
    copy[at + 3] = 0x05;
    return copy;
  }

  it.each([
    ['cut short', pki.authentication.der.slice(0, 100)],
    ['with a damaged public key', withDamagedKey(pki.authentication.der)],
  ])('tells a certificate file %s as CARD_ERROR, not an unexpected failure', (_what, der) => {
    let thrown: unknown;
    try {
      describeCertificate({ ...token, der });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(EidBridgeError);
    expect((thrown as EidBridgeError).code).toBe('CARD_ERROR');
  });
});

describe('chooseCertificate', () => {
  /** A backend whose certificate listing gives these certificates, or fails with this error. */
  function backendListing(name: 'pcsc' | 'pkcs11', outcome: TokenCertificate[] | EidBridgeError): CardBackend {
    return {
      name,
      certificates: async () => {
        if (outcome instanceof EidBridgeError) throw outcome;
        return outcome;
      },
    } as unknown as CardBackend;
  }
  const chosen = Buffer.from(pki.authentication.der).toString('base64');

  it('answers CARD_REMOVED, not CERTIFICATE_NOT_FOUND, for a chosen certificate whose card was pulled out while it was read', async () => {
    const backends = [backendListing('pcsc', new EidBridgeError('CARD_REMOVED', 'The card was removed')), backendListing('pkcs11', [])];
    await expect(chooseCertificate(backends, 'authentication', chosen)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
  });

  it('answers PCSC_UNAVAILABLE, not CERTIFICATE_NOT_FOUND, when pcscd stopped while the chosen certificate was looked for', async () => {
    const backends = [backendListing('pcsc', new EidBridgeError('PCSC_UNAVAILABLE', 'The PC/SC service is not running')), backendListing('pkcs11', new EidBridgeError('PKCS11_MODULE_MISSING', 'none'))];
    await expect(chooseCertificate(backends, 'authentication', chosen)).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
  });

  it('answers CERTIFICATE_NOT_FOUND when every card was read and none holds the chosen certificate', async () => {
    const other = (await createTestPki({ keyType: 'ec', withSigning: false })).authentication.der;
    const backends = [backendListing('pcsc', [{ ...token, der: other }]), backendListing('pkcs11', new EidBridgeError('PKCS11_MODULE_MISSING', 'none'))];
    await expect(chooseCertificate(backends, 'authentication', chosen)).rejects.toMatchObject({ code: 'CERTIFICATE_NOT_FOUND' });
  });
});
