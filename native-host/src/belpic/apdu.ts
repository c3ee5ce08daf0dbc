/**
 * APDU exchange with a BELPIC card, including the T=0 rules the card relies
 * on: `61 xx` means "xx more bytes, fetch them with GET RESPONSE", `6C xx`
 * means "wrong Le, send the same command again with Le = xx".
 */
import { EidBridgeError } from '../../../shared/errors.js';
import { INS, SW } from '../../../shared/belpic/card-constants.js';
import { RESEND_PAUSE_MS } from './constants.js';
import { bytesToHex } from '../../../shared/bytes.js';

/** Anything that carries APDUs to the card: a PC/SC connection or the in-process emulator. */
export interface ApduTransport {
  readonly atr: Uint8Array;
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

export interface ApduResponse {
  data: Uint8Array;
  sw: number;
}

export interface ExchangeOptions {
  /** Pause before resending after 6Cxx (old cards need it). */
  resendPauseMs?: number;
}

/** Bounds a response chained over many GET RESPONSE rounds (far beyond any BELPIC answer). */
const MAX_GET_RESPONSE_ROUNDS = 16;

export function apdu(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, le?: number): Uint8Array {
  const hasData = data !== undefined && data.length > 0;
  if (hasData && data.length > 255) throw new RangeError('APDU data longer than 255 bytes');
  const length = 4 + (hasData ? 1 + data.length : 0) + (le !== undefined ? 1 : 0);
  const out = new Uint8Array(length);
  out.set([cla, ins, p1, p2]);
  let pos = 4;
  if (hasData) {
    out[pos++] = data.length;
    out.set(data, pos);
    pos += data.length;
  }
  if (le !== undefined) out[pos] = le & 0xff;
  return out;
}

/** The same command with another Le (for 6Cxx). */
export function withLe(command: Uint8Array, le: number): Uint8Array {
  if (command.length === 4) return Uint8Array.of(...command, le);
  if (command.length === 5) {
    const out = command.slice();
    out[4] = le;
    return out;
  }
  const lc = command[4]!;
  if (command.length === 5 + lc) return Uint8Array.of(...command, le);
  const out = command.slice();
  out[out.length - 1] = le;
  return out;
}

/** Upper-case hex of APDUs and responses, for logs and errors. */
export const hex = bytesToHex;

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

const pause = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function split(response: Uint8Array): ApduResponse {
  if (response.length < 2) {
    throw new EidBridgeError('CARD_ERROR', `The card gave a malformed answer (${response.length} bytes)`);
  }
  return {
    data: response.subarray(0, response.length - 2),
    sw: (response[response.length - 2]! << 8) | response[response.length - 1]!,
  };
}

/** Whether a short command has command data (Lc and data: cases 3 and 4). */
function carriesData(command: Uint8Array): boolean {
  return command.length > 5;
}

/** Sends one command and returns the complete answer, resolving 61xx and 6Cxx. */
export async function exchange(transport: ApduTransport, command: Uint8Array, options: ExchangeOptions = {}): Promise<ApduResponse> {
  let response = split(await transport.transmit(command));
  // 6Cxx names the right Le of a command that only asks for data (ISO/IEC
  // 7816-3, T=0 case 2). A command carrying data is never sent again: a second
  // VERIFY would spend a second PIN try the person did not give.
  if (response.sw >> 8 === SW.WRONG_LE >> 8 && !carriesData(command)) {
    await pause(options.resendPauseMs ?? RESEND_PAUSE_MS);
    response = split(await transport.transmit(withLe(command, response.sw & 0xff)));
  }
  if (response.sw >> 8 !== SW.BYTES_AVAILABLE >> 8) return { data: response.data.slice(), sw: response.sw };
  const parts: Uint8Array[] = [response.data.slice()];
  for (let round = 0; response.sw >> 8 === SW.BYTES_AVAILABLE >> 8; round++) {
    if (round >= MAX_GET_RESPONSE_ROUNDS) throw new EidBridgeError('CARD_ERROR', 'The card kept announcing more response data');
    response = split(await transport.transmit(apdu(0x00, INS.GET_RESPONSE, 0x00, 0x00, undefined, response.sw & 0xff)));
    parts.push(response.data.slice());
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const data = new Uint8Array(total);
  let pos = 0;
  for (const part of parts) {
    data.set(part, pos);
    pos += part.length;
  }
  return { data, sw: response.sw };
}

/** A status word the caller did not expect, as a CARD_ERROR naming the command. */
export function statusError(what: string, sw: number): EidBridgeError {
  const meaning: Record<number, string> = {
    [SW.SECURITY_NOT_SATISFIED]: 'security status not satisfied',
    [SW.INS_NOT_SUPPORTED]: 'applet not active or command not supported',
    [SW.LC_INCONSISTENT]: 'Lc inconsistent',
    [SW.FILE_NOT_FOUND]: 'file not found',
    [SW.WRONG_LENGTH]: 'wrong length',
  };
  const extra = meaning[sw] ? ` (${meaning[sw]})` : '';
  return new EidBridgeError('CARD_ERROR', `${what} failed: status ${swHex(sw)}${extra}`);
}
