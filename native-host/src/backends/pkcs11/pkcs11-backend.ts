/**
 * The PKCS#11 card backend: the official Belgian eID middleware, any other
 * token module, or SoftHSM2 in tests, through pkcs11js.
 *
 * The module is loaded and initialised once, on first use, and finalised by
 * close(); a new backend initialises it again (SoftHSM2 reads SOFTHSM2_CONF
 * at C_Initialize). Every operation opens its own session and closes it,
 * logged out, before it returns. Operations run one at a time.
 */
import { X509Certificate } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { EidBridgeError } from '../../../../shared/errors.js';
import type { BackendStatus, ReaderStatus } from '../../../../shared/protocol.js';
import type { CardBackend, SignOperation, TokenCertificate } from '../card-backend.js';
import { certificateUsage } from './certificate-usage.js';
import { CKF_SLOT, CKF_TOKEN, CKR, isReturnValue, MODULE_CANNOT_SIGN_HINT, mapPkcs11Error, pinStateFromTokenFlags, type MappingContext } from './errors.js';
import { checkDigest, rsaPkcs1DigestInfo } from './mechanisms.js';
import { installHint, resolvePkcs11Module } from './module-paths.js';

type Handle = Buffer;

export interface Pkcs11BackendOptions {
  /** The module to use (from EID_BRIDGE_PKCS11_MODULE or the configuration); no fallback when set. */
  modulePath?: string;
  /** Replaces the platform's default search list (the official middleware, then p11-kit-proxy). */
  candidatePaths?: readonly string[];
}

interface LoadedModule {
  pkcs11: pkcs11js.PKCS11;
  path: string;
  description: string;
  /** False when someone else in this process had initialised the module: then they finalise it. */
  ownsInitialization: boolean;
}

interface SlotEntry {
  name: string;
  token: TokenEntry | 'empty' | 'unrecognised' | 'uninitialised';
}

type ModuleState = { ok: true; module: LoadedModule } | { ok: false; reason: string; detail?: string };

interface TokenEntry {
  slot: Handle;
  slotDescription: string;
  label: string;
  serialNumber: string;
  manufacturer: string;
  model: string;
  flags: number;
  tokenId: string;
}

/** The Belgian card's PKCS#15 label, which the official middleware gives its token. */
const BELPIC_TOKEN_LABEL = 'BELPIC';
/** The Belgian card blocks its PIN after 3 wrong tries (docs/card.md, "PIN"). */
const BELPIC_PIN_TRIES = 3;

/**
 * A Belgian eID card, as either module labels it: the official middleware
 * names the token "BELPIC"; OpenSC names it after the card's label followed
 * by the PIN's in parentheses, "BELPIC (Basic PIN)" (docs/card.md, "Through
 * PKCS#11").
 */
export function isBelpicTokenLabel(label: string): boolean {
  return label === BELPIC_TOKEN_LABEL || label.startsWith(`${BELPIC_TOKEN_LABEL} (`);
}

function maxPinTries(token: TokenEntry): number | undefined {
  return isBelpicTokenLabel(token.label) ? BELPIC_PIN_TRIES : undefined;
}

/** The mechanism that signs with a certificate's key, from its public key: known before any PIN is spent. */
function signMechanismFor(certificateDer: Uint8Array): { mechanism: number; name: string } | undefined {
  let keyType: string | undefined;
  try {
    keyType = new X509Certificate(certificateDer).publicKey.asymmetricKeyType;
  } catch {
    return undefined;
  }
  if (keyType === 'rsa') return { mechanism: pkcs11js.CKM_RSA_PKCS, name: 'CKM_RSA_PKCS' };
  if (keyType === 'ec') return { mechanism: pkcs11js.CKM_ECDSA, name: 'CKM_ECDSA' };
  return undefined;
}
/** The official middleware's extra slot for reader events on Windows, named \\?PnP?\Notification. */
const PNP_NOTIFICATION_SLOT_PREFIX = '\\\\?PnP?';
/** CK_TOKEN_INFO.manufacturerID of SoftHSM2 tokens. */
const SOFTHSM_MANUFACTURER = 'SoftHSM project';
/** Room for any RSA (up to 8192-bit) or EC signature. */
const SIGNATURE_BUFFER_BYTES = 1024;

function trimPadded(value: string): string {
  // CK_UTF8CHAR fields are blank-padded; some modules pad with NULs.
  return value.replace(/[\s\0]+$/u, '');
}

/**
 * A stable token id in the style of a PKCS#11 URI (RFC 7512): the serial
 * number tells tokens apart, the label makes it readable.
 */
export function pkcs11TokenId(label: string, serialNumber: string): string {
  const parts = [`token=${encodeURIComponent(label)}`];
  if (serialNumber !== '') parts.push(`serial=${encodeURIComponent(serialNumber)}`);
  return `pkcs11:${parts.join(';')}`;
}

function readUlong(value: Buffer): number {
  // CK_ULONG in the platform's byte order, 4 or 8 bytes; every value read here fits in 32 bits.
  if (value.length >= 4) return value.readUInt32LE(0);
  return value.length > 0 ? value[0]! : 0;
}

export class Pkcs11Backend implements CardBackend {
  readonly name = 'pkcs11' as const;
  private readonly options: Pkcs11BackendOptions;
  private loaded: LoadedModule | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: Pkcs11BackendOptions = {}) {
    this.options = options;
  }

  async status(): Promise<BackendStatus> {
    return this.exclusive(() => {
      const state = this.loadModule();
      if (!state.ok) {
        const status: BackendStatus = { name: 'pkcs11', available: false, reason: state.reason };
        if (state.detail !== undefined) status.detail = state.detail;
        return status;
      }
      return { name: 'pkcs11', available: true, detail: `${state.module.description} (${state.module.path})` };
    });
  }

  async readers(): Promise<ReaderStatus[]> {
    return this.exclusive(() => {
      const state = this.loadModule();
      if (!state.ok) return [];
      const { pkcs11 } = state.module;
      const readers: ReaderStatus[] = [];
      for (const { name, token } of this.scanSlots(pkcs11, false)) {
        if (token === 'empty') {
          readers.push({ name, backend: 'pkcs11', cardPresent: false, pinPad: false });
          continue;
        }
        if (token === 'unrecognised') {
          readers.push({ name, backend: 'pkcs11', cardPresent: true, pinPad: false, cardType: 'Unrecognised card' });
          continue;
        }
        if (token === 'uninitialised') continue;
        const reader: ReaderStatus = {
          name,
          backend: 'pkcs11',
          cardPresent: true,
          tokenId: token.tokenId,
          tokenLabel: token.label,
          pinPad: (token.flags & CKF_TOKEN.PROTECTED_AUTHENTICATION_PATH) !== 0,
          cardType: isBelpicTokenLabel(token.label) ? 'BELPIC (PKCS#11)' : 'PKCS#11 token',
        };
        const pin = pinStateFromTokenFlags(token.flags, maxPinTries(token));
        if (pin.triesLeft !== undefined) reader.pinTriesLeft = pin.triesLeft;
        if (token.manufacturer === SOFTHSM_MANUFACTURER) reader.virtual = true;
        readers.push(reader);
      }
      return readers;
    });
  }

  async certificates(): Promise<TokenCertificate[]> {
    return this.exclusive(() => {
      const state = this.loadModule();
      if (!state.ok) return [];
      const { pkcs11 } = state.module;
      const result: TokenCertificate[] = [];
      for (const token of this.presentTokens(pkcs11)) {
        try {
          result.push(...this.tokenCertificates(pkcs11, token));
        } catch (e) {
          const error = mapPkcs11Error(e, { operation: 'read certificates', tokenLabel: token.label });
          // A token pulled out while we read it simply is not there any more.
          if (error.code === 'CARD_REMOVED' || error.code === 'READER_REMOVED') continue;
          throw error;
        }
      }
      return result;
    });
  }

  async sign(op: SignOperation): Promise<Uint8Array> {
    return this.exclusive(async () => {
      const state = this.loadModule();
      if (!state.ok) {
        throw new EidBridgeError('PKCS11_MODULE_MISSING', state.reason, { hint: installHint() });
      }
      const { pkcs11 } = state.module;
      checkDigest(op.digest, op.digestAlgorithm);
      throwIfAborted(op.signal);

      const token = this.presentTokens(pkcs11).find((t) => t.tokenId === op.certificate.tokenId);
      if (!token) {
        throw new EidBridgeError('CARD_REMOVED', `The token "${op.certificate.tokenLabel}" is not present any more`);
      }
      if (pinStateFromTokenFlags(token.flags).locked) {
        throw new EidBridgeError('PIN_BLOCKED', `The PIN of token "${token.label}" is blocked`, { triesLeft: 0 });
      }
      const protectedPath = (token.flags & CKF_TOKEN.PROTECTED_AUTHENTICATION_PATH) !== 0;
      if (op.pin === undefined && !protectedPath) {
        throw new EidBridgeError('PIN_REQUIRED', `Token "${token.label}" needs a PIN`);
      }
      this.requireSignMechanism(state.module, token, op.certificate.der);
      const keyId = Buffer.from(op.certificate.keyRef, 'hex');
      if (keyId.length === 0) {
        throw new EidBridgeError('CERTIFICATE_NOT_FOUND', 'The certificate has no key reference on this token');
      }

      let session: Handle | undefined;
      let loggedIn = false;
      try {
        session = pkcs11.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
        this.login(pkcs11, session, pkcs11js.CKU_USER, op.pin);
        loggedIn = true;
        throwIfAborted(op.signal);

        const key = findOne(pkcs11, session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_ID, value: keyId },
        ]);
        if (!key) {
          throw new EidBridgeError('CERTIFICATE_NOT_FOUND', `Token "${token.label}" has no private key with ID ${op.certificate.keyRef}`);
        }
        const [keyTypeAttribute] = pkcs11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_KEY_TYPE }]);
        const keyType = readUlong(keyTypeAttribute!.value);
        let mechanism: pkcs11js.Mechanism;
        let input: Buffer;
        if (keyType === pkcs11js.CKK_RSA) {
          mechanism = { mechanism: pkcs11js.CKM_RSA_PKCS };
          input = rsaPkcs1DigestInfo(op.digest, op.digestAlgorithm);
        } else if (keyType === pkcs11js.CKK_EC) {
          mechanism = { mechanism: pkcs11js.CKM_ECDSA };
          input = Buffer.from(op.digest);
        } else {
          throw new EidBridgeError('UNSUPPORTED_CARD', `The key on token "${token.label}" is neither RSA nor EC (key type ${keyType})`);
        }

        pkcs11.C_SignInit(session, mechanism, key);
        // A key marked CKA_ALWAYS_AUTHENTICATE (the Belgian signature key) wants the PIN again, right before this signature.
        if (alwaysAuthenticate(pkcs11, session, key)) {
          this.login(pkcs11, session, pkcs11js.CKU_CONTEXT_SPECIFIC, op.pin);
        }
        const signature = await pkcs11.C_SignAsync(session, input, Buffer.alloc(SIGNATURE_BUFFER_BYTES));
        return new Uint8Array(signature);
      } catch (e) {
        throw this.mapError(pkcs11, token, e, 'sign');
      } finally {
        if (session !== undefined) {
          if (loggedIn) ignoreErrors(() => pkcs11.C_Logout(session!));
          ignoreErrors(() => pkcs11.C_CloseSession(session!));
        }
      }
    });
  }

  async close(): Promise<void> {
    await this.exclusive(() => {
      this.closed = true;
      const loaded = this.loaded;
      this.loaded = undefined;
      if (!loaded) return;
      if (loaded.ownsInitialization) ignoreErrors(() => loaded.pkcs11.C_Finalize());
    });
  }

  // ---- internals ------------------------------------------------------

  /** Runs operations one after another: PKCS#11 sessions and logins are per application. */
  private exclusive<T>(operation: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private loadModule(): ModuleState {
    if (this.loaded) return { ok: true, module: this.loaded };
    if (this.closed) return { ok: false, reason: 'The PKCS#11 backend was closed' };
    const resolution = resolvePkcs11Module(this.options);
    if (!resolution.found) {
      return resolution.configured
        ? {
            ok: false,
            reason: `The configured PKCS#11 module ${resolution.tried[0]} does not exist. ${installHint()}`,
            detail: `Looked for: ${resolution.tried.join(', ')}`,
          }
        : {
            ok: false,
            reason: `No PKCS#11 module found. ${installHint()}`,
            detail: `Looked for: ${resolution.tried.join(', ')}`,
          };
    }
    const pkcs11 = new pkcs11js.PKCS11();
    try {
      pkcs11.load(resolution.path);
    } catch (e) {
      return {
        ok: false,
        reason: `The PKCS#11 module ${resolution.path} could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    let ownsInitialization = true;
    try {
      // OS locking: signatures run on a worker thread (C_SignAsync) while other calls may come from the main one.
      pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      if (isReturnValue(e, CKR.CRYPTOKI_ALREADY_INITIALIZED)) {
        ownsInitialization = false;
      } else {
        ignoreErrors(() => pkcs11.close());
        return {
          ok: false,
          reason: `The PKCS#11 module ${resolution.path} failed to initialise: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
    }
    let description = 'PKCS#11 module';
    try {
      const info = pkcs11.C_GetInfo();
      description = `${trimPadded(info.libraryDescription)} ${info.libraryVersion.major}.${info.libraryVersion.minor}, ${trimPadded(info.manufacturerID)}`;
    } catch {
      // The description is only for display.
    }
    this.loaded = { pkcs11, path: resolution.path, description, ownsInitialization };
    return { ok: true, module: this.loaded };
  }

  /** Calls the module outside an operation on one token, mapping its errors. */
  private call<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw mapPkcs11Error(e, { operation });
    }
  }

  /**
   * The slots and what is in them. A token that is not initialised (SoftHSM2
   * always shows one empty slot) is 'uninitialised'; one the module cannot
   * read is 'unrecognised'. Token ids are made unique: should two tokens
   * share label and serial number, the slot name tells them apart.
   */
  private scanSlots(pkcs11: pkcs11js.PKCS11, tokenPresent: boolean): SlotEntry[] {
    const entries: SlotEntry[] = [];
    for (const slot of this.call('list slots', () => pkcs11.C_GetSlotList(tokenPresent))) {
      let slotInfo: pkcs11js.SlotInfo;
      try {
        slotInfo = pkcs11.C_GetSlotInfo(slot);
      } catch {
        continue; // the reader went away while we looked
      }
      const name = trimPadded(slotInfo.slotDescription);
      // The official middleware on Windows adds a slot that only signals reader changes.
      if (name.startsWith(PNP_NOTIFICATION_SLOT_PREFIX)) continue;
      if (!(slotInfo.flags & CKF_SLOT.TOKEN_PRESENT)) {
        entries.push({ name, token: 'empty' });
        continue;
      }
      entries.push({ name, token: this.tokenEntry(pkcs11, slot, name) });
    }
    const tokens = entries.map((e) => e.token).filter((t): t is TokenEntry => typeof t === 'object');
    for (const token of tokens) {
      if (tokens.filter((other) => other.tokenId === token.tokenId).length > 1) {
        token.tokenId = `${token.tokenId};slot-description=${encodeURIComponent(token.slotDescription)}`;
      }
    }
    return entries;
  }

  private tokenEntry(pkcs11: pkcs11js.PKCS11, slot: Handle, slotDescription: string): TokenEntry | 'unrecognised' | 'uninitialised' {
    let info: pkcs11js.TokenInfo;
    try {
      info = pkcs11.C_GetTokenInfo(slot);
    } catch (e) {
      return isReturnValue(e, CKR.TOKEN_NOT_RECOGNIZED) ? 'unrecognised' : 'uninitialised';
    }
    if (!(info.flags & CKF_TOKEN.TOKEN_INITIALIZED)) return 'uninitialised';
    const label = trimPadded(info.label);
    const serialNumber = trimPadded(info.serialNumber);
    return {
      slot,
      slotDescription,
      label,
      serialNumber,
      manufacturer: trimPadded(info.manufacturerID),
      model: trimPadded(info.model),
      flags: info.flags,
      tokenId: pkcs11TokenId(label, serialNumber),
    };
  }

  private presentTokens(pkcs11: pkcs11js.PKCS11): TokenEntry[] {
    return this.scanSlots(pkcs11, true)
      .map((entry) => entry.token)
      .filter((token): token is TokenEntry => typeof token === 'object');
  }

  private tokenCertificates(pkcs11: pkcs11js.PKCS11, token: TokenEntry): TokenCertificate[] {
    const session = pkcs11.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      const handles = findAll(pkcs11, session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      ]);
      const certificates: TokenCertificate[] = [];
      for (const handle of handles) {
        const [value, id] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }, { type: pkcs11js.CKA_ID }]);
        if (!value?.value.length || !id?.value.length) continue; // no key can belong to a certificate without an ID
        const der = new Uint8Array(value.value);
        const usage = certificateUsage(der);
        if (!usage) continue;
        certificates.push({
          tokenId: token.tokenId,
          tokenLabel: token.label,
          reader: token.slotDescription,
          usage,
          der,
          keyRef: id.value.toString('hex'),
        });
      }
      return certificates;
    } finally {
      ignoreErrors(() => pkcs11.C_CloseSession(session));
    }
  }

  /**
   * Refuses, before the PIN is used, a key the module cannot sign with: the
   * person can do nothing about it but choose another backend or module.
   * A module that cannot list its mechanisms is left to answer C_SignInit.
   */
  private requireSignMechanism(module: LoadedModule, token: TokenEntry, certificateDer: Uint8Array): void {
    const needed = signMechanismFor(certificateDer);
    if (!needed) return;
    let offered: number[];
    try {
      offered = module.pkcs11.C_GetMechanismList(token.slot);
    } catch {
      return;
    }
    if (offered.includes(needed.mechanism)) return;
    throw new EidBridgeError(
      'UNSUPPORTED_CARD',
      `The PKCS#11 module ${module.description} offers no ${needed.name} on token "${token.label}", which signing with this card's key needs`,
      { hint: MODULE_CANNOT_SIGN_HINT },
    );
  }

  private login(pkcs11: pkcs11js.PKCS11, session: Handle, userType: number, pin: Uint8Array | undefined): void {
    // pkcs11js takes the PIN as a string, so it cannot be wiped afterwards; it
    // lives only in this call. No PIN (a PIN-pad reader): an empty one, which
    // the module takes as "ask on the reader" (pkcs11js cannot pass NULL).
    // C_Login is synchronous in pkcs11js, so on a PIN-pad reader the host
    // waits here until the PIN is typed. Moving it to a worker thread is not
    // safe: pkcs11js keeps process-wide native state, and a second instance
    // on a worker crashed the process in dlclose.
    try {
      pkcs11.C_Login(session, userType, pin === undefined ? '' : new TextDecoder().decode(pin));
    } catch (e) {
      if (userType === pkcs11js.CKU_USER && isReturnValue(e, CKR.USER_ALREADY_LOGGED_IN)) return;
      throw e;
    }
  }

  private mapError(pkcs11: pkcs11js.PKCS11, token: TokenEntry, error: unknown, operation: string): EidBridgeError {
    let tokenFlags: number | undefined;
    if (isReturnValue(error, CKR.PIN_INCORRECT)) {
      try {
        tokenFlags = pkcs11.C_GetTokenInfo(token.slot).flags;
      } catch {
        // Without flags the error simply carries no tries count.
      }
    }
    const context: MappingContext = { operation, tokenLabel: token.label };
    if (tokenFlags !== undefined) context.tokenFlags = tokenFlags;
    const tries = maxPinTries(token);
    if (tries !== undefined) context.maxPinTries = tries;
    return mapPkcs11Error(error, context);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EidBridgeError('USER_CANCELLED', 'The request was cancelled');
}

function ignoreErrors(fn: () => void): void {
  try {
    fn();
  } catch {
    // Cleanup after the operation's own outcome: nothing useful to add.
  }
}

function findAll(pkcs11: pkcs11js.PKCS11, session: Handle, template: pkcs11js.Template): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    const handles: Handle[] = [];
    for (;;) {
      const batch = pkcs11.C_FindObjects(session, 32);
      if (batch.length === 0) break;
      handles.push(...batch);
    }
    return handles;
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

function findOne(pkcs11: pkcs11js.PKCS11, session: Handle, template: pkcs11js.Template): Handle | undefined {
  return findAll(pkcs11, session, template)[0];
}

function alwaysAuthenticate(pkcs11: pkcs11js.PKCS11, session: Handle, key: Handle): boolean {
  try {
    const [attribute] = pkcs11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_ALWAYS_AUTHENTICATE }]);
    return attribute !== undefined && attribute.value.length > 0 && attribute.value[0] !== 0;
  } catch {
    return false; // a module that does not know the attribute does not require it
  }
}
