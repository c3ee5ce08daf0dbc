/** Certificates as the host reads them from a card or token. */
import { describe, expect, it } from 'vitest';
import { createTestPki } from '../../devtools/test-pki/test-pki.js';
import { EidBridgeError } from '../../shared/errors.js';
import { describeCertificate } from './certificates.js';

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
