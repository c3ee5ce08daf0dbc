import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { EidBridgeError } from '../../../../shared/errors.js';
import { CKF_SLOT, CKF_TOKEN, CKR, ckrName, mapPkcs11Error, pinStateFromTokenFlags, pkcs11ReturnValue } from './errors.js';

/** The error pkcs11js throws for a failed call: its own class, with the module's CK_RV. */
function moduleError(name: string, code: number): Error {
  return new pkcs11js.Pkcs11Error(`${name}:${code}`, code, 'C_Login');
}

describe('PKCS#11 constants', () => {
  it('match the values pkcs11js takes from the standard headers', () => {
    const lib = pkcs11js as unknown as Record<string, number>;
    for (const [name, value] of Object.entries(CKR)) expect(lib[`CKR_${name}`], name).toBe(value);
    for (const [name, value] of Object.entries(CKF_TOKEN)) expect(lib[`CKF_${name}`], name).toBe(value);
    for (const [name, value] of Object.entries(CKF_SLOT)) expect(lib[`CKF_${name}`], name).toBe(value);
  });

  it('reads the return value of a pkcs11js error and nothing else', () => {
    expect(pkcs11ReturnValue(moduleError('CKR_PIN_INCORRECT', 0xa0))).toBe(0xa0);
    expect(pkcs11ReturnValue(new Error('CKR_PIN_INCORRECT'))).toBeUndefined();
    expect(pkcs11ReturnValue({ name: 'Pkcs11Error', code: 0 })).toBeUndefined();
    expect(ckrName(0xa4)).toBe('CKR_PIN_LOCKED');
    expect(ckrName(0x12345)).toBe('CKR 0x00012345');
  });
});

describe('mapPkcs11Error', () => {
  const context = { operation: 'sign', tokenLabel: 'BELPIC' };

  it('maps CKR_PIN_LOCKED (0xA4) to PIN_BLOCKED', () => {
    const error = mapPkcs11Error(moduleError('CKR_PIN_LOCKED', 0xa4), context);
    expect(error.code).toBe('PIN_BLOCKED');
    expect(error.details.triesLeft).toBe(0);
  });

  it('maps CKR_PIN_INCORRECT with the tries the token flags tell, and none when they do not', () => {
    const wrong = moduleError('CKR_PIN_INCORRECT', 0xa0);
    expect(mapPkcs11Error(wrong, context).toPayload()).toEqual({ code: 'PIN_INCORRECT', message: 'Wrong PIN on token "BELPIC"' });
    // COUNT_LOW only says a wrong PIN was entered before: no number can be drawn from it.
    expect(mapPkcs11Error(wrong, { ...context, tokenFlags: CKF_TOKEN.USER_PIN_COUNT_LOW }).details.triesLeft).toBeUndefined();
    const finalTry = mapPkcs11Error(wrong, { ...context, tokenFlags: CKF_TOKEN.USER_PIN_COUNT_LOW | CKF_TOKEN.USER_PIN_FINAL_TRY });
    expect(finalTry.code).toBe('PIN_INCORRECT');
    expect(finalTry.details.triesLeft).toBe(1);
    // On the Belgian card (3 tries) "a wrong PIN before" and "not the final try" mean 2 are left.
    expect(mapPkcs11Error(wrong, { ...context, tokenFlags: CKF_TOKEN.USER_PIN_COUNT_LOW, maxPinTries: 3 }).details.triesLeft).toBe(2);
    expect(mapPkcs11Error(wrong, { ...context, tokenFlags: CKF_TOKEN.USER_PIN_COUNT_LOW, maxPinTries: 5 }).details.triesLeft).toBeUndefined();
    // The wrong PIN that used up the last try blocks it.
    expect(mapPkcs11Error(wrong, { ...context, tokenFlags: CKF_TOKEN.USER_PIN_LOCKED }).code).toBe('PIN_BLOCKED');
  });

  it.each([
    ['CKR_DEVICE_REMOVED', 0x32, 'CARD_REMOVED'],
    ['CKR_TOKEN_NOT_PRESENT', 0xe0, 'CARD_REMOVED'],
    ['CKR_SESSION_HANDLE_INVALID', 0xb3, 'CARD_REMOVED'],
    ['CKR_SESSION_CLOSED', 0xb0, 'CARD_REMOVED'],
    ['CKR_SLOT_ID_INVALID', 0x03, 'READER_REMOVED'],
    ['CKR_PIN_LEN_RANGE', 0xa2, 'PIN_FORMAT'],
    ['CKR_PIN_INVALID', 0xa1, 'PIN_FORMAT'],
    ['CKR_FUNCTION_CANCELED', 0x50, 'USER_CANCELLED'],
    ['CKR_KEY_HANDLE_INVALID', 0x60, 'CERTIFICATE_NOT_FOUND'],
    ['CKR_TOKEN_NOT_RECOGNIZED', 0xe1, 'UNSUPPORTED_CARD'],
    ['CKR_DEVICE_ERROR', 0x30, 'CARD_ERROR'],
    ['CKR_GENERAL_ERROR', 0x05, 'CARD_ERROR'],
  ] as const)('maps %s to %s', (name, code, expected) => {
    const error = mapPkcs11Error(moduleError(name, code), context);
    expect(error.code).toBe(expected);
    if (expected === 'CARD_ERROR') expect(error.message).toContain(name);
  });

  it.each([
    ['CKR_MECHANISM_INVALID', 0x70],
    ['CKR_FUNCTION_NOT_SUPPORTED', 0x54],
  ] as const)('maps %s (the module will not sign with this key) to UNSUPPORTED_CARD saying what to use instead', (name, code) => {
    const error = mapPkcs11Error(moduleError(name, code), context);
    expect(error.code).toBe('UNSUPPORTED_CARD');
    expect(error.message).toContain(name);
    expect(error.details.hint).toContain('PC/SC backend');
  });

  it('keeps an EidBridgeError and wraps anything else as CARD_ERROR', () => {
    const own = new EidBridgeError('CERTIFICATE_NOT_FOUND', 'no key');
    expect(mapPkcs11Error(own, context)).toBe(own);
    expect(mapPkcs11Error(new TypeError('Argument 2 has wrong type'), context).code).toBe('CARD_ERROR');
  });
});

describe('pinStateFromTokenFlags', () => {
  it('tells tries only where PKCS#11 defines them', () => {
    expect(pinStateFromTokenFlags(0)).toEqual({ locked: false });
    expect(pinStateFromTokenFlags(CKF_TOKEN.USER_PIN_COUNT_LOW)).toEqual({ locked: false });
    expect(pinStateFromTokenFlags(CKF_TOKEN.USER_PIN_FINAL_TRY)).toEqual({ locked: false, triesLeft: 1 });
    expect(pinStateFromTokenFlags(CKF_TOKEN.USER_PIN_LOCKED | CKF_TOKEN.USER_PIN_COUNT_LOW)).toEqual({ locked: true, triesLeft: 0 });
    expect(pinStateFromTokenFlags(CKF_TOKEN.USER_PIN_COUNT_LOW, 3)).toEqual({ locked: false, triesLeft: 2 });
    expect(pinStateFromTokenFlags(CKF_TOKEN.USER_PIN_FINAL_TRY | CKF_TOKEN.USER_PIN_COUNT_LOW, 3)).toEqual({ locked: false, triesLeft: 1 });
    expect(pinStateFromTokenFlags(0, 3)).toEqual({ locked: false });
  });
});
