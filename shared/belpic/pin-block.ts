/**
 * The 8-byte BELPIC PIN block of VERIFY and CHANGE REFERENCE DATA (docs/card.md,
 * "PIN"): 0x20 | length, the digits as BCD, F nibbles, then FF bytes.
 * "12345" → 25 12 34 5F FF FF FF FF. Error messages never contain the PIN.
 */
import { EidBridgeError } from '../errors.js';
import { PIN_MAX, PIN_MIN } from './card-constants.js';

const PIN_BLOCK_LENGTH = 8;

/** Whether a PIN given as ASCII bytes has 4 to 12 digits. */
export function isValidPin(pin: Uint8Array): boolean {
  return pin.length >= PIN_MIN && pin.length <= PIN_MAX && pin.every((b) => b >= 0x30 && b <= 0x39);
}

export function pinFormatError(argument = 'pin'): EidBridgeError {
  return new EidBridgeError('PIN_FORMAT', `The PIN must be ${PIN_MIN} to ${PIN_MAX} digits`, { argument });
}

/** The PIN block for a PIN (ASCII digit bytes, which the caller zeroes, or a string in tests and tools). */
export function encodePinBlock(pin: Uint8Array | string): Uint8Array {
  const digits = typeof pin === 'string' ? new TextEncoder().encode(pin) : pin;
  if (!isValidPin(digits)) throw pinFormatError();
  const block = new Uint8Array(PIN_BLOCK_LENGTH).fill(0xff);
  block[0] = 0x20 | digits.length;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits[i]! - 0x30;
    const index = 1 + (i >> 1);
    block[index] = i % 2 === 0 ? (digit << 4) | 0x0f : (block[index]! & 0xf0) | digit;
  }
  return block;
}

/** The PIN in a PIN block, or undefined for anything that is not one (the card answers 6A80). */
export function decodePinBlock(block: Uint8Array): string | undefined {
  if (block.length !== PIN_BLOCK_LENGTH) return undefined;
  const first = block[0]!;
  if ((first & 0xf0) !== 0x20) return undefined;
  const length = first & 0x0f;
  if (length < PIN_MIN || length > PIN_MAX) return undefined;
  let digits = '';
  for (let i = 0; i < 2 * (PIN_BLOCK_LENGTH - 1); i++) {
    const byte = block[1 + (i >> 1)]!;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if (i < length) {
      if (nibble > 9) return undefined;
      digits += String(nibble);
    } else if (nibble !== 0x0f) {
      return undefined;
    }
  }
  return digits;
}
