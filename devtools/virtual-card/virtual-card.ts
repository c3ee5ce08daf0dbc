/**
 * A virtual Belgian eID card: the BELPIC applet answered in software, APDU by
 * APDU, with T=0 semantics (61xx + GET RESPONSE, 6Cxx for a wrong Le), real
 * keys from a test PKI and real signatures. Site developers and our tests use
 * it in place of a physical card, in process (transmit) or behind the vpcd
 * virtual reader (vpcd-client.ts).
 */
import { createPrivateKey, privateEncrypt, constants as cryptoConstants, type KeyObject } from 'node:crypto';
import { p384 } from '@noble/curves/nist.js';
import { createTestPki, type TestPerson, type TestPki } from '../test-pki/test-pki.js';
import { EidBridgeError } from '../../shared/errors.js';
import {
  acceptedInputLengths,
  BELPIC_AID,
  CARD_DATA,
  DF_IDENTITY,
  DF_PKCS15,
  DIGEST_INFO_PREFIX,
  EC_UNSPECIFIED_HASH_ALGORITHM,
  INS,
  KEY_REF,
  MF,
  PIN_MAX_TRIES,
  PIN_REFERENCE,
  PKCS15_AID,
  SW,
  type BelpicDirectory,
} from '../../shared/belpic/card-constants.js';
import { decodePinBlock } from '../../shared/belpic/pin-block.js';
import { buildCardContent, DEFAULT_HOLDER_DETAILS, type CardFile, type VirtualCardHolderDetails } from './card-files.js';
import { profileFacts, type CardProfileFacts, type VirtualCardProfile } from './card-profiles.js';
import { emsaPssEncode } from './rsa-pss.js';
import { bytesToHex, equalBytes } from '../../shared/bytes.js';

export type { VirtualCardProfile } from './card-profiles.js';
export type { VirtualCardHolderDetails } from './card-files.js';
/** The PIN block, for tests and tools that talk to the card in APDUs. */
export { decodePinBlock, encodePinBlock } from '../../shared/belpic/pin-block.js';

export interface VirtualCardOptions {
  profile?: VirtualCardProfile;
  /** 4–12 digits; default '1234'. */
  pin?: string;
  /** Reuse a PKI (for instance one kept on disk); its key type must suit the profile. */
  pki?: TestPki;
  /** Holder name and national number when no PKI is given. */
  person?: Partial<TestPerson>;
  /** Birth place, address, card language…; defaults to a Leuven address and Dutch. */
  details?: Partial<VirtualCardHolderDetails>;
}

export const DEFAULT_VIRTUAL_CARD_PIN = '1234';

export async function createVirtualCard(opts: VirtualCardOptions = {}): Promise<VirtualBelpicCard> {
  const profile = opts.profile ?? '1.7';
  const facts = profileFacts(profile);
  const pin = opts.pin ?? DEFAULT_VIRTUAL_CARD_PIN;
  if (!/^\d{4,12}$/.test(pin)) throw new EidBridgeError('PIN_FORMAT', 'the PIN of a virtual card has 4 to 12 digits', { argument: 'pin' });
  const pki =
    opts.pki ??
    (await createTestPki({
      keyType: facts.keyType,
      person: { ...facts.defaultPerson, ...opts.person },
      caName: facts.caName,
      withSigning: facts.withSigning,
    }));
  if (pki.keyType !== facts.keyType) {
    throw new EidBridgeError('INVALID_ARGUMENT', `a ${profile} card needs ${facts.keyType.toUpperCase()} keys, the PKI has ${pki.keyType.toUpperCase()} keys`, {
      argument: 'pki',
    });
  }
  if (facts.withSigning && !pki.signing) {
    throw new EidBridgeError('INVALID_ARGUMENT', `a ${profile} card needs a signature certificate in its PKI`, { argument: 'pki' });
  }
  const details: VirtualCardHolderDetails = { ...DEFAULT_HOLDER_DETAILS, nationality: facts.nationality, ...opts.details };
  return new VirtualBelpicCard(profile, facts, pki, pin, details);
}

interface SecurityEnvironment {
  key: number;
  algorithm: number;
}

interface Apdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (empty when there is none). */
  data: Uint8Array;
  /** Whether an Lc byte was present (VERIFY without Lc asks for the PIN state). */
  hasData: boolean;
  /** Expected length: 1–256, or undefined when the APDU had no Le. */
  le: number | undefined;
}

function status(sw: number, data?: Uint8Array): Uint8Array {
  const out = new Uint8Array((data?.length ?? 0) + 2);
  if (data) out.set(data, 0);
  out[out.length - 2] = sw >> 8;
  out[out.length - 1] = sw & 0xff;
  return out;
}



/** The 2-byte file ids of a SELECT's data as hex; undefined for an empty or odd-length path. */
function fileIds(data: Uint8Array): string[] | undefined {
  if (data.length === 0 || data.length % 2 !== 0) return undefined;
  const ids: string[] = [];
  for (let i = 0; i < data.length; i += 2) ids.push(bytesToHex(data.subarray(i, i + 2)));
  return ids;
}

/** Parses a short APDU (ISO 7816-4 cases 1–4); undefined when the length bytes do not add up. */
function parseApdu(apdu: Uint8Array): Apdu | undefined {
  if (apdu.length < 4) return undefined;
  const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
  const base = { cla, ins, p1, p2 };
  if (apdu.length === 4) return { ...base, data: new Uint8Array(0), hasData: false, le: undefined };
  const p3 = apdu[4]!;
  if (apdu.length === 5) {
    // Case 2 (Le) — except on T=0 a P3 of 00 for a command that sends data means Lc = 0.
    return { ...base, data: new Uint8Array(0), hasData: false, le: p3 === 0 ? 256 : p3 };
  }
  if (p3 === 0) return undefined; // extended lengths: the BELPIC applet has none
  if (apdu.length === 5 + p3) return { ...base, data: apdu.slice(5), hasData: true, le: undefined };
  if (apdu.length === 6 + p3) return { ...base, data: apdu.slice(5, 5 + p3), hasData: true, le: apdu[5 + p3] || 256 };
  return undefined;
}

export class VirtualBelpicCard {
  readonly profile: VirtualCardProfile;
  readonly pki: TestPki;
  readonly atr: Uint8Array;
  /** Count of APDUs handled (for benchmarks). */
  apduCount = 0;

  private readonly facts: CardProfileFacts;
  private readonly files: Map<string, CardFile>;
  private readonly chipSerial: Uint8Array;
  private readonly basicKey: KeyObject | undefined;
  private readonly keys = new Map<number, KeyObject>();
  /** Private scalars of the EC keys, read once. */
  private readonly ecScalars = new Map<KeyObject, Uint8Array>();
  private readonly generation: CardProfileFacts['generation'];
  private pin: string;
  private triesLeft = PIN_MAX_TRIES;

  // Security state of the card session (cleared by reset).
  private pinVerified = false;
  /** Set by a successful VERIFY, spent by the next signature with key 0x83 ("PIN just before"). */
  private signatureUnlocked = false;
  private environment: SecurityEnvironment | undefined;
  /** Response data waiting for GET RESPONSE (T=0). */
  private pendingResponse: Uint8Array | undefined;
  private currentDirectory: BelpicDirectory = MF;
  private currentFile: string | undefined;

  constructor(profile: VirtualCardProfile, facts: CardProfileFacts, pki: TestPki, pin: string, details: VirtualCardHolderDetails) {
    this.profile = profile;
    this.facts = facts;
    this.pki = pki;
    this.pin = pin;
    this.generation = facts.generation;
    this.atr = facts.generation.atr.value.slice();
    const content = buildCardContent(facts, pki, details);
    this.files = content.files;
    this.chipSerial = content.chipSerial;
    this.basicKey = content.basicKey;
    const importKey = (pkcs8: Uint8Array) => createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    this.keys.set(KEY_REF.AUTHENTICATION, importKey(pki.authentication.privateKeyPkcs8));
    if (facts.withSigning && pki.signing) this.keys.set(KEY_REF.SIGNATURE, importKey(pki.signing.privateKeyPkcs8));
    if (this.basicKey) this.keys.set(KEY_REF.BASIC, this.basicKey);
  }

  /** Power cycle: clears the security state and selects the applet (and the MF). */
  reset(): void {
    this.pinVerified = false;
    this.signatureUnlocked = false;
    this.environment = undefined;
    this.pendingResponse = undefined;
    this.currentDirectory = MF;
    this.currentFile = undefined;
  }

  pinTriesLeft(): number {
    return this.triesLeft;
  }

  /** The content of a card file by id, e.g. '4031', without its padding. */
  getFile(fid: string): Uint8Array {
    const file = this.files.get(fid.toUpperCase());
    if (!file) throw new EidBridgeError('INVALID_ARGUMENT', `the card has no file ${fid}`, { argument: 'fid' });
    return file.content.slice();
  }

  /**
   * Replaces a file's content (tamper tests). A zero-padded file keeps its
   * size (growing if needed); a file without padding takes the new length.
   */
  setFile(fid: string, content: Uint8Array): void {
    const file = this.files.get(fid.toUpperCase());
    if (!file) throw new EidBridgeError('INVALID_ARGUMENT', `the card has no file ${fid}`, { argument: 'fid' });
    const unpadded = file.size === file.content.length;
    file.content = content.slice();
    file.size = unpadded ? content.length : Math.max(file.size, content.length);
  }

  /**
   * Called after every APDU with the command and the response (for tracing).
   * The command of VERIFY and CHANGE REFERENCE DATA holds the PIN: a tracer must hide it.
   */
  onTransmit: ((command: Uint8Array, response: Uint8Array) => void) | undefined;

  /** Answers one command APDU with T=0 semantics. */
  transmit(apdu: Uint8Array): Uint8Array {
    const response = this.answer(apdu);
    this.onTransmit?.(apdu, response);
    return response;
  }

  private answer(apdu: Uint8Array): Uint8Array {
    this.apduCount += 1;
    const command = parseApdu(apdu);
    if (!command) return status(SW.WRONG_LENGTH);
    // On T=0 the response of a 61xx must be fetched by the very next command.
    const pending = this.pendingResponse;
    this.pendingResponse = undefined;
    if (command.ins === INS.GET_RESPONSE && command.cla === 0x00) return this.getResponse(command, pending);
    // "PIN just before": only MSE SET may come between the VERIFY and the signature.
    const unlocked = this.signatureUnlocked;
    if (!(command.cla === 0x00 && (command.ins === INS.PSO || command.ins === INS.MSE))) this.signatureUnlocked = false;
    return this.dispatch(command, unlocked);
  }

  private dispatch(c: Apdu, signatureUnlocked: boolean): Uint8Array {
    if ((c.cla & 0x0c) !== 0) return status(SW.CLA_NOT_SUPPORTED); // secure messaging: not on this applet
    if (c.cla === 0x00) {
      switch (c.ins) {
        case INS.SELECT:
          return this.select(c);
        case INS.READ_BINARY:
          return this.readBinary(c);
        case INS.VERIFY:
          return this.verify(c);
        case INS.CHANGE_REFERENCE_DATA:
          return this.changePin(c);
        case INS.MSE:
          return this.manageSecurityEnvironment(c);
        case INS.PSO:
          return this.computeSignature(c, signatureUnlocked);
        case INS.INTERNAL_AUTHENTICATE:
          if (this.generation.internalAuthenticate) return this.internalAuthenticate(c);
          return status(SW.INS_NOT_SUPPORTED);
        case INS.GET_CARD_DATA:
        case INS.LOG_OFF:
          return status(SW.CLA_NOT_SUPPORTED);
        default:
          return status(SW.INS_NOT_SUPPORTED);
      }
    }
    if (c.cla === 0x80) {
      switch (c.ins) {
        case INS.GET_CARD_DATA:
          return this.getCardData(c);
        case INS.LOG_OFF:
          this.clearAccessRights();
          return status(SW.OK);
        case INS.SELECT:
        case INS.READ_BINARY:
        case INS.VERIFY:
        case INS.CHANGE_REFERENCE_DATA:
        case INS.MSE:
        case INS.PSO:
        case INS.GET_RESPONSE:
        case INS.INTERNAL_AUTHENTICATE:
          return status(SW.CLA_NOT_SUPPORTED);
        default:
          return status(SW.INS_NOT_SUPPORTED);
      }
    }
    return status(SW.CLA_NOT_SUPPORTED);
  }

  private clearAccessRights(): void {
    this.pinVerified = false;
    this.signatureUnlocked = false;
  }

  // SELECT -------------------------------------------------------------------

  /**
   * SELECT as the BELPIC applet answers it (docs/card.md, "Selecting files"):
   * never any FCI, so P2 = 0C, or 00, which is accepted and answers no data
   * either; anything else is 6A86.
   */
  private select(c: Apdu): Uint8Array {
    if (c.p2 !== 0x0c && c.p2 !== 0x00) return status(SW.INCORRECT_P1P2);
    switch (c.p1) {
      case 0x04:
        if (!c.hasData) return status(SW.WRONG_LENGTH);
        return this.selectByName(c.data);
      case 0x08:
      case 0x09: {
        if (!c.hasData) return status(SW.WRONG_LENGTH);
        const ids = fileIds(c.data);
        if (!ids) return status(SW.LC_INCONSISTENT);
        // From the MF, with or without 3F00 in front; 09: from the current DF.
        if (c.p1 === 0x08 && ids[0] === MF) ids.shift();
        return this.selectPath(c.p1 === 0x08 ? MF : this.currentDirectory, ids);
      }
      case 0x00:
      case 0x01:
      case 0x02: {
        // 00 without data: the MF.
        if (c.p1 === 0x00 && !c.hasData) return this.enter(MF);
        const ids = fileIds(c.data);
        if (!ids || ids.length !== 1) return status(SW.LC_INCONSISTENT);
        return this.selectById(ids[0]!);
      }
      default:
        return status(SW.INCORRECT_P1P2);
    }
  }

  private selectByName(aid: Uint8Array): Uint8Array {
    if (equalBytes(aid, BELPIC_AID)) {
      // Selecting the applet again leaves the file selection where a fresh start puts it.
      return this.enter(MF);
    }
    if (equalBytes(aid, PKCS15_AID)) return this.enter(DF_PKCS15);
    return status(SW.FILE_NOT_FOUND);
  }

  /** Walks a path of file ids from a DF: DFs first, at most one EF at the end; 6A82 where it leads nowhere. */
  private selectPath(start: BelpicDirectory, ids: string[]): Uint8Array {
    let directory = start;
    let file: string | undefined;
    for (const id of ids) {
      if (file !== undefined) return status(SW.FILE_NOT_FOUND); // nothing below an EF
      if (directory === MF && (id === DF_IDENTITY || id === DF_PKCS15)) {
        directory = id;
      } else if (this.files.get(id)?.parent === directory) {
        file = id;
      } else {
        return status(SW.FILE_NOT_FOUND);
      }
    }
    this.currentDirectory = directory;
    this.currentFile = file;
    return status(SW.OK);
  }

  /** By file id: the MF and the two DFs from anywhere (old cards' select-by-id fallback walks them), an EF of the current DF. */
  private selectById(id: string): Uint8Array {
    if (id === MF || id === DF_IDENTITY || id === DF_PKCS15) return this.enter(id);
    const entry = this.files.get(id);
    if (!entry || entry.parent !== this.currentDirectory) return status(SW.FILE_NOT_FOUND);
    this.currentFile = id;
    return status(SW.OK);
  }

  private enter(directory: BelpicDirectory): Uint8Array {
    this.currentDirectory = directory;
    this.currentFile = undefined;
    return status(SW.OK);
  }

  // READ BINARY --------------------------------------------------------------

  private readBinary(c: Apdu): Uint8Array {
    if (c.p1 & 0x80) return status(SW.INCORRECT_P1P2); // short EF identifiers: not on this applet
    if (c.hasData) return status(SW.WRONG_LENGTH);
    const fileId = this.currentFile;
    if (!fileId) return status(SW.NO_CURRENT_EF);
    const file = this.files.get(fileId)!;
    const offset = (c.p1 << 8) | c.p2;
    const le = c.le ?? 256; // T=0 sends P3 = 00 when there is no Le: 256 bytes
    if (offset >= file.size) return status(SW.WRONG_P1P2);
    const left = file.size - offset;
    if (le > left) return status(SW.WRONG_LE | left);
    const out = new Uint8Array(le);
    out.set(file.content.subarray(offset, offset + le));
    return status(SW.OK, out);
  }

  // GET CARD DATA ------------------------------------------------------------

  private cardData(): Uint8Array {
    // profileFacts() admits only generations with a virtualChip row.
    const chip = this.generation.virtualChip!;
    const data = new Uint8Array(CARD_DATA.length);
    data.set(this.chipSerial, CARD_DATA.serialOffset);
    // Bytes 16–20, 22–24 and 26 identify the chip and OS: our own values, differing between generations like real cards do.
    data[16] = 0xd0; // component code
    data[17] = 0x01; // OS number
    data[18] = chip.osVersion;
    data[19] = 0x01; // softmask number
    data[20] = 0x01; // softmask version
    data[CARD_DATA.appletVersion] = this.generation.appletVersions[0]!;
    data[22] = 0x00; // global OS version, high byte
    data[23] = chip.globalOsVersion;
    data[24] = 0x01; // applet interface version
    data[25] = chip.pkcs1Support;
    data[26] = 0x01; // key exchange version
    data[27] = 0x0f; // life cycle: personalised
    return data;
  }

  private getCardData(c: Apdu): Uint8Array {
    if (c.p1 !== 0x00) return status(SW.WRONG_P1P2);
    let data: Uint8Array;
    const layout = this.generation.cardData;
    if (c.p2 === 0x00) {
      data = this.cardData();
    } else if (c.p2 === layout.command[3] && layout.pinTriesLeftOffset !== undefined) {
      // The PIN tries left after the common bytes; the bytes after them are not described in our sources and read 00.
      data = new Uint8Array(layout.length);
      data.set(this.cardData(), 0);
      data[layout.pinTriesLeftOffset] = this.triesLeft;
    } else {
      return status(SW.WRONG_P1P2);
    }
    if (c.hasData) return status(SW.WRONG_LENGTH);
    if (c.le !== data.length) return status(SW.WRONG_LE | data.length);
    return status(SW.OK, data);
  }

  // PIN ----------------------------------------------------------------------

  private verify(c: Apdu): Uint8Array {
    if (c.p1 !== 0x00 || c.p2 !== PIN_REFERENCE) return status(SW.REFERENCED_DATA_NOT_FOUND);
    if (!c.hasData) {
      // No data: the PIN state, without spending a try (applet 1.7 and 1.8).
      if (this.triesLeft === 0) return status(SW.PIN_BLOCKED);
      return status(this.pinVerified ? SW.OK : SW.PIN_WRONG | this.triesLeft);
    }
    if (c.data.length !== 8) return status(SW.WRONG_LENGTH);
    const offered = decodePinBlock(c.data);
    if (offered === undefined) return status(SW.WRONG_DATA);
    return this.checkPin(offered);
  }

  /** Compares a PIN: a wrong one spends a try and clears every access right. */
  private checkPin(offered: string): Uint8Array {
    if (this.triesLeft === 0) return status(SW.PIN_BLOCKED);
    if (offered !== this.pin) {
      this.triesLeft -= 1;
      this.clearAccessRights();
      return status(SW.PIN_WRONG | this.triesLeft);
    }
    this.triesLeft = PIN_MAX_TRIES;
    this.pinVerified = true;
    this.signatureUnlocked = true;
    return status(SW.OK);
  }

  private changePin(c: Apdu): Uint8Array {
    if (c.p1 !== 0x00 || c.p2 !== PIN_REFERENCE) return status(SW.REFERENCED_DATA_NOT_FOUND);
    if (c.data.length !== 16) return status(SW.WRONG_LENGTH);
    const current = decodePinBlock(c.data.subarray(0, 8));
    const next = decodePinBlock(c.data.subarray(8, 16));
    if (current === undefined || next === undefined) return status(SW.WRONG_DATA);
    const result = this.checkPin(current);
    if (result[0] !== 0x90) return result;
    this.pin = next;
    this.signatureUnlocked = false;
    return status(SW.OK);
  }

  // Signatures -----------------------------------------------------------------

  private manageSecurityEnvironment(c: Apdu): Uint8Array {
    if (c.p1 !== 0x41 || c.p2 !== 0xb6) return status(SW.INCORRECT_P1P2);
    const d = c.data;
    let algorithm: number;
    let key: number;
    // BELPIC form `04 80 <alg> 84 <key>`; the ISO form `80 01 <alg> 84 01 <key>` is accepted too.
    if (d.length === 5 && d[0] === 0x04 && d[1] === 0x80 && d[3] === 0x84) {
      algorithm = d[2]!;
      key = d[4]!;
    } else if (d.length === 6 && d[0] === 0x80 && d[1] === 0x01 && d[3] === 0x84 && d[4] === 0x01) {
      algorithm = d[2]!;
      key = d[5]!;
    } else {
      return status(SW.WRONG_DATA);
    }
    if (!this.keys.has(key)) return status(SW.REFERENCED_DATA_NOT_FOUND);
    if (!this.generation.signatureAlgorithms[algorithm]) return status(SW.WRONG_DATA);
    this.environment = { key, algorithm };
    return status(SW.OK);
  }

  private computeSignature(c: Apdu, signatureUnlocked: boolean): Uint8Array {
    if (c.p1 !== 0x9e || c.p2 !== 0x9a) return status(SW.INCORRECT_P1P2);
    const environment = this.environment;
    if (!environment) return status(SW.CONDITIONS_NOT_SATISFIED);
    if (environment.key === KEY_REF.SIGNATURE) {
      this.signatureUnlocked = false;
      if (!signatureUnlocked || !this.pinVerified) return status(SW.SECURITY_NOT_SATISFIED);
    } else if (environment.key === KEY_REF.AUTHENTICATION && !this.pinVerified) {
      return status(SW.SECURITY_NOT_SATISFIED);
    }
    const key = this.keys.get(environment.key)!;
    const signature =
      this.generation.key.type === 'EC' ? this.signEc(key, environment.algorithm, c.data) : this.signRsa(key, environment.algorithm, c.data);
    if (!signature) return status(SW.WRONG_DATA);
    return this.respondLater(signature);
  }

  private signRsa(key: KeyObject, algorithm: number, data: Uint8Array): Uint8Array | undefined {
    const rule = this.generation.signatureAlgorithms[algorithm];
    if (!rule) return undefined;
    const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
    if (rule.hash && !acceptedInputLengths(rule).includes(data.length)) return undefined;
    if (rule.padding === 'pss' && (rule.hash === 'SHA-1' || rule.hash === 'SHA-256')) {
      const em = emsaPssEncode(rule.hash, data, modulusBits);
      const block = new Uint8Array(Math.ceil(modulusBits / 8));
      block.set(em, block.length - em.length);
      return new Uint8Array(privateEncrypt({ key, padding: cryptoConstants.RSA_NO_PADDING }, block));
    }
    let digestInfo: Uint8Array;
    if (rule.hash === 'MD5' || rule.hash === 'SHA-1' || rule.hash === 'SHA-256') {
      digestInfo = Uint8Array.from([...DIGEST_INFO_PREFIX[rule.hash], ...data]);
    } else {
      // 01: the caller built DigestInfo ‖ hash; PKCS#1 v1.5 type 1 padding needs 11 bytes of room.
      const modulusBytes = modulusBits / 8;
      if (data.length === 0 || data.length > modulusBytes - 11) return undefined;
      digestInfo = data;
    }
    return new Uint8Array(privateEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, digestInfo));
  }

  /**
   * ECDSA over the hash the card received (a card never sees the message):
   * raw r‖s. node:crypto always hashes its input for EC keys, so the curve
   * work is @noble/curves'; k is derived per RFC 6979 with fresh random bytes
   * mixed in, so two signatures of one hash differ as a card's do.
   */
  private signEc(key: KeyObject, algorithm: number, data: Uint8Array): Uint8Array | undefined {
    const rule = this.generation.signatureAlgorithms[algorithm];
    if (!rule || !acceptedInputLengths(rule).includes(data.length)) return undefined;
    let scalar = this.ecScalars.get(key);
    if (!scalar) {
      const d = key.export({ format: 'jwk' }).d;
      if (!d) return undefined;
      scalar = new Uint8Array(Buffer.from(d, 'base64url'));
      this.ecScalars.set(key, scalar);
    }
    return p384.sign(data, scalar, { prehash: false, extraEntropy: true });
  }

  /** 1.8: proves the chip is genuine — raw r‖s over 48 challenge bytes with the basic key (no PIN). */
  private internalAuthenticate(c: Apdu): Uint8Array {
    if (c.p1 !== 0x02 || c.p2 !== KEY_REF.BASIC) return status(SW.INCORRECT_P1P2);
    const d = c.data;
    if (d.length !== 50 || d[0] !== 0x94 || d[1] !== 0x30) return status(SW.WRONG_DATA);
    const signature = this.signEc(this.basicKey!, EC_UNSPECIFIED_HASH_ALGORITHM, d.subarray(2));
    if (!signature) return status(SW.WRONG_DATA);
    return this.respondLater(signature);
  }

  /** T=0: announce the response with 61xx (xx = 00 for 256 bytes) and keep it for GET RESPONSE. */
  private respondLater(data: Uint8Array): Uint8Array {
    this.pendingResponse = data;
    return status(SW.BYTES_AVAILABLE | (data.length & 0xff));
  }

  private getResponse(c: Apdu, pending: Uint8Array | undefined): Uint8Array {
    if (!pending) return status(SW.CONDITIONS_NOT_SATISFIED);
    if (c.p1 !== 0x00 || c.p2 !== 0x00) {
      this.pendingResponse = pending;
      return status(SW.INCORRECT_P1P2);
    }
    const le = c.le ?? 256;
    if (le > pending.length) {
      this.pendingResponse = pending;
      return status(SW.WRONG_LE | (pending.length & 0xff));
    }
    const rest = pending.subarray(le);
    if (rest.length > 0) {
      this.pendingResponse = rest.slice();
      return status(SW.BYTES_AVAILABLE | (rest.length & 0xff), pending.subarray(0, le));
    }
    return status(SW.OK, pending);
  }
}
