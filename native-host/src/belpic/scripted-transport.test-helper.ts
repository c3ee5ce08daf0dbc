/**
 * A transport for unit tests that answers from a function and records every
 * command, so T=0 and end-of-file rules can be checked byte by byte.
 */
import type { ApduTransport } from './apdu.js';
import { bytesToHex } from '../../../shared/bytes.js';

export { bytesToHex as toHex };

export function bytes(hexString: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hexString.replace(/\s+/g, ''), 'hex'));
}


export class ScriptedTransport implements ApduTransport {
  readonly sent: string[] = [];
  constructor(
    private readonly answer: (command: Uint8Array) => Uint8Array,
    readonly atr: Uint8Array = new Uint8Array(),
  ) {}

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.sent.push(bytesToHex(command));
    return this.answer(command);
  }
}

/** A card holding one transparent file, answering READ BINARY with the BELPIC end-of-file rules. */
export function fileCard(file: Uint8Array, mode: '6C' | 'short' | '6B00-only'): ScriptedTransport {
  return new ScriptedTransport((c) => {
    const ins = c[1];
    if (ins === 0xa4) return bytes('9000');
    if (ins !== 0xb0) return bytes('6D00');
    const offset = (c[2]! << 8) | c[3]!;
    const le = c[4] === 0 ? 256 : c[4]!;
    if (offset >= file.length) return bytes('6B00');
    const left = file.length - offset;
    if (left < le) {
      if (mode === '6C') return Uint8Array.of(0x6c, left);
      if (mode === 'short') return Uint8Array.of(...file.subarray(offset), 0x90, 0x00);
    }
    const n = Math.min(le, left);
    return Uint8Array.of(...file.subarray(offset, offset + n), 0x90, 0x00);
  });
}
