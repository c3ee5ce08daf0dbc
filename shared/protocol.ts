/**
 * The native-messaging protocol between the extension and eid-bridge-host.
 *
 * Host → browser, first message: { version }. Then every request
 *   { id, command, arguments }
 * gets exactly one reply
 *   { id, result } | { id, error: { code, message, ...details } }.
 * Types and runtime validation live here once, used by both sides.
 */
import * as v from 'valibot';
import { base64ToBytes, isStrictBase64 } from './bytes.js';
import { EidBridgeError, isErrorCode, type ErrorPayload } from './errors.js';
import type { ReadIdentityResult } from './identity.js';
import { pngOutline } from './png.js';

export const PROTOCOL_MAJOR = 1;

/** Host → browser messages are capped by Chrome and Firefox at 1 MiB. */
export const MAX_HOST_MESSAGE_BYTES = 1024 * 1024;
/** Browser → host messages: browsers allow 64 MiB; we never need more than this. */
export const MAX_BROWSER_MESSAGE_BYTES = 1024 * 1024;

export type RequestId = string | number;

export type HashFunction = 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export const HASH_LENGTHS: Record<HashFunction, number> = {
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

export type SignatureAlgorithmName = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'PS256' | 'PS384' | 'PS512';

export interface SignatureAlgorithm {
  hashFunction: HashFunction;
  paddingScheme: 'NONE' | 'PKCS1.5' | 'PSS';
  cryptoAlgorithm: 'ECC' | 'RSA';
}

export type BackendName = 'pcsc' | 'pkcs11';
export type CertificateUsage = 'authentication' | 'signing';

/** A certificate as the host describes it, so the extension needs no X.509 parser. */
export interface CertificateDescription {
  /** base64 DER */
  certificate: string;
  usage: CertificateUsage;
  subject: string;
  /** The subject's common name, e.g. "Given Surname (Authentication)". */
  commonName: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyType: 'RSA' | 'EC';
  /** RSA modulus bits or EC curve bits */
  keySize: number;
  /** The token that holds the key. */
  tokenId: string;
  tokenLabel: string;
  reader: string;
}

export interface ReaderStatus {
  name: string;
  backend: BackendName;
  cardPresent: boolean;
  tokenId?: string;
  tokenLabel?: string;
  /** The reader has a PIN pad: the PIN is typed on the reader, not in the browser. */
  pinPad: boolean;
  /** e.g. "BELPIC 1.8 eID", "Kids-ID", "PKCS#11 token" */
  cardType?: string;
  /** Tries left when the card tells without spending one. */
  pinTriesLeft?: number;
  /** A virtual (emulated) card or a software token, never a citizen's real card. */
  virtual?: boolean;
}

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why not, and what to do. */
  reason?: string;
  detail?: string;
}

// ---- Commands ---------------------------------------------------------

export interface StatusResult {
  version: string;
  backends: BackendStatus[];
  readers: ReaderStatus[];
}

export interface ListCertificatesResult {
  certificates: CertificateDescription[];
}

export interface AuthenticationToken {
  unverifiedCertificate: string;
  algorithm: SignatureAlgorithmName;
  signature: string;
  format: 'web-eid:1.0';
  appVersion: string;
}

export interface GetSigningCertificateResult {
  certificate: string;
  supportedSignatureAlgorithms: SignatureAlgorithm[];
}

export interface SignResult {
  signature: string;
  signatureAlgorithm: SignatureAlgorithm;
}

/** What each command answers; what it takes is declared once, as a schema, in COMMAND_ARGUMENTS below. */
interface CommandResults {
  status: StatusResult;
  'list-certificates': ListCertificatesResult;
  authenticate: AuthenticationToken;
  'get-signing-certificate': GetSigningCertificateResult;
  sign: SignResult;
  'read-identity': ReadIdentityResult;
  'change-pin': { changed: true };
  'configure-backends': { backends: BackendStatus[] };
  cancel: { cancelled: boolean };
  quit: { quitting: true };
}

export type CommandMap = {
  [C in keyof CommandResults]: { arguments: v.InferInput<(typeof COMMAND_ARGUMENTS)[C]>; result: CommandResults[C] };
};

export type AuthenticateArguments = CommandMap['authenticate']['arguments'];
export type GetSigningCertificateArguments = CommandMap['get-signing-certificate']['arguments'];
export type SignArguments = CommandMap['sign']['arguments'];
export type ReadIdentityArguments = CommandMap['read-identity']['arguments'];
export type ChangePinArguments = CommandMap['change-pin']['arguments'];
export type ConfigureBackendsArguments = CommandMap['configure-backends']['arguments'];

export type CommandName = keyof CommandMap;

export interface HostRequest<C extends CommandName = CommandName> {
  id: RequestId;
  command: C;
  arguments: CommandMap[C]['arguments'];
}

export type HostReply<C extends CommandName = CommandName> =
  | { id: RequestId | null; result: CommandMap[C]['result'] }
  | { id: RequestId | null; error: ErrorPayload };

export interface VersionMessage {
  version: string;
}

// ---- Arguments: declared once, as schemas -----------------------------
//
// Each command's arguments are one valibot schema: the argument types above
// are inferred from it, and parseRequest checks every message against it.
// Checks run in the order the fields are declared and stop at the first
// problem; an issue's message starts with the error code the caller gets.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type ArgumentErrorCode = 'INVALID_ARGUMENT' | 'MISSING_PARAMETER' | 'PIN_FORMAT' | 'CONTEXT_INSECURE';

/** An issue message: the error code, a space, the developer's message. */
function because(code: ArgumentErrorCode, message: string): string {
  return `${code} ${message}`;
}

function text(name: string, max = 16384) {
  return v.pipe(
    v.string(because('INVALID_ARGUMENT', `"${name}" must be a string`)),
    v.maxLength(max, because('INVALID_ARGUMENT', `"${name}" is longer than ${max} characters`)),
  );
}

/** A string that must be there and not empty. */
function requiredText(name: string, max?: number) {
  return v.pipe(text(name, max), v.nonEmpty(because('MISSING_PARAMETER', `"${name}" is required`)));
}

function base64(name: string, required: boolean) {
  return v.pipe(
    required ? requiredText(name, 65536) : text(name, 65536),
    v.check(isStrictBase64, because('INVALID_ARGUMENT', `"${name}" must be standard base64`)),
  );
}

function flag(name: string) {
  return v.boolean(because('INVALID_ARGUMENT', `"${name}" must be a boolean`));
}

/** PIN: 4 to 12 digits (BELPIC and the official middleware's limits). */
export const PIN_PATTERN = /^[0-9]{4,12}$/;

const PIN_FORMAT_MESSAGE = because('PIN_FORMAT', 'The PIN must be 4 to 12 digits');
/** A PIN field; its message never echoes the PIN back. */
const pin = v.pipe(v.string(PIN_FORMAT_MESSAGE), v.regex(PIN_PATTERN, PIN_FORMAT_MESSAGE));

const readerName = text('reader', 256);

/** challengeNonce: at least 32 random bytes in base64 (44 characters), at most 128 characters. */
const challengeNonce = v.pipe(
  requiredText('challengeNonce', 1000),
  v.check((nonce) => nonce.length >= 44 && nonce.length <= 128, because('INVALID_ARGUMENT', 'The challenge nonce must be 44 to 128 characters')),
);

/** Checked as text first, so an empty name reads as missing; typed as the names it lets through. */
const hashFunction = v.pipe(
  requiredText('hashFunction', 16),
  v.check((name) => Object.prototype.hasOwnProperty.call(HASH_LENGTHS, name), (issue) => because('INVALID_ARGUMENT', `Unsupported hash function ${JSON.stringify(issue.input)}`)),
) as v.GenericSchema<string, string> as v.GenericSchema<HashFunction, HashFunction>;

/** An absolute path to a shared library: the host loads it, so nothing relative or odd. */
const PKCS11_MODULE_PATH = /^(\/|[A-Za-z]:\\).+\.(so(\.\d+)*|dylib|dll)$/;

export const COMMAND_ARGUMENTS = {
  status: v.object({}),
  'list-certificates': v.object({}),
  quit: v.object({}),
  authenticate: v.pipe(
    v.object({
      /** The developer setting: allow http://localhost and http://127.0.0.1. */
      allowHttpLocalhost: v.optional(flag('allowHttpLocalhost'), false),
      challengeNonce,
      /** Taken by the extension from the sender's tab, never from the page. */
      origin: requiredText('origin', 1000),
      pin: v.optional(pin),
      /** base64 DER of the chosen certificate, when there are several. */
      certificate: v.optional(base64('certificate', false)),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      try {
        validateOrigin(dataset.value.origin, dataset.value.allowHttpLocalhost);
      } catch (e) {
        const error = e as EidBridgeError;
        addIssue({ message: because(error.code as ArgumentErrorCode, error.message), path: [fieldPath(dataset.value, 'origin')] });
      }
    }),
  ),
  'get-signing-certificate': v.object({
    certificate: v.optional(base64('certificate', false)),
  }),
  sign: v.pipe(
    v.object({
      /** base64 DER of the signing certificate from get-signing-certificate. */
      certificate: base64('certificate', true),
      /** base64 of the hash to sign. */
      hash: base64('hash', true),
      hashFunction,
      pin: v.optional(pin),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const { hash, hashFunction: name } = dataset.value;
      if (base64ToBytes(hash).length !== HASH_LENGTHS[name]) {
        addIssue({ message: because('INVALID_ARGUMENT', `The hash length does not match ${name}`), path: [fieldPath(dataset.value, 'hash')] });
      }
    }),
  ),
  'read-identity': v.object({
    /** Include the photo (a separate consent in the dialog). */
    includePhoto: v.optional(flag('includePhoto'), false),
    /** Include the address. */
    includeAddress: v.optional(flag('includeAddress'), true),
    /** The reader to use when several hold a card. */
    reader: v.optional(readerName),
  }),
  'change-pin': v.pipe(
    v.object({
      /** Both absent on PIN-pad readers: the PINs are typed on the reader. */
      currentPin: v.optional(pin),
      newPin: v.optional(pin),
      reader: v.optional(readerName),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const { currentPin, newPin } = dataset.value;
      if ((currentPin === undefined) !== (newPin === undefined)) {
        const absent = currentPin === undefined ? 'currentPin' : 'newPin';
        addIssue({ message: because('MISSING_PARAMETER', `"${absent}" is required`), path: [fieldPath(dataset.value, absent)] });
      }
    }),
  ),
  /**
   * The card backends the host uses, in order, and the PKCS#11 module. Saved
   * by the host in its configuration file, so the choice made in the options
   * page holds for every later start.
   */
  'configure-backends': v.object({
    backends: v.pipe(
      v.array(v.picklist(['pcsc', 'pkcs11'] as const), because('INVALID_ARGUMENT', '"backends" must list "pcsc" and/or "pkcs11"')),
      v.nonEmpty(because('INVALID_ARGUMENT', '"backends" must list "pcsc" and/or "pkcs11"')),
      v.transform((list): BackendName[] => [...new Set(list)]),
    ),
    /** Absolute path of a PKCS#11 library; null for the default search. */
    pkcs11Module: v.optional(
      v.nullable(
        v.pipe(
          v.string(because('INVALID_ARGUMENT', '"pkcs11Module" must be the absolute path of a .so, .dylib or .dll library')),
          v.maxLength(1024, because('INVALID_ARGUMENT', '"pkcs11Module" must be the absolute path of a .so, .dylib or .dll library')),
          v.regex(PKCS11_MODULE_PATH, because('INVALID_ARGUMENT', '"pkcs11Module" must be the absolute path of a .so, .dylib or .dll library')),
        ),
      ),
    ),
    /**
     * The person chose a module outside the known locations in the options
     * page and confirmed the warning that it runs inside the host.
     */
    pkcs11ModuleConfirmed: v.optional(flag('pkcs11ModuleConfirmed')),
  }),
  cancel: v.object({
    requestId: v.optional(v.union([v.string(), v.number()], because('INVALID_ARGUMENT', '"requestId" must be a string or number'))),
  }),
} satisfies { [C in keyof CommandResults]: v.GenericSchema<unknown, unknown> };

/**
 * An eID Bridge extension of the sign options: what the document being signed
 * looks like, for the signing dialog to show next to the fingerprint. The
 * page sends it as `options.document` with `sign` (window.eidBridge or the
 * Web eID message); it stays in the extension (the host gets only the
 * certificate and the hash), and the extension never fetches anything for it.
 * The reference backend renders the picture within the same limits
 * (backend/signing/document-preview.ts).
 */
export const SIGN_DOCUMENT_PREVIEW_LIMITS = {
  titleLength: 200,
  maxPageCount: 100_000,
  /** The first page's PNG, in bytes. */
  firstPageBytes: 256 * 1024,
  /** The picture's longer side, in pixels. */
  firstPageSidePx: 1000,
} as const;

const previewIssue = (message: string) => because('INVALID_ARGUMENT', `"options.document": ${message}`);

export const SIGN_DOCUMENT_PREVIEW = v.object({
  title: v.pipe(
    v.string(previewIssue('"title" must be a string')),
    v.transform((title) => title.replace(/\p{Cc}+/gu, ' ').trim()),
    v.nonEmpty(previewIssue('"title" is required')),
    v.maxLength(SIGN_DOCUMENT_PREVIEW_LIMITS.titleLength, previewIssue(`"title" is longer than ${SIGN_DOCUMENT_PREVIEW_LIMITS.titleLength} characters`)),
  ),
  pageCount: v.pipe(
    v.number(previewIssue('"pageCount" must be a number')),
    v.integer(previewIssue('"pageCount" must be a whole number')),
    v.minValue(1, previewIssue('"pageCount" must be at least 1')),
    v.maxValue(SIGN_DOCUMENT_PREVIEW_LIMITS.maxPageCount, previewIssue('"pageCount" is too large')),
  ),
  /** base64 of a PNG picture of the first page. */
  firstPage: v.optional(
    v.pipe(
      v.string(previewIssue('"firstPage" must be a base64 string')),
      v.maxLength(Math.ceil(SIGN_DOCUMENT_PREVIEW_LIMITS.firstPageBytes / 3) * 4, previewIssue(`"firstPage" is larger than ${SIGN_DOCUMENT_PREVIEW_LIMITS.firstPageBytes} bytes`)),
      v.check(isStrictBase64, previewIssue('"firstPage" must be standard base64')),
      v.check(
        (picture) => pngOutline(base64ToBytes(picture), SIGN_DOCUMENT_PREVIEW_LIMITS.firstPageSidePx) !== undefined,
        previewIssue(`"firstPage" must be a PNG picture of at most ${SIGN_DOCUMENT_PREVIEW_LIMITS.firstPageSidePx} pixels a side`),
      ),
    ),
  ),
});

export type SignDocumentPreview = v.InferOutput<typeof SIGN_DOCUMENT_PREVIEW>;

/** The document preview of a sign request's options, checked; undefined when the page sent none (a plain Web eID sign). */
export function parseSignDocumentPreview(options: unknown): SignDocumentPreview | undefined {
  const document = isRecord(options) ? options.document : undefined;
  if (document === undefined) return undefined;
  const parsed = v.safeParse(SIGN_DOCUMENT_PREVIEW, document, { abortEarly: true });
  if (!parsed.success) throw argumentError(parsed.issues[0]);
  return parsed.output;
}

/** The path item valibot puts on an issue about one field of the arguments object. */
function fieldPath(input: Record<string, unknown>, key: string): v.ObjectPathItem {
  return { type: 'object', origin: 'value', input, key, value: input[key] };
}

/** The typed error for the first problem valibot found. */
function argumentError(issue: v.BaseIssue<unknown>): EidBridgeError {
  // The argument is the top-level field, also for a problem deep inside it (one entry of a list).
  const field = issue.path?.[0] as { key?: unknown; origin?: string } | undefined;
  const argument = typeof field?.key === 'string' ? field.key : undefined;
  const details = argument === undefined ? {} : { argument };
  if (issue.path?.length === 1 && field?.origin === 'key' && argument !== undefined) {
    return new EidBridgeError('MISSING_PARAMETER', `"${argument}" is required`, details);
  }
  const space = issue.message.indexOf(' ');
  const code = issue.message.slice(0, space);
  return isErrorCode(code)
    ? new EidBridgeError(code, issue.message.slice(space + 1), details)
    : new EidBridgeError('INVALID_ARGUMENT', issue.message, details);
}

/** Checks one command's arguments; throws EidBridgeError naming the argument. */
export function parseArguments<C extends CommandName>(command: C, args: Record<string, unknown>): CommandMap[C]['arguments'] {
  const parsed = v.safeParse(COMMAND_ARGUMENTS[command] as v.GenericSchema<unknown, unknown>, args, { abortEarly: true });
  if (!parsed.success) throw argumentError(parsed.issues[0]);
  return parsed.output as CommandMap[C]['arguments'];
}

/**
 * The origin a signature is bound to: https://host[:port], no path, at most
 * 255 characters. http is accepted for localhost and 127.0.0.1 only when the
 * developer setting says so.
 */
export function validateOrigin(origin: string, allowHttpLocalhost = false): string {
  const invalid = (message: string): never => {
    throw new EidBridgeError('INVALID_ARGUMENT', message, { argument: 'origin' });
  };
  if (origin.length > 255) invalid('The origin is longer than 255 characters');
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return invalid('The origin is not a URL');
  }
  if (url.origin !== origin) invalid('The origin must be scheme://host[:port] with no path');
  if (url.protocol === 'https:') return origin;
  const localhost = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && localhost && allowHttpLocalhost) return origin;
  throw new EidBridgeError(
    'CONTEXT_INSECURE',
    localhost && url.protocol === 'http:'
      ? 'http://localhost is allowed only when the developer setting is on'
      : 'Only https origins may ask for an eID signature',
    { argument: 'origin' },
  );
}

export const COMMAND_NAMES = Object.keys(COMMAND_ARGUMENTS) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMMAND_ARGUMENTS, value);
}

/**
 * Names an unknown command in its error without echoing the value whole: a
 * deeply nested one would overflow the stack of JSON.stringify, a huge one the
 * reply, and either way the answer would lose the request's id.
 */
function describeCommand(command: unknown): string {
  if (typeof command !== 'string') return `of type ${command === null ? 'null' : Array.isArray(command) ? 'array' : typeof command}`;
  return command.length > 64 ? `${JSON.stringify(command.slice(0, 64))}… (${command.length} characters)` : JSON.stringify(command);
}

/**
 * Validates a decoded message as a request. Throws RequestError with the
 * request id attached (or null when even the id is unusable).
 */
export function parseRequest(message: unknown): HostRequest {
  if (!isRecord(message)) throw new RequestError(null, new EidBridgeError('INVALID_MESSAGE', 'A request must be a JSON object'));
  const id = message.id;
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new RequestError(null, new EidBridgeError('INVALID_MESSAGE', 'A request needs an "id" (string or number)'));
  }
  const command = message.command;
  if (!isCommandName(command)) {
    throw new RequestError(id, new EidBridgeError('UNKNOWN_COMMAND', `Unknown command ${describeCommand(command)}`));
  }
  const rawArgs = message.arguments ?? {};
  if (!isRecord(rawArgs)) throw new RequestError(id, new EidBridgeError('INVALID_ARGUMENT', '"arguments" must be an object'));
  try {
    return { id, command, arguments: parseArguments(command, rawArgs) } as HostRequest;
  } catch (e) {
    throw new RequestError(id, e instanceof EidBridgeError ? e : new EidBridgeError('INVALID_ARGUMENT', String(e)));
  }
}

/** A request that could not be accepted, with the id to answer to. */
export class RequestError extends Error {
  constructor(
    readonly id: RequestId | null,
    readonly error: EidBridgeError,
  ) {
    super(error.message);
    this.name = 'RequestError';
  }
}

export function isVersionMessage(message: unknown): message is VersionMessage {
  return isRecord(message) && typeof message.version === 'string' && !('id' in message);
}

export function isHostReply(message: unknown): message is HostReply {
  return isRecord(message) && 'id' in message && ('result' in message || ('error' in message && isRecord(message.error)));
}

/** Major versions must match, as Web eID requires of library, extension and native app. */
export function versionsCompatible(a: string, b: string): boolean {
  const major = (v: string) => /^(\d+)\.\d+\.\d+/.exec(v)?.[1];
  const ma = major(a);
  return ma !== undefined && ma === major(b);
}
