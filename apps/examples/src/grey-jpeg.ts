/**
 * A baseline JPEG encoder for 8-bit grey images (ITU-T T.81), for the
 * digits-as-JPEG test data: one component, 8×8 blocks (edges replicated to
 * a multiple of 8), the exact floating-point DCT
 * `F(u,v) = ¼ C(u) C(v) Σₓ Σᵧ (f(x,y) − 128) cos((2x+1)uπ/16) cos((2y+1)vπ/16)`,
 * `C(0) = 1/√2` (A.3.3), quantised by the Annex K luminance table scaled to
 * `quality` as the IJG library does, and Huffman-coded with the Annex K
 * luminance tables (K.3). Deterministic: the same bytes on every machine.
 */

/** Table K.1, row-major. */
const LUMINANCE_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** Table K.3: code lengths 1..16 and the DC categories. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** Table K.5: code lengths 1..16 and the AC symbols (run << 4 | size; 0x00 end of block, 0xf0 sixteen zeros). */
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
export const AC_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
  0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
  0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
  0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

/** ZIGZAG[k] = the row-major place of the k-th coefficient in zigzag order (Figure A.6). */
export const ZIGZAG: number[] = (() => {
  const order: number[] = [];
  for (let s = 0; s < 15; s++) {
    const cells: number[] = [];
    for (let r = Math.max(0, s - 7); r <= Math.min(7, s); r++) cells.push(r * 8 + (s - r));
    // odd diagonals run down-left (row rising), even ones up-right
    order.push(...(s % 2 === 1 ? cells : cells.reverse()));
  }
  return order;
})();

/** Canonical Huffman codes of a table (Annex C): symbol → [code, length]. */
function huffmanCodes(bits: readonly number[], values: readonly number[]): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < bits[len - 1]!; i++) codes.set(values[k++]!, [code++, len]);
    code <<= 1;
  }
  return codes;
}
const DC_CODES = huffmanCodes(DC_BITS, DC_VALUES);
const AC_CODES = huffmanCodes(AC_BITS, AC_VALUES);

/** IJG's quality scaling of a base table (jcparam.c's formula): 50 is the table itself, 100 all ones. */
export function quantTable(quality: number): number[] {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`greyJpeg: quality must be an integer in 1..100, got ${quality}`);
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return LUMINANCE_QUANT.map((q) => Math.min(255, Math.max(1, Math.floor((q * scale + 50) / 100))));
}

const COS = Float64Array.from({ length: 64 }, (_, i) => Math.cos(((2 * (i >> 3) + 1) * (i & 7) * Math.PI) / 16)); // COS[x·8 + u]
const C = (u: number) => (u === 0 ? Math.SQRT1_2 : 1);

/** Bits into bytes, a 0x00 after every 0xff (F.1.2.3), the last byte padded with ones. */
class BitWriter {
  readonly bytes: number[] = [];
  #acc = 0;
  #n = 0;
  write(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#acc = (this.#acc << 1) | ((code >> i) & 1);
      if (++this.#n === 8) this.#flush();
    }
  }
  #flush(): void {
    this.bytes.push(this.#acc);
    if (this.#acc === 0xff) this.bytes.push(0);
    this.#acc = 0;
    this.#n = 0;
  }
  finish(): number[] {
    if (this.#n > 0) this.write((1 << (8 - this.#n)) - 1, 8 - this.#n);
    return this.bytes;
  }
}

/** The category (bit length) of a coefficient and its extra bits (F.1.2.1). */
function category(v: number): [number, number] {
  const size = v === 0 ? 0 : Math.floor(Math.log2(Math.abs(v))) + 1;
  return [size, v < 0 ? v + (1 << size) - 1 : v];
}

const segment = (marker: number, body: readonly number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
const table = (cls: number, bits: readonly number[], values: readonly number[]) => [cls, ...bits, ...values];

/** A baseline JFIF JPEG of row-major `width × height` grey bytes. */
export function greyJpeg(width: number, height: number, pixels: Uint8Array, quality = 90): Buffer {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width < 65536 && height < 65536) || pixels.length !== width * height) {
    throw new RangeError(`greyJpeg: pixels must hold width × height bytes (1..65535 each), got ${pixels.length} for ${width}×${height}`);
  }
  const q = quantTable(quality);
  const out = new BitWriter();
  const block = new Float64Array(64);
  let previousDc = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let i = 0; i < 64; i++) block[i] = pixels[Math.min(height - 1, by + (i >> 3)) * width + Math.min(width - 1, bx + (i & 7))]! - 128;
      const coef = new Array<number>(64);
      for (let v = 0; v < 8; v++) {
        for (let u = 0; u < 8; u++) {
          let s = 0;
          for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += block[y * 8 + x]! * COS[x * 8 + u]! * COS[y * 8 + v]!;
          coef[v * 8 + u] = Math.round((0.25 * C(u) * C(v) * s) / q[v * 8 + u]!);
        }
      }
      const [dcSize, dcBits] = category(coef[0]! - previousDc);
      previousDc = coef[0]!;
      out.write(...DC_CODES.get(dcSize)!);
      out.write(dcBits, dcSize);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const c = coef[ZIGZAG[k]!]!;
        if (c === 0) {
          run++;
          continue;
        }
        for (; run > 15; run -= 16) out.write(...AC_CODES.get(0xf0)!);
        const [size, bits] = category(c);
        out.write(...AC_CODES.get((run << 4) | size)!);
        out.write(bits, size);
        run = 0;
      }
      if (run > 0) out.write(...AC_CODES.get(0x00)!);
    }
  }
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.1, aspect 1:1, no thumbnail
    ...segment(0xdb, [0, ...ZIGZAG.map((p) => q[p]!)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [...table(0x00, DC_BITS, DC_VALUES), ...table(0x10, AC_BITS, AC_VALUES)]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...out.finish(),
    0xff, 0xd9,
  ]);
}
