import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../bytes.js';
import { CARD_GENERATIONS, generationsWithAtr, generationWithAppletVersion, signatureInput } from './card-generations.js';

const generationsOf = (atr: string) => generationsWithAtr(hexToBytes(atr)).map((generation) => generation.name);

describe('card generations', () => {
  it('knows the BELPIC ATRs, the older RSA ones included, and nothing else', () => {
    expect(generationsOf('3B9813400AA503010101AD1311')).toEqual(['V1.1', '1.7']);
    expect(generationsOf('3B9894400AA503010101AD1310')).toEqual(['V1.1', '1.7']);
    expect(generationsOf('3B989440FFA503010101AD1310')).toEqual(['V1.1', '1.7']);
    expect(generationsOf('3B7F96000080318065B085040120120FFF829000')).toEqual(['1.8']);
    expect(generationsOf('3B7F96000080318065B085040120120FFF829001')).toEqual([]);
    expect(generationsOf('3B9813400AA503010101AD13')).toEqual([]);
  });

  it('tells generations that share an ATR apart by applet version only', () => {
    const rsa = generationsWithAtr(CARD_GENERATIONS['1.7'].atr.value);
    expect(generationWithAppletVersion(rsa, 0x17)?.name).toBe('1.7');
    expect(generationWithAppletVersion(rsa, 0x10)?.name).toBe('V1.1');
    expect(generationWithAppletVersion(rsa, 0x11)?.name).toBe('V1.1');
    for (const version of [0x12, 0x16, 0x18, 0x42]) expect(generationWithAppletVersion(rsa, version)).toBeUndefined();
  });

  it('asks GET CARD DATA the same way for every generation with the same ATR', () => {
    for (const generation of Object.values(CARD_GENERATIONS)) {
      for (const twin of generationsWithAtr(generation.atr.value)) expect(twin.cardData.command).toEqual(generation.cardData.command);
    }
  });

  it('gives each applet version to one generation', () => {
    const versions = Object.values(CARD_GENERATIONS).flatMap((generation) => generation.appletVersions);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('signs on RSA cards with a caller-built DigestInfo, on EC cards with the byte naming the hash', () => {
    const digest = new Uint8Array(32).fill(7);
    const rsa = signatureInput(CARD_GENERATIONS['1.7'], 'SHA-256', digest);
    expect(rsa.algorithm).toBe(0x01);
    expect(rsa.input.length).toBe(19 + 32);
    expect(signatureInput(CARD_GENERATIONS['1.8'], 'SHA-256', digest)).toEqual({ algorithm: 0x01, input: digest });
    expect(signatureInput(CARD_GENERATIONS['1.8'], 'SHA-384', new Uint8Array(48)).algorithm).toBe(0x02);
    expect(signatureInput(CARD_GENERATIONS['1.8'], 'SHA-512', new Uint8Array(64)).algorithm).toBe(0x04);
    expect(signatureInput(CARD_GENERATIONS['1.8'], 'SHA-1', new Uint8Array(20)).algorithm).toBe(0x40);
  });
});
