/**
 * BELPIC TLV, the format of the identity (4031) and address (4033) files of a
 * Belgian eID card: one tag byte, then a length that is one byte, where a length
 * byte 0xFF means "255 plus the next length byte" (FF x = 255+x, FF FF x = 510+x).
 * Files are zero-padded, and a 00 tag byte after the first entry starts the padding.
 */

export interface BelpicTlvEntry {
  tag: number;
  value: Uint8Array;
}

/**
 * Decodes a BELPIC TLV file. Unknown tags are kept (new cards add tags).
 * Stops at the zero padding: a tag byte 00 with length 00 (or a 00 tag where a
 * version entry can no longer appear), or the end of the bytes. A truncated
 * entry at the end throws.
 */
export function decodeBelpicTlv(bytes: Uint8Array): BelpicTlvEntry[] {
  const entries: BelpicTlvEntry[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const tag = bytes[pos]!;
    // Tag 00 is the file structure version and only ever comes first; anywhere
    // else, or with a zero length, a 00 byte is the padding that ends the file.
    if (tag === 0x00 && (entries.length > 0 || pos + 1 >= bytes.length || bytes[pos + 1] === 0x00)) break;
    pos += 1;
    let length = 0;
    for (;;) {
      if (pos >= bytes.length) throw new RangeError(`BELPIC TLV: length of tag 0x${hex2(tag)} runs past the end`);
      const part = bytes[pos]!;
      pos += 1;
      length += part;
      if (part !== 0xff) break;
    }
    if (pos + length > bytes.length) {
      throw new RangeError(`BELPIC TLV: value of tag 0x${hex2(tag)} (${length} bytes) runs past the end`);
    }
    entries.push({ tag, value: bytes.slice(pos, pos + length) });
    pos += length;
  }
  return entries;
}

/** Encodes entries in the given order (cards write tags ascending; the caller decides). */
export function encodeBelpicTlv(entries: ReadonlyArray<BelpicTlvEntry>): Uint8Array {
  const parts: number[] = [];
  for (const { tag, value } of entries) {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`BELPIC TLV: tag ${tag} is not one byte`);
    parts.push(tag);
    let left = value.length;
    while (left >= 0xff) {
      parts.push(0xff);
      left -= 0xff;
    }
    parts.push(left);
    for (const b of value) parts.push(b);
  }
  return Uint8Array.from(parts);
}

/** Reads a text value: UTF-8, spaces trimmed (cards pad some fields with spaces). */
export function belpicTlvText(value: Uint8Array): string {
  return new TextDecoder('utf-8').decode(value).trim();
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
