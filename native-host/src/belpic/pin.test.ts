import { describe, expect, it } from 'vitest';
import { encodePinBlock } from '../../../shared/belpic/pin-block.js';
import { checkPinStatus, modifyPinStructure, pinBytes, verifyPinStructure } from './pin.js';
import { toHex } from './scripted-transport.test-helper.js';

describe('PIN block', () => {
  it('encodes the length, BCD digits and F padding', () => {
    expect(toHex(encodePinBlock(pinBytes('12345')))).toBe('2512345FFFFFFFFF');
    expect(toHex(encodePinBlock(pinBytes('1234')))).toBe('241234FFFFFFFFFF');
    expect(toHex(encodePinBlock(pinBytes('123456789012')))).toBe('2C123456789012FF');
  });

  it('refuses PINs that are too short, too long or not digits, without echoing them', () => {
    for (const pin of ['123', '1234567890123', '12a4', '']) {
      expect(() => encodePinBlock(pinBytes(pin))).toThrow(expect.objectContaining({ code: 'PIN_FORMAT' }));
    }
    try {
      encodePinBlock(pinBytes('98x7'));
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('98x7');
    }
  });
});

describe('PIN_VERIFY_STRUCTURE', () => {
  it('carries the BELPIC values and the VERIFY template', () => {
    expect(toHex(verifyPinStructure('nl'))).toBe(
      '1E1E' + '89' + '47' + '04' + '0C04' + '02' + '01' + '1308' + '00' + '000000' + '0D000000' + '00200001082' + '0FFFFFFFFFFFFFF',
    );
  });
});

describe('PIN_MODIFY_STRUCTURE', () => {
  it('asks for the current PIN and the new one twice, with both template blocks', () => {
    expect(toHex(modifyPinStructure('de'))).toBe(
      '1E1E' + '89' + '47' + '04' + '00' + '08' + '0C04' + '03' + '02' + '03' + '0704' + '000102' + '000000' + '15000000' +
        '0024000110' + '20FFFFFFFFFFFFFF' + '20FFFFFFFFFFFFFF',
    );
  });
});

describe('VERIFY answers', () => {
  it('maps the status words to what the person can act on', () => {
    expect(() => checkPinStatus(0x9000)).not.toThrow();
    expect(() => checkPinStatus(0x63c2)).toThrow(expect.objectContaining({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } }));
    expect(() => checkPinStatus(0x63c0)).toThrow(expect.objectContaining({ code: 'PIN_BLOCKED' }));
    expect(() => checkPinStatus(0x6983)).toThrow(expect.objectContaining({ code: 'PIN_BLOCKED' }));
    expect(() => checkPinStatus(0x6a80)).toThrow(expect.objectContaining({ code: 'PIN_FORMAT' }));
    expect(() => checkPinStatus(0x6400)).toThrow(expect.objectContaining({ code: 'PIN_PAD_TIMEOUT' }));
    expect(() => checkPinStatus(0x6401)).toThrow(expect.objectContaining({ code: 'USER_CANCELLED' }));
    expect(() => checkPinStatus(0x6f00)).toThrow(expect.objectContaining({ code: 'CARD_ERROR' }));
  });
});
