/**
 * The BELPIC card driver: recognises the card, reads certificates and identity
 * files, checks and changes the PIN, and signs with the authentication (0x82)
 * or signature (0x83) key. It speaks APDUs over any ApduTransport, so it runs
 * the same over PC/SC and over the in-process card emulator.
 */
import { EidBridgeError } from '../../../shared/errors.js';
import { decodeBelpicTlv } from '../../../shared/tlv.js';
import { apdu, exchange, hex, statusError, type ApduTransport, type ExchangeOptions } from './apdu.js';
import { processCardCache, type BelpicCardCache } from './certificate-cache.js';
import {
  ALG_EC,
  ALG_RSA_PKCS1,
  APPLET_V11,
  APPLET_V17,
  APPLET_V18,
  ATR_18,
  ATR_MASK_RSA,
  ATR_RSA,
  BELPIC_AID,
  CARD_DATA,
  DIGEST_INFO_PREFIX,
  DIGEST_LENGTHS,
  DOCUMENT_TYPE_EID,
  DOCUMENT_TYPE_KIDS,
  FILES,
  GET_CARD_DATA,
  GET_CARD_DATA_18,
  IDENTITY_TAG_DOCUMENT_TYPE,
  INS,
  KEY_AUTHENTICATION,
  KEY_SIGNATURE,
  SW,
} from './constants.js';
import { readCertificateFile, readFileIfPresent } from './files.js';
import { checkPinStatus, modifyPinStructure, pinBlock, verifyPinStructure, type PinPadLanguage } from './pin.js';
import { equalBytes } from '../../../shared/bytes.js';

export type BelpicGeneration = 'V1.1' | '1.7' | '1.8';
export type BelpicKey = 'authentication' | 'signing';
export type BelpicDigestAlgorithm = keyof typeof DIGEST_LENGTHS;
export type DocumentKind = 'eID' | 'Kids-ID' | 'foreigner card' | 'other';

export interface BelpicCardInfo {
  /** Chip serial number (GET CARD DATA bytes 0–15, identity tag 02). */
  serial: Uint8Array;
  serialHex: string;
  /** 0x11, 0x17 or 0x18 */
  appletVersion: number;
  generation: BelpicGeneration;
  keyType: 'RSA' | 'EC';
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

function matchesMasked(atr: Uint8Array, reference: Uint8Array, mask: Uint8Array): boolean {
  return atr.length === reference.length && atr.every((b, i) => (b & mask[i]!) === (reference[i]! & mask[i]!));
}


/** What the ATR says: an RSA card (V1.1/1.7), a 1.8 card, or not a BELPIC card. */
export function classifyAtr(atr: Uint8Array): 'rsa' | '1.8' | undefined {
  if (equalBytes(atr, ATR_18)) return '1.8';
  if (matchesMasked(atr, ATR_RSA, ATR_MASK_RSA)) return 'rsa';
  return undefined;
}

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
    const family = classifyAtr(atr);
    if (!family) throw unsupported(atr, 'unknown ATR');
    const command = family === '1.8' ? GET_CARD_DATA_18 : GET_CARD_DATA;
    let r = await exchange(transport, command, options);
    if (r.sw === SW.INS_NOT_SUPPORTED || r.sw === SW.CLA_NOT_SUPPORTED) {
      // Another application left another applet selected: select BELPIC again.
      const select = await exchange(transport, apdu(0x00, INS.SELECT, 0x04, 0x0c, BELPIC_AID), options);
      if (select.sw !== SW.OK) throw unsupported(atr, `the BELPIC applet cannot be selected (${select.sw.toString(16)})`);
      r = await exchange(transport, command, options);
    }
    if (r.sw !== SW.OK || r.data.length < 28) throw unsupported(atr, `GET CARD DATA answered ${r.sw.toString(16)}`);
    const version = r.data[CARD_DATA.appletVersion]!;
    let generation: BelpicGeneration;
    if (family === '1.8' && version === APPLET_V18) generation = '1.8';
    else if (family === 'rsa' && version === APPLET_V17) generation = '1.7';
    else if (family === 'rsa' && version >= 0x10 && version <= APPLET_V11) generation = 'V1.1';
    else throw unsupported(atr, `applet version 0x${version.toString(16)}`);
    const serial = r.data.slice(CARD_DATA.serialOffset, CARD_DATA.serialOffset + CARD_DATA.serialLength);
    return new BelpicCard(
      transport,
      {
        serial,
        serialHex: hex(serial),
        appletVersion: version,
        generation,
        keyType: generation === '1.8' ? 'EC' : 'RSA',
        cardData: r.data.slice(),
      },
      options,
    );
  }

  /** "eID (applet 1.8)", "Kids-ID (applet 1.7)", ... */
  async cardType(): Promise<string> {
    const kind = await this.documentKind();
    const label = kind === 'other' ? 'Belgian eID card' : kind;
    return `${label} (applet ${this.info.generation === 'V1.1' ? '1.1' : this.info.generation})`;
  }

  /** The document type from the identity file, read once per card. */
  async documentKind(): Promise<DocumentKind> {
    const key = 'documentType';
    let cached = this.cache.get(this.info.serialHex, key);
    if (cached === undefined) {
      const identity = await this.readFile(FILES.identity).catch((e: unknown) => {
        if (e instanceof EidBridgeError && e.code === 'CARD_ERROR') return undefined;
        throw e;
      });
      let value: number | undefined;
      if (identity) {
        try {
          const entry = decodeBelpicTlv(identity).find((e) => e.tag === IDENTITY_TAG_DOCUMENT_TYPE);
          if (entry) value = Number.parseInt(new TextDecoder().decode(entry.value).trim(), 10);
        } catch {
          // An unreadable identity file leaves the kind unknown.
        }
      }
      cached = value !== undefined && Number.isFinite(value) ? Uint8Array.of(value) : null;
      this.cache.set(this.info.serialHex, key, cached);
    }
    return documentKind(cached === null ? undefined : cached[0]);
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
    const authentication = await this.readCertificate(FILES.authenticationCertificate);
    if (authentication) out.authentication = authentication;
    const signing = await this.readCertificate(FILES.signatureCertificate);
    if (signing) out.signing = signing;
    if (which.ca) {
      const ca = await this.readCertificate(FILES.caCertificate);
      if (ca) out.ca = ca;
    }
    if (which.root) {
      const root = await this.readCertificate(FILES.rootCertificate);
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
    const paths: string[] = [FILES.identity, FILES.identitySignature, FILES.address, FILES.addressSignature];
    if (options.photo) paths.push(FILES.photo);
    if (this.info.generation === '1.8') paths.push(FILES.basicKey);
    for (const path of paths) {
      const file = await readFileIfPresent(this.transport, path, this.options);
      if (file) files[path.slice(-4)] = file;
    }
    const rrn = await this.readCertificate(FILES.rrnCertificate);
    if (rrn) files[FILES.rrnCertificate.slice(-4)] = rrn;
    return files;
  }

  /**
   * PIN tries left, asked without spending one: GET CARD DATA byte 28 on 1.8,
   * VERIFY without data on 1.7. Never on V1.1 (that probe is not safe there).
   */
  async pinTriesLeft(): Promise<number | undefined> {
    if (this.info.generation === '1.8') {
      const r = await exchange(this.transport, GET_CARD_DATA_18, this.options);
      const tries = r.sw === SW.OK ? r.data[CARD_DATA.pinTriesLeft18] : undefined;
      return tries === undefined || tries === 0xff ? undefined : tries;
    }
    if (this.info.generation === '1.7') {
      const r = await exchange(this.transport, apdu(0x00, INS.VERIFY, 0x00, 0x01), this.options);
      if (r.sw >> 4 === 0x63c) return r.sw & 0x0f;
      if (r.sw === SW.PIN_BLOCKED) return 0;
      // 9000: the PIN was verified in this card session, so the counter is full.
      if (r.sw === SW.OK) return 3;
      return undefined;
    }
    return undefined;
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
    const block = pinBlock(pin);
    const command = apdu(0x00, INS.VERIFY, 0x00, 0x01, block);
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
    const currentBlock = pinBlock(current);
    let nextBlock: Uint8Array | undefined;
    let data: Uint8Array | undefined;
    let command: Uint8Array | undefined;
    try {
      nextBlock = pinBlock(next);
      data = new Uint8Array(16);
      data.set(currentBlock, 0);
      data.set(nextBlock, 8);
      command = apdu(0x00, INS.CHANGE_REFERENCE_DATA, 0x00, 0x01, data);
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
    let algorithm: number;
    let input: Uint8Array;
    if (this.info.keyType === 'EC') {
      algorithm =
        digestAlgorithm === 'SHA-256' || digestAlgorithm === 'SHA-384' || digestAlgorithm === 'SHA-512' ? ALG_EC[digestAlgorithm] : ALG_EC.unspecified;
      input = digest;
    } else {
      algorithm = ALG_RSA_PKCS1;
      const prefix = DIGEST_INFO_PREFIX[digestAlgorithm];
      input = new Uint8Array(prefix.length + digest.length);
      input.set(prefix, 0);
      input.set(digest, prefix.length);
    }
    const keyRef = key === 'authentication' ? KEY_AUTHENTICATION : KEY_SIGNATURE;
    const mse = await exchange(this.transport, apdu(0x00, INS.MSE, 0x41, 0xb6, Uint8Array.of(0x04, 0x80, algorithm, 0x84, keyRef)), this.options);
    if (mse.sw !== SW.OK) throw statusError('MSE SET', mse.sw);
    if (pin !== undefined || this.options.pinPad || key === 'signing') await this.verifyPin(pin);
    const pso = await exchange(this.transport, apdu(0x00, INS.PSO, 0x9e, 0x9a, input), this.options);
    if (pso.sw === SW.SECURITY_NOT_SATISFIED) throw new EidBridgeError('PIN_REQUIRED', 'The card wants the PIN before it signs');
    if (pso.sw !== SW.OK) throw statusError('PSO COMPUTE DIGITAL SIGNATURE', pso.sw);
    if (this.info.keyType === 'EC' && pso.data.length !== 96) {
      throw new EidBridgeError('CARD_ERROR', `The card answered a ${pso.data.length}-byte signature; P-384 r‖s is 96 bytes`);
    }
    if (pso.data.length === 0) throw new EidBridgeError('CARD_ERROR', 'The card answered an empty signature');
    return pso.data;
  }
}
