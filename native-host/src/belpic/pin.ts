/**
 * PIN blocks, PIN-pad structures and the meaning of VERIFY answers. PIN bytes
 * are never logged and every buffer built from them is zeroed by its user.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import { PIN_MAX, PIN_MIN, PIN_PAD, SW } from './constants.js';
import { swHex } from './apdu.js';

/** Checks a PIN given as ASCII digit bytes; the message never contains the PIN. */
export function assertPinFormat(pin: Uint8Array, argument = 'pin'): void {
  if (pin.length < PIN_MIN || pin.length > PIN_MAX || !pin.every((b) => b >= 0x30 && b <= 0x39)) {
    throw new EidBridgeError('PIN_FORMAT', `The PIN must be ${PIN_MIN} to ${PIN_MAX} digits`, { argument });
  }
}

/**
 * The 8-byte BELPIC PIN block: 0x20 | length, the digits as BCD, padded with F
 * nibbles and FF bytes. "12345" → 25 12 34 5F FF FF FF FF.
 */
export function pinBlock(pin: Uint8Array): Uint8Array {
  assertPinFormat(pin);
  const block = new Uint8Array(8).fill(0xff);
  block[0] = 0x20 | pin.length;
  for (let i = 0; i < pin.length; i++) {
    const digit = pin[i]! - 0x30;
    const index = 1 + (i >> 1);
    block[index] = i % 2 === 0 ? (digit << 4) | 0x0f : (block[index]! & 0xf0) | digit;
  }
  return block;
}

export type PinPadLanguage = keyof typeof PIN_PAD.langIds;

/**
 * PIN_VERIFY_STRUCTURE (PC/SC part 10, section 2.5.2) for a BELPIC VERIFY.
 * Multi-byte fields are little-endian as the structure is packed in host order
 * by the reader drivers (pcsc-lite ccid, Windows).
 */
export function verifyPinStructure(language: PinPadLanguage = 'en'): Uint8Array {
  const apduBytes = PIN_PAD.verifyApdu;
  const out = new Uint8Array(19 + apduBytes.length);
  let p = 0;
  out[p++] = PIN_PAD.timerOut;
  out[p++] = PIN_PAD.timerOut2;
  out[p++] = PIN_PAD.formatString;
  out[p++] = PIN_PAD.pinBlockString;
  out[p++] = PIN_PAD.pinLengthFormat;
  // wPINMaxExtraDigit: 0xXXYY, XX = minimum, YY = maximum digits.
  out[p++] = PIN_PAD.maxDigits;
  out[p++] = PIN_PAD.minDigits;
  out[p++] = PIN_PAD.entryValidationCondition;
  out[p++] = PIN_PAD.numberMessage;
  const langId = PIN_PAD.langIds[language];
  out[p++] = langId & 0xff;
  out[p++] = langId >> 8;
  out[p++] = PIN_PAD.msgIndex;
  p += 3; // bTeoPrologue: zeros for T=0 readers
  out[p++] = apduBytes.length & 0xff; // ulDataLength, 32-bit little-endian
  out[p++] = (apduBytes.length >> 8) & 0xff;
  p += 2;
  out.set(apduBytes, p);
  return out;
}

/**
 * PIN_MODIFY_STRUCTURE (PC/SC part 10, section 2.5.3) for a BELPIC CHANGE
 * REFERENCE DATA: the reader asks for the current PIN and the new one twice.
 */
export function modifyPinStructure(language: PinPadLanguage = 'en'): Uint8Array {
  const apduBytes = PIN_PAD.modifyApdu;
  const out = new Uint8Array(24 + apduBytes.length);
  let p = 0;
  out[p++] = PIN_PAD.timerOut;
  out[p++] = PIN_PAD.timerOut2;
  out[p++] = PIN_PAD.formatString;
  out[p++] = PIN_PAD.pinBlockString;
  out[p++] = PIN_PAD.pinLengthFormat;
  out[p++] = PIN_PAD.insertionOffsetOld;
  out[p++] = PIN_PAD.insertionOffsetNew;
  out[p++] = PIN_PAD.maxDigits;
  out[p++] = PIN_PAD.minDigits;
  out[p++] = PIN_PAD.confirmPin;
  out[p++] = PIN_PAD.entryValidationCondition;
  out[p++] = PIN_PAD.modifyNumberMessage;
  const langId = PIN_PAD.langIds[language];
  out[p++] = langId & 0xff;
  out[p++] = langId >> 8;
  out[p++] = 0x00; // bMsgIndex1: "enter the current PIN"
  out[p++] = 0x01; // bMsgIndex2: "enter the new PIN"
  out[p++] = 0x02; // bMsgIndex3: "confirm the new PIN"
  p += 3; // bTeoPrologue
  out[p++] = apduBytes.length & 0xff;
  out[p++] = (apduBytes.length >> 8) & 0xff;
  p += 2;
  out.set(apduBytes, p);
  return out;
}

/**
 * What a VERIFY or CHANGE REFERENCE DATA answer means. Returns on success;
 * throws the error the person can act on otherwise.
 */
export function checkPinStatus(sw: number): void {
  if (sw === SW.OK) return;
  if (sw >> 4 === 0x63c) {
    const triesLeft = sw & 0x0f;
    if (triesLeft === 0) throw new EidBridgeError('PIN_BLOCKED', 'The PIN is blocked after too many wrong tries', { triesLeft: 0 });
    throw new EidBridgeError('PIN_INCORRECT', `Wrong PIN; ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left`, { triesLeft });
  }
  switch (sw) {
    case SW.PIN_BLOCKED:
      throw new EidBridgeError('PIN_BLOCKED', 'The PIN is blocked after too many wrong tries', { triesLeft: 0 });
    case SW.WRONG_DATA:
    case SW.PIN_PAD_FORMAT:
      throw new EidBridgeError('PIN_FORMAT', `The PIN must be ${PIN_MIN} to ${PIN_MAX} digits`);
    case SW.PIN_PAD_TIMEOUT:
      throw new EidBridgeError('PIN_PAD_TIMEOUT', 'No PIN was entered on the reader in time');
    case SW.PIN_PAD_CANCELLED:
      throw new EidBridgeError('USER_CANCELLED', 'PIN entry was cancelled on the reader');
    case SW.PIN_PAD_MISMATCH:
      throw new EidBridgeError('PIN_FORMAT', 'The new PINs entered on the reader differ');
    default:
      throw new EidBridgeError('CARD_ERROR', `The card refused the PIN check: status ${swHex(sw)}`);
  }
}

/** Turns a PIN string into ASCII digit bytes (the caller zeroes them). */
export function pinBytes(pin: string): Uint8Array {
  return new TextEncoder().encode(pin);
}
