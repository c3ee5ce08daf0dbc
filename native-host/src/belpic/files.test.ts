import { describe, expect, it } from 'vitest';
import { readCertificateFile, readFileIfPresent, readSelectedFile, selectFile, trimCertificate } from './files.js';
import { bytes, fileCard, ScriptedTransport } from './scripted-transport.test-helper.js';

const file600 = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);

describe('READ BINARY until the end of the file', () => {
  it('ends on 6Cxx: the rest is read with Le = xx', async () => {
    const t = fileCard(file600, '6C');
    const data = await readSelectedFile(t, { resendPauseMs: 0 });
    expect(data).toEqual(file600);
    // 256 + 256 + 88: the third read (Le 00: 256 bytes) answers 6C58 and is resent with Le 58.
    expect(t.sent).toEqual(['00B0000000', '00B0010000', '00B0020000', '00B0020058']);
  });

  it('ends on a short 90 00 answer', async () => {
    const t = fileCard(file600, 'short');
    expect(await readSelectedFile(t)).toEqual(file600);
    expect(t.sent).toHaveLength(3);
  });

  it('ends on 6B00 when the file is a multiple of the chunk size', async () => {
    const exact = file600.subarray(0, 512);
    const t = fileCard(exact, '6B00-only');
    expect(await readSelectedFile(t)).toEqual(exact);
    expect(t.sent).toEqual(['00B0000000', '00B0010000', '00B0020000']);
  });

  it('sends no command past a length known before reading', async () => {
    const exact = file600.subarray(0, 512);
    const t = fileCard(exact, '6B00-only');
    expect(await readSelectedFile(t, { length: 512 })).toEqual(exact);
    expect(t.sent).toEqual(['00B0000000', '00B0010000']);
  });

  it('reports any other status as a card error', async () => {
    const t = new ScriptedTransport(() => bytes('6982'));
    await expect(readSelectedFile(t)).rejects.toMatchObject({ code: 'CARD_ERROR', message: expect.stringContaining('6982') });
  });
});

describe('SELECT', () => {
  it('selects by path in one command', async () => {
    const t = fileCard(file600, 'short');
    await selectFile(t, bytes('3F00DF014031'));
    expect(t.sent).toEqual(['00A4080C063F00DF014031']);
  });

  it('falls back to 3F00, DF, EF by file id when select-by-path is refused', async () => {
    for (const refusal of ['6A86', '6A82']) {
      const t = new ScriptedTransport((c) => (c[2] === 0x08 ? bytes(refusal) : bytes('9000')));
      await selectFile(t, bytes('DF014031'));
      expect(t.sent).toEqual(['00A4080C04DF014031', '00A4020C023F00', '00A4020C02DF01', '00A4020C024031']);
    }
  });

  it('says "no such file" when the fallback finds none', async () => {
    const t = new ScriptedTransport((c) => (c[2] === 0x08 ? bytes('6A82') : c[6] === 0x40 ? bytes('6A82') : bytes('9000')));
    expect(await readFileIfPresent(t, '3F00DF014040')).toBeUndefined();
  });
});

describe('certificate trimming', () => {
  it('cuts the zero padding after the DER length', () => {
    const cert = Uint8Array.of(0x30, 0x82, 0x00, 0x03, 0x01, 0x02, 0x03);
    const padded = Uint8Array.of(...cert, ...new Uint8Array(100));
    expect(trimCertificate(padded)).toEqual(cert);
  });

  it('reads an all-zero file as no certificate (Kids-ID signature file)', () => {
    expect(trimCertificate(new Uint8Array(1200))).toBeUndefined();
    expect(trimCertificate(new Uint8Array(0))).toBeUndefined();
  });

  it('refuses a file that is not DER or is cut short', () => {
    expect(() => trimCertificate(bytes('31820003010203'))).toThrow(/not DER/);
    expect(() => trimCertificate(bytes('30820010010203'))).toThrow(/truncated/);
  });
});

describe('reading a certificate file', () => {
  it('stops after the DER length instead of reading the padding', async () => {
    const cert = Uint8Array.of(0x30, 0x82, 0x01, 0x2c, ...new Uint8Array(0x12c).fill(0x41));
    const file = Uint8Array.of(...cert, ...new Uint8Array(2048 - cert.length));
    const t = fileCard(file, '6C');
    expect(await readCertificateFile(t, '3F00DF005038')).toEqual(cert);
    // select, a read of 256 bytes, then only the 48 bytes left of the 304-byte certificate
    expect(t.sent).toEqual(['00A4080C063F00DF005038', '00B0000000', '00B0010030']);
  });

  it('stops at once on a zero-filled file: no certificate', async () => {
    const t = fileCard(new Uint8Array(2048), '6C');
    expect(await readCertificateFile(t, '3F00DF005039')).toBeUndefined();
    expect(t.sent).toHaveLength(2);
  });
});
