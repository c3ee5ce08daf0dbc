import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, AUTO_REFRESHED, EidBridgeError, ERRORS, OFFERS_TRY_AGAIN, RECOVERABLE_IN_DIALOG, toWebEidCode } from './errors.js';

const sorted = (codes: Iterable<string>) => [...codes].sort();

describe('the error catalogue', () => {
  it('lets the dialog offer "Try again" for what the person fixes at the reader or the card', () => {
    expect(sorted(OFFERS_TRY_AGAIN)).toEqual(
      sorted([
        'NO_READER',
        'READER_REMOVED',
        'NO_CARD',
        'CARD_REMOVED',
        'CARD_ERROR',
        'UNSUPPORTED_CARD',
        'CERTIFICATE_NOT_FOUND',
        'NO_SIGNING_CERTIFICATE',
        'PCSC_UNAVAILABLE',
        'PKCS11_MODULE_MISSING',
        'PKCS11_MODULE_HUNG',
      ]),
    );
  });

  it('keeps the dialog open for those and for what the person answers in the dialog itself', () => {
    expect(sorted(RECOVERABLE_IN_DIALOG)).toEqual(
      sorted([
        ...OFFERS_TRY_AGAIN,
        'CERTIFICATE_CHOICE_REQUIRED',
        'PIN_FORMAT',
        'PIN_REQUIRED',
        'PIN_PAD_TIMEOUT',
        'HOST_DISCONNECTED',
        'TIMEOUT',
      ]),
    );
    expect(ERRORS.PIN_INCORRECT.recovery).toBe('pin');
    expect(ERRORS.PIN_BLOCKED.recovery).toBe('pin');
  });

  it('re-checks by itself only problems the person fixes at the reader or the card', () => {
    expect(sorted(AUTO_REFRESHED)).toEqual(sorted(['NO_READER', 'READER_REMOVED', 'NO_CARD', 'CARD_REMOVED', 'CERTIFICATE_NOT_FOUND']));
    for (const code of AUTO_REFRESHED) expect(OFFERS_TRY_AGAIN.has(code), code).toBe(true);
  });

  it('gives every code a Web eID code', () => {
    for (const code of ALL_ERROR_CODES) expect(toWebEidCode(code)).toMatch(/^ERR_WEBEID_/);
    expect(toWebEidCode('NO_CARD')).toBe('ERR_WEBEID_NATIVE_FATAL');
    expect(toWebEidCode('USER_CANCELLED')).toBe('ERR_WEBEID_USER_CANCELLED');
  });
});

describe('EidBridgeError', () => {
  it('keeps the error it wraps as its cause, and does not send it', () => {
    const low = new Error('SCardTransmit failed');
    const error = new EidBridgeError('CARD_ERROR', 'The card did not answer', { hint: 'reinsert' }, { cause: low });
    expect(error.cause).toBe(low);
    const payload = error.toPayload();
    expect(payload).toEqual({ code: 'CARD_ERROR', message: 'The card did not answer', hint: 'reinsert' });
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
    const back = EidBridgeError.fromPayload(payload);
    expect(back.code).toBe('CARD_ERROR');
    expect(back.details).toEqual({ hint: 'reinsert' });
    expect(back.cause).toBeUndefined();
  });

  it('turns an unknown code from the wire into INTERNAL_ERROR', () => {
    expect(EidBridgeError.fromPayload({ code: 'NOPE' as never, message: 'x' }).code).toBe('INTERNAL_ERROR');
  });
});
