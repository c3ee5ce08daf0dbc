/**
 * The PIN travels as a string in the JSON message (that is how native
 * messaging works); from here on it lives in a buffer that is zeroed as soon
 * as the card has seen it, whatever the outcome. It is never logged.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import type { CardBackend, TokenCertificate } from '../backends/card-backend.js';

export async function withPin<T>(
  pin: string | undefined,
  backend: CardBackend,
  certificate: TokenCertificate,
  signal: AbortSignal,
  use: (pin: Uint8Array | undefined) => Promise<T>,
): Promise<T> {
  // Cancelled while the certificates were being read: the card must not see the PIN any more.
  signal.throwIfAborted();
  if (pin === undefined) {
    const readers = await backend.readers().catch(() => []);
    const reader = readers.find((r) => r.tokenId === certificate.tokenId);
    if (!reader?.pinPad) {
      throw new EidBridgeError('PIN_REQUIRED', 'The PIN is needed for this operation', { argument: 'pin' });
    }
    return use(undefined);
  }
  const buffer = Buffer.from(pin, 'ascii');
  try {
    return await use(buffer);
  } finally {
    buffer.fill(0);
  }
}
