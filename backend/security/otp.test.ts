import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totp } from './otp.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('HOTP (RFC 4226 appendix D)', () => {
  it('gives the published codes for counters 0 to 9', () => {
    const secret = ascii('12345678901234567890');
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(secret, counter))).toEqual(expected);
  });
});

describe('TOTP (RFC 6238 appendix B)', () => {
  const seeds = {
    sha1: ascii('12345678901234567890'),
    sha256: ascii('12345678901234567890123456789012'),
    sha512: ascii('1234567890'.repeat(6) + '1234'),
  };
  const table: Array<[number, string, string, string]> = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  it.each(table)('at %i s', (time, sha1, sha256, sha512) => {
    expect(totp(seeds.sha1, time * 1000, { digits: 8, hash: 'sha1' })).toBe(sha1);
    expect(totp(seeds.sha256, time * 1000, { digits: 8, hash: 'sha256' })).toBe(sha256);
    expect(totp(seeds.sha512, time * 1000, { digits: 8, hash: 'sha512' })).toBe(sha512);
  });

  it('accepts one step of drift each way and no more', () => {
    const secret = ascii('12345678901234567890');
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30000);
    expect(matchTotp(secret, totp(secret, now - 30000), now)).toBe(step - 1);
    expect(matchTotp(secret, totp(secret, now + 30000), now)).toBe(step + 1);
    expect(matchTotp(secret, totp(secret, now - 60000), now)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', now)).toBeUndefined();
  });
});

describe('base32 and otpauth', () => {
  it('round-trips and matches RFC 4648 vectors', () => {
    expect(base32Encode(ascii('foobar'))).toBe('MZXW6YTBOI');
    expect(new TextDecoder().decode(base32Decode('MZXW6YTBOI'))).toBe('foobar');
    expect(otpauthUri('eID Bridge', 'alice', ascii('12345678901234567890'))).toBe(
      'otpauth://totp/eID%20Bridge:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=eID%20Bridge',
    );
  });
});
