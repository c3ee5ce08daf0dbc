/**
 * The 'pcsc' card backend: Belgian eID cards over PC/SC with our own BELPIC
 * driver, no middleware. Each operation connects, does its work and releases
 * the card (SCARD_LEAVE_CARD); operations on one reader run one after the
 * other (the PC/SC module queues them). An operation holds the card alone when
 * no other program has it open (our binding offers no PC/SC transactions, and
 * a SELECT or VERIFY from another program between our MSE SET and PSO would
 * spoil a signature); otherwise it shares the card.
 */
import { EidBridgeError, isEidBridgeError } from '../../../shared/errors.js';
import type { BackendStatus, ReaderStatus } from '../../../shared/protocol.js';
import type { ApduTransport } from '../belpic/apdu.js';
import { BelpicCard, type BelpicCardInfo, type BelpicCardOptions, type IdentityFiles } from '../belpic/card.js';
import { processCardCache, type BelpicCardCache } from '../belpic/certificate-cache.js';
import type { PinPadLanguage } from '../belpic/pin.js';
import { FEATURE_MODIFY_PIN_DIRECT, FEATURE_VERIFY_PIN_DIRECT, isVirtualReader, PcscContext, type CardConnection, type ConnectOptions, type ReaderState } from '../pcsc/pcsc.js';
import type { CardBackend, PinChangingBackend, SignOperation, TokenCertificate } from './card-backend.js';

export const PCSC_TOKEN_PREFIX = 'pcsc:';
export const BELPIC_TOKEN_LABEL = 'BELPIC';
/** How long a status query waits for a reader busy with another request. */
const READERS_QUEUE_TIMEOUT_MS = 1500;
/** See the file comment: alone when possible. */
const ACCESS = 'exclusive-if-free' as const;

export interface PcscBackendOptions {
  /** Opens the PC/SC context (default: PcscContext.open()). */
  openContext?: () => Promise<PcscContext>;
  /** Which readers this backend looks at (default: all). */
  readerFilter?: (name: string) => boolean;
  /** Certificates and document types already read, per chip serial (default: one per process). */
  cache?: BelpicCardCache;
  /** Language of PIN-pad prompts. */
  language?: PinPadLanguage;
}

export interface CardIdentityFiles {
  reader: string;
  tokenId: string;
  cardType: string;
  virtual: boolean;
  files: IdentityFiles;
}

function transportOf(connection: CardConnection, signal?: AbortSignal): ApduTransport {
  return { atr: connection.atr, transmit: (apdu) => connection.transmit(apdu, signal ? { signal } : {}) };
}

export class PcscBackend implements CardBackend, PinChangingBackend {
  readonly name = 'pcsc' as const;
  private context: PcscContext | undefined;
  private opening: Promise<PcscContext> | undefined;
  private readonly cache: BelpicCardCache;
  /** The last full status of each reader, for when the reader is busy. */
  private readonly lastSeen = new Map<string, { insertion: number; status: ReaderStatus }>();
  /**
   * The card GET CARD DATA last identified in each reader, and the reader's
   * insertion count read before that connection: while the count is the same,
   * the same card is in the reader, so signing right after a certificate
   * listing needs no second card check.
   */
  private readonly identified = new Map<string, { insertion: number; info: BelpicCardInfo }>();

  constructor(private readonly options: PcscBackendOptions = {}) {
    this.cache = options.cache ?? processCardCache;
  }

  async status(): Promise<BackendStatus> {
    try {
      await this.pcsc();
      return { name: this.name, available: true };
    } catch (e) {
      const error = isEidBridgeError(e) ? e : new EidBridgeError('PCSC_UNAVAILABLE', String(e), {}, { cause: e });
      return { name: this.name, available: false, reason: error.code, detail: [error.message, error.details.hint].filter(Boolean).join('. ') };
    }
  }

  async readers(): Promise<ReaderStatus[]> {
    const context = await this.pcsc();
    const out: ReaderStatus[] = [];
    for (const reader of this.readerStates(context)) {
      const status: ReaderStatus = { name: reader.name, backend: this.name, cardPresent: reader.cardPresent, pinPad: false };
      if (isVirtualReader(reader.name)) status.virtual = true;
      if (reader.cardPresent) {
        try {
          // A reader busy with another request (a PIN typed on the pad) answers from what
          // was last seen of the same inserted card instead of waiting for it.
          await context.withCard(reader.name, async (connection) => {
            status.pinPad = (await connection.features()).has(FEATURE_VERIFY_PIN_DIRECT);
            const card = await BelpicCard.open(transportOf(connection), this.cardOptions());
            status.tokenId = PCSC_TOKEN_PREFIX + card.info.serialHex;
            status.tokenLabel = BELPIC_TOKEN_LABEL;
            status.cardType = await card.cardType();
            const tries = await card.pinTriesLeft();
            if (tries !== undefined) status.pinTriesLeft = tries;
          }, { queueTimeoutMs: READERS_QUEUE_TIMEOUT_MS, access: ACCESS });
          this.lastSeen.set(reader.name, { insertion: reader.insertion, status: { ...status } });
        } catch (e) {
          const last = this.lastSeen.get(reader.name);
          if ((isEidBridgeError(e, 'TIMEOUT') || isEidBridgeError(e, 'BUSY')) && last?.insertion === reader.insertion) Object.assign(status, last.status);
          else if (isEidBridgeError(e, 'UNSUPPORTED_CARD')) status.cardType = 'unsupported card';
          else if (isEidBridgeError(e, 'CARD_REMOVED') || isEidBridgeError(e, 'NO_CARD')) status.cardPresent = false;
          else if (isEidBridgeError(e, 'PCSC_UNAVAILABLE')) throw e;
          // Other card trouble: the reader is still listed, without card details.
        }
      }
      out.push(status);
    }
    return out;
  }

  async certificates(): Promise<TokenCertificate[]> {
    const context = await this.pcsc();
    const readers = this.readerStates(context);
    if (readers.length === 0) throw new EidBridgeError('NO_READER', 'No card reader is connected');
    const withCard = readers.filter((r) => r.cardPresent);
    if (withCard.length === 0) throw new EidBridgeError('NO_CARD', 'There is no card in the reader');
    const found: TokenCertificate[] = [];
    const failures: EidBridgeError[] = [];
    for (const reader of withCard) {
      try {
        await context.withCard(reader.name, async (connection) => {
          const card = await BelpicCard.open(transportOf(connection), this.cardOptions());
          this.identified.set(reader.name, { insertion: reader.insertion, info: card.info });
          const certificates = await card.certificates();
          const tokenId = PCSC_TOKEN_PREFIX + card.info.serialHex;
          const base = { tokenId, tokenLabel: BELPIC_TOKEN_LABEL, reader: reader.name };
          if (certificates.authentication) found.push({ ...base, usage: 'authentication', der: certificates.authentication, keyRef: '82' });
          if (certificates.signing) found.push({ ...base, usage: 'signing', der: certificates.signing, keyRef: '83' });
        }, { access: ACCESS });
      } catch (e) {
        failures.push(isEidBridgeError(e) ? e : new EidBridgeError('INTERNAL_ERROR', String(e), {}, { cause: e }));
      }
    }
    if (found.length === 0 && failures.length > 0) throw failures[0]!;
    return found;
  }

  async sign(op: SignOperation): Promise<Uint8Array> {
    const { certificate } = op;
    if (!certificate.tokenId.startsWith(PCSC_TOKEN_PREFIX)) {
      throw new EidBridgeError('INTERNAL_ERROR', `Token ${certificate.tokenId} is not a PC/SC card`);
    }
    const key = certificate.keyRef === '83' || certificate.usage === 'signing' ? 'signing' : 'authentication';
    const context = await this.pcsc();
    return context.withCard(
      certificate.reader,
      async (connection) => {
        // Read after connecting: a card swapped after this point fails the connection's next command (CARD_REMOVED).
        const insertion = context.reader(certificate.reader)?.insertion;
        const identified = this.identified.get(certificate.reader);
        const known = identified && identified.insertion === insertion && PCSC_TOKEN_PREFIX + identified.info.serialHex === certificate.tokenId ? identified.info : undefined;
        const card = await this.openCard(connection, op.signal, op.pin === undefined, known);
        if (PCSC_TOKEN_PREFIX + card.info.serialHex !== certificate.tokenId) {
          throw new EidBridgeError('CARD_REMOVED', 'The card holding this certificate is no longer in the reader');
        }
        try {
          return await card.sign(key, op.digest, op.digestAlgorithm, op.pin);
        } finally {
          // Leave no verified PIN behind on a card other applications share: the reset on
          // release clears the card's security state, without a LOG OFF command. Not awaited:
          // the answer need not wait for it, and the next operation on the reader queues behind it.
          void connection.disconnect('reset');
        }
      },
      this.connectOptions(op.signal),
    );
  }

  /**
   * Changes the PIN. Both PINs are ASCII digit bytes (the caller zeroes them),
   * or both undefined to have them typed on a PIN-pad reader.
   */
  async changePin(op: { reader?: string; currentPin: Uint8Array | undefined; newPin: Uint8Array | undefined; signal?: AbortSignal }): Promise<void> {
    const { currentPin, newPin } = op;
    const context = await this.pcsc();
    const reader = this.pickReader(context, op.reader);
    await context.withCard(
      reader,
      async (connection) => {
        const onPad = !currentPin || !newPin;
        const card = await this.openCard(connection, op.signal, onPad);
        try {
          if (currentPin && newPin) await card.changePin(currentPin, newPin);
          else await card.changePinOnPad();
        } finally {
          await card.logOff().catch(() => undefined);
        }
      },
      this.connectOptions(op.signal),
    );
  }

  /** PIN tries left, when the card tells without spending one (not on V1.1 cards). */
  async pinTriesLeft(reader?: string): Promise<number | undefined> {
    const context = await this.pcsc();
    return context.withCard(
      this.pickReader(context, reader),
      async (connection) => {
        const card = await this.openCard(connection, undefined, false);
        return card.pinTriesLeft();
      },
      this.connectOptions(undefined),
    );
  }

  /**
   * The raw identity files of the card in `reader` (or the first card): 4031–4034,
   * 4035 when `photo`, 4040 on 1.8, and the RRN certificate 503C (trimmed).
   */
  async readIdentityFiles(reader?: string, options: { photo?: boolean; signal?: AbortSignal } = {}): Promise<CardIdentityFiles> {
    const context = await this.pcsc();
    const name = this.pickReader(context, reader);
    return context.withCard(
      name,
      async (connection) => {
        const card = await this.openCard(connection, options.signal, false);
        const files = await card.readIdentityFiles({ photo: options.photo ?? false });
        return {
          reader: name,
          tokenId: PCSC_TOKEN_PREFIX + card.info.serialHex,
          cardType: await card.cardType(),
          virtual: isVirtualReader(name),
          files,
        };
      },
      this.connectOptions(options.signal),
    );
  }

  async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    context?.close();
  }

  // ---- internals ----

  private connectOptions(signal: AbortSignal | undefined): ConnectOptions {
    return signal ? { access: ACCESS, signal } : { access: ACCESS };
  }

  private cardOptions(): BelpicCardOptions {
    return { cache: this.cache, ...(this.options.language ? { language: this.options.language } : {}) };
  }

  /** Opens the card with GET CARD DATA, or takes it as `known` when the caller has made sure it is the same card. */
  private async openCard(connection: CardConnection, signal: AbortSignal | undefined, pinPadWanted: boolean, known?: BelpicCardInfo): Promise<BelpicCard> {
    const options = this.cardOptions();
    if (pinPadWanted) {
      const features = await connection.features();
      const verify = features.get(FEATURE_VERIFY_PIN_DIRECT);
      const modify = features.get(FEATURE_MODIFY_PIN_DIRECT);
      const io = signal ? { signal } : {};
      if (verify !== undefined) {
        options.pinPad = { verifyPinDirect: (structure) => connection.control(verify, structure, io) };
        if (modify !== undefined) options.pinPad.modifyPinDirect = (structure) => connection.control(modify, structure, io);
      }
    }
    return known ? BelpicCard.known(transportOf(connection, signal), known, options) : BelpicCard.open(transportOf(connection, signal), options);
  }

  private readerStates(context: PcscContext): ReaderState[] {
    const filter = this.options.readerFilter;
    return context.readers().filter((r) => !filter || filter(r.name));
  }

  /** The named reader, or the first one holding a card. */
  private pickReader(context: PcscContext, wanted: string | undefined): string {
    const readers = this.readerStates(context);
    if (wanted !== undefined) {
      if (!readers.some((r) => r.name === wanted)) throw new EidBridgeError('NO_READER', `There is no card reader named "${wanted}"`);
      return wanted;
    }
    if (readers.length === 0) throw new EidBridgeError('NO_READER', 'No card reader is connected');
    const withCard = readers.find((r) => r.cardPresent);
    if (!withCard) throw new EidBridgeError('NO_CARD', 'There is no card in the reader');
    return withCard.name;
  }

  /** The open PC/SC context; reopened after the service went away. */
  private async pcsc(): Promise<PcscContext> {
    if (this.context?.usable) return this.context;
    if (this.context) {
      this.context.close();
      this.context = undefined;
    }
    if (!this.opening) {
      const open = this.options.openContext ?? (() => PcscContext.open());
      this.opening = open().finally(() => {
        this.opening = undefined;
      });
    }
    this.context = await this.opening;
    return this.context;
  }
}
