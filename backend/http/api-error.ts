/**
 * Errors the JSON API answers with: { error: { code, message, ...details } }
 * and an HTTP status. Token rejections keep the validator's own codes.
 */
export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'ORIGIN_NOT_ALLOWED'
  | 'CSRF_TOKEN_INVALID'
  | 'LOGIN_FAILED'
  | 'TOO_MANY_ATTEMPTS'
  | 'TOO_MANY_REQUESTS'
  | 'CODE_INCORRECT'
  | 'CODE_EXPIRED'
  | 'KEY_NOT_ACTIVE'
  | 'LEVEL_TOO_LOW'
  | 'REAUTH_REQUIRED'
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'PASSWORD_COMMON'
  | 'PASSWORD_SAME_AS_USERNAME'
  | 'USERNAME_INVALID'
  | 'USERNAME_TAKEN'
  | 'PASSWORD_REQUIRED'
  | 'EMAIL_INVALID'
  | 'EMAIL_REQUIRED'
  | 'EMAIL_IN_USE'
  | 'PHONE_INVALID'
  | 'NATIONAL_NUMBER_INVALID'
  | 'ITSME_NOT_STARTED'
  | 'ACTIVATION_INVALID'
  | 'LRA_DISABLED'
  | 'DELIVERY_FAILED'
  // Signing a document (routes/signing.ts).
  | 'PDF_TOO_LARGE'
  | 'PDF_INVALID'
  | 'SIGNING_DOCUMENT_EXPIRED'
  | 'SIGNING_NOT_PREPARED'
  | 'SIGNING_CERTIFICATE_CHANGED'
  | 'NOT_A_SIGNING_CERTIFICATE'
  | 'SIGNING_CERTIFICATE_NOT_YOURS'
  | 'CERTIFICATE_INVALID'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_UNTRUSTED'
  | 'CERTIFICATE_REVOKED'
  | 'SIGNATURE_INVALID'
  | 'INTERNAL_ERROR';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
