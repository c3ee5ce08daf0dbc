import { describe, expect, it } from 'vitest';
import { createLogger, redactText } from './logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
}

describe('host logger', () => {
  it('keeps error codes and facts a reader needs', () => {
    const { lines, log } = capture();
    log.info('request failed', { command: 'authenticate', code: 'PIN_INCORRECT', pinTriesLeft: 2, pinPad: false });
    expect(lines[0]).toContain('code="PIN_INCORRECT"');
    expect(lines[0]).toContain('pinTriesLeft=2');
    expect(lines[0]).toContain('pinPad=false');
  });

  it('never writes the value of a field named like a secret', () => {
    const { lines, log } = capture();
    log.warn('oops', { pin: '1234', currentPin: '5678', newPin: '9012', password: 'hunter2', otp: '123456', puk: '11112222' });
    for (const secret of ['1234', '5678', '9012', 'hunter2', '123456', '11112222']) expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('pin=[redacted]');
  });

  it('masks PINs inside free text: echoed JSON, key=value and PIN-block APDUs', () => {
    const { lines, log } = capture();
    log.error('bad request {"id":1,"arguments":{"pin":"482915"}}', { error: 'newPin=739104 rejected' });
    log.debug('apdu', { sent: '00 20 00 01 08 26 48 29 15 FF FF FF FF', raw: '002000010826482915FFFFFFFF' });
    const text = lines.join('');
    expect(text).not.toMatch(/482915|739104|48 29 15/);
    expect(text).toContain('[redacted]');
  });

  it('leaves ordinary numbers and status words alone', () => {
    expect(redactText('card answered 6982 after 1234 ms on port 35963')).toBe('card answered 6982 after 1234 ms on port 35963');
    expect(redactText('00 A4 08 0C 04 DF 00 50 38')).toBe('00 A4 08 0C 04 DF 00 50 38');
  });
});
