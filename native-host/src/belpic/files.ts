/**
 * Selecting and reading BELPIC files. The card returns no FCI, so file sizes
 * are unknown: READ BINARY goes on in chunks until the card signals the end.
 */
import { hexToBytes } from '../../../shared/bytes.js';
import { EidBridgeError } from '../../../shared/errors.js';
import { apdu, exchange, statusError, type ApduTransport, type ExchangeOptions } from './apdu.js';
import { INS, SW } from '../../../shared/belpic/card-constants.js';
import { MAX_FILE_SIZE, READ_CHUNK } from './constants.js';

/** "3F00DF014031" → bytes; accepts the forms with and without 3F00. */
export function parsePath(path: string | Uint8Array): Uint8Array {
  if (typeof path !== 'string') return path;
  const clean = path.replace(/[\s/:]/g, '');
  if (!/^([0-9A-Fa-f]{4})+$/.test(clean)) throw new RangeError(`Not a file path: "${path}"`);
  return hexToBytes(clean);
}

class FileNotFound extends Error {}

/**
 * SELECT by path (00 A4 08 0C). Very old cards lack select-by-path and answer
 * 6A82/6A86: then select 3F00, the DF and the EF one file id at a time.
 */
export async function selectFile(transport: ApduTransport, path: Uint8Array, options: ExchangeOptions = {}): Promise<void> {
  const byPath = await exchange(transport, apdu(0x00, INS.SELECT, 0x08, 0x0c, path), options);
  if (byPath.sw === SW.OK) return;
  if (byPath.sw !== SW.FILE_NOT_FOUND && byPath.sw !== SW.INCORRECT_P1P2) throw statusError('SELECT', byPath.sw);
  const ids: Uint8Array[] = [];
  for (let i = 0; i + 2 <= path.length; i += 2) ids.push(path.subarray(i, i + 2));
  if (ids.length === 0 || ids[0]![0] !== 0x3f || ids[0]![1] !== 0x00) ids.unshift(Uint8Array.of(0x3f, 0x00));
  for (const id of ids) {
    const r = await exchange(transport, apdu(0x00, INS.SELECT, 0x02, 0x0c, id), options);
    if (r.sw === SW.FILE_NOT_FOUND) throw new FileNotFound();
    if (r.sw !== SW.OK) throw statusError('SELECT', r.sw);
  }
}

/**
 * READ BINARY of the selected file until its end: a 6B00 answer (offset past
 * the end), a short 90 00 answer, or 6Cxx (resent with Le = xx by `exchange`,
 * which then answers short). Each command asks for a whole chunk (256 bytes:
 * Le = 00), or once the length is known only for what is left of it, so no
 * command is spent on finding the end of a file whose length is known.
 */
export async function readSelectedFile(
  transport: ApduTransport,
  options: ExchangeOptions & {
    /** Bytes per READ BINARY, 1–256. */
    chunk?: number;
    /** The content's length when known before reading (an RSA signature file holds exactly one signature). */
    length?: number;
    /** Tells from the first bytes how long the content is, so zero padding after it is not read. */
    contentLength?: (head: Uint8Array) => number | undefined;
  } = {},
): Promise<Uint8Array> {
  const chunk = options.chunk ?? READ_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 256) throw new RangeError(`READ BINARY chunk of ${chunk} bytes`);
  const parts: Uint8Array[] = [];
  let offset = 0;
  let wanted = options.length;
  for (;;) {
    if (wanted !== undefined && offset >= wanted) break;
    if (offset >= MAX_FILE_SIZE) throw new EidBridgeError('CARD_ERROR', 'A card file is larger than any BELPIC file can be');
    const asked = wanted === undefined ? chunk : Math.min(chunk, wanted - offset);
    // Le = 00 asks for 256 bytes.
    const r = await exchange(transport, apdu(0x00, INS.READ_BINARY, offset >> 8, offset & 0xff, undefined, asked & 0xff), options);
    if (r.sw === SW.WRONG_P1P2) break;
    if (r.sw !== SW.OK && r.sw !== SW.END_OF_FILE_WARNING) throw statusError('READ BINARY', r.sw);
    parts.push(r.data);
    offset += r.data.length;
    if (parts.length === 1 && wanted === undefined && options.contentLength) wanted = options.contentLength(r.data);
    if (r.sw === SW.END_OF_FILE_WARNING || r.data.length < asked) break;
  }
  const out = new Uint8Array(offset);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** Reads a whole file; undefined when the card has no such file. */
export async function readFileIfPresent(
  transport: ApduTransport,
  path: string | Uint8Array,
  options: ExchangeOptions & { length?: number; contentLength?: (head: Uint8Array) => number | undefined } = {},
): Promise<Uint8Array | undefined> {
  try {
    await selectFile(transport, parsePath(path), options);
  } catch (e) {
    if (e instanceof FileNotFound) return undefined;
    throw e;
  }
  return readSelectedFile(transport, options);
}

/**
 * How much of a certificate file to read: the DER length from its header; 0
 * when the file starts with zeros (no certificate, so the rest is padding too).
 */
export function certificateLength(head: Uint8Array): number | undefined {
  if (head.length >= 4 && head[0] === 0 && head.subarray(0, 4).every((b) => b === 0)) return 0;
  if (head[0] !== 0x30 || head.length < 2) return undefined;
  const first = head[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count < 1 || count > 3 || head.length < 2 + count) return undefined;
  let value = 0;
  for (let i = 0; i < count; i++) value = (value << 8) | head[2 + i]!;
  return 2 + count + value;
}

/** Reads a certificate file without its padding; undefined when there is no file or no certificate in it. */
export async function readCertificateFile(
  transport: ApduTransport,
  path: string | Uint8Array,
  options: ExchangeOptions = {},
): Promise<Uint8Array | undefined> {
  const file = await readFileIfPresent(transport, path, { ...options, contentLength: certificateLength });
  return file ? trimCertificate(file) : undefined;
}

/**
 * A certificate file without its zero padding, using the length in the DER
 * header (30 82 LL LL → LLLL + 4). An all-zero (or empty) file means "no
 * certificate" (a Kids-ID has no signature certificate): undefined.
 */
export function trimCertificate(file: Uint8Array): Uint8Array | undefined {
  if (file.every((b) => b === 0)) return undefined;
  if (file[0] !== 0x30 || file.length < 2) throw new EidBridgeError('CARD_ERROR', 'A certificate file on the card is not DER');
  const first = file[1]!;
  let length: number;
  if (first < 0x80) length = 2 + first;
  else {
    const count = first & 0x7f;
    if (count < 1 || count > 3 || file.length < 2 + count) throw new EidBridgeError('CARD_ERROR', 'A certificate file on the card has a bad length');
    let value = 0;
    for (let i = 0; i < count; i++) value = (value << 8) | file[2 + i]!;
    length = 2 + count + value;
  }
  if (length > file.length) throw new EidBridgeError('CARD_ERROR', 'A certificate file on the card is truncated');
  return file.slice(0, length);
}
