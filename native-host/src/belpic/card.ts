/**
 * The BELPIC card driver: recognises the card, reads certificates and identity
 * files, checks and changes the PIN, and signs with the authentication (0x82)
 * or signature (0x83) key. It speaks APDUs over any ApduTransport, so it runs
 * the same over PC/SC and over the in-process card emulator.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import { decodeBelpicTlv } from '../../../shared/tlv.js';
import type { DigestAlgorithm } from '../backends/card-backend.js';
import { apdu, exchange, hex, statusError, type ApduTransport, type ExchangeOptions } from './apdu.js';
import { processCardCache, type BelpicCardCache } from './certificate-cache.js';
import {
  BELPIC_AID,
  CARD_DATA,
  DIGEST_LENGTHS,
  DOCUMENT_TYPE_EID,
  DOCUMENT_TYPE_KIDS,
  FILES,
  filePath,
  INS,
  KEY_REF,
  PIN_MAX_TRIES,
  PIN_REFERENCE,
  SW,
  type BelpicFile,
} from '../../../shared/belpic/card-constants.js';
import {
  generationsWithAtr,
  generationWithAppletVersion,
  hasFile,
  signatureInput,
  type CardGeneration,
  type CardGenerationName,
} from '../../../shared/belpic/card-generations.js';
import { encodePinBlock } from '../../../shared/belpic/pin-block.js';
import { IDENTITY_TAG } from '../../../shared/identity-parse.js';
import { readCertificateFile, readFileIfPresent } from './files.js';
import { checkPinStatus, modifyPinStructure, verifyPinStructure, type PinPadLanguage } from './pin.js';

export type BelpicGeneration = CardGenerationName;
export type BelpicKey = 'authentication' | 'signing';
/** The digests the host signs, whatever the backend. */
export type BelpicDigestAlgorithm = DigestAlgorithm;
export type DocumentKind = 'eID' | 'Kids-ID' | 'foreigner card' | 'other';

export interface BelpicCardInfo {
  /** Chip serial number (GET CARD DATA bytes 0–15, identity tag 02). */
  serial: Uint8Array;
  serialHex: string;
  /** GET CARD DATA byte 21: 0x11, 0x17, 0x18, ... */
  appletVersion: number;
  generation: BelpicGeneration;
  keyType: 'RSA' | 'EC';
  /** Everything else this applet version decides, from shared/belpic/card-generations.ts. */
  generationFacts: CardGeneration;
  /** The raw GET CARD DATA answer. */
  cardData: Uint8Array;
}

export interface BelpicCertificates {
  authentication?: Uint8Array;
  /** Absent on a Kids-ID. */
  signing?: Uint8Array;
  ca?: Uint8Array;
  root?: Uint8Array;
}

/** The reader's secure PIN entry (PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT). */
export interface PinPad {
  /** Sends a PIN_VERIFY_STRUCTURE; answers the card's response (SW1 SW2). */
  verifyPinDirect(structure: Uint8Array): Promise<Uint8Array>;
  /** Sends a PIN_MODIFY_STRUCTURE (FEATURE_MODIFY_PIN_DIRECT), when the reader offers it. */
  modifyPinDirect?(structure: Uint8Array): Promise<Uint8Array>;
}

export interface BelpicCardOptions extends ExchangeOptions {
  cache?: BelpicCardCache;
  pinPad?: PinPad;
  /** Language of the PIN-pad prompt. */
  language?: PinPadLanguage;
}

/** Identity files by file id ('4031', '4032', ..., '503C'): bytes as stored, certificates trimmed. */
export type IdentityFiles = Record<string, Uint8Array>;

/** The certificate cache's key for the document type of a card. */
const DOCUMENT_TYPE_CACHE_KEY = 'documentType';

function unsupported(atr: Uint8Array, why: string): EidBridgeError {
  return new EidBridgeError('UNSUPPORTED_CARD', `This is not a Belgian eID card (${why})`, { atr: hex(atr) });
}

export function documentKind(documentType: number | undefined): DocumentKind {
  if (documentType === DOCUMENT_TYPE_EID) return 'eID';
  if (documentType === DOCUMENT_TYPE_KIDS) return 'Kids-ID';
  if (documentType !== undefined && ((documentType >= 11 && documentType <= 36) || (documentType >= 61 && documentType <= 69))) {
    return 'foreigner card';
  }
  return 'other';
}

/** SELECT of the BELPIC applet by AID, for a card where another application was left selected; answers the status word. */
async function selectBelpicApplet(transport: ApduTransport, options: ExchangeOptions): Promise<number> {
  return (await exchange(transport, apdu(0x00, INS.SELECT, 0x04, 0x0c, BELPIC_AID), options)).sw;
}

export class BelpicCard {
  private readonly cache: BelpicCardCache;

  private constructor(
    private readonly transport: ApduTransport,
    readonly info: BelpicCardInfo,
    private readonly options: BelpicCardOptions,
  ) {
    this.cache = options.cache ?? processCardCache;
  }

  /**
   * Recognises the card by its ATR and confirms with GET CARD DATA (applet
   * version). Anything else: UNSUPPORTED_CARD with the ATR in hex.
   */
  static async open(transport: ApduTransport, options: BelpicCardOptions = {}): Promise<BelpicCard> {
    const atr = transport.atr;
    const candidates = generationsWithAtr(atr);
    if (candidates.length === 0) throw unsupported(atr, 'unknown ATR');
    // Generations that share an ATR share the way GET CARD DATA is asked.
    const command = candidates[0]!.cardData.command;
    let r = await exchange(transport, command, options);
    if (r.sw === SW.INS_NOT_SUPPORTED || r.sw === SW.CLA_NOT_SUPPORTED) {
      // Another application left another applet selected: select BELPIC again.
      const sw = await selectBelpicApplet(transport, options);
      if (sw !== SW.OK) throw unsupported(atr, `the BELPIC applet cannot be selected (${sw.toString(16)})`);
      r = await exchange(transport, command, options);
    }
    if (r.sw !== SW.OK || r.data.length < CARD_DATA.length) throw unsupported(atr, `GET CARD DATA answered ${r.sw.toString(16)}`);
    const version = r.data[CARD_DATA.appletVersion]!;
    const generation = generationWithAppletVersion(candidates, version);
    if (!generation) throw unsupported(atr, `applet version 0x${version.toString(16)}`);
    const serial = r.data.slice(CARD_DATA.serialOffset, CARD_DATA.serialOffset + CARD_DATA.serialLength);
    return new BelpicCard(
      transport,
      {
        serial,
        serialHex: hex(serial),
        appletVersion: version,
        generation: generation.name,
        keyType: generation.key.type,
        generationFacts: generation,
        cardData: r.data.slice(),
      },
      options,
    );
  }

  /**
   * The card already recognised in this connection's reader, without asking it
   * again: for a caller that knows no other card can have been inserted since
   * `open` read `info` (the reader's insertion count is unchanged).
   */
  static known(transport: ApduTransport, info: BelpicCardInfo, options: BelpicCardOptions = {}): BelpicCard {
    return new BelpicCard(transport, info, options);
  }

  /** "eID (applet 1.8)", "Kids-ID (applet 1.7)", ... */
  async cardType(): Promise<string> {
    const kind = await this.documentKind();
    const label = kind === 'other' ? 'Belgian eID card' : kind;
    return `${label} (applet ${this.info.generationFacts.appletLabel})`;
  }

  /** The document type from the identity file, read once per card. */
  async documentKind(): Promise<DocumentKind> {
    let cached = this.cache.get(this.info.serialHex, DOCUMENT_TYPE_CACHE_KEY);
    if (cached === undefined) {
      const identity = await this.readFile(filePath('identity')).catch((e: unknown) => {
        if (e instanceof EidBridgeError && e.code === 'CARD_ERROR') return undefined;
        throw e;
      });
      cached = this.rememberDocumentType(identity);
    }
    return documentKind(cached === null ? undefined : cached[0]);
  }

  /** Caches the document type the identity file names (null: none readable), so the file is not read again for it. */
  private rememberDocumentType(identity: Uint8Array | undefined): Uint8Array | null {
    let value: number | undefined;
    if (identity) {
      try {
        const entry = decodeBelpicTlv(identity).find((e) => e.tag === IDENTITY_TAG.DOCUMENT_TYPE);
        if (entry) value = Number.parseInt(new TextDecoder().decode(entry.value).trim(), 10);
      } catch {
        // An unreadable identity file leaves the kind unknown.
      }
    }
    const cached = value !== undefined && Number.isFinite(value) ? Uint8Array.of(value) : null;
    this.cache.set(this.info.serialHex, DOCUMENT_TYPE_CACHE_KEY, cached);
    return cached;
  }

  /** A whole file by path ("3F00DF014031" or "DF014031"), as stored. CARD_ERROR when absent. */
  async readFile(path: string | Uint8Array): Promise<Uint8Array> {
    const file = await readFileIfPresent(this.transport, path, this.options);
    if (!file) throw new EidBridgeError('CARD_ERROR', `The card has no file ${typeof path === 'string' ? path : hex(path)}`);
    return file;
  }

  /** A certificate, trimmed; undefined when the card has none (cached per chip serial). */
  async readCertificate(path: string): Promise<Uint8Array | undefined> {
    const cached = this.cache.get(this.info.serialHex, path);
    if (cached !== undefined) return cached ?? undefined;
    const certificate = await readCertificateFile(this.transport, path, this.options);
    this.cache.set(this.info.serialHex, path, certificate ?? null);
    return certificate;
  }

  async certificates(which: { ca?: boolean; root?: boolean } = {}): Promise<BelpicCertificates> {
    const out: BelpicCertificates = {};
    const authentication = await this.readCertificate(filePath('authenticationCertificate'));
    if (authentication) out.authentication = authentication;
    const signing = await this.readCertificate(filePath('signatureCertificate'));
    if (signing) out.signing = signing;
    if (which.ca) {
      const ca = await this.readCertificate(filePath('caCertificate'));
      if (ca) out.ca = ca;
    }
    if (which.root) {
      const root = await this.readCertificate(filePath('rootCertificate'));
      if (root) out.root = root;
    }
    return out;
  }

  /**
   * Identity, address, their signatures, the RRN certificate (trimmed), the
   * photo when asked, and on 1.8 the basic key (4040). Bytes as the card stores
   * them: the identity signature covers the whole identity file.
   */
  async readIdentityFiles(options: { photo?: boolean } = {}): Promise<IdentityFiles> {
    const files: IdentityFiles = {};
    const wanted: BelpicFile[] = ['identity', 'identitySignature', 'address', 'addressSignature'];
    if (options.photo) wanted.push('photo');
    if (hasFile(this.info.generationFacts, 'basicKey')) wanted.push('basicKey');
    // An RSA signature file holds exactly one signature, as long as the modulus: no command is spent finding its end.
    const key = this.info.generationFacts.key;
    const signatureLength = key.type === 'RSA' ? key.bits / 8 : undefined;
    for (const name of wanted) {
      const isSignature = name === 'identitySignature' || name === 'addressSignature';
      const options = isSignature && signatureLength !== undefined ? { ...this.options, length: signatureLength } : this.options;
      const file = await readFileIfPresent(this.transport, filePath(name), options);
      if (file) files[FILES[name].id] = file;
    }
    // cardType() comes next for most callers: it needs no second read of the identity file.
    if (this.cache.get(this.info.serialHex, DOCUMENT_TYPE_CACHE_KEY) === undefined) this.rememberDocumentType(files[FILES.identity.id]);
    const rrn = await this.readCertificate(filePath('rrnCertificate'));
    if (rrn) files[FILES.rrnCertificate.id] = rrn;
    return files;
  }

  /**
   * PIN tries left, asked without spending one, the way the generation allows
   * (GET CARD DATA on 1.8, VERIFY without data on 1.7); never where no probe
   * is safe (V1.1).
   */
  async pinTriesLeft(): Promise<number | undefined> {
    const generation = this.info.generationFacts;
    switch (generation.pinTriesProbe) {
      case 'card-data': {
        const r = await exchange(this.transport, generation.cardData.command, this.options);
        const offset = generation.cardData.pinTriesLeftOffset;
        const tries = r.sw === SW.OK && offset !== undefined ? r.data[offset] : undefined;
        return tries === undefined || tries === 0xff ? undefined : tries;
      }
      case 'verify-without-data': {
        const r = await exchange(this.transport, apdu(0x00, INS.VERIFY, 0x00, PIN_REFERENCE), this.options);
        if (r.sw >> 4 === SW.PIN_WRONG >> 4) return r.sw & 0x0f;
        if (r.sw === SW.PIN_BLOCKED) return 0;
        // 9000: the PIN was verified in this card session, so the counter is full.
        if (r.sw === SW.OK) return PIN_MAX_TRIES;
        return undefined;
      }
      case 'none':
        return undefined;
    }
  }

  /** VERIFY with the PIN (ASCII digits), or on the reader's PIN pad when `pin` is undefined. */
  async verifyPin(pin: Uint8Array | undefined): Promise<void> {
    if (pin === undefined) {
      if (!this.options.pinPad) throw new EidBridgeError('PIN_REQUIRED', 'The PIN is needed');
      const reply = await this.options.pinPad.verifyPinDirect(verifyPinStructure(this.options.language ?? 'en'));
      if (reply.length < 2) throw new EidBridgeError('CARD_ERROR', 'The PIN-pad reader gave a malformed answer');
      checkPinStatus((reply[reply.length - 2]! << 8) | reply[reply.length - 1]!);
      return;
    }
    const block = encodePinBlock(pin);
    const command = apdu(0x00, INS.VERIFY, 0x00, PIN_REFERENCE, block);
    try {
      const r = await exchange(this.transport, command, this.options);
      checkPinStatus(r.sw);
    } finally {
      block.fill(0);
      command.fill(0);
    }
  }

  /** CHANGE REFERENCE DATA with both PINs typed on the reader's PIN pad. */
  async changePinOnPad(): Promise<void> {
    const pad = this.options.pinPad;
    if (!pad?.modifyPinDirect) throw new EidBridgeError('PIN_REQUIRED', 'The current and the new PIN are needed');
    const reply = await pad.modifyPinDirect(modifyPinStructure(this.options.language ?? 'en'));
    if (reply.length < 2) throw new EidBridgeError('CARD_ERROR', 'The PIN-pad reader gave a malformed answer');
    checkPinStatus((reply[reply.length - 2]! << 8) | reply[reply.length - 1]!);
  }

  /** CHANGE REFERENCE DATA: 00 24 00 01 10 <current block><new block>. */
  async changePin(current: Uint8Array, next: Uint8Array): Promise<void> {
    const currentBlock = encodePinBlock(current);
    let nextBlock: Uint8Array | undefined;
    let data: Uint8Array | undefined;
    let command: Uint8Array | undefined;
    try {
      nextBlock = encodePinBlock(next);
      data = new Uint8Array(16);
      data.set(currentBlock, 0);
      data.set(nextBlock, 8);
      command = apdu(0x00, INS.CHANGE_REFERENCE_DATA, 0x00, PIN_REFERENCE, data);
      const r = await exchange(this.transport, command, this.options);
      checkPinStatus(r.sw);
    } finally {
      currentBlock.fill(0);
      nextBlock?.fill(0);
      data?.fill(0);
      command?.fill(0);
    }
  }

  /** LOG OFF (80 E6 00 00): clears the card's PIN state. */
  async logOff(): Promise<void> {
    await exchange(this.transport, apdu(0x80, INS.LOG_OFF, 0x00, 0x00), this.options);
  }

  /**
   * Signs `digest` with the authentication or signature key: MSE SET, VERIFY
   * (always right before the PSO for the signature key), PSO COMPUTE DIGITAL
   * SIGNATURE, GET RESPONSE. RSA cards get DigestInfo‖hash with algorithm 01
   * and answer a PKCS#1 v1.5 signature; 1.8 cards answer raw r‖s.
   * `pin` undefined: PIN pad if there is one; for the authentication key an
   * earlier VERIFY in this card session may still hold.
   */
  async sign(key: BelpicKey, digest: Uint8Array, digestAlgorithm: BelpicDigestAlgorithm, pin: Uint8Array | undefined): Promise<Uint8Array> {
    if (digest.length !== DIGEST_LENGTHS[digestAlgorithm]) {
      throw new EidBridgeError('INVALID_ARGUMENT', `The digest is not ${digestAlgorithm} long`, { argument: 'hash' });
    }
    const generation = this.info.generationFacts;
    const { algorithm, input } = signatureInput(generation, digestAlgorithm, digest);
    const keyRef = key === 'authentication' ? KEY_REF.AUTHENTICATION : KEY_REF.SIGNATURE;
    const mseCommand = apdu(0x00, INS.MSE, 0x41, 0xb6, Uint8Array.of(0x04, 0x80, algorithm, 0x84, keyRef));
    let mse = await exchange(this.transport, mseCommand, this.options);
    if (mse.sw === SW.INS_NOT_SUPPORTED || mse.sw === SW.CLA_NOT_SUPPORTED) {
      // A card taken as known (no GET CARD DATA in this connection) may have another applet selected by another program.
      const sw = await selectBelpicApplet(this.transport, this.options);
      if (sw !== SW.OK) throw statusError('SELECT BELPIC', sw);
      mse = await exchange(this.transport, mseCommand, this.options);
    }
    if (mse.sw !== SW.OK) throw statusError('MSE SET', mse.sw);
    if (pin !== undefined || this.options.pinPad || key === 'signing') await this.verifyPin(pin);
    const pso = await exchange(this.transport, apdu(0x00, INS.PSO, 0x9e, 0x9a, input), this.options);
    if (pso.sw === SW.SECURITY_NOT_SATISFIED) throw new EidBridgeError('PIN_REQUIRED', 'The card wants the PIN before it signs');
    if (pso.sw !== SW.OK) throw statusError('PSO COMPUTE DIGITAL SIGNATURE', pso.sw);
    if (generation.key.type === 'EC' && pso.data.length !== generation.key.signatureLength) {
      throw new EidBridgeError(
        'CARD_ERROR',
        `The card answered a ${pso.data.length}-byte signature; ${generation.key.curve} r‖s is ${generation.key.signatureLength} bytes`,
      );
    }
    if (pso.data.length === 0) throw new EidBridgeError('CARD_ERROR', 'The card answered an empty signature');
    return pso.data;
  }
}
