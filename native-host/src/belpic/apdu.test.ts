import { describe, expect, it } from 'vitest';
import { apdu, exchange, withLe } from './apdu.js';
import { bytes, ScriptedTransport, toHex } from './scripted-transport.test-helper.js';

describe('APDU building', () => {
  it('builds case 1 to 4 commands', () => {
    expect(toHex(apdu(0x00, 0x20, 0x00, 0x01))).toBe('00200001');
    expect(toHex(apdu(0x80, 0xe4, 0x00, 0x00, undefined, 0x1c))).toBe('80E400001C');
    expect(toHex(apdu(0x00, 0xa4, 0x08, 0x0c, bytes('3F00DF01')))).toBe('00A4080C043F00DF01');
    expect(toHex(apdu(0x00, 0x88, 0x02, 0x81, bytes('AABB'), 0x00))).toBe('0088028102AABB00');
  });

  it('sets Le on every command case', () => {
    expect(toHex(withLe(bytes('00B00000FC'), 0x10))).toBe('00B0000010');
    expect(toHex(withLe(bytes('00200001'), 0x00))).toBe('0020000100');
    expect(toHex(withLe(bytes('002A9E9A02AABB'), 0x60))).toBe('002A9E9A02AABB60');
    expect(toHex(withLe(bytes('002A9E9A02AABB00'), 0x60))).toBe('002A9E9A02AABB60');
  });
});

describe('T=0 exchange', () => {
  it('fetches announced data with GET RESPONSE, also over several rounds', async () => {
    const t = new ScriptedTransport((c) => {
      const h = toHex(c);
      if (h.startsWith('002A')) return bytes('6104');
      if (h === '00C0000004') return bytes('01020304 6102');
      if (h === '00C0000002') return bytes('0506 9000');
      return bytes('6D00');
    });
    const r = await exchange(t, bytes('002A9E9A02AABB'));
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data)).toBe('010203040506');
    expect(t.sent).toEqual(['002A9E9A02AABB', '00C0000004', '00C0000002']);
  });

  it('resends with the Le the card names after 6Cxx', async () => {
    const t = new ScriptedTransport((c) => (c[4] === 0x03 ? bytes('AABBCC 9000') : bytes('6C03')));
    const r = await exchange(t, bytes('00B00100FC'), { resendPauseMs: 0 });
    expect(toHex(r.data)).toBe('AABBCC');
    expect(t.sent).toEqual(['00B00100FC', '00B0010003']);
  });

  it('never sends a command carrying data again after 6Cxx: a VERIFY would spend a second PIN try', async () => {
    const verify = '0020000108241234FFFFFFFFFF';
    const t = new ScriptedTransport(() => bytes('6C08'));
    const r = await exchange(t, bytes(verify), { resendPauseMs: 0 });
    expect(r.sw).toBe(0x6c08);
    expect(t.sent).toEqual([verify]);
  });

  it('reads 61 00 as 256 bytes to fetch', async () => {
    const t = new ScriptedTransport((c) => (c[1] === 0xc0 ? Uint8Array.of(...new Uint8Array(256).fill(7), 0x90, 0x00) : bytes('6100')));
    const r = await exchange(t, bytes('002A9E9A01AA'));
    expect(r.data.length).toBe(256);
    expect(t.sent[1]).toBe('00C0000000');
  });

  it('rejects an answer without a status word', async () => {
    const t = new ScriptedTransport(() => bytes('90'));
    await expect(exchange(t, bytes('00200001'))).rejects.toMatchObject({ code: 'CARD_ERROR' });
  });

  it('stops a card that announces more data forever', async () => {
    const t = new ScriptedTransport(() => bytes('AA 6101'));
    await expect(exchange(t, bytes('002A9E9A01AA'))).rejects.toMatchObject({ code: 'CARD_ERROR' });
  });
});
