/**
 * The BELPIC driver against the in-process virtual card: the same bytes a
 * real card would see, with real keys, so signatures are checked with node:crypto.
 */
import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard, type VirtualBelpicCard } from '../../../devtools/virtual-card/virtual-card.js';
import type { ApduTransport } from './apdu.js';
import { BelpicCard, documentKind, type PinPad } from './card.js';
import { BelpicCardCache } from './certificate-cache.js';
import { pinBytes } from './pin.js';
import { bytes } from './scripted-transport.test-helper.js';

/** The virtual card as a transport, counting the commands by INS byte. */
function transportTo(card: VirtualBelpicCard): ApduTransport & { sent: Uint8Array[]; count(ins: number): number } {
  const sent: Uint8Array[] = [];
  return {
    atr: card.atr,
    sent,
    count: (ins) => sent.filter((c) => c[1] === ins).length,
    transmit: async (apdu) => {
      sent.push(apdu.slice());
      return card.transmit(apdu);
    },
  };
}

const READ_BINARY = 0xb0;
const digestOf = (algorithm: string, text: string) => new Uint8Array(createHash(algorithm).update(text).digest());

describe.each([
  { profile: '1.7' as const, generation: '1.7', keyType: 'RSA' },
  { profile: '1.8' as const, generation: '1.8', keyType: 'EC' },
])('BELPIC $profile card', ({ profile, generation, keyType }) => {
  let card: VirtualBelpicCard;
  beforeAll(async () => {
    card = await createVirtualCard({ profile, pin: '1234' });
  });

  it('is recognised by ATR and GET CARD DATA', async () => {
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    expect(driver.info.generation).toBe(generation);
    expect(driver.info.keyType).toBe(keyType);
    expect(driver.info.serialHex).toMatch(/^[0-9A-F]{32}$/);
    expect(await driver.cardType()).toBe(`eID (applet ${generation})`);
  });

  it('reads both certificates, trimmed to their DER length', async () => {
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    const certificates = await driver.certificates({ ca: true, root: true });
    expect(Buffer.from(certificates.authentication!)).toEqual(Buffer.from(card.pki.authentication.der));
    expect(Buffer.from(certificates.signing!)).toEqual(Buffer.from(card.pki.signing!.der));
    expect(Buffer.from(certificates.ca!)).toEqual(Buffer.from(card.pki.citizenCa.der));
    expect(new X509Certificate(certificates.authentication!).subject).toContain('Authentication');
  });

  it('reads certificates only once per chip: the second time sends no READ BINARY', async () => {
    const cache = new BelpicCardCache();
    const first = transportTo(card);
    await (await BelpicCard.open(first, { cache })).certificates();
    expect(first.count(READ_BINARY)).toBeGreaterThan(0);
    const second = transportTo(card);
    const again = await (await BelpicCard.open(second, { cache })).certificates();
    expect(second.count(READ_BINARY)).toBe(0);
    expect(again.signing).toBeDefined();
  });

  it('signs with the authentication and the signature key; node:crypto verifies', async () => {
    card.reset();
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    const certificates = await driver.certificates();
    for (const [key, der] of [
      ['authentication', certificates.authentication!],
      ['signing', certificates.signing!],
    ] as const) {
      const publicKey = new X509Certificate(der).publicKey;
      if (keyType === 'RSA') {
        const digest = digestOf('sha256', `hello ${key}`);
        const signature = await driver.sign(key, digest, 'SHA-256', pinBytes('1234'));
        expect(signature.length).toBe(256);
        expect(verifySignature('sha256', Buffer.from(`hello ${key}`), publicKey, signature)).toBe(true);
      } else {
        const digest = digestOf('sha384', `hello ${key}`);
        const signature = await driver.sign(key, digest, 'SHA-384', pinBytes('1234'));
        expect(signature.length).toBe(96);
        expect(verifySignature('sha384', Buffer.from(`hello ${key}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
      }
    }
  });

  it('sends MSE SET, VERIFY, PSO in that order for the signature key', async () => {
    card.reset();
    const t = transportTo(card);
    const driver = await BelpicCard.open(t, { cache: new BelpicCardCache() });
    t.sent.length = 0;
    await driver.sign('signing', new Uint8Array(keyType === 'RSA' ? 32 : 48), keyType === 'RSA' ? 'SHA-256' : 'SHA-384', pinBytes('1234'));
    expect(t.sent.map((c) => c[1])).toEqual([0x22, 0x20, 0x2a, 0xc0]);
    const mse = Buffer.from(t.sent[0]!).toString('hex').toUpperCase();
    expect(mse).toBe(`002241B605048${keyType === 'RSA' ? '001' : '002'}8483`);
  });

  it('refuses to sign with the signature key without a PIN, and never retries a PIN', async () => {
    card.reset();
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    await expect(driver.sign('signing', new Uint8Array(keyType === 'RSA' ? 32 : 48), keyType === 'RSA' ? 'SHA-256' : 'SHA-384', undefined)).rejects.toMatchObject({
      code: 'PIN_REQUIRED',
    });
    const t = transportTo(card);
    const again = await BelpicCard.open(t, { cache: new BelpicCardCache() });
    await expect(again.verifyPin(pinBytes('9999'))).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
    expect(t.count(0x20)).toBe(1);
    await again.verifyPin(pinBytes('1234'));
    expect(card.pinTriesLeft()).toBe(3);
  });

  it('tells the PIN tries left without spending one', async () => {
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    await expect(driver.verifyPin(pinBytes('0000'))).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    expect(await driver.pinTriesLeft()).toBe(2);
    expect(await driver.pinTriesLeft()).toBe(2);
    await driver.verifyPin(pinBytes('1234'));
    expect(await driver.pinTriesLeft()).toBe(3);
  });

  it('blocks the PIN on the third wrong try', async () => {
    const blocked = await createVirtualCard({ profile, pki: card.pki });
    const driver = await BelpicCard.open(transportTo(blocked), { cache: new BelpicCardCache() });
    await expect(driver.verifyPin(pinBytes('1111'))).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
    await expect(driver.verifyPin(pinBytes('1111'))).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 1 } });
    await expect(driver.verifyPin(pinBytes('1111'))).rejects.toMatchObject({ code: 'PIN_BLOCKED' });
    await expect(driver.verifyPin(pinBytes('1234'))).rejects.toMatchObject({ code: 'PIN_BLOCKED' });
    expect(await driver.pinTriesLeft()).toBe(0);
  });

  it('changes the PIN', async () => {
    const other = await createVirtualCard({ profile, pki: card.pki });
    const driver = await BelpicCard.open(transportTo(other), { cache: new BelpicCardCache() });
    await driver.changePin(pinBytes('1234'), pinBytes('567890'));
    await expect(driver.verifyPin(pinBytes('1234'))).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    await driver.verifyPin(pinBytes('567890'));
    await expect(driver.changePin(pinBytes('0000'), pinBytes('1111'))).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
  });

  it('a card taken as known signs without GET CARD DATA, selecting BELPIC again when another applet was selected', async () => {
    card.reset();
    const opened = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    const t = transportTo(card);
    // Another program left another application selected: the first command of the BELPIC applet is unknown (6D00).
    let selected = false;
    const elsewhere: ApduTransport = {
      atr: t.atr,
      transmit: async (command) => {
        if (command[1] === 0xa4 && command[2] === 0x04) selected = true;
        if (!selected) {
          t.sent.push(command.slice());
          return bytes('6D00');
        }
        return t.transmit(command);
      },
    };
    const driver = BelpicCard.known(elsewhere, opened.info, { cache: new BelpicCardCache() });
    const digest = new Uint8Array(keyType === 'RSA' ? 32 : 48);
    const signature = await driver.sign('signing', digest, keyType === 'RSA' ? 'SHA-256' : 'SHA-384', pinBytes('1234'));
    expect(signature.length).toBe(keyType === 'RSA' ? 256 : 96);
    expect(t.count(0xe4)).toBe(0);
    expect(t.sent.map((c) => c[1])).toEqual([0x22, 0xa4, 0x22, 0x20, 0x2a, 0xc0]);
  });

  it('reads the identity files as the card stores them', async () => {
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    const files = await driver.readIdentityFiles({ photo: true });
    for (const id of ['4031', '4032', '4033', '4034', '4035']) {
      expect(Buffer.from(files[id]!.subarray(0, card.getFile(id).length))).toEqual(Buffer.from(card.getFile(id)));
    }
    expect(Buffer.from(files['503C']!)).toEqual(Buffer.from(card.pki.rrn.der));
    expect(files['4035']![0]).toBe(0xff); // JPEG
    expect('4040' in files).toBe(profile === '1.8');
    const withoutPhoto = await driver.readIdentityFiles();
    expect(withoutPhoto['4035']).toBeUndefined();
  });
});

/**
 * A PIN-pad reader as PC/SC part 10 describes one: it reads the PIN_VERIFY_STRUCTURE,
 * writes the typed digits into the APDU template (BCD from byte 1 of the block,
 * the length in the low nibble of byte 0) and sends it to the card itself.
 */
function pinPadReader(card: VirtualBelpicCard, typed: string | 'cancel' | 'timeout'): PinPad & { structures: Uint8Array[] } {
  const structures: Uint8Array[] = [];
  return {
    structures,
    verifyPinDirect: async (structure) => {
      structures.push(structure.slice());
      if (typed === 'cancel') return bytes('6401');
      if (typed === 'timeout') return bytes('6400');
      const [formatString, blockString, lengthFormat] = [structure[2]!, structure[3]!, structure[4]!];
      const [maxDigits, minDigits] = [structure[5]!, structure[6]!];
      if (typed.length < minDigits || typed.length > maxDigits) return bytes('6403');
      const dataLength = structure[15]! | (structure[16]! << 8);
      const command = structure.slice(19, 19 + dataLength);
      expect({ formatString, blockString, lengthFormat }).toEqual({ formatString: 0x89, blockString: 0x47, lengthFormat: 0x04 });
      const block = command.subarray(5);
      const position = (formatString >> 3) & 0x0f;
      for (let i = 0; i < typed.length; i++) {
        const digit = typed.charCodeAt(i) - 0x30;
        const index = position + (i >> 1);
        block[index] = i % 2 === 0 ? (digit << 4) | (block[index]! & 0x0f) : (block[index]! & 0xf0) | digit;
      }
      block[0] = (block[0]! & 0xf0) | typed.length;
      return card.transmit(command);
    },
  };
}

/** Writes `pin` into a BELPIC template block as the reader does (BCD from byte 1, length in byte 0). */
function fillBlock(block: Uint8Array, pin: string): void {
  for (let i = 0; i < pin.length; i++) {
    const digit = pin.charCodeAt(i) - 0x30;
    const index = 1 + (i >> 1);
    block[index] = i % 2 === 0 ? (digit << 4) | (block[index]! & 0x0f) : (block[index]! & 0xf0) | digit;
  }
  block[0] = (block[0]! & 0xf0) | pin.length;
}

/** A PIN-pad reader that also changes PINs (FEATURE_MODIFY_PIN_DIRECT): the person types the current PIN and the new one twice. */
function modifyingPinPad(card: VirtualBelpicCard, current: string, next: string, again = next): PinPad {
  return {
    verifyPinDirect: async () => bytes('6401'),
    modifyPinDirect: async (structure) => {
      if (next !== again) return bytes('6402');
      const [offsetOld, offsetNew, confirm] = [structure[5]!, structure[6]!, structure[9]!];
      expect(confirm & 0x03).toBe(0x03);
      const dataLength = structure[20]! | (structure[21]! << 8);
      const command = structure.slice(24, 24 + dataLength);
      fillBlock(command.subarray(5 + offsetOld, 5 + offsetOld + 8), current);
      fillBlock(command.subarray(5 + offsetNew, 5 + offsetNew + 8), next);
      return card.transmit(command);
    },
  };
}

describe('PIN-pad reader', () => {
  it('verifies the PIN typed on the reader, then signs', async () => {
    const card = await createVirtualCard({ profile: '1.7', pin: '123456' });
    const pinPad = pinPadReader(card, '123456');
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache(), pinPad, language: 'fr' });
    const certificates = await driver.certificates();
    const signature = await driver.sign('signing', digestOf('sha256', 'pad'), 'SHA-256', undefined);
    expect(verifySignature('sha256', Buffer.from('pad'), new X509Certificate(certificates.signing!).publicKey, signature)).toBe(true);
    expect(pinPad.structures).toHaveLength(1);
    expect(pinPad.structures[0]![9]! | (pinPad.structures[0]![10]! << 8)).toBe(0x080c);
  });

  it('a wrong PIN on the pad spends a try; cancel and timeout on the pad are told apart', async () => {
    const card = await createVirtualCard({ profile: '1.7' });
    const wrong = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache(), pinPad: pinPadReader(card, '0000') });
    await expect(wrong.sign('signing', new Uint8Array(32), 'SHA-256', undefined)).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
    const cancel = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache(), pinPad: pinPadReader(card, 'cancel') });
    await expect(cancel.sign('signing', new Uint8Array(32), 'SHA-256', undefined)).rejects.toMatchObject({ code: 'USER_CANCELLED' });
    const timeout = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache(), pinPad: pinPadReader(card, 'timeout') });
    await expect(timeout.sign('signing', new Uint8Array(32), 'SHA-256', undefined)).rejects.toMatchObject({ code: 'PIN_PAD_TIMEOUT' });
    expect(card.pinTriesLeft()).toBe(2);
  });
});

describe('PIN change on a PIN-pad reader', () => {
  it('changes the PIN with both PINs typed on the reader', async () => {
    const card = await createVirtualCard({ profile: '1.8', pin: '1234' });
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache(), pinPad: modifyingPinPad(card, '1234', '24680') });
    await driver.changePinOnPad();
    await expect(driver.verifyPin(pinBytes('1234'))).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    await driver.verifyPin(pinBytes('24680'));
  });

  it('new PINs that differ on the reader change nothing', async () => {
    const card = await createVirtualCard({ profile: '1.8', pin: '1234' });
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache(), pinPad: modifyingPinPad(card, '1234', '1111', '2222') });
    await expect(driver.changePinOnPad()).rejects.toMatchObject({ code: 'PIN_FORMAT' });
    await driver.verifyPin(pinBytes('1234'));
  });

  it('without a PIN pad that can change PINs, the PINs are needed', async () => {
    const card = await createVirtualCard({ profile: '1.8' });
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    await expect(driver.changePinOnPad()).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
  });
});

describe('document kinds', () => {
  it('names the document by its type', () => {
    expect(documentKind(1)).toBe('eID');
    expect(documentKind(6)).toBe('Kids-ID');
    for (const type of [11, 17, 36, 61, 69]) expect(documentKind(type)).toBe('foreigner card');
    for (const type of [undefined, 2, 37, 60, 70]) expect(documentKind(type)).toBe('other');
  });
});

describe('other documents', () => {
  it('a Kids-ID has an authentication but no signing certificate', async () => {
    const kids = await createVirtualCard({ profile: 'kids' });
    const driver = await BelpicCard.open(transportTo(kids), { cache: new BelpicCardCache() });
    const certificates = await driver.certificates();
    expect(certificates.authentication).toBeDefined();
    expect(certificates.signing).toBeUndefined();
    expect(await driver.cardType()).toMatch(/^Kids-ID \(applet/);
  });

  it('a foreigner card says so', async () => {
    const card = await createVirtualCard({ profile: 'foreigner' });
    const driver = await BelpicCard.open(transportTo(card), { cache: new BelpicCardCache() });
    expect(await driver.cardType()).toMatch(/^foreigner card \(applet/);
  });

  it('an unknown card is UNSUPPORTED_CARD with its ATR', async () => {
    const atr = bytes('3B8F8001804F0CA000000306030001000000006A');
    const transport: ApduTransport = { atr, transmit: async () => bytes('6D00') };
    await expect(BelpicCard.open(transport)).rejects.toMatchObject({
      code: 'UNSUPPORTED_CARD',
      details: { atr: '3B8F8001804F0CA000000306030001000000006A' },
    });
  });

  it('a card with the BELPIC ATR but another applet version is UNSUPPORTED_CARD', async () => {
    const card = await createVirtualCard({ profile: '1.7' });
    const transport: ApduTransport = {
      atr: card.atr,
      transmit: async (apdu) => {
        const answer = card.transmit(apdu);
        if (apdu[0] === 0x80 && apdu[1] === 0xe4) answer[21] = 0x42;
        return answer;
      },
    };
    await expect(BelpicCard.open(transport)).rejects.toMatchObject({ code: 'UNSUPPORTED_CARD', details: { atr: expect.stringMatching(/^3B98/) } });
  });
});
