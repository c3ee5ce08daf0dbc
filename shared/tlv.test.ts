import { describe, expect, it } from 'vitest';
import { belpicTlvText, decodeBelpicTlv, encodeBelpicTlv } from './tlv.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('BELPIC TLV', () => {
  it('decodes short entries and stops at the zero padding', () => {
    const file = Uint8Array.from([0x01, 0x03, 0x41, 0x42, 0x43, 0x02, 0x01, 0x7f, 0x00, 0x00, 0x00, 0x00]);
    const entries = decodeBelpicTlv(file);
    expect(entries.map((e) => e.tag)).toEqual([1, 2]);
    expect(belpicTlvText(entries[0]!.value)).toBe('ABC');
    expect([...entries[1]!.value]).toEqual([0x7f]);
  });

  it('keeps a leading version tag 00 and unknown tags', () => {
    const file = Uint8Array.from([0x00, 0x01, 0x02, 0x01, 0x01, 0x31, 0x2a, 0x02, 0xbe, 0xef, 0x00, 0x00]);
    const entries = decodeBelpicTlv(file);
    expect(entries.map((e) => e.tag)).toEqual([0x00, 0x01, 0x2a]);
    expect([...entries[2]!.value]).toEqual([0xbe, 0xef]);
  });

  it('reads FF length continuation: FF x = 255+x, FF FF x = 510+x', () => {
    for (const length of [0, 1, 254, 255, 256, 509, 510, 511, 800]) {
      const value = new Uint8Array(length).map((_, i) => (i % 250) + 1);
      const encoded = encodeBelpicTlv([{ tag: 0x11, value }, { tag: 0x12, value: text('x') }]);
      const headerLength = length < 255 ? 1 : length < 510 ? 2 : length < 765 ? 3 : 4;
      expect(encoded[1 + headerLength - 1]).toBe(length % 255);
      const decoded = decodeBelpicTlv(encoded);
      expect(decoded).toHaveLength(2);
      expect(decoded[0]!.value).toEqual(value);
      expect(belpicTlvText(decoded[1]!.value)).toBe('x');
    }
    expect([...encodeBelpicTlv([{ tag: 5, value: new Uint8Array(255) }]).subarray(0, 3)]).toEqual([5, 0xff, 0x00]);
    expect([...encodeBelpicTlv([{ tag: 5, value: new Uint8Array(512) }]).subarray(0, 4)]).toEqual([5, 0xff, 0xff, 0x02]);
  });

  it('decodes hand-written continuation lengths', () => {
    const file = new Uint8Array(3 + 260 + 4);
    file.set([0x0b, 0xff, 0x05]);
    file.fill(0x61, 3, 263);
    const entries = decodeBelpicTlv(file);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.value.length).toBe(260);
  });

  it('rejects a value that runs past the end', () => {
    expect(() => decodeBelpicTlv(Uint8Array.from([0x01, 0x05, 0x41]))).toThrow(RangeError);
    expect(() => decodeBelpicTlv(Uint8Array.from([0x01, 0xff]))).toThrow(RangeError);
  });

  it('trims spaces and decodes UTF-8 text', () => {
    const [entry] = decodeBelpicTlv(encodeBelpicTlv([{ tag: 0x07, value: text('Peeters-Müller  ') }]));
    expect(belpicTlvText(entry!.value)).toBe('Peeters-Müller');
  });

  it('reads an all-zero file as empty', () => {
    expect(decodeBelpicTlv(new Uint8Array(64))).toEqual([]);
  });
});
