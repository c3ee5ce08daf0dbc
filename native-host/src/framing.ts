/**
 * Native-messaging framing: each message is a 32-bit length in native byte
 * order followed by that many bytes of UTF-8 JSON (Chrome and Firefox use the
 * same format). The decoder copes with several messages in one read and one
 * message split across reads; bad frames become typed errors and the stream
 * carries on with the next frame.
 */
import { endianness } from 'node:os';
import { EidBridgeError } from '../../shared/errors.js';
import { MAX_BROWSER_MESSAGE_BYTES, MAX_HOST_MESSAGE_BYTES } from '../../shared/protocol.js';

const LITTLE_ENDIAN = endianness() === 'LE';
const HEADER_BYTES = 4;

export type DecodedFrame = { ok: true; message: unknown } | { ok: false; error: EidBridgeError };

export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of an oversized frame still to be thrown away. */
  private discarding = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxMessageBytes = MAX_BROWSER_MESSAGE_BYTES) {}

  /** Feeds bytes in; returns every frame completed by them. */
  push(chunk: Buffer): DecodedFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: DecodedFrame[] = [];
    for (;;) {
      if (this.discarding > 0) {
        const skip = Math.min(this.discarding, this.buffer.length);
        this.buffer = this.buffer.subarray(skip);
        this.discarding -= skip;
        if (this.discarding > 0) break;
      }
      if (this.buffer.length < HEADER_BYTES) break;
      const length = LITTLE_ENDIAN ? this.buffer.readUInt32LE(0) : this.buffer.readUInt32BE(0);
      if (length > this.maxMessageBytes) {
        this.buffer = this.buffer.subarray(HEADER_BYTES);
        this.discarding = length;
        frames.push({
          ok: false,
          error: new EidBridgeError('MESSAGE_TOO_LARGE', `A message of ${length} bytes exceeds the limit of ${this.maxMessageBytes} bytes`),
        });
        continue;
      }
      if (this.buffer.length < HEADER_BYTES + length) break;
      const body = this.buffer.subarray(HEADER_BYTES, HEADER_BYTES + length);
      this.buffer = this.buffer.subarray(HEADER_BYTES + length);
      frames.push(this.decodeBody(body));
    }
    return frames;
  }

  /** Called when the input ends: a partial frame left over is reported, not silently dropped. */
  end(): DecodedFrame[] {
    const pending = this.buffer.length;
    this.buffer = Buffer.alloc(0);
    if (pending === 0 && this.discarding === 0) return [];
    this.discarding = 0;
    return [{ ok: false, error: new EidBridgeError('INVALID_MESSAGE', `The input ended inside a message (${pending} bytes left)`) }];
  }

  private decodeBody(body: Buffer): DecodedFrame {
    let text: string;
    try {
      text = this.utf8.decode(body);
    } catch {
      return { ok: false, error: new EidBridgeError('INVALID_MESSAGE', 'The message is not valid UTF-8') };
    }
    try {
      return { ok: true, message: JSON.parse(text) };
    } catch {
      return { ok: false, error: new EidBridgeError('INVALID_MESSAGE', 'The message is not valid JSON') };
    }
  }
}

/** Encodes one message; throws MESSAGE_TOO_LARGE past the browsers' 1 MiB limit for host → browser. */
export function encodeFrame(message: unknown, maxMessageBytes = MAX_HOST_MESSAGE_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > maxMessageBytes) {
    throw new EidBridgeError('MESSAGE_TOO_LARGE', `The reply of ${body.length} bytes exceeds the browser's limit of ${maxMessageBytes} bytes`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  if (LITTLE_ENDIAN) frame.writeUInt32LE(body.length, 0);
  else frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}
