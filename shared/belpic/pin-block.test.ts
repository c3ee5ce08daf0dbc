import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { decodePinBlock, encodePinBlock } from './pin-block.js';

describe('PIN block', () => {
  it('decodes what it encodes and refuses anything else', () => {
    expect(bytesToHex(encodePinBlock('12345'))).toBe('2512345FFFFFFFFF');
    expect(bytesToHex(encodePinBlock('1234'))).toBe('241234FFFFFFFFFF');
    expect(decodePinBlock(encodePinBlock('123456789012'))).toBe('123456789012');
    expect(decodePinBlock(encodePinBlock('1234'))).toBe('1234');
    expect(decodePinBlock(hexToBytes('2512345FFFFFFFF0'))).toBeUndefined();
    expect(decodePinBlock(hexToBytes('231234FFFFFFFFFF'))).toBeUndefined();
    expect(decodePinBlock(hexToBytes('24123AFFFFFFFFFF'))).toBeUndefined();
    expect(decodePinBlock(hexToBytes('241234FFFFFFFF'))).toBeUndefined();
  });
});
