/**
 * The native-messaging protocol between the extension and eid-bridge-host.
 *
 * Host → browser, first message: { version }. Then every request
 *   { id, command, arguments }
 * gets exactly one reply
 *   { id, result } | { id, error: { code, message, ...details } }.
 * Types and runtime validation live here once, used by both sides.
 */
import { base64ToBytes } from './bytes.js';
import { EidBridgeError, type ErrorPayload } from './errors.js';
import type { ReadIdentityResult } from './identity.js';

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

export interface AuthenticateArguments {
  challengeNonce: string;
  /** Taken by the extension from the sender's tab, never from the page. */
  origin: string;
  pin?: string;
  /** base64 DER of the chosen certificate, when there are several. */
  certificate?: string;
  /** The developer setting: allow http://localhost and http://127.0.0.1. */
  allowHttpLocalhost?: boolean;
}

export interface AuthenticationToken {
  unverifiedCertificate: string;
  algorithm: SignatureAlgorithmName;
  signature: string;
  format: 'web-eid:1.0';
  appVersion: string;
}

export interface GetSigningCertificateArguments {
  certificate?: string;
}

export interface GetSigningCertificateResult {
  certificate: string;
  supportedSignatureAlgorithms: SignatureAlgorithm[];
}

export interface SignArguments {
  /** base64 DER of the signing certificate from get-signing-certificate */
  certificate: string;
  /** base64 of the hash to sign */
  hash: string;
  hashFunction: HashFunction;
  pin?: string;
}

export interface SignResult {
  signature: string;
  signatureAlgorithm: SignatureAlgorithm;
}

export interface ReadIdentityArguments {
  /** Include the photo (a separate consent in the dialog). */
  includePhoto?: boolean;
  /** Include the address (default true). */
  includeAddress?: boolean;
  /** The reader to use when several hold a card. */
  reader?: string;
}

export interface ChangePinArguments {
  /** Absent on PIN-pad readers: both PINs are typed on the reader. */
  currentPin?: string;
  newPin?: string;
  reader?: string;
}

/**
 * The card backends the host uses, in order, and the PKCS#11 module. Saved by
 * the host in its configuration file, so the choice made in the options page
 * holds for every later start.
 */
export interface ConfigureBackendsArguments {
  backends: BackendName[];
  /** Absolute path of a PKCS#11 library; null for the default search. */
  pkcs11Module?: string | null;
}

export interface CommandMap {
  status: { arguments: Record<string, never>; result: StatusResult };
  'list-certificates': { arguments: Record<string, never>; result: ListCertificatesResult };
  authenticate: { arguments: AuthenticateArguments; result: AuthenticationToken };
  'get-signing-certificate': { arguments: GetSigningCertificateArguments; result: GetSigningCertificateResult };
  sign: { arguments: SignArguments; result: SignResult };
  'read-identity': { arguments: ReadIdentityArguments; result: ReadIdentityResult };
  'change-pin': { arguments: ChangePinArguments; result: { changed: true } };
  'configure-backends': { arguments: ConfigureBackendsArguments; result: { backends: BackendStatus[] } };
  cancel: { arguments: { requestId?: RequestId }; result: { cancelled: boolean } };
  quit: { arguments: Record<string, never>; result: { quitting: true } };
}

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

// ---- Validation -------------------------------------------------------

function invalid(argument: string, message: string): never {
  throw new EidBridgeError('INVALID_ARGUMENT', message, { argument });
}

function missing(argument: string): never {
  throw new EidBridgeError('MISSING_PARAMETER', `"${argument}" is required`, { argument });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(args: Record<string, unknown>, name: string, max = 16384): string | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') invalid(name, `"${name}" must be a string`);
  if (v.length > max) invalid(name, `"${name}" is longer than ${max} characters`);
  return v;
}

function requiredString(args: Record<string, unknown>, name: string, max?: number): string {
  const v = optionalString(args, name, max);
  if (v === undefined || v === '') missing(name);
  return v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Argument(args: Record<string, unknown>, name: string, required: true): string;
function base64Argument(args: Record<string, unknown>, name: string, required: false): string | undefined;
function base64Argument(args: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = required ? requiredString(args, name, 65536) : optionalString(args, name, 65536);
  if (v !== undefined && (!BASE64.test(v) || v.length % 4 !== 0)) invalid(name, `"${name}" must be standard base64`);
  return v;
}

/** PIN: 4 to 12 digits (BELPIC and the official middleware's limits). */
export const PIN_PATTERN = /^[0-9]{4,12}$/;

function pinArgument(args: Record<string, unknown>, name = 'pin'): string | undefined {
  const pin = args[name];
  if (pin === undefined) return undefined;
  // Never echo the PIN back in the message.
  if (typeof pin !== 'string' || !PIN_PATTERN.test(pin)) {
    throw new EidBridgeError('PIN_FORMAT', 'The PIN must be 4 to 12 digits', { argument: name });
  }
  return pin;
}

function optionalBoolean(args: Record<string, unknown>, name: string): boolean | undefined {
  const v = args[name];
  if (v !== undefined && typeof v !== 'boolean') invalid(name, `"${name}" must be a boolean`);
  return v as boolean | undefined;
}

/**
 * The origin a signature is bound to: https://host[:port], no path, at most
 * 255 characters. http is accepted for localhost and 127.0.0.1 only when the
 * developer setting says so.
 */
export function validateOrigin(origin: string, allowHttpLocalhost = false): string {
  if (origin.length > 255) invalid('origin', 'The origin is longer than 255 characters');
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    invalid('origin', 'The origin is not a URL');
  }
  if (url.origin !== origin) invalid('origin', 'The origin must be scheme://host[:port] with no path');
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

/** challengeNonce: at least 32 random bytes in base64 (44 chars), at most 128 chars. */
export function validateChallengeNonce(nonce: string): string {
  if (nonce.length < 44 || nonce.length > 128) invalid('challengeNonce', 'The challenge nonce must be 44 to 128 characters');
  return nonce;
}

function hashFunctionArgument(args: Record<string, unknown>): HashFunction {
  const v = requiredString(args, 'hashFunction', 16);
  if (!(v in HASH_LENGTHS)) invalid('hashFunction', `Unsupported hash function "${v}"`);
  return v as HashFunction;
}


type Validators = { [C in CommandName]: (args: Record<string, unknown>) => CommandMap[C]['arguments'] };

const validators: Validators = {
  status: () => ({}),
  'list-certificates': () => ({}),
  quit: () => ({}),
  'read-identity': (args) => {
    const result: ReadIdentityArguments = {
      includePhoto: optionalBoolean(args, 'includePhoto') ?? false,
      includeAddress: optionalBoolean(args, 'includeAddress') ?? true,
    };
    const reader = optionalString(args, 'reader', 256);
    if (reader !== undefined) result.reader = reader;
    return result;
  },
  'change-pin': (args) => {
    const result: ChangePinArguments = {};
    const currentPin = pinArgument(args, 'currentPin');
    const newPin = pinArgument(args, 'newPin');
    if ((currentPin === undefined) !== (newPin === undefined)) {
      missing(currentPin === undefined ? 'currentPin' : 'newPin');
    }
    if (currentPin !== undefined) result.currentPin = currentPin;
    if (newPin !== undefined) result.newPin = newPin;
    const reader = optionalString(args, 'reader', 256);
    if (reader !== undefined) result.reader = reader;
    return result;
  },
  'configure-backends': (args) => {
    const list = args.backends;
    if (!Array.isArray(list) || list.length === 0 || list.some((b) => b !== 'pcsc' && b !== 'pkcs11')) {
      invalid('backends', '"backends" must list "pcsc" and/or "pkcs11"');
    }
    const result: ConfigureBackendsArguments = { backends: [...new Set(list as BackendName[])] };
    const module = args.pkcs11Module;
    if (module !== undefined && module !== null) {
      // An absolute path to a shared library: the host loads it, so nothing relative or odd.
      if (typeof module !== 'string' || module.length > 1024 || !/^(\/|[A-Za-z]:\\).+\.(so(\.\d+)*|dylib|dll)$/.test(module)) {
        invalid('pkcs11Module', '"pkcs11Module" must be the absolute path of a .so, .dylib or .dll library');
      }
    }
    if (module !== undefined) result.pkcs11Module = module as string | null;
    return result;
  },
  cancel: (args) => {
    const requestId = args.requestId;
    if (requestId !== undefined && typeof requestId !== 'string' && typeof requestId !== 'number') {
      invalid('requestId', '"requestId" must be a string or number');
    }
    return requestId === undefined ? {} : { requestId };
  },
  authenticate: (args) => {
    if (args.allowHttpLocalhost !== undefined && typeof args.allowHttpLocalhost !== 'boolean') {
      invalid('allowHttpLocalhost', '"allowHttpLocalhost" must be a boolean');
    }
    const allowHttpLocalhost = args.allowHttpLocalhost === true;
    const result: AuthenticateArguments = {
      challengeNonce: validateChallengeNonce(requiredString(args, 'challengeNonce', 1000)),
      origin: validateOrigin(requiredString(args, 'origin', 1000), allowHttpLocalhost),
      allowHttpLocalhost,
    };
    const pin = pinArgument(args);
    if (pin !== undefined) result.pin = pin;
    const certificate = base64Argument(args, 'certificate', false);
    if (certificate !== undefined) result.certificate = certificate;
    return result;
  },
  'get-signing-certificate': (args) => {
    const certificate = base64Argument(args, 'certificate', false);
    return certificate === undefined ? {} : { certificate };
  },
  sign: (args) => {
    const certificate = base64Argument(args, 'certificate', true);
    const hash = base64Argument(args, 'hash', true);
    const hashFunction = hashFunctionArgument(args);
    if (base64ToBytes(hash).length !== HASH_LENGTHS[hashFunction]) {
      invalid('hash', `The hash length does not match ${hashFunction}`);
    }
    const result: SignArguments = { certificate, hash, hashFunction };
    const pin = pinArgument(args);
    if (pin !== undefined) result.pin = pin;
    return result;
  },
};

export const COMMAND_NAMES = Object.keys(validators) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(validators, value);
}

/**
 * Validates a decoded message as a request. Throws EidBridgeError with the
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
    throw new RequestError(id, new EidBridgeError('UNKNOWN_COMMAND', `Unknown command ${JSON.stringify(command)}`));
  }
  const rawArgs = message.arguments ?? {};
  if (!isRecord(rawArgs)) throw new RequestError(id, new EidBridgeError('INVALID_ARGUMENT', '"arguments" must be an object'));
  try {
    return { id, command, arguments: validators[command](rawArgs) } as HostRequest;
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
