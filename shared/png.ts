/**
 * The structure of a PNG file (ISO/IEC 15948, https://www.w3.org/TR/png/):
 * the 8-byte signature, then chunks of length, type, data and CRC; the first
 * is IHDR (13 bytes: width, height, …), the last IEND. Checked before the
 * extension shows a picture a page sent, so the browser's image decoder gets
 * only what is a PNG by its outline and within the size limits.
 */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface PngOutline {
  width: number;
  height: number;
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Width and height of a well-formed PNG, or undefined when the bytes are not one (or a dimension is over `maxSide`). */
export function pngOutline(bytes: Uint8Array, maxSide: number): PngOutline | undefined {
  if (bytes.length < SIGNATURE.length + 12 + 13 + 12) return undefined;
  if (SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SIGNATURE.length;
  let outline: PngOutline | undefined;
  for (let index = 0; at + 12 <= bytes.length; index++) {
    const length = view.getUint32(at);
    const type = chunkType(bytes, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type) || at + 12 + length > bytes.length) return undefined;
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) return undefined;
      const width = view.getUint32(at + 8);
      const height = view.getUint32(at + 12);
      if (width < 1 || height < 1 || width > maxSide || height > maxSide) return undefined;
      outline = { width, height };
    } else if (type === 'IHDR') return undefined;
    at += 12 + length;
    // IEND is last and empty: nothing may follow it.
    if (type === 'IEND') return length === 0 && at === bytes.length ? outline : undefined;
  }
  return undefined;
}
