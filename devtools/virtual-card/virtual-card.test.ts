import { createHash, createPublicKey, publicDecrypt, verify, constants as cryptoConstants, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBelpicTlv, belpicTlvText } from '../../shared/tlv.js';
import { DIGEST_INFO_PREFIX } from '../../shared/belpic/card-constants.js';
import { formatCardBirthDate } from './card-files.js';
import { createVirtualCard, encodePinBlock, type VirtualBelpicCard } from './virtual-card.js';

const hexToBytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const ATR_OF_1_7 = '3B9813400AA503010101AD1311';
const ATR_OF_1_8 = '3B7F96000080318065B085040120120FFF829000';

/** Sends an APDU given as hex; returns status word (hex) and data. */
function send(card: VirtualBelpicCard, apdu: string | Uint8Array): { sw: string; data: Uint8Array } {
  const response = card.transmit(typeof apdu === 'string' ? hexToBytes(apdu) : apdu);
  return { sw: toHex(response.subarray(response.length - 2)), data: response.subarray(0, response.length - 2) };
}

function apdu(header: string, data: Uint8Array, le?: number): Uint8Array {
  return Uint8Array.from([...hexToBytes(header), data.length, ...data, ...(le === undefined ? [] : [le])]);
}

/** Reads a whole file the way a driver does: chunks of 0xFC bytes, 6Cxx → read the rest, 6B00 → done. */
function readFile(card: VirtualBelpicCard, path: string): Uint8Array {
  expect(send(card, apdu('00A4080C', hexToBytes(path))).sw).toBe('9000');
  const out: number[] = [];
  for (;;) {
    const offset = out.length;
    let r = send(card, Uint8Array.from([0x00, 0xb0, offset >> 8, offset & 0xff, 0xfc]));
    if (r.sw === '6B00') break;
    if (r.sw.startsWith('6C')) r = send(card, Uint8Array.from([0x00, 0xb0, offset >> 8, offset & 0xff, parseInt(r.sw.slice(2), 16)]));
    expect(r.sw).toBe('9000');
    out.push(...r.data);
    if (r.data.length < 0xfc) break;
  }
  return Uint8Array.from(out);
}

function verifyPin(card: VirtualBelpicCard, pin: string): string {
  return send(card, apdu('00200001', encodePinBlock(pin))).sw;
}

function sign(card: VirtualBelpicCard, key: number, algorithm: number, data: Uint8Array, pinBefore?: string): { sw: string; signature?: Uint8Array } {
  expect(send(card, apdu('002241B6', Uint8Array.from([0x04, 0x80, algorithm, 0x84, key]))).sw).toBe('9000');
  if (pinBefore) expect(verifyPin(card, pinBefore)).toBe('9000');
  const pso = send(card, apdu('002A9E9A', data));
  if (!pso.sw.startsWith('61')) return { sw: pso.sw };
  const got = send(card, `00C00000${pso.sw.slice(2)}`);
  expect(got.sw).toBe('9000');
  return { sw: pso.sw, signature: got.data };
}

function publicKeyOf(der: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}

describe('virtual BELPIC card, applet 1.7 (RSA-2048)', () => {
  let card: VirtualBelpicCard;
  beforeAll(async () => {
    card = await createVirtualCard({ profile: '1.7' });
  });

  it('has the 1.7 ATR', () => {
    expect(toHex(card.atr)).toBe(ATR_OF_1_7);
  });

  it('selects by full path, by DF path and by file id, and says 6A82 for unknown files', () => {
    card.reset();
    expect(send(card, '00A4080C063F00DF014031').sw).toBe('9000');
    expect(send(card, '00A4080C04DF014031').sw).toBe('9000');
    expect(send(card, '00A4080C04DF01FFFF').sw).toBe('6A82');
    expect(send(card, '00A4080C04DF004031').sw).toBe('6A82'); // identity lives in DF01, not DF00
    expect(send(card, '00A4020C023F00').sw).toBe('9000');
    expect(send(card, '00A4020C02DF01').sw).toBe('9000');
    expect(send(card, '00A4020C024031').sw).toBe('9000');
    expect(send(card, '00B0000004').data).toEqual(card.getFile('4031').subarray(0, 4));
    expect(send(card, '00A4020C025038').sw).toBe('6A82'); // 5038 is in DF00
  });

  it('reads files with the card end-of-file rules: 6Cxx with the bytes left, 6B00 past the end, Le 00 = 256', () => {
    card.reset();
    expect(send(card, '00A4080C043F00DF00').sw).toBe('9000');
    expect(send(card, '00B0000000').sw).toBe('6986'); // no file selected yet
    send(card, '00A4080C06 3F00 DF00 5038');
    const first = send(card, '00B0000000');
    expect(first.sw).toBe('9000');
    expect(first.data.length).toBe(256);
    // 2048-byte file: reading 0xFC at 0x07F0 leaves 0x10 bytes
    expect(send(card, '00B007F0FC').sw).toBe('6C10');
    const tail = send(card, '00B007F010');
    expect(tail.sw).toBe('9000');
    expect(tail.data).toEqual(new Uint8Array(16)); // zero padding
    expect(send(card, '00B0080001').sw).toBe('6B00');
    expect(send(card, '00B0090001').sw).toBe('6B00');
  });

  it('keeps certificates zero-padded in 2048-byte files and the card number etc. in the identity TLV', () => {
    const certificateFile = readFile(card, '3F00DF005038');
    expect(certificateFile.length).toBe(2048);
    const length = ((certificateFile[2]! << 8) | certificateFile[3]!) + 4;
    expect(certificateFile.subarray(0, length)).toEqual(card.pki.authentication.der);
    expect(certificateFile.subarray(length).every((b) => b === 0)).toBe(true);

    const identity = decodeBelpicTlv(readFile(card, 'DF014031'));
    const field = (tag: number) => identity.find((e) => e.tag === tag)!.value;
    expect(belpicTlvText(field(0x01))).toMatch(/^\d{12}$/);
    expect(belpicTlvText(field(0x06))).toBe(card.pki.person.nationalNumber);
    expect(belpicTlvText(field(0x07))).toBe('Peeters');
    expect(belpicTlvText(field(0x08))).toBe('Alice Marie');
    expect(belpicTlvText(field(0x0c))).toBe('30 JUL 1985');
    expect(belpicTlvText(field(0x0d))).toBe('V');
    expect(belpicTlvText(field(0x0f))).toBe('1');
    expect(belpicTlvText(field(0x03))).toMatch(/^\d\d\.\d\d\.\d{4}$/);
    // tag 02 = chip serial = GET CARD DATA bytes 0–15
    const cardData = send(card, '80E400001C');
    expect(cardData.sw).toBe('9000');
    expect(cardData.data.length).toBe(28);
    expect(toHex(cardData.data.subarray(0, 16))).toBe(toHex(field(0x02)));
    expect(cardData.data[21]).toBe(0x17);
    expect(cardData.data[25]).toBe(0x21);
    // photo hash (tag 11) is SHA-256 of the photo on 1.7, and the photo is a JPEG
    const photo = readFile(card, '3F00DF014035');
    expect([...photo.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...photo.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(toHex(field(0x11))).toBe(createHash('sha256').update(photo).digest('hex').toUpperCase());
  });

  it('signs identity and address with the RRN key (RSA PKCS#1 v1.5 SHA-256)', () => {
    const identity = readFile(card, 'DF014031');
    const identitySignature = readFile(card, 'DF014032');
    const rrn = publicKeyOf(new Uint8Array(card.pki.rrn.certificate.publicKey.rawData));
    expect(verify('sha256', identity, rrn, identitySignature)).toBe(true);
    const addressFile = readFile(card, 'DF014033');
    let end = addressFile.length;
    while (end > 0 && addressFile[end - 1] === 0) end--;
    expect(end).toBeLessThan(addressFile.length); // the address file is padded
    const address = decodeBelpicTlv(addressFile);
    expect(address.map((e) => belpicTlvText(e.value))).toEqual(['Kerkstraat 12', '3000', 'Leuven']);
    const addressSignature = readFile(card, 'DF014034');
    expect(verify('sha256', Buffer.concat([addressFile.subarray(0, end), identitySignature]), rrn, addressSignature)).toBe(true);
  });

  it('answers GET CARD DATA with a wrong Le by 6C1C, and has no P2=01 variant', () => {
    expect(send(card, '80E4000000').sw).toBe('6C1C');
    expect(send(card, '80E400011F').sw).toBe('6B00');
  });

  it('signs with the authentication key after VERIFY (caller DigestInfo, 02 SHA-1, 08 SHA-256)', () => {
    card.reset();
    const data = Buffer.from('challenge to sign');
    const authKey = publicKeyOf(new Uint8Array(card.pki.authentication.certificate.publicKey.rawData));
    const sha256 = createHash('sha256').update(data).digest();
    expect(sign(card, 0x82, 0x01, Uint8Array.from([...DIGEST_INFO_PREFIX['SHA-256'], ...sha256])).sw).toBe('6982');
    expect(verifyPin(card, '1234')).toBe('9000');
    const viaDigestInfo = sign(card, 0x82, 0x01, Uint8Array.from([...DIGEST_INFO_PREFIX['SHA-256'], ...sha256]));
    expect(viaDigestInfo.sw).toBe('6100');
    expect(viaDigestInfo.signature!.length).toBe(256);
    expect(verify('sha256', data, authKey, viaDigestInfo.signature!)).toBe(true);
    // the authentication key needs the PIN once per session
    const viaSha256 = sign(card, 0x82, 0x08, sha256);
    expect(verify('sha256', data, authKey, viaSha256.signature!)).toBe(true);
    const viaSha1 = sign(card, 0x82, 0x02, createHash('sha1').update(data).digest());
    expect(verify('sha1', data, authKey, viaSha1.signature!)).toBe(true);
    // PSS with the hash given (10 = SHA-1, 20 = SHA-256), salt as long as the hash
    const viaPss = sign(card, 0x82, 0x20, sha256);
    expect(verify('sha256', data, { key: authKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, viaPss.signature!)).toBe(true);
    expect(verify('sha256', data, authKey, viaPss.signature!)).toBe(false);
    const viaPssSha1 = sign(card, 0x82, 0x10, createHash('sha1').update(data).digest());
    expect(verify('sha1', data, { key: authKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }, viaPssSha1.signature!)).toBe(true);
    // wrong hash length for the algorithm
    expect(sign(card, 0x82, 0x08, new Uint8Array(20)).sw).toBe('6A80');
    // GET RESPONSE in parts: 61xx tells what is left
    send(card, '002241B6050480088482');
    expect(send(card, apdu('002A9E9A', sha256)).sw).toBe('6100');
    const part = send(card, '00C0000080');
    expect(part.sw).toBe('6180');
    const rest = send(card, '00C0000080');
    expect(rest.sw).toBe('9000');
    expect(publicDecrypt({ key: authKey, padding: cryptoConstants.RSA_PKCS1_PADDING }, Buffer.concat([part.data, rest.data])).subarray(-32)).toEqual(sha256);
    expect(send(card, '00C0000080').sw).toBe('6985'); // nothing pending
  });

  it('needs the PIN directly before every signature with key 0x83', () => {
    card.reset();
    const data = Buffer.from('document');
    const hash = createHash('sha256').update(data).digest();
    const signKey = publicKeyOf(new Uint8Array(card.pki.signing!.certificate.publicKey.rawData));
    const first = sign(card, 0x83, 0x08, hash, '1234');
    expect(verify('sha256', data, signKey, first.signature!)).toBe(true);
    // again without a new VERIFY: refused, though the session PIN still opens the authentication key
    expect(sign(card, 0x83, 0x08, hash).sw).toBe('6982');
    expect(sign(card, 0x82, 0x08, hash).sw).toBe('6100');
    // VERIFY, then another command, then PSO: refused
    expect(verifyPin(card, '1234')).toBe('9000');
    send(card, '00A4080C04DF014031');
    expect(sign(card, 0x83, 0x08, hash).sw).toBe('6982');
    // VERIFY then MSE SET then PSO is fine too
    expect(verifyPin(card, '1234')).toBe('9000');
    expect(sign(card, 0x83, 0x08, hash).sw).toBe('6100');
  });

  it('counts PIN tries: 63Cx, status query without spending, blocked after 3 (6983), a wrong PIN clears rights', async () => {
    const fresh = await createVirtualCard({ profile: '1.7', pki: card.pki, pin: '5678' });
    expect(send(fresh, '0020000100').sw).toBe('63C3');
    expect(send(fresh, '00200001').sw).toBe('63C3');
    expect(verifyPin(fresh, '5678')).toBe('9000');
    expect(send(fresh, '00200001').sw).toBe('9000');
    expect(verifyPin(fresh, '0000')).toBe('63C2');
    expect(fresh.pinTriesLeft()).toBe(2);
    // the wrong PIN took the session right away
    expect(sign(fresh, 0x82, 0x08, new Uint8Array(32)).sw).toBe('6982');
    expect(send(fresh, '00200001').sw).toBe('63C2');
    // bad format: no try spent
    expect(send(fresh, apdu('00200001', hexToBytes('2412345FFFFFFFFF'))).sw).toBe('6A80');
    expect(send(fresh, apdu('00200001', hexToBytes('2312FFFFFFFFFFFF'))).sw).toBe('6A80');
    expect(fresh.pinTriesLeft()).toBe(2);
    // a right PIN resets the counter
    expect(verifyPin(fresh, '5678')).toBe('9000');
    expect(fresh.pinTriesLeft()).toBe(3);
    expect(verifyPin(fresh, '1111')).toBe('63C2');
    expect(verifyPin(fresh, '1111')).toBe('63C1');
    expect(verifyPin(fresh, '1111')).toBe('63C0');
    expect(verifyPin(fresh, '5678')).toBe('6983');
    expect(send(fresh, '00200001').sw).toBe('6983');
    fresh.reset();
    expect(verifyPin(fresh, '5678')).toBe('6983'); // a power cycle does not unblock
  });

  it('changes the PIN with CHANGE REFERENCE DATA and logs off', async () => {
    const fresh = await createVirtualCard({ profile: '1.7', pki: card.pki });
    expect(send(fresh, apdu('00240001', Uint8Array.from([...encodePinBlock('9999'), ...encodePinBlock('24681357')]))).sw).toBe('63C2');
    expect(send(fresh, apdu('00240001', Uint8Array.from([...encodePinBlock('1234'), ...encodePinBlock('24681357')]))).sw).toBe('9000');
    expect(verifyPin(fresh, '1234')).toBe('63C2');
    expect(verifyPin(fresh, '24681357')).toBe('9000');
    expect(send(fresh, '80E60000').sw).toBe('9000');
    expect(sign(fresh, 0x82, 0x08, new Uint8Array(32)).sw).toBe('6982');
  });

  it('answers unknown instructions and classes like a card', () => {
    expect(send(card, '00FE000000').sw).toBe('6D00');
    expect(send(card, '80FE0000').sw).toBe('6D00');
    expect(send(card, 'B0B0000010').sw).toBe('6E00');
    expect(send(card, '00E400001C').sw).toBe('6E00');
    expect(send(card, '0088028132').sw).toBe('6D00'); // INTERNAL AUTHENTICATE is a 1.8 command
  });

  it('forgets the security state on reset and counts APDUs', () => {
    card.reset();
    expect(verifyPin(card, '1234')).toBe('9000');
    card.reset();
    const before = card.apduCount;
    expect(sign(card, 0x82, 0x08, new Uint8Array(32)).sw).toBe('6982');
    expect(card.apduCount).toBe(before + 2);
  });

  it('lets tests tamper with files, keeping padded files padded', async () => {
    const fresh = await createVirtualCard({ profile: '1.7', pki: card.pki });
    const identity = fresh.getFile('4031');
    identity[identity.length - 1] = identity[identity.length - 1]! ^ 0xff;
    fresh.setFile('4031', identity);
    expect(readFile(fresh, '3F00DF014031')).toEqual(identity);
    fresh.setFile('4031', identity.subarray(0, 100));
    expect(readFile(fresh, '3F00DF014031')).toEqual(identity.subarray(0, 100));
    fresh.setFile('4033', Uint8Array.from([0x01, 0x01, 0x41]));
    const address = readFile(fresh, '3F00DF014033');
    expect(address.length).toBe(128);
    expect([...address.subarray(0, 4)]).toEqual([0x01, 0x01, 0x41, 0x00]);
    expect(() => fresh.setFile('9999', new Uint8Array(1))).toThrow();
  });

  it('reports every exchange to a tracer', async () => {
    const fresh = await createVirtualCard({ profile: '1.7', pki: card.pki });
    const seen: string[] = [];
    fresh.onTransmit = (command, response) => seen.push(`${toHex(command)}/${toHex(response)}`);
    send(fresh, '80E400001C');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^80E400001C\/[0-9A-F]{56}9000$/);
  });

  it('writes the birth date and sex in the card language', async () => {
    const fr = await createVirtualCard({ profile: '1.7', pki: card.pki, details: { language: 'fr', birthPlace: 'Liège' } });
    const field = (c: VirtualBelpicCard, tag: number) => belpicTlvText(decodeBelpicTlv(c.getFile('4031')).find((e) => e.tag === tag)!.value);
    expect(field(fr, 0x0c)).toBe('30 JUIL 1985');
    expect(field(fr, 0x0d)).toBe('F');
    expect(field(fr, 0x0b)).toBe('Liège');
    const de = await createVirtualCard({ profile: '1.7', pki: card.pki, details: { language: 'de' } });
    expect(field(de, 0x0c)).toBe('30.JUL.1985');
    expect(field(de, 0x0d)).toBe('W');
    expect(formatCardBirthDate('2017-03-00', 'nl')).toBe('MAAR 2017');
    expect(formatCardBirthDate('1990-12-25', 'de')).toBe('25.DEZ.1990');
  });

  it('refuses a PKI that does not suit the profile, and a PIN that is not 4–12 digits', async () => {
    await expect(createVirtualCard({ profile: '1.8', pki: card.pki })).rejects.toThrow(/EC/);
    await expect(createVirtualCard({ profile: '1.7', pki: card.pki, pin: '12ab' })).rejects.toThrow(/4 to 12/);
  });
});

describe('virtual BELPIC card, applet 1.8 (EC P-384)', () => {
  let card: VirtualBelpicCard;
  beforeAll(async () => {
    card = await createVirtualCard({ profile: '1.8' });
  });

  it('has the exact 1.8 ATR and GET CARD DATA with the PIN tries byte', () => {
    expect(toHex(card.atr)).toBe(ATR_OF_1_8);
    const long = send(card, '80E400011F');
    expect(long.sw).toBe('9000');
    expect(long.data.length).toBe(31);
    expect(long.data[21]).toBe(0x18);
    expect(long.data[28]).toBe(3);
    expect(verifyPin(card, '0000')).toBe('63C2');
    expect(send(card, '80E400011F').data[28]).toBe(2);
    expect(verifyPin(card, '1234')).toBe('9000');
    expect(send(card, '80E400001C').data.length).toBe(28);
  });

  it('signs raw r||s ECDSA over the given hash, verified over the original data', () => {
    card.reset();
    const data = Buffer.from('web eid challenge');
    const authKey = publicKeyOf(new Uint8Array(card.pki.authentication.certificate.publicKey.rawData));
    expect(verifyPin(card, '1234')).toBe('9000');
    for (const [algorithm, hash] of [
      [0x02, 'sha384'],
      [0x01, 'sha256'],
      [0x04, 'sha512'],
      [0x40, 'sha384'],
      [0x40, 'sha256'],
    ] as const) {
      const result = sign(card, 0x82, algorithm, createHash(hash).update(data).digest());
      expect(result.sw).toBe('6160');
      expect(result.signature!.length).toBe(96);
      expect(verify(hash, data, { key: authKey, dsaEncoding: 'ieee-p1363' }, result.signature!)).toBe(true);
    }
    expect(sign(card, 0x82, 0x02, new Uint8Array(32)).sw).toBe('6A80');
    // an algorithm byte the applet does not know
    expect(send(card, '002241B6050480808482').sw).toBe('6A80');
    const signKey = publicKeyOf(new Uint8Array(card.pki.signing!.certificate.publicKey.rawData));
    const signature = sign(card, 0x83, 0x02, createHash('sha384').update(data).digest(), '1234').signature!;
    expect(verify('sha384', data, { key: signKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('has SHA-384 photo hash, ECDSA identity signature zero-padded, basic key 4040 with tag 1A', () => {
    const identityBytes = readFile(card, '3F00DF014031');
    const identity = decodeBelpicTlv(identityBytes);
    const field = (tag: number) => identity.find((e) => e.tag === tag)!.value;
    const photo = readFile(card, '3F00DF014035');
    expect(toHex(field(0x11))).toBe(createHash('sha384').update(photo).digest('hex').toUpperCase());
    const basicKey = readFile(card, '3F00DF014040');
    expect(basicKey.length).toBe(120);
    expect(toHex(field(0x1a))).toBe(createHash('sha384').update(basicKey).digest('hex').toUpperCase());

    const signatureFile = readFile(card, '3F00DF014032');
    const signature = signatureFile.subarray(0, signatureFile[1]! + 2);
    expect(signatureFile.subarray(signature.length).every((b) => b === 0)).toBe(true);
    const rrn = publicKeyOf(new Uint8Array(card.pki.rrn.certificate.publicKey.rawData));
    expect(verify('sha384', identityBytes, rrn, signature)).toBe(true);
    const address = card.getFile('4033');
    const addressSignatureFile = readFile(card, '3F00DF014034');
    const addressSignature = addressSignatureFile.subarray(0, addressSignatureFile[1]! + 2);
    expect(verify('sha384', Buffer.concat([address, signature]), rrn, addressSignature)).toBe(true);
  });

  it('answers INTERNAL AUTHENTICATE with the basic key', () => {
    card.reset();
    const challenge = createHash('sha384').update('random').digest();
    const r = send(card, apdu('00880281', Uint8Array.from([0x94, 0x30, ...challenge])));
    expect(r.sw).toBe('6160');
    const signature = send(card, '00C0000060');
    expect(signature.sw).toBe('9000');
    const basicKey = publicKeyOf(readFile(card, '3F00DF014040'));
    // The card signs the 48 challenge bytes as they are (a digest); here they are SHA-384 of a known message.
    const message = Buffer.from('random');
    expect(verify('sha384', message, { key: basicKey, dsaEncoding: 'ieee-p1363' }, signature.data)).toBe(true);
  });
});

describe('virtual Kids-ID and foreigner card', () => {
  it('Kids-ID: document type 6, an all-zero signature certificate file and no key 0x83', async () => {
    const card = await createVirtualCard({ profile: 'kids' });
    expect(toHex(card.atr)).toBe(ATR_OF_1_7);
    const identity = decodeBelpicTlv(readFile(card, '3F00DF014031'));
    expect(belpicTlvText(identity.find((e) => e.tag === 0x0f)!.value)).toBe('6');
    const signatureCertificate = readFile(card, '3F00DF005039');
    expect(signatureCertificate.length).toBe(2048);
    expect(signatureCertificate.every((b) => b === 0)).toBe(true);
    expect(send(card, '002241B6050480088483').sw).toBe('6A88');
    expect(send(card, '002241B6050480088482').sw).toBe('9000');
  });

  it('foreigner card: Foreigner CA, card number like B021329690, document type 11', async () => {
    const card = await createVirtualCard({ profile: 'foreigner' });
    const identity = decodeBelpicTlv(readFile(card, '3F00DF014031'));
    const field = (tag: number) => belpicTlvText(identity.find((e) => e.tag === tag)!.value);
    expect(field(0x01)).toMatch(/^B\d{9}$/);
    expect(field(0x0f)).toBe('11');
    expect(card.pki.citizenCa.certificate.subject).toContain('CN=Foreigner CA');
    const ca = readFile(card, '3F00DF00503A');
    expect(ca.subarray(0, card.pki.citizenCa.der.length)).toEqual(card.pki.citizenCa.der);
  });
});
