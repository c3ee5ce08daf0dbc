/**
 * PIN-pad structures and the meaning of VERIFY answers (the PIN block itself
 * is shared/belpic/pin-block.ts). PIN bytes are never logged and every buffer
 * built from them is zeroed by its user.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import { PIN_MAX, PIN_MIN, SW } from '../../../shared/belpic/card-constants.js';
import { PIN_PAD } from './constants.js';
import { swHex } from './apdu.js';

export type PinPadLanguage = keyof typeof PIN_PAD.langIds;

/**
 * The part every PC/SC part 10 PIN structure ends with: bTeoPrologue (zeros
 * for T=0 readers), ulDataLength and the APDU. Multi-byte fields are
 * little-endian, as the reader drivers (pcsc-lite ccid, Windows) pack them in
 * host order.
 */
function pinStructure(fields: number[], apduBytes: Uint8Array): Uint8Array {
  const length = apduBytes.length;
  const teoPrologue = [0x00, 0x00, 0x00];
  const dataLength = [length & 0xff, (length >> 8) & 0xff, 0x00, 0x00];
  const out = new Uint8Array(fields.length + teoPrologue.length + dataLength.length + length);
  out.set([...fields, ...teoPrologue, ...dataLength], 0);
  out.set(apduBytes, out.length - length);
  return out;
}

/** The fields both structures open with: timeouts and how the PIN block is formatted. */
const PIN_FORMAT_FIELDS = [PIN_PAD.timerOut, PIN_PAD.timerOut2, PIN_PAD.formatString, PIN_PAD.pinBlockString, PIN_PAD.pinLengthFormat];

/** wLangId, little-endian. */
function langIdBytes(language: PinPadLanguage): number[] {
  const langId = PIN_PAD.langIds[language];
  return [langId & 0xff, langId >> 8];
}

/** PIN_VERIFY_STRUCTURE (PC/SC part 10, section 2.5.2) for a BELPIC VERIFY. */
export function verifyPinStructure(language: PinPadLanguage = 'en'): Uint8Array {
  return pinStructure(
    [
      ...PIN_FORMAT_FIELDS,
      // wPINMaxExtraDigit: 0xXXYY, XX = minimum, YY = maximum digits.
      PIN_PAD.maxDigits,
      PIN_PAD.minDigits,
      PIN_PAD.entryValidationCondition,
      PIN_PAD.numberMessage,
      ...langIdBytes(language),
      PIN_PAD.msgIndex,
    ],
    PIN_PAD.verifyApdu,
  );
}

/**
 * PIN_MODIFY_STRUCTURE (PC/SC part 10, section 2.5.3) for a BELPIC CHANGE
 * REFERENCE DATA: the reader asks for the current PIN and the new one twice.
 */
export function modifyPinStructure(language: PinPadLanguage = 'en'): Uint8Array {
  return pinStructure(
    [
      ...PIN_FORMAT_FIELDS,
      PIN_PAD.insertionOffsetOld,
      PIN_PAD.insertionOffsetNew,
      PIN_PAD.maxDigits,
      PIN_PAD.minDigits,
      PIN_PAD.confirmPin,
      PIN_PAD.entryValidationCondition,
      PIN_PAD.modifyNumberMessage,
      ...langIdBytes(language),
      0x00, // bMsgIndex1: "enter the current PIN"
      0x01, // bMsgIndex2: "enter the new PIN"
      0x02, // bMsgIndex3: "confirm the new PIN"
    ],
    PIN_PAD.modifyApdu,
  );
}

/**
 * What a VERIFY or CHANGE REFERENCE DATA answer means. Returns on success;
 * throws the error the person can act on otherwise.
 */
export function checkPinStatus(sw: number): void {
  if (sw === SW.OK) return;
  if (sw >> 4 === SW.PIN_WRONG >> 4) {
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
