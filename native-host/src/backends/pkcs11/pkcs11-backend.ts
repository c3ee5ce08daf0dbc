/**
 * The PKCS#11 card backend: the official Belgian eID middleware, any other
 * token module, or SoftHSM2 in tests, through pkcs11js.
 *
 * The module is loaded and initialised once, on first use, in a process of
 * its own where every call has a time limit (module-process.ts), and
 * finalised by close(); a new backend initialises it again (SoftHSM2 reads
 * SOFTHSM2_CONF at C_Initialize). A module that overran a limit is left
 * behind: its process is killed and the next operation starts a new one.
 * Every operation opens its own session and closes it, logged out, before it
 * returns. Operations run one at a time.
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
import { ModuleOpenError, MODULE_HUNG_HINT, openPkcs11Module, type Pkcs11Hang, type Pkcs11Module } from './module-process.js';

type Handle = Buffer;

export interface Pkcs11BackendOptions {
  /** The module to use (from EID_BRIDGE_PKCS11_MODULE or the configuration); no fallback when set. */
  modulePath?: string;
  /** Replaces the platform's default search list (the official middleware, then p11-kit-proxy). */
  candidatePaths?: readonly string[];
  /** Caps the time limit of every module call, in ms (EID_BRIDGE_PKCS11_TIMEOUT_MS). */
  maxCallMs?: number;
  /** Calls the module in the host's own process, without time limits (the benchmark's baseline). */
  moduleInProcess?: boolean;
}

interface LoadedModule {
  pkcs11: Pkcs11Module;
  path: string;
  description: string;
  /** False when someone else in this process had initialised the module: then they finalise it. */
  ownsInitialization: boolean;
}

interface SlotEntry {
  name: string;
  token: TokenEntry | 'empty' | 'unrecognised' | 'uninitialised';
}

/** A module that cannot be used: why, for status; `error` when that is what an operation should throw. */
type ModuleState = { ok: true; module: LoadedModule } | { ok: false; reason: string; detail?: string; error?: EidBridgeError };

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
  /** The last call that overran its limit, until a new module process has started. */
  private hang: Pkcs11Hang | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: Pkcs11BackendOptions = {}) {
    this.options = options;
  }

  async status(): Promise<BackendStatus> {
    return this.exclusive(async () => {
      // Starting a module that just hung would make status wait as long again: the next card operation tries it.
      const state: ModuleState =
        this.hang && !this.loaded?.pkcs11.isOpen()
          ? {
              ok: false,
              reason: `The card module (PKCS#11) does not answer. ${MODULE_HUNG_HINT}`,
              detail: `${this.hang.call} did not return within ${this.hang.limitMs / 1000} s, at ${this.hang.at.toISOString()}`,
            }
          : await this.loadModule();
      if (!state.ok) {
        const status: BackendStatus = { name: 'pkcs11', available: false, reason: state.reason };
        if (state.detail !== undefined) status.detail = state.detail;
        return status;
      }
      return { name: 'pkcs11', available: true, detail: `${state.module.description} (${state.module.path})` };
    });
  }

  async readers(): Promise<ReaderStatus[]> {
    return this.exclusive(async () => {
      const module = await this.listableModule();
      if (!module) return [];
      const { pkcs11 } = module;
      const readers: ReaderStatus[] = [];
      for (const { name, token } of await this.scanSlots(pkcs11, false)) {
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
    return this.exclusive(async () => {
      const module = await this.listableModule();
      if (!module) return [];
      const { pkcs11 } = module;
      const result: TokenCertificate[] = [];
      for (const token of await this.presentTokens(pkcs11)) {
        try {
          result.push(...(await this.tokenCertificates(pkcs11, token)));
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
      const state = await this.loadModule();
      if (!state.ok) {
        throw state.error ?? new EidBridgeError('PKCS11_MODULE_MISSING', state.reason, { hint: installHint() });
      }
      const { pkcs11 } = state.module;
      checkDigest(op.digest, op.digestAlgorithm);
      throwIfAborted(op.signal);

      const token = (await this.presentTokens(pkcs11)).find((t) => t.tokenId === op.certificate.tokenId);
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
      await this.requireSignMechanism(state.module, token, op.certificate.der);
      const keyId = Buffer.from(op.certificate.keyRef, 'hex');
      if (keyId.length === 0) {
        throw new EidBridgeError('CERTIFICATE_NOT_FOUND', 'The certificate has no key reference on this token');
      }

      let session: Handle | undefined;
      let loggedIn = false;
      // Cancelled while the module waits (a PIN pad, a slow card): its process is ended, and the next operation starts another.
      const cancel = () => pkcs11.cancel();
      op.signal?.addEventListener('abort', cancel);
      try {
        session = await pkcs11.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
        await this.login(pkcs11, session, pkcs11js.CKU_USER, op.pin);
        loggedIn = true;
        throwIfAborted(op.signal);

        const key = await findOne(pkcs11, session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_ID, value: keyId },
        ]);
        if (!key) {
          throw new EidBridgeError('CERTIFICATE_NOT_FOUND', `Token "${token.label}" has no private key with ID ${op.certificate.keyRef}`);
        }
        const [keyTypeAttribute] = await pkcs11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_KEY_TYPE }]);
        const keyType = readUlong(keyTypeAttribute!.value as Buffer);
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

        await pkcs11.C_SignInit(session, mechanism, key);
        // A key marked CKA_ALWAYS_AUTHENTICATE (the Belgian signature key) wants the PIN again, right before this signature.
        if (await alwaysAuthenticate(pkcs11, session, key)) {
          await this.login(pkcs11, session, pkcs11js.CKU_CONTEXT_SPECIFIC, op.pin);
        }
        const signature = await pkcs11.C_Sign(session, input, SIGNATURE_BUFFER_BYTES);
        return new Uint8Array(signature);
      } catch (e) {
        throw await this.mapError(pkcs11, token, e, 'sign');
      } finally {
        op.signal?.removeEventListener('abort', cancel);
        if (session !== undefined) {
          if (loggedIn) await ignoreErrors(() => pkcs11.C_Logout(session!));
          await ignoreErrors(() => pkcs11.C_CloseSession(session!));
        }
      }
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      const loaded = this.loaded;
      this.loaded = undefined;
      if (loaded) await loaded.pkcs11.close(loaded.ownsInitialization);
    });
  }

  // ---- internals ------------------------------------------------------

  /** Runs operations one after another: PKCS#11 sessions and logins are per application. */
  private exclusive<T>(operation: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The module for listing readers and certificates; undefined when there is
   * none to use (not installed, fails to load), which lists nothing. A module
   * that hangs is thrown: the card may well be behind it.
   */
  private async listableModule(): Promise<LoadedModule | undefined> {
    const state = await this.loadModule();
    if (state.ok) return state.module;
    if (state.error?.code === 'PKCS11_MODULE_HUNG') throw state.error;
    return undefined;
  }

  private async loadModule(): Promise<ModuleState> {
    if (this.loaded?.pkcs11.isOpen()) return { ok: true, module: this.loaded };
    this.loaded = undefined;
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
    let opened;
    try {
      opened = await openPkcs11Module(resolution.path, {
        ...(this.options.maxCallMs !== undefined && { maxCallMs: this.options.maxCallMs }),
        ...(this.options.moduleInProcess && { inProcess: true }),
        onHung: (hang) => {
          this.hang = hang;
        },
      });
    } catch (e) {
      if (e instanceof EidBridgeError) return { ok: false, reason: e.message, error: e };
      const step = e instanceof ModuleOpenError ? e.step : 'load';
      const message = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        reason:
          step === 'load'
            ? `The PKCS#11 module ${resolution.path} could not be loaded: ${message}`
            : `The PKCS#11 module ${resolution.path} failed to initialise: ${message}`,
      };
    }
    this.hang = undefined;
    let description = 'PKCS#11 module';
    try {
      const info = await opened.module.C_GetInfo();
      description = `${trimPadded(info.libraryDescription)} ${info.libraryVersion.major}.${info.libraryVersion.minor}, ${trimPadded(info.manufacturerID)}`;
    } catch (e) {
      // The description is only for display; a module that stopped answering is not.
      if (e instanceof EidBridgeError) return { ok: false, reason: e.message, error: e };
    }
    this.loaded = { pkcs11: opened.module, path: resolution.path, description, ownsInitialization: opened.ownsInitialization };
    return { ok: true, module: this.loaded };
  }

  /** Calls the module outside an operation on one token, mapping its errors. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
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
  private async scanSlots(pkcs11: Pkcs11Module, tokenPresent: boolean): Promise<SlotEntry[]> {
    const entries: SlotEntry[] = [];
    for (const slot of await this.call('list slots', () => pkcs11.C_GetSlotList(tokenPresent))) {
      let slotInfo: pkcs11js.SlotInfo;
      try {
        slotInfo = await pkcs11.C_GetSlotInfo(slot);
      } catch (e) {
        rethrowModuleGone(e);
        continue; // the reader went away while we looked
      }
      const name = trimPadded(slotInfo.slotDescription);
      // The official middleware on Windows adds a slot that only signals reader changes.
      if (name.startsWith(PNP_NOTIFICATION_SLOT_PREFIX)) continue;
      if (!(slotInfo.flags & CKF_SLOT.TOKEN_PRESENT)) {
        entries.push({ name, token: 'empty' });
        continue;
      }
      entries.push({ name, token: await this.tokenEntry(pkcs11, slot, name) });
    }
    const tokens = entries.map((e) => e.token).filter((t): t is TokenEntry => typeof t === 'object');
    for (const token of tokens) {
      if (tokens.filter((other) => other.tokenId === token.tokenId).length > 1) {
        token.tokenId = `${token.tokenId};slot-description=${encodeURIComponent(token.slotDescription)}`;
      }
    }
    return entries;
  }

  private async tokenEntry(pkcs11: Pkcs11Module, slot: Handle, slotDescription: string): Promise<TokenEntry | 'unrecognised' | 'uninitialised'> {
    let info: pkcs11js.TokenInfo;
    try {
      info = await pkcs11.C_GetTokenInfo(slot);
    } catch (e) {
      rethrowModuleGone(e);
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

  private async presentTokens(pkcs11: Pkcs11Module): Promise<TokenEntry[]> {
    return (await this.scanSlots(pkcs11, true)).map((entry) => entry.token).filter((token): token is TokenEntry => typeof token === 'object');
  }

  private async tokenCertificates(pkcs11: Pkcs11Module, token: TokenEntry): Promise<TokenCertificate[]> {
    const session = await pkcs11.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      const handles = await findAll(pkcs11, session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      ]);
      const certificates: TokenCertificate[] = [];
      for (const handle of handles) {
        const [value, id] = await pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }, { type: pkcs11js.CKA_ID }]);
        const der = value?.value as Buffer | undefined;
        const keyId = id?.value as Buffer | undefined;
        if (!der?.length || !keyId?.length) continue; // no key can belong to a certificate without an ID
        const bytes = new Uint8Array(der);
        const usage = certificateUsage(bytes);
        if (!usage) continue;
        certificates.push({
          tokenId: token.tokenId,
          tokenLabel: token.label,
          reader: token.slotDescription,
          usage,
          der: bytes,
          keyRef: Buffer.from(keyId).toString('hex'),
        });
      }
      return certificates;
    } finally {
      await ignoreErrors(() => pkcs11.C_CloseSession(session));
    }
  }

  /**
   * Refuses, before the PIN is used, a key the module cannot sign with: the
   * person can do nothing about it but choose another backend or module.
   * A module that cannot list its mechanisms is left to answer C_SignInit.
   */
  private async requireSignMechanism(module: LoadedModule, token: TokenEntry, certificateDer: Uint8Array): Promise<void> {
    const needed = signMechanismFor(certificateDer);
    if (!needed) return;
    let offered: number[];
    try {
      offered = await module.pkcs11.C_GetMechanismList(token.slot);
    } catch (e) {
      rethrowModuleGone(e);
      return;
    }
    if (offered.includes(needed.mechanism)) return;
    throw new EidBridgeError(
      'UNSUPPORTED_CARD',
      `The PKCS#11 module ${module.description} offers no ${needed.name} on token "${token.label}", which signing with this card's key needs`,
      { hint: MODULE_CANNOT_SIGN_HINT },
    );
  }

  private async login(pkcs11: Pkcs11Module, session: Handle, userType: number, pin: Uint8Array | undefined): Promise<void> {
    // pkcs11js takes the PIN as a string, so it cannot be wiped afterwards; it
    // lives only in this call (and the message that carries it to the module's
    // process, never logged). No PIN (a PIN-pad reader): an empty one, which
    // the module takes as "ask on the reader" (pkcs11js cannot pass NULL), and
    // the call waits for the person, with the longer limit.
    try {
      await pkcs11.C_Login(session, userType, pin === undefined ? '' : new TextDecoder().decode(pin), pin === undefined ? 'loginByPerson' : 'login');
    } catch (e) {
      if (userType === pkcs11js.CKU_USER && isReturnValue(e, CKR.USER_ALREADY_LOGGED_IN)) return;
      throw e;
    }
  }

  private async mapError(pkcs11: Pkcs11Module, token: TokenEntry, error: unknown, operation: string): Promise<EidBridgeError> {
    let tokenFlags: number | undefined;
    if (isReturnValue(error, CKR.PIN_INCORRECT)) {
      try {
        tokenFlags = (await pkcs11.C_GetTokenInfo(token.slot)).flags;
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

/**
 * A module call that ended with an EidBridgeError did not reach the module's
 * answer: the module hung or its process ended. No fallback may hide that.
 */
function rethrowModuleGone(error: unknown): void {
  if (error instanceof EidBridgeError) throw error;
}

async function ignoreErrors(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch {
    // Cleanup after the operation's own outcome: nothing useful to add.
  }
}

async function findAll(pkcs11: Pkcs11Module, session: Handle, template: pkcs11js.Template): Promise<Handle[]> {
  await pkcs11.C_FindObjectsInit(session, template);
  try {
    const handles: Handle[] = [];
    for (;;) {
      const batch = await pkcs11.C_FindObjects(session, 32);
      if (batch.length === 0) break;
      handles.push(...batch);
    }
    return handles;
  } finally {
    await ignoreErrors(() => pkcs11.C_FindObjectsFinal(session));
  }
}

async function findOne(pkcs11: Pkcs11Module, session: Handle, template: pkcs11js.Template): Promise<Handle | undefined> {
  return (await findAll(pkcs11, session, template))[0];
}

async function alwaysAuthenticate(pkcs11: Pkcs11Module, session: Handle, key: Handle): Promise<boolean> {
  try {
    const [attribute] = await pkcs11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_ALWAYS_AUTHENTICATE }]);
    const value = attribute?.value as Buffer | undefined;
    return value !== undefined && value.length > 0 && value[0] !== 0;
  } catch (e) {
    rethrowModuleGone(e);
    return false; // a module that does not know the attribute does not require it
  }
}
