/**
 * Why a Web eID authentication token was refused. Every check has its own
 * code, so a relying party can log precisely what went wrong and show the
 * person a fitting message. Kept free of Node and of the native host's error
 * list: this module runs on any JavaScript runtime.
 */

export const TOKEN_ERROR_CODES = [
  /** No token, or not a JSON object. */
  'TOKEN_MISSING',
  /** The token is shorter than 100 or longer than 10000 characters. */
  'TOKEN_SIZE',
  /** The token is not valid JSON or a field has the wrong type. */
  'TOKEN_PARSE',
  /** The format field is not web-eid:1.x. */
  'TOKEN_FORMAT',
  /** The algorithm is not one of RS/PS/ES × 256/384/512. */
  'TOKEN_ALGORITHM_UNSUPPORTED',
  /** The algorithm does not fit the certificate's key (e.g. ES384 with an RSA key). */
  'TOKEN_ALGORITHM_KEY_MISMATCH',
  /** No challenge nonce was issued for this session, or it was already used. */
  'NONCE_NOT_FOUND',
  /** The challenge nonce is older than its lifetime. */
  'NONCE_EXPIRED',
  /** The challenge nonce is not base64 of at least 32 bytes. */
  'NONCE_INVALID',
  /** The certificate in the token cannot be decoded. */
  'CERTIFICATE_PARSE',
  /** The certificate's validity starts in the future. */
  'CERTIFICATE_NOT_YET_VALID',
  /** The certificate's validity has ended. */
  'CERTIFICATE_EXPIRED',
  /** The certificate does not chain to a configured trusted certificate authority. */
  'CERTIFICATE_UNTRUSTED',
  /** A CA certificate on the path is not valid now. */
  'CA_CERTIFICATE_INVALID',
  /** The certificate's keyUsage lacks digitalSignature. */
  'CERTIFICATE_KEY_USAGE',
  /** The certificate has an extendedKeyUsage without clientAuth. */
  'CERTIFICATE_EXTENDED_KEY_USAGE',
  /** OCSP says the certificate is revoked. */
  'CERTIFICATE_REVOKED',
  /** OCSP says the certificate is unknown to its issuer. */
  'CERTIFICATE_STATUS_UNKNOWN',
  /** The OCSP responder did not answer in time or could not be reached. */
  'OCSP_UNAVAILABLE',
  /** The OCSP answer is malformed, not signed by the issuer or its responder, or out of date. */
  'OCSP_RESPONSE_INVALID',
  /** The signature is not of the right form (e.g. an ECDSA signature that is not raw r‖s). */
  'SIGNATURE_FORMAT',
  /** The signature does not verify over H(origin) ‖ H(nonce). */
  'SIGNATURE_INVALID',
  /** The validator is configured wrongly (no trusted roots, bad origin). */
  'CONFIGURATION',
] as const;

export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** An error that says what went wrong as a code from a closed list, for logs and for the person's message. */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class TokenValidationError extends CodedError<TokenErrorCode> {
  override readonly name = 'TokenValidationError';
}

export function isTokenValidationError(e: unknown, code?: TokenErrorCode): e is TokenValidationError {
  return e instanceof TokenValidationError && (code === undefined || e.code === code);
}
