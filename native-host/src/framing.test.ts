import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame } from './framing.js';

function frame(body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(4);
  header.writeUInt32LE(b.length, 0);
  return Buffer.concat([header, b]);
}

describe('FrameDecoder', () => {
  it('decodes several messages delivered in one read', () => {
    const d = new FrameDecoder();
    const frames = d.push(Buffer.concat([frame('{"id":1}'), frame('{"id":2}'), frame('{"id":"three"}')]));
    expect(frames).toEqual([
      { ok: true, message: { id: 1 } },
      { ok: true, message: { id: 2 } },
      { ok: true, message: { id: 'three' } },
    ]);
  });

  it('reassembles a message split across reads, even inside the length header', () => {
    const d = new FrameDecoder();
    const bytes = frame(JSON.stringify({ id: 7, command: 'status', text: 'é'.repeat(1000) }));
    const frames = [];
    for (let i = 0; i < bytes.length; i += 3) frames.push(...d.push(bytes.subarray(i, i + 3)));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ ok: true, message: { id: 7, command: 'status' } });
  });

  it('rejects an oversized message, skips its bytes, and decodes the next one', () => {
    const d = new FrameDecoder(100);
    const big = frame('x'.repeat(500));
    const frames = [...d.push(big.subarray(0, 50)), ...d.push(Buffer.concat([big.subarray(50), frame('{"id":9}')]))];
    expect(frames[0]).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(frames[1]).toEqual({ ok: true, message: { id: 9 } });
    expect(frames).toHaveLength(2);
  });

  it('reports invalid UTF-8 and invalid JSON as typed errors and carries on', () => {
    const d = new FrameDecoder();
    const frames = d.push(Buffer.concat([frame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), frame('{not json'), frame('[1]')]));
    expect(frames.map((f) => (f.ok ? 'ok' : f.error.code))).toEqual(['INVALID_MESSAGE', 'INVALID_MESSAGE', 'ok']);
    expect(frames[0]).toMatchObject({ ok: false, error: { message: expect.stringContaining('UTF-8') } });
    expect(frames[1]).toMatchObject({ ok: false, error: { message: expect.stringContaining('JSON') } });
  });

  it('reports a message cut off by the end of input', () => {
    const d = new FrameDecoder();
    expect(d.push(frame('{"id":1,"command":"status"}').subarray(0, 10))).toEqual([]);
    expect(d.end()).toEqual([{ ok: false, error: expect.objectContaining({ code: 'INVALID_MESSAGE' }) }]);
  });
});

describe('encodeFrame', () => {
  it('writes the length in native byte order followed by UTF-8 JSON', () => {
    const out = encodeFrame({ version: '1.0.0', name: 'Liège' });
    const body = Buffer.from(JSON.stringify({ version: '1.0.0', name: 'Liège' }), 'utf8');
    expect(out.readUInt32LE(0)).toBe(body.length);
    expect(out.subarray(4).equals(body)).toBe(true);
  });

  it('refuses a reply over the browsers’ 1 MiB limit', () => {
    expect(() => encodeFrame({ data: 'x'.repeat(1024 * 1024) })).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
  });
});
