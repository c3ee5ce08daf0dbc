import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EidBridgeError } from './errors.js';
import { RequestError, parseRequest, validateOrigin, versionsCompatible } from './protocol.js';
import { VERSION } from './version.js';

const NONCE = 'A'.repeat(44);

function errorOf(message: unknown): { id: unknown; code: string; argument?: string } {
  try {
    parseRequest(message);
  } catch (e) {
    if (e instanceof RequestError) return { id: e.id, code: e.error.code, argument: e.error.details.argument };
    throw e;
  }
  throw new Error('expected the request to be refused');
}

describe('parseRequest', () => {
  it('accepts a well-formed authenticate request and keeps only known arguments', () => {
    const r = parseRequest({ id: 3, command: 'authenticate', arguments: { challengeNonce: NONCE, origin: 'https://www.belgium.be', pin: '1234', extra: 'x' } });
    expect(r).toEqual({ id: 3, command: 'authenticate', arguments: { challengeNonce: NONCE, origin: 'https://www.belgium.be', pin: '1234', allowHttpLocalhost: false } });
  });

  it('refuses what is not a request, with the id when it has one', () => {
    expect(errorOf('hello')).toMatchObject({ id: null, code: 'INVALID_MESSAGE' });
    expect(errorOf({ command: 'status' })).toMatchObject({ id: null, code: 'INVALID_MESSAGE' });
    expect(errorOf({ id: 'a', command: 'rm -rf' })).toMatchObject({ id: 'a', code: 'UNKNOWN_COMMAND' });
    expect(errorOf({ id: 'b', command: 'status', arguments: [] })).toMatchObject({ id: 'b', code: 'INVALID_ARGUMENT' });
    expect(errorOf({ id: 'c', command: 'authenticate', arguments: { origin: 'https://a.be' } })).toMatchObject({ code: 'MISSING_PARAMETER', argument: 'challengeNonce' });
  });

  it('answers an unknown command that is deeply nested or huge with its id, naming it briefly', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = { a: nested };
    expect(errorOf({ id: 'deep', command: nested })).toMatchObject({ id: 'deep', code: 'UNKNOWN_COMMAND' });
    try {
      parseRequest({ id: 'huge', command: 'x'.repeat(1_000_000) });
    } catch (e) {
      expect((e as RequestError).error.message.length).toBeLessThan(200);
    }
  });

  it('applies the Web eID limits to the nonce', () => {
    expect(errorOf({ id: 1, command: 'authenticate', arguments: { challengeNonce: 'A'.repeat(43), origin: 'https://a.be' } }).code).toBe('INVALID_ARGUMENT');
    expect(errorOf({ id: 1, command: 'authenticate', arguments: { challengeNonce: 'A'.repeat(129), origin: 'https://a.be' } }).code).toBe('INVALID_ARGUMENT');
    expect(parseRequest({ id: 1, command: 'authenticate', arguments: { challengeNonce: 'A'.repeat(128), origin: 'https://a.be' } })).toBeTruthy();
  });

  it('accepts only 4 to 12 digit PINs', () => {
    for (const pin of ['123', '1234567890123', '12a4', 1234]) {
      expect(errorOf({ id: 1, command: 'authenticate', arguments: { challengeNonce: NONCE, origin: 'https://a.be', pin } }).code).toBe('PIN_FORMAT');
    }
  });

  it('checks that the hash length matches the hash function', () => {
    const hash32 = Buffer.alloc(32).toString('base64');
    const ok = parseRequest({ id: 1, command: 'sign', arguments: { certificate: 'AAAA', hash: hash32, hashFunction: 'SHA-256' } });
    expect(ok.arguments).toMatchObject({ hashFunction: 'SHA-256' });
    expect(errorOf({ id: 1, command: 'sign', arguments: { certificate: 'AAAA', hash: hash32, hashFunction: 'SHA-384' } })).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'hash' });
    expect(errorOf({ id: 1, command: 'sign', arguments: { certificate: 'AAAA', hash: hash32, hashFunction: 'MD5' } })).toMatchObject({ argument: 'hashFunction' });
    expect(errorOf({ id: 1, command: 'sign', arguments: { certificate: 'not base64!', hash: hash32, hashFunction: 'SHA-256' } })).toMatchObject({ argument: 'certificate' });
  });

  it('fills the documented defaults and refuses wrong types, naming the argument', () => {
    expect(parseRequest({ id: 1, command: 'read-identity', arguments: {} }).arguments).toEqual({ includePhoto: false, includeAddress: true });
    expect(errorOf({ id: 1, command: 'read-identity', arguments: { includePhoto: 'yes' } })).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'includePhoto' });
    expect(errorOf({ id: 1, command: 'authenticate', arguments: { challengeNonce: NONCE, origin: 'https://a.be', allowHttpLocalhost: 1 } })).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'allowHttpLocalhost' });
    expect(errorOf({ id: 1, command: 'cancel', arguments: { requestId: {} } })).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'requestId' });
    expect(errorOf({ id: 1, command: 'sign', arguments: { certificate: 'AAAA', hash: 'AAAA', hashFunction: '' } })).toMatchObject({ code: 'MISSING_PARAMETER', argument: 'hashFunction' });
  });

  it('binds the origin check to the developer setting sent with it', () => {
    const args = { challengeNonce: NONCE, origin: 'http://localhost:3000' };
    expect(errorOf({ id: 1, command: 'authenticate', arguments: args })).toMatchObject({ code: 'CONTEXT_INSECURE', argument: 'origin' });
    expect(parseRequest({ id: 1, command: 'authenticate', arguments: { ...args, allowHttpLocalhost: true } }).arguments).toMatchObject({ origin: 'http://localhost:3000' });
  });

  it('accepts only known card backends and an absolute library path', () => {
    expect(parseRequest({ id: 1, command: 'configure-backends', arguments: { backends: ['pkcs11', 'pkcs11', 'pcsc'], pkcs11Module: null } }).arguments).toEqual({
      backends: ['pkcs11', 'pcsc'],
      pkcs11Module: null,
    });
    expect(errorOf({ id: 1, command: 'configure-backends', arguments: { backends: [] } })).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'backends' });
    expect(errorOf({ id: 1, command: 'configure-backends', arguments: { backends: ['pcsc', 'opensc'] } })).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'backends' });
    expect(errorOf({ id: 1, command: 'configure-backends', arguments: { backends: ['pcsc'], pkcs11Module: 'lib/evil.so' } })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'pkcs11Module',
    });
  });

  it('requires both PINs or neither for change-pin', () => {
    expect(errorOf({ id: 1, command: 'change-pin', arguments: { currentPin: '1234' } })).toMatchObject({ code: 'MISSING_PARAMETER', argument: 'newPin' });
    expect(parseRequest({ id: 1, command: 'change-pin', arguments: {} }).arguments).toEqual({});
  });
});

describe('validateOrigin', () => {
  it('accepts https origins with and without a port', () => {
    expect(validateOrigin('https://www.belgium.be')).toBe('https://www.belgium.be');
    expect(validateOrigin('https://127.0.0.1:8443')).toBe('https://127.0.0.1:8443');
  });

  it('refuses paths, other schemes and overlong origins', () => {
    expect(() => validateOrigin('https://a.be/login')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => validateOrigin('ftp://a.be')).toThrow(expect.objectContaining({ code: 'CONTEXT_INSECURE' }));
    expect(() => validateOrigin(`https://${'a'.repeat(250)}.be`)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('allows http only for localhost, and only with the developer setting', () => {
    expect(() => validateOrigin('http://localhost:3000')).toThrow(expect.objectContaining({ code: 'CONTEXT_INSECURE' }));
    expect(validateOrigin('http://localhost:3000', true)).toBe('http://localhost:3000');
    expect(validateOrigin('http://127.0.0.1:3000', true)).toBe('http://127.0.0.1:3000');
    expect(() => validateOrigin('http://example.be', true)).toThrow(expect.objectContaining({ code: 'CONTEXT_INSECURE' }));
  });
});

describe('versions and error codes', () => {
  it('keeps shared/version.ts equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('treats equal major versions as compatible', () => {
    expect(versionsCompatible('1.2.3', '1.0.0')).toBe(true);
    expect(versionsCompatible('2.0.0', '1.9.9')).toBe(false);
    expect(versionsCompatible('garbage', '1.0.0')).toBe(false);
  });

  it('round-trips an error with its details through a reply payload', () => {
    const e = new EidBridgeError('PIN_INCORRECT', 'Wrong PIN', { triesLeft: 2 });
    const back = EidBridgeError.fromPayload(JSON.parse(JSON.stringify(e.toPayload())));
    expect(back).toMatchObject({ code: 'PIN_INCORRECT', message: 'Wrong PIN', details: { triesLeft: 2 } });
    expect(ERROR_CODES[back.code]).toBe('ERR_WEBEID_NATIVE_FATAL');
    expect(ERROR_CODES.USER_CANCELLED).toBe('ERR_WEBEID_USER_CANCELLED');
  });
});
