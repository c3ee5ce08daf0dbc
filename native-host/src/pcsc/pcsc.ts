/**
 * Every PC/SC call of eID Bridge goes through this module. It wraps the
 * event-based `pcsclite` binding in a typed, promise-based API so the binding
 * can be swapped (for example for the N-API `smartcard` package) by changing
 * this file only.
 *
 * Guarantees callers rely on:
 * - no call waits without a bound: every wait has a timeout (TIMEOUT);
 * - a transmit fails with CARD_REMOVED as soon as the reader reports the card
 *   gone, even if the binding's own call is still pending;
 * - one operation at a time per reader: `connect` queues until the previous
 *   connection to that reader is released;
 * - a missing PC/SC service is an EidBridgeError (PCSC_UNAVAILABLE), never a crash.
 */
import { createRequire } from 'node:module';
import { EidBridgeError, isEidBridgeError } from '../../../shared/errors.js';
import { mayMeanSomethingWentAway, pcscError, PCSC_UNAVAILABLE_HINT, SCARD_STATE, scardCodeOf } from './pcsc-errors.js';

// ---- The binding's shape (only what we use) ------------------------------

interface RawStatus {
  state: number;
  atr?: Buffer;
}

interface RawReader {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_CTL_CODE(code: number): number;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, data: Buffer) => void): void;
  control(data: Buffer, code: number, resLen: number, cb: (err: unknown, data: Buffer) => void): void;
  close(): void;
  on(event: 'status', listener: (status: RawStatus) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeAllListeners(): unknown;
}

interface RawPcsc {
  start(cb: (err: unknown, data: Buffer) => void): void;
  close(): void;
  on(event: 'reader', listener: (reader: RawReader) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(): unknown;
}

/** Creates the binding's context; throws when the PC/SC service is not there. */
export type PcscBindingFactory = () => RawPcsc;

function loadPcsclite(): PcscBindingFactory {
  const require = createRequire(import.meta.url);
  return require('pcsclite') as PcscBindingFactory;
}

// ---- Public types ----------------------------------------------------------

export interface ReaderState {
  name: string;
  cardPresent: boolean;
  /** The card's ATR while a card is present. */
  atr: Uint8Array | undefined;
  /** A card is there but does not answer (inserted the wrong way round, broken). */
  mute: boolean;
  /** Another application holds the card exclusively. */
  exclusive: boolean;
  /** Counts card insertions in this reader: a new value means another card (or the same one again). */
  insertion: number;
}

export type PcscEvent =
  | { type: 'reader-added'; reader: string }
  | { type: 'reader-removed'; reader: string }
  | { type: 'card-inserted'; reader: string; atr: Uint8Array }
  | { type: 'card-removed'; reader: string }
  | { type: 'error'; error: EidBridgeError };

export interface IoOptions {
  /** Aborting rejects at once with the abort reason (an EidBridgeError) or USER_CANCELLED. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * How the card is held during one operation:
 * - 'shared': other programs may send commands in between ours;
 * - 'exclusive': nobody else may, like a PC/SC transaction (the binding has no
 *   SCardBeginTransaction), and it ends with the operation;
 * - 'exclusive-if-free': exclusive when no other program holds the card open
 *   within a moment, shared otherwise.
 */
export type CardAccess = 'shared' | 'exclusive' | 'exclusive-if-free';

export interface ConnectOptions extends IoOptions {
  /** Default 'shared'. */
  access?: CardAccess;
  /** How long to wait for an earlier operation on the same reader to finish. */
  queueTimeoutMs?: number;
}

/** PC/SC part 10 feature tags (FEATURE_*), each mapped to its control code. */
export type ReaderFeatures = ReadonlyMap<number, number>;

export const FEATURE_VERIFY_PIN_DIRECT = 0x06;
export const FEATURE_MODIFY_PIN_DIRECT = 0x07;
/** CM_IOCTL_GET_FEATURE_REQUEST = SCARD_CTL_CODE(3400) (pcsc-lite: 0x42000D48). */
const GET_FEATURE_REQUEST = 3400;

export interface CardConnection {
  readonly reader: string;
  readonly atr: Uint8Array;
  readonly protocol: 'T=0' | 'T=1' | 'other';
  transmit(apdu: Uint8Array, options?: IoOptions): Promise<Uint8Array>;
  /** SCardControl with a raw control code. */
  control(code: number, data: Uint8Array, options?: IoOptions): Promise<Uint8Array>;
  /** The reader's PC/SC part 10 features (empty for readers without any). */
  features(): Promise<ReaderFeatures>;
  /** Releases the card (SCARD_LEAVE_CARD by default) and lets the next queued operation run. */
  disconnect(disposition?: 'leave' | 'reset'): Promise<void>;
}

export interface PcscOpenOptions {
  /** Bound for the first reader list and reader states. */
  timeoutMs?: number;
  /** Another binding with the pcsclite API (tests, or a swapped binding). */
  binding?: PcscBindingFactory;
  /** Default bound for one APDU exchange. */
  transmitTimeoutMs?: number;
}

const DEFAULT_OPEN_TIMEOUT_MS = 3000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_TRANSMIT_TIMEOUT_MS = 15000;
/** PIN-pad entry: the reader itself times out after 30 s (bTimerOut), plus margin. */
const DEFAULT_CONTROL_TIMEOUT_MS = 90000;
const DEFAULT_QUEUE_TIMEOUT_MS = 180000;
const DISCONNECT_TIMEOUT_MS = 2000;
/** Pause between connection attempts while another program holds the card. */
const SHARING_RETRY_MS = 50;
/** How long 'exclusive-if-free' waits for the card to be free before settling for shared access. */
const EXCLUSIVE_WAIT_MS = 1000;
/** After an ambiguous failure, how long to wait for the reader to report the card gone or the service to fail. */
const REMOVAL_SETTLE_MS = 1500;
/** After a reader left during an exchange, how long to wait for the service to fail (pcscd stopping drops its readers first). */
const READER_SETTLE_MS = 200;
/** How long a connect waits for the ATR of a card pcscd lists as present but has not given the ATR of yet. */
const ATR_SETTLE_MS = 1000;
/** Largest short-APDU response: 256 data bytes + SW1 SW2 (with room to spare). */
const MAX_RESPONSE = 1024;

interface ReaderEntry {
  raw: RawReader;
  state: ReaderState;
  statusSeen: boolean;
  /** Bumped on every insertion, so a connection notices a card swapped under it. */
  insertion: number;
  /** pcsc-lite keeps a card event counter in the upper 16 bits of the state. */
  eventCounter: number;
  busy: boolean;
  queue: Array<() => void>;
  features?: ReaderFeatures;
  removed: boolean;
}

function abortError(signal: AbortSignal): EidBridgeError {
  const reason: unknown = signal.reason;
  return reason instanceof EidBridgeError ? reason : new EidBridgeError('USER_CANCELLED', 'The operation was cancelled');
}

/** Runs `start` and settles with its result, or rejects on timeout, abort or an early `stop` call. */
function bounded<T>(
  start: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
  options: { timeoutMs: number; signal?: AbortSignal; timeoutMessage: string; onEnd?: () => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (error: unknown, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      options.onEnd?.();
      if (error !== undefined) reject(error);
      else resolve(value as T);
    };
    const onAbort = () => finish(abortError(options.signal!));
    const timer = setTimeout(() => finish(new EidBridgeError('TIMEOUT', options.timeoutMessage)), options.timeoutMs);
    if (options.signal?.aborted) return finish(abortError(options.signal));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      start(
        (v) => finish(undefined, v),
        (e) => finish(e ?? new Error('unknown PC/SC error')),
      );
    } catch (e) {
      finish(e);
    }
  });
}

export class PcscContext {
  private readonly entries = new Map<string, ReaderEntry>();
  private readonly seenReaders = new Set<string>();
  private readonly listeners = new Set<(event: PcscEvent) => void>();
  private failure: EidBridgeError | undefined;
  private closed = false;
  private listed = false;
  private readonly changeWaiters = new Set<() => void>();
  readonly transmitTimeoutMs: number;

  private constructor(
    private readonly raw: RawPcsc,
    options: PcscOpenOptions,
  ) {
    this.transmitTimeoutMs = options.transmitTimeoutMs ?? DEFAULT_TRANSMIT_TIMEOUT_MS;
    raw.on('error', (error) => this.fail(error));
    raw.on('reader', (reader) => this.addReader(reader));
    // The binding starts listing readers on the next tick; wrap its callback so
    // we also learn of a list with no readers at all (it emits nothing then).
    const start = raw.start.bind(raw);
    raw.start = (cb) =>
      start((err, data) => {
        cb(err, data);
        if (!err) {
          this.listed = true;
          this.notifyChange();
        }
      });
  }

  /**
   * Connects to the PC/SC service and waits (bounded) until the readers and
   * their card states are known.
   */
  static async open(options: PcscOpenOptions = {}): Promise<PcscContext> {
    let factory: PcscBindingFactory;
    try {
      factory = options.binding ?? loadPcsclite();
    } catch (e) {
      throw new EidBridgeError('PCSC_UNAVAILABLE', `The PC/SC binding could not be loaded: ${String(e)}`, {
        hint: 'Reinstall eID Bridge; on Linux the PC/SC library is needed: sudo apt-get install libpcsclite1 pcscd',
      }, { cause: e });
    }
    let raw: RawPcsc;
    try {
      raw = factory();
    } catch (e) {
      const error = pcscError(e, { during: 'context' });
      if (error.code === 'PCSC_UNAVAILABLE') throw error;
      throw new EidBridgeError('PCSC_UNAVAILABLE', error.message, { hint: PCSC_UNAVAILABLE_HINT }, { cause: e });
    }
    const context = new PcscContext(raw, options);
    try {
      await context.waitUntil(() => context.listed && [...context.entries.values()].every((e) => e.statusSeen), options.timeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS);
    } catch (e) {
      // Listed, but a reader has not told its state yet: go on; it shows as empty until it does.
      if (e instanceof EidBridgeError && e.code === 'TIMEOUT' && context.listed) return context;
      context.close();
      if (e instanceof EidBridgeError && e.code === 'TIMEOUT') {
        throw new EidBridgeError('PCSC_UNAVAILABLE', 'The PC/SC service did not list the readers in time', { hint: PCSC_UNAVAILABLE_HINT });
      }
      throw e;
    }
    return context;
  }

  /** Whether the service connection still works (it fails when pcscd stops). */
  get usable(): boolean {
    return !this.closed && this.failure === undefined;
  }

  readers(): ReaderState[] {
    this.assertUsable();
    return [...this.entries.values()].map((e) => ({ ...e.state }));
  }

  reader(name: string): ReaderState | undefined {
    const entry = this.entries.get(name);
    return entry ? { ...entry.state } : undefined;
  }

  /** Subscribes to reader and card events; returns the unsubscribe function. */
  on(listener: (event: PcscEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects to the card in `readerName`, after earlier operations on that
   * reader have finished. The caller must call `disconnect()` when done;
   * `withCard` does so itself.
   */
  async connect(readerName: string, options: ConnectOptions = {}): Promise<CardConnection> {
    try {
      return await this.connectOnce(readerName, options);
    } catch (e) {
      throw e instanceof EidBridgeError ? await this.unlessServiceStopped(e) : e;
    }
  }

  private async connectOnce(readerName: string, options: ConnectOptions): Promise<CardConnection> {
    this.assertUsable();
    const entry = this.entryFor(readerName);
    const release = await this.acquire(entry, options.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS, options.signal);
    try {
      // Right after pcscd (re)starts it can list a card as present before it has its ATR; without an ATR
      // the card cannot be recognised (it would be taken for an unsupported one).
      if (entry.state.cardPresent && !entry.state.atr) {
        await this.waitUntil(() => entry.removed || !entry.state.cardPresent || entry.state.atr !== undefined, ATR_SETTLE_MS).catch(() => undefined);
      }
      this.assertUsable();
      const absent = absence(entry, readerName);
      if (absent) throw absent;
      if (!entry.state.atr) throw new EidBridgeError('CARD_ERROR', `The card in "${readerName}" does not respond; take it out and insert it again`);
      const raw = entry.raw;
      if (raw.connected) await this.rawDisconnect(entry, raw.SCARD_RESET_CARD).catch(() => undefined);
      const access = options.access ?? 'shared';
      const insertion = entry.insertion;
      const started = Date.now();
      const deadline = started + (options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      let exclusive = access !== 'shared';
      let protocol: number;
      for (;;) {
        try {
          const shareMode = exclusive ? raw.SCARD_SHARE_EXCLUSIVE : raw.SCARD_SHARE_SHARED;
          protocol = await bounded<number>(
            (resolve, reject) =>
              raw.connect({ share_mode: shareMode, protocol: raw.SCARD_PROTOCOL_T0 | raw.SCARD_PROTOCOL_T1 }, (err, p) => {
                if (!err && Number.isInteger(p) && p > 0) return resolve(p);
                // A connect that reports success without a protocol came as pcscd stopped (the next call would fail in the binding).
                const fallback = err
                  ? pcscError(err, { reader: readerName, during: 'connect' })
                  : new EidBridgeError('CARD_ERROR', `The card in "${readerName}" did not connect; take it out and insert it again`);
                if (err && !mayMeanSomethingWentAway(scardCodeOf(err))) return reject(fallback);
                void this.settleFailure(() => absence(entry, readerName), fallback).then(reject, reject);
              }),
            {
              timeoutMs: Math.max(1, deadline - Date.now()),
              timeoutMessage: `Connecting to the card in "${readerName}" took too long`,
              ...(options.signal ? { signal: options.signal } : {}),
            },
          );
          break;
        } catch (e) {
          // Another program holds the card (exclusively, or open while we want it alone): wait a
          // moment and try again, as its operation is usually short.
          if (!isEidBridgeError(e, 'BUSY') || Date.now() + SHARING_RETRY_MS >= deadline) throw e;
          if (access === 'exclusive-if-free' && Date.now() - started >= EXCLUSIVE_WAIT_MS) exclusive = false;
          await new Promise((r) => setTimeout(r, SHARING_RETRY_MS));
          if (options.signal?.aborted) throw abortError(options.signal);
        }
      }
      const atr = entry.state.atr ?? new Uint8Array();
      const name = protocol === raw.SCARD_PROTOCOL_T0 ? 'T=0' : protocol === raw.SCARD_PROTOCOL_T1 ? 'T=1' : 'other';
      return new PcscCardConnection(this, entry, readerName, atr, protocol, name, insertion, release);
    } catch (e) {
      release();
      throw e;
    }
  }

  /** Connects, runs `operation`, and always releases the card afterwards. */
  async withCard<T>(readerName: string, operation: (connection: CardConnection) => Promise<T>, options: ConnectOptions = {}): Promise<T> {
    const connection = await this.connect(readerName, options);
    try {
      return await operation(connection);
    } finally {
      await connection.disconnect();
    }
  }

  /** Waits until a card is in `readerName` (bounded). */
  async waitForCard(readerName: string, timeoutMs: number): Promise<ReaderState> {
    this.assertUsable();
    const entry = this.entryFor(readerName);
    await this.waitUntil(() => entry.state.cardPresent || entry.removed, timeoutMs);
    if (entry.removed) throw new EidBridgeError('READER_REMOVED', `The card reader "${readerName}" was removed`);
    return { ...entry.state };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.values()) {
      entry.raw.removeAllListeners();
      // Absorb late errors from the binding's status thread.
      entry.raw.on('error', () => undefined);
      try {
        entry.raw.close();
      } catch {
        // Already closed by the binding.
      }
    }
    this.raw.removeAllListeners();
    this.raw.on('error', () => undefined);
    try {
      this.raw.close();
    } catch {
      // Already closed.
    }
    this.notifyChange();
  }

  // ---- internals ----

  /** @internal */
  emit(event: PcscEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (e) {
        console.error('PC/SC event listener failed:', e);
      }
    }
  }

  /** @internal */
  assertUsable(): void {
    if (this.closed) throw new EidBridgeError('PCSC_UNAVAILABLE', 'The PC/SC context is closed');
    if (this.failure) throw this.failure;
  }

  /**
   * @internal What an ambiguous failure meant: waits up to REMOVAL_SETTLE_MS for
   * `gone` to name the card or reader gone, or for the service to fail, and
   * answers that error; `fallback` when neither came.
   */
  async settleFailure(gone: () => EidBridgeError | undefined, fallback: EidBridgeError): Promise<EidBridgeError> {
    try {
      await this.waitUntil(() => gone() !== undefined, REMOVAL_SETTLE_MS);
    } catch (e) {
      if (isEidBridgeError(e, 'PCSC_UNAVAILABLE')) return e;
    }
    return gone() ?? fallback;
  }

  /**
   * @internal `error`, unless it is READER_REMOVED and the service fails within
   * READER_SETTLE_MS: pcscd stopping drops its readers a moment before the
   * service itself is gone, and "the reader was removed" would send the person
   * to a cable that is fine.
   */
  async unlessServiceStopped(error: EidBridgeError): Promise<EidBridgeError> {
    if (error.code !== 'READER_REMOVED') return error;
    try {
      await this.waitUntil(() => false, READER_SETTLE_MS);
    } catch (e) {
      if (isEidBridgeError(e, 'PCSC_UNAVAILABLE')) return e;
    }
    return error;
  }

  /** @internal Resolves when `condition` holds; rejects with TIMEOUT after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    let waiter: (() => void) | undefined;
    return bounded<void>(
      (resolve, reject) => {
        waiter = () => {
          if (this.closed) reject(new EidBridgeError('PCSC_UNAVAILABLE', 'The PC/SC context is closed'));
          else if (this.failure) reject(this.failure);
          else if (condition()) resolve();
        };
        this.changeWaiters.add(waiter);
        waiter();
      },
      {
        timeoutMs,
        timeoutMessage: 'The card reader did not answer in time',
        ...(signal ? { signal } : {}),
        onEnd: () => {
          if (waiter) this.changeWaiters.delete(waiter);
        },
      },
    );
  }

  /** @internal */
  rawDisconnect(entry: ReaderEntry, disposition: number): Promise<void> {
    return bounded<void>(
      (resolve, reject) => entry.raw.disconnect(disposition, (err) => (err ? reject(err) : resolve())),
      { timeoutMs: DISCONNECT_TIMEOUT_MS, timeoutMessage: 'Releasing the card took too long' },
    );
  }

  private notifyChange(): void {
    for (const waiter of [...this.changeWaiters]) waiter();
  }

  private fail(error: unknown): void {
    if (this.closed || this.failure) return;
    const mapped = pcscError(error, { during: 'context' });
    this.failure =
      mapped.code === 'PCSC_UNAVAILABLE'
        ? mapped
        : new EidBridgeError('PCSC_UNAVAILABLE', `The PC/SC service failed: ${mapped.message}`, { hint: PCSC_UNAVAILABLE_HINT });
    this.emit({ type: 'error', error: this.failure });
    this.notifyChange();
  }

  private entryFor(readerName: string): ReaderEntry {
    const entry = this.entries.get(readerName);
    if (entry) return entry;
    if (this.seenReaders.has(readerName)) {
      throw new EidBridgeError('READER_REMOVED', `The card reader "${readerName}" was removed`);
    }
    throw new EidBridgeError(
      'NO_READER',
      this.entries.size === 0 ? 'No card reader is connected' : `There is no card reader named "${readerName}"`,
    );
  }

  private addReader(raw: RawReader): void {
    const name = raw.name;
    const entry: ReaderEntry = {
      raw,
      state: { name, cardPresent: false, atr: undefined, mute: false, exclusive: false, insertion: 0 },
      statusSeen: false,
      insertion: 0,
      eventCounter: -1,
      busy: false,
      queue: [],
      removed: false,
    };
    this.entries.set(name, entry);
    this.seenReaders.add(name);
    raw.on('error', (error) => {
      // The reader's status thread stopped: the service went away or the reader did.
      const code = scardCodeOf(error);
      if (code !== undefined && pcscError(error, { during: 'context' }).code === 'PCSC_UNAVAILABLE') this.fail(error);
      entry.statusSeen = true;
      this.notifyChange();
    });
    raw.on('status', (status) => this.onStatus(entry, status));
    raw.on('end', () => {
      entry.removed = true;
      const hadCard = entry.state.cardPresent;
      entry.state = { ...entry.state, cardPresent: false, atr: undefined };
      this.entries.delete(name);
      if (hadCard) this.emit({ type: 'card-removed', reader: name });
      this.emit({ type: 'reader-removed', reader: name });
      this.notifyChange();
    });
    this.emit({ type: 'reader-added', reader: name });
    this.notifyChange();
  }

  private onStatus(entry: ReaderEntry, status: RawStatus): void {
    const state = status.state >>> 0;
    const present = (state & SCARD_STATE.PRESENT) !== 0 && (state & SCARD_STATE.EMPTY) === 0;
    const counter = state >>> 16;
    const wasPresent = entry.state.cardPresent;
    const swapped = wasPresent && present && entry.eventCounter >= 0 && counter !== entry.eventCounter && counter !== 0;
    entry.eventCounter = counter;
    const atr = present && status.atr && status.atr.length > 0 ? new Uint8Array(status.atr) : undefined;
    if ((present && !wasPresent) || swapped) entry.insertion += 1;
    entry.state = {
      name: entry.state.name,
      cardPresent: present,
      atr,
      mute: (state & SCARD_STATE.MUTE) !== 0,
      exclusive: (state & SCARD_STATE.EXCLUSIVE) !== 0,
      insertion: entry.insertion,
    };
    entry.statusSeen = true;
    if (wasPresent && (!present || swapped)) this.emit({ type: 'card-removed', reader: entry.state.name });
    if (present && (!wasPresent || swapped)) this.emit({ type: 'card-inserted', reader: entry.state.name, atr: atr ?? new Uint8Array() });
    this.notifyChange();
  }

  private acquire(entry: ReaderEntry, timeoutMs: number, signal?: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = entry.queue.shift();
      if (next) next();
      else entry.busy = false;
    };
    if (!entry.busy) {
      entry.busy = true;
      return Promise.resolve(release);
    }
    let turn: (() => void) | undefined;
    let granted = false;
    return bounded<() => void>(
      (resolve) => {
        turn = () => {
          granted = true;
          resolve(release);
        };
        entry.queue.push(turn);
      },
      {
        timeoutMs,
        timeoutMessage: `The card reader "${entry.state.name}" stayed busy with another request`,
        ...(signal ? { signal } : {}),
        onEnd: () => {
          if (granted || !turn) return;
          const i = entry.queue.indexOf(turn);
          if (i >= 0) entry.queue.splice(i, 1);
        },
      },
    ).catch((e: unknown) => {
      // The turn may have come at the same moment the wait gave up: pass it on.
      if (granted) release();
      throw e;
    });
  }
}

/** READER_REMOVED or NO_CARD when the reader or its card is gone; undefined while the card is there. */
function absence(entry: ReaderEntry, readerName: string): EidBridgeError | undefined {
  if (entry.removed) return new EidBridgeError('READER_REMOVED', `The card reader "${readerName}" was removed`);
  if (!entry.state.cardPresent) return new EidBridgeError('NO_CARD', `There is no card in "${readerName}"`);
  return undefined;
}

class PcscCardConnection implements CardConnection {
  private released = false;
  private broken: EidBridgeError | undefined;

  constructor(
    private readonly context: PcscContext,
    private readonly entry: ReaderEntry,
    readonly reader: string,
    readonly atr: Uint8Array,
    private readonly rawProtocol: number,
    readonly protocol: 'T=0' | 'T=1' | 'other',
    private readonly insertion: number,
    private readonly release: () => void,
  ) {}

  transmit(apdu: Uint8Array, options: IoOptions = {}): Promise<Uint8Array> {
    // The binding copies the command before it returns; our copy may hold a
    // PIN block, so it is zeroed right away.
    return this.io('transmit', options.timeoutMs ?? this.context.transmitTimeoutMs, options.signal, (cb) => {
      const command = Buffer.from(apdu);
      try {
        this.entry.raw.transmit(command, MAX_RESPONSE, this.rawProtocol, cb);
      } finally {
        command.fill(0);
      }
    });
  }

  control(code: number, data: Uint8Array, options: IoOptions = {}): Promise<Uint8Array> {
    // The binding reads this buffer from its worker thread without keeping a
    // reference: hold it here until the call completes, then zero it.
    return this.io('control', options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS, options.signal, (cb) => {
      const input = Buffer.from(data);
      this.entry.raw.control(input, code, MAX_RESPONSE, (err, reply) => {
        input.fill(0);
        cb(err, reply);
      });
    });
  }

  async features(): Promise<ReaderFeatures> {
    if (this.entry.features) return this.entry.features;
    const features = new Map<number, number>();
    try {
      const reply = await this.control(this.entry.raw.SCARD_CTL_CODE(GET_FEATURE_REQUEST), new Uint8Array(), { timeoutMs: 3000 });
      // TLV list: tag, length 4, control code as 32-bit big-endian (PC/SC part 10).
      for (let i = 0; i + 2 <= reply.length; ) {
        const tag = reply[i]!;
        const length = reply[i + 1]!;
        if (length === 4 && i + 6 <= reply.length) {
          features.set(tag, ((reply[i + 2]! << 24) | (reply[i + 3]! << 16) | (reply[i + 4]! << 8) | reply[i + 5]!) >>> 0);
        }
        i += 2 + length;
      }
    } catch (e) {
      // Readers without part 10 support refuse the request: no features. A removed card is still an error.
      if (e instanceof EidBridgeError && (e.code === 'CARD_REMOVED' || e.code === 'READER_REMOVED' || e.code === 'PCSC_UNAVAILABLE')) throw e;
    }
    this.entry.features = features;
    return features;
  }

  async disconnect(disposition: 'leave' | 'reset' = 'leave'): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      const raw = this.entry.raw;
      if (!this.entry.removed) await this.context.rawDisconnect(this.entry, disposition === 'reset' ? raw.SCARD_RESET_CARD : raw.SCARD_LEAVE_CARD);
    } catch {
      // The card or reader is gone; there is nothing left to release.
    } finally {
      this.release();
    }
  }

  private cardGone(): boolean {
    return this.entry.removed || !this.entry.state.cardPresent || this.entry.insertion !== this.insertion;
  }

  private goneError(): EidBridgeError {
    return this.entry.removed
      ? new EidBridgeError('READER_REMOVED', `The card reader "${this.reader}" was removed`)
      : new EidBridgeError('CARD_REMOVED', `The card was removed from "${this.reader}"`);
  }

  private async io(
    during: 'transmit' | 'control',
    timeoutMs: number,
    signal: AbortSignal | undefined,
    call: (cb: (err: unknown, data: Buffer) => void) => void,
  ): Promise<Uint8Array> {
    if (this.released) throw new EidBridgeError('INTERNAL_ERROR', 'The card connection was already released');
    if (this.broken) throw this.broken;
    this.context.assertUsable();
    if (this.cardGone()) throw (this.broken = this.goneError());
    let unsubscribe: (() => void) | undefined;
    try {
      return await bounded<Uint8Array>(
        (resolve, reject) => {
          unsubscribe = this.context.on((event) => {
            if ((event.type === 'card-removed' || event.type === 'reader-removed') && event.reader === this.reader) reject(this.goneError());
            if (event.type === 'error') reject(event.error);
          });
          call((err, data) => {
            // vpcd answers an exchange cut off by the card's removal with no bytes at all.
            if (!err && (during === 'control' || data.length >= 2)) return resolve(new Uint8Array(data));
            void this.classify(err ?? new Error(`The card gave a malformed answer (${data.length} bytes)`), during).then(reject, reject);
          });
        },
        {
          timeoutMs,
          timeoutMessage: `The card in "${this.reader}" did not answer in time`,
          ...(signal ? { signal } : {}),
          onEnd: () => unsubscribe?.(),
        },
      );
    } catch (e) {
      const error = await this.context.unlessServiceStopped(e instanceof EidBridgeError ? e : pcscError(e, { reader: this.reader, during }));
      // After a timeout or removal the card state is unknown: refuse further APDUs on this connection.
      if (['TIMEOUT', 'CARD_REMOVED', 'READER_REMOVED', 'PCSC_UNAVAILABLE'].includes(error.code)) this.broken = error;
      throw error;
    }
  }

  /**
   * A failed exchange right when the card is pulled out often reports a
   * communication error first, and one cut off by pcscd stopping "Access denied".
   */
  private async classify(err: unknown, during: 'transmit' | 'control'): Promise<EidBridgeError> {
    const code = scardCodeOf(err);
    const fallback =
      code === undefined && err instanceof Error
        ? new EidBridgeError('CARD_ERROR', `${err.message} (reader "${this.reader}")`, {}, { cause: err })
        : pcscError(err, { reader: this.reader, during });
    if (!mayMeanSomethingWentAway(code)) return fallback;
    return this.context.settleFailure(() => (this.cardGone() ? this.goneError() : undefined), fallback);
  }
}

/** Virtual readers of vsmartcard's vpcd ("Virtual PCD 00 00"): only ever an emulated card. */
export function isVirtualReader(name: string): boolean {
  return /^Virtual PCD\b/.test(name);
}
