/**
 * The driver's own settings: how it reads files and what it puts in the
 * PIN-pad structures (PC/SC part 10). The card's facts (files, instructions,
 * status words, generations) are in shared/belpic/, shared with the virtual
 * card; docs/card.md explains them.
 */
import { PIN_MAX, PIN_MIN } from '../../../shared/belpic/card-constants.js';

/** READ BINARY chunk size: the most a short APDU answers (Le = 00), so a file takes as few commands as it can. */
export const READ_CHUNK = 256;
/** Files are at most a few KB (the photo ~3 KB); stop runaway reads. */
export const MAX_FILE_SIZE = 0x8000;
/** Old cards want a short pause before resending a command after 6Cxx. */
export const RESEND_PAUSE_MS = 20;

/** PIN_VERIFY_STRUCTURE values for this card (PC/SC part 10, as the official middleware fills them). */
export const PIN_PAD = {
  timerOut: 30,
  timerOut2: 30,
  formatString: 0x89,
  pinBlockString: 0x47,
  pinLengthFormat: 0x04,
  maxDigits: PIN_MAX,
  minDigits: PIN_MIN,
  entryValidationCondition: 0x02,
  numberMessage: 0x01,
  msgIndex: 0x00,
  langIds: { en: 0x0409, nl: 0x0813, fr: 0x080c, de: 0x0407 },
  /** VERIFY with a template block the reader fills in: 0x20 then FF filler. */
  verifyApdu: Uint8Array.of(0x00, 0x20, 0x00, 0x01, 0x08, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  /** CHANGE REFERENCE DATA with two template blocks: the current PIN at data offset 0, the new one at 8. */
  modifyApdu: Uint8Array.of(
    0x00, 0x24, 0x00, 0x01, 0x10,
    0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  ),
  insertionOffsetOld: 0x00,
  insertionOffsetNew: 0x08,
  /** bConfirmPIN: ask for the new PIN twice (bit 0) and for the current PIN (bit 1). */
  confirmPin: 0x03,
  /** Three prompts: current PIN, new PIN, new PIN again. */
  modifyNumberMessage: 0x03,
} as const;
