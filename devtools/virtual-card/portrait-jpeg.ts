/**
 * The photo of the virtual card: a baseline grayscale JPEG of a drawn head and
 * shoulders, 140×200 pixels like the photo on a real eID (file 4035, ~3 KB).
 * Encoded here from first principles (JPEG, ITU T.81: DCT, quantisation,
 * Huffman tables built for the image per Annex K.2) so no image file or
 * library is needed and the bytes are the same on every run.
 */

export const PORTRAIT_WIDTH = 140;
export const PORTRAIT_HEIGHT = 200;

/** Luminance quantisation table of T.81 Annex K.1, row by row. */
const BASE_QUANTISATION = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** Zigzag scan: ZIGZAG[i] is the row-major index of the i-th coefficient sent. */
const ZIGZAG: number[] = (() => {
  const order: number[] = [];
  for (let sum = 0; sum < 15; sum++) {
    const cells: number[] = [];
    for (let row = 0; row < 8; row++) {
      const col = sum - row;
      if (col >= 0 && col < 8) cells.push(row * 8 + col);
    }
    // Odd diagonals run top-right to bottom-left, even ones the other way.
    order.push(...(sum % 2 === 0 ? cells.reverse() : cells));
  }
  return order;
})();

const COSINES: number[] = Array.from({ length: 64 }, (_, i) => {
  const x = Math.floor(i / 8);
  const u = i % 8;
  return Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Gray level (0 black … 255 white) of the drawn portrait at a pixel. */
function portraitPixel(px: number, py: number): number {
  const x = px + 0.5;
  const y = py + 0.5;
  let value = 225 - (y / PORTRAIT_HEIGHT) * 25; // light studio background
  // Shoulders and jacket.
  const shoulder = Math.hypot((x - 70) / 68, (y - 215) / 60);
  value = mix(value, 70 + (y - 150) * 0.3, 1 - smoothstep(0.97, 1.03, shoulder));
  // Neck.
  const neck = Math.max(Math.abs(x - 70) / 16, (y - 150) / 20);
  if (y > 110) value = mix(value, 165, 1 - smoothstep(0.95, 1.05, neck));
  // Face, lit from the left.
  const face = Math.hypot((x - 70) / 36, (y - 92) / 47);
  value = mix(value, 185 - (x - 40) * 0.45, 1 - smoothstep(0.96, 1.04, face));
  // Hair on top of the head.
  const hair = Math.hypot((x - 70) / 40, (y - 80) / 46);
  if (y < 78 - Math.abs(x - 70) * 0.15) value = mix(value, 60, 1 - smoothstep(0.94, 1.02, hair));
  // Eyes, brows and mouth.
  for (const eyeX of [56, 84]) {
    value = mix(value, 45, 1 - smoothstep(0.8, 1.2, Math.hypot((x - eyeX) / 6, (y - 88) / 3)));
    value = mix(value, 80, 1 - smoothstep(0.8, 1.2, Math.hypot((x - eyeX) / 9, (y - 79) / 1.8)));
  }
  value = mix(value, 120, 1 - smoothstep(0.8, 1.2, Math.hypot((x - 70) / 4, (y - 103) / 8)));
  value = mix(value, 95, 1 - smoothstep(0.8, 1.2, Math.hypot((x - 70) / 12, (y - 118) / 2.5)));
  return Math.round(Math.min(255, Math.max(0, value)));
}

function mix(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  write(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((code >> i) & 1);
      this.used += 1;
      if (this.used === 8) this.flushByte();
    }
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0x00); // byte stuffing (T.81 F.1.2.3)
    this.current = 0;
    this.used = 0;
  }

  finish(): number[] {
    if (this.used > 0) this.write(0x7f, 8 - this.used); // pad with 1 bits
    return this.bytes;
  }
}

interface HuffmanTable {
  /** bits[i] = number of codes of length i+1 (16 entries) */
  bits: number[];
  values: number[];
  codes: Map<number, { code: number; length: number }>;
}

/** Code lengths for the given symbol counts, limited to 16 bits (T.81 Annex K.2). */
function buildHuffmanTable(counts: Map<number, number>): HuffmanTable {
  const freq = new Array<number>(257).fill(0);
  for (const [symbol, count] of counts) freq[symbol] = count;
  freq[256] = 1; // reserved so that no code is all ones
  const codeSize = new Array<number>(257).fill(0);
  const others = new Array<number>(257).fill(-1);
  for (;;) {
    let v1 = -1;
    let v2 = -1;
    for (let i = 0; i < 257; i++) {
      const f = freq[i]!;
      if (f === 0) continue;
      if (v1 < 0 || f <= freq[v1]!) {
        v2 = v1;
        v1 = i;
      } else if (v2 < 0 || f <= freq[v2]!) {
        v2 = i;
      }
    }
    if (v2 < 0) break;
    freq[v1] = freq[v1]! + freq[v2]!;
    freq[v2] = 0;
    codeSize[v1] = codeSize[v1]! + 1;
    while (others[v1]! >= 0) {
      v1 = others[v1]!;
      codeSize[v1] = codeSize[v1]! + 1;
    }
    others[v1] = v2;
    codeSize[v2] = codeSize[v2]! + 1;
    while (others[v2]! >= 0) {
      v2 = others[v2]!;
      codeSize[v2] = codeSize[v2]! + 1;
    }
  }
  const bits = new Array<number>(33).fill(0);
  for (const size of codeSize) if (size > 0) bits[size] = bits[size]! + 1;
  for (let i = 32; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i] = bits[i]! - 2;
      bits[i - 1] = bits[i - 1]! + 1;
      bits[j + 1] = bits[j + 1]! + 2;
      bits[j] = bits[j]! - 1;
    }
  }
  let longest = 16;
  while (bits[longest] === 0) longest--;
  bits[longest] = bits[longest]! - 1; // drop the reserved symbol
  const values: number[] = [];
  for (let size = 1; size <= 32; size++) {
    for (let symbol = 0; symbol < 256; symbol++) if (codeSize[symbol] === size) values.push(symbol);
  }
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let n = 0; n < bits[length]!; n++) codes.set(values[k++]!, { code: code++, length });
    code <<= 1;
  }
  return { bits: bits.slice(1, 17), values, codes };
}

function magnitudeCategory(v: number): number {
  let a = Math.abs(v);
  let size = 0;
  while (a > 0) {
    size++;
    a >>= 1;
  }
  return size;
}

function magnitudeBits(v: number, size: number): number {
  return v >= 0 ? v : v + (1 << size) - 1;
}

function segment(marker: number, body: number[]): number[] {
  const length = body.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...body];
}

/** Encodes the drawn portrait; `quality` 1–100 scales the quantisation as libjpeg does. */
export function encodePortraitJpeg(quality = 90): Uint8Array {
  const scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
  const quantisation = BASE_QUANTISATION.map((q) => Math.min(255, Math.max(1, Math.floor((q * scale + 50) / 100))));

  // Forward DCT and quantisation of every 8×8 block, edge pixels repeated.
  const blocksWide = Math.ceil(PORTRAIT_WIDTH / 8);
  const blocksHigh = Math.ceil(PORTRAIT_HEIGHT / 8);
  const blocks: number[][] = [];
  const samples = new Float64Array(64);
  for (let by = 0; by < blocksHigh; by++) {
    for (let bx = 0; bx < blocksWide; bx++) {
      for (let i = 0; i < 64; i++) {
        const px = Math.min(PORTRAIT_WIDTH - 1, bx * 8 + (i % 8));
        const py = Math.min(PORTRAIT_HEIGHT - 1, by * 8 + Math.floor(i / 8));
        samples[i] = portraitPixel(px, py) - 128;
      }
      const zigzagged = new Array<number>(64);
      for (let k = 0; k < 64; k++) {
        const index = ZIGZAG[k]!;
        const v = Math.floor(index / 8);
        const u = index % 8;
        let sum = 0;
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) sum += samples[y * 8 + x]! * COSINES[x * 8 + u]! * COSINES[y * 8 + v]!;
        }
        const cu = u === 0 ? Math.SQRT1_2 : 1;
        const cv = v === 0 ? Math.SQRT1_2 : 1;
        zigzagged[k] = Math.round((0.25 * cu * cv * sum) / quantisation[index]!);
      }
      blocks.push(zigzagged);
    }
  }

  // Symbols per block: DC difference category, then (run, size) pairs for AC.
  type Symbol = { table: 'dc' | 'ac'; symbol: number; value: number; size: number };
  const symbols: Symbol[] = [];
  let previousDc = 0;
  for (const block of blocks) {
    const diff = block[0]! - previousDc;
    previousDc = block[0]!;
    const dcSize = magnitudeCategory(diff);
    symbols.push({ table: 'dc', symbol: dcSize, value: magnitudeBits(diff, dcSize), size: dcSize });
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const coefficient = block[k]!;
      if (coefficient === 0) {
        run++;
        continue;
      }
      while (run > 15) {
        symbols.push({ table: 'ac', symbol: 0xf0, value: 0, size: 0 });
        run -= 16;
      }
      const size = magnitudeCategory(coefficient);
      symbols.push({ table: 'ac', symbol: (run << 4) | size, value: magnitudeBits(coefficient, size), size });
      run = 0;
    }
    if (run > 0) symbols.push({ table: 'ac', symbol: 0x00, value: 0, size: 0 });
  }
  const dcCounts = new Map<number, number>();
  const acCounts = new Map<number, number>();
  for (const s of symbols) {
    const counts = s.table === 'dc' ? dcCounts : acCounts;
    counts.set(s.symbol, (counts.get(s.symbol) ?? 0) + 1);
  }
  const dcTable = buildHuffmanTable(dcCounts);
  const acTable = buildHuffmanTable(acCounts);

  const writer = new BitWriter();
  for (const s of symbols) {
    const { code, length } = (s.table === 'dc' ? dcTable : acTable).codes.get(s.symbol)!;
    writer.write(code, length);
    if (s.size > 0) writer.write(s.value, s.size);
  }
  const scan = writer.finish();

  const bytes = [
    0xff, 0xd8, // SOI
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0 JFIF 1.01, aspect 1:1
    ...segment(0xdb, [0x00, ...ZIGZAG.map((i) => quantisation[i]!)]), // DQT table 0, 8-bit
    ...segment(0xc0, [8, PORTRAIT_HEIGHT >> 8, PORTRAIT_HEIGHT & 0xff, PORTRAIT_WIDTH >> 8, PORTRAIT_WIDTH & 0xff, 1, 1, 0x11, 0]), // SOF0
    ...segment(0xc4, [0x00, ...dcTable.bits, ...dcTable.values, 0x10, ...acTable.bits, ...acTable.values]), // DHT DC0 + AC0
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS: one component, tables 0/0, full spectral range
    ...scan,
    0xff, 0xd9, // EOI
  ];
  return Uint8Array.from(bytes);
}
