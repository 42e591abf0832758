import { type FloatArray, type PoolAttrs, ShapeError, type Tensor } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';
import { avgPoolBackwardWasm, avgPoolWasm, maxPoolBackwardWasm, maxPoolWasm, type PoolSizes } from '../pool-wasm.js';

/**
 * Max and average pooling over NHWC data (manual §4.3, §6.3), MatConvNet's
 * semantics: every window is clipped to the image, so max pooling behaves as
 * −∞ padding and average pooling divides by the number of valid pixels.
 *
 * Max forward keeps, per channel, the first maximum of the window scanned row
 * by row with a strict `>` (of +0 and −0 the first stays). NaN propagates: it
 * wins over every number, and the first NaN stays, so a window with a NaN
 * pools to NaN (fix: MatConvNet's `std::max` from −∞ skips NaN, hiding a
 * diverged network). Max backward routes each output's derivative to the
 * FIRST maximum of its window, by the same rule, in MatConvNet's memory
 * order — column-major: down the first column, then the next column to the
 * right (pooling_cpu.cpp) —, re-scanning the window (no argmax buffer is kept
 * across calls): to its first NaN if it has one, and to its first element
 * when every value is −∞ (fix: MatConvNet's strict `>` from −∞ drops that
 * derivative). Overlapping windows accumulate, in output order.
 *
 * Float32 max and average pooling run in WebAssembly SIMD where it can
 * (pool-wasm.ts: four channels at a time, whole images per GEMM thread), with
 * the same rules and values; the loops below are its fallback, its reference
 * in tests, and the float64 path.
 *
 * Loops: window bounds are clipped once per output row and column (`bounds`)
 * and turned into flat offsets, so the inner loops only add strides. Max runs
 * channel by channel with the running maximum in a local — on float32 data
 * without branches, comparing order-preserving integer keys of the bits
 * (`key`; 1.5–2× faster on random data, same choices); average adds whole
 * channel rows (channels innermost, contiguous) into the output, rounding to
 * the output's type after every add exactly as before.
 */
export const poolKernels = {
  Pool: (cpu, { x }, attrs) => {
    const s = poolSizes(x, attrs);
    const xv = cpu.contiguous(x);
    // Every path writes every output; only the average's loop adds into it, so zeroes it first.
    const out = cpu.allocOverwritten(s.n * s.ho * s.wo * s.c);
    // The loops' window bounds only where the module does not run (the calling thread's set-up, cold in a step).
    if (attrs.method !== 'max') {
      if (!(xv instanceof Float32Array && out instanceof Float32Array && avgPoolWasm(s, xv, out))) avgForward(geometry(s), xv, out.fill(0));
    } else if (xv instanceof Float32Array && out instanceof Float32Array) {
      if (!maxPoolWasm(s, xv, out)) maxForward32(geometry(s), bitsOf(xv), bitsOf(out));
    }
    else maxForward(geometry(s), xv, out);
    return cpu.wrap(out, [s.n, s.ho, s.wo, s.c]);
  },

  PoolBackward: (cpu, { x, dy }, attrs) => {
    const s = poolSizes(x, attrs);
    // The loops and the module read n·Ho·Wo·C values of dy: fewer would be read past, more ignored.
    if (dy.size !== s.n * s.ho * s.wo * s.c) {
      throw new ShapeError('PoolBackward', 'dy', `dy of ${s.n * s.ho * s.wo * s.c} values expected (shape [${[s.n, s.ho, s.wo, s.c].join(', ')}] for x of shape [${x.shape.join(', ')}]), got shape [${dy.shape.join(', ')}]`);
    }
    const dyv = cpu.contiguous(dy);
    // The module's routes store all of dx; the loops add into it, so they get it zeroed.
    const dx = cpu.allocOverwritten(x.size);
    if (attrs.method !== 'max') {
      if (!(dyv instanceof Float32Array && dx instanceof Float32Array && avgPoolBackwardWasm(s, dyv, dx))) avgBackward(geometry(s), dyv, dx.fill(0));
    } else {
      const xv = cpu.contiguous(x);
      if (xv instanceof Float32Array && dyv instanceof Float32Array && dx instanceof Float32Array) {
        if (!maxPoolBackwardWasm(s, xv, dyv, dx)) maxBackward32(geometry(s), bitsOf(xv), dyv, dx.fill(0));
      } else if (xv instanceof Float32Array) maxBackward32(geometry(s), bitsOf(xv), dyv, dx.fill(0));
      else maxBackward(geometry(s), xv, dyv, dx.fill(0));
    }
    return cpu.wrap(dx, x.shape);
  },
} satisfies Partial<CpuKernelTable>;

/** Sizes, and the clipped window of every output row and column as flat offsets. */
interface PoolGeometry {
  n: number;
  c: number;
  ho: number;
  wo: number;
  /** Elements per image (H·W·C). */
  image: number;
  /** Elements per input row (W·C). */
  row: number;
  /** `[start, end)` of each output row's window, in input rows × `row`. */
  rows: Int32Array;
  /** `[start, end)` of each output column's window, in input columns × `c`. */
  cols: Int32Array;
  /** Valid pixels in the clipped window of each output pixel (oy·Wo + ox), the average's divisor. */
  counts: Int32Array;
}

/** The sizes of a pooling of x (rank 4, NHWC): `[n, h, w, c]`, the output's `ho × wo`, and the attributes. */
function poolSizes(x: Tensor, attrs: PoolAttrs): PoolSizes {
  if (x.shape.length !== 4) throw new ShapeError('Pool', 'x', `x of rank 4 (NHWC images) expected, got shape [${x.shape.join(', ')}]`);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const { poolSize, pad, stride } = attrs;
  const ho = Math.floor((h + pad[0] + pad[1] - poolSize[0]) / stride[0]) + 1;
  const wo = Math.floor((w + pad[2] + pad[3] - poolSize[1]) / stride[1]) + 1;
  return { n, h, w, c, ho, wo, attrs };
}

/** The loops' geometry: the clipped window of every output row and column as flat offsets, and each output pixel's valid count. */
function geometry({ n, h, w, c, ho, wo, attrs }: PoolSizes): PoolGeometry {
  const { poolSize, pad, stride } = attrs;
  const rows = bounds(ho, stride[0], pad[0], poolSize[0], h, w * c);
  const cols = bounds(wo, stride[1], pad[2], poolSize[1], w, c);
  const counts = new Int32Array(ho * wo);
  for (let oy = 0; oy < ho; oy++) {
    const dh = (rows[2 * oy + 1]! - rows[2 * oy]!) / (w * c);
    for (let ox = 0; ox < wo; ox++) counts[oy * wo + ox] = (dh * (cols[2 * ox + 1]! - cols[2 * ox]!)) / c;
  }
  return { n, c, ho, wo, image: h * w * c, row: w * c, rows, cols, counts };
}

/** `[start, end)` × `unit` of the window of each of `count` outputs, clipped to `[0, size)`: start = o·stride − pad. */
function bounds(count: number, stride: number, pad: number, window: number, size: number, unit: number): Int32Array {
  const b = new Int32Array(2 * count);
  for (let o = 0; o < count; o++) {
    const start = o * stride - pad;
    b[2 * o] = Math.max(start, 0) * unit;
    b[2 * o + 1] = Math.min(start + window, size) * unit;
  }
  return b;
}

function maxForward({ n, c, ho, wo, image, row, rows, cols }: PoolGeometry, xv: FloatArray, out: FloatArray): void {
  let o = 0;
  for (let img = 0; img < n * image; img += image) {
    for (let oy = 0; oy < ho; oy++) {
      const r1 = img + rows[2 * oy]!;
      const r2 = img + rows[2 * oy + 1]!;
      for (let ox = 0; ox < wo; ox++) {
        const c1 = cols[2 * ox]!;
        const c2 = cols[2 * ox + 1]!;
        for (let k = 0; k < c; k++) {
          let m = Number.NEGATIVE_INFINITY;
          // Row by row (i outer, j inner), strict '>': the first maximum stays.
          for (let r = r1 + k; r < r2 + k; r += row) {
            for (let p = r + c1; p < r + c2; p += c) {
              const v = xv[p]!;
              if (v > m || (Number.isNaN(v) && !Number.isNaN(m))) m = v;
            }
          }
          out[o++] = m;
        }
      }
    }
  }
}

function avgForward({ n, c, ho, wo, image, row, rows, cols, counts }: PoolGeometry, xv: FloatArray, out: FloatArray): void {
  let o = 0;
  for (let img = 0; img < n * image; img += image) {
    for (let oy = 0; oy < ho; oy++) {
      const r1 = img + rows[2 * oy]!;
      const r2 = img + rows[2 * oy + 1]!;
      for (let ox = 0; ox < wo; ox++) {
        const c1 = cols[2 * ox]!;
        const c2 = cols[2 * ox + 1]!;
        const end = o + c;
        // Σ in row-major window order, each partial sum stored (rounded) in the output.
        for (let r = r1; r < r2; r += row) {
          for (let p = r + c1; p < r + c2; p += c) {
            for (let q = o, s = p; q < end; q++, s++) out[q]! += xv[s]!;
          }
        }
        const scale = 1 / counts[oy * wo + ox]!;
        for (let q = o; q < end; q++) out[q]! *= scale;
        o = end;
      }
    }
  }
}

function maxBackward({ n, c, ho, wo, image, row, rows, cols }: PoolGeometry, xv: FloatArray, dyv: FloatArray, dx: FloatArray): void {
  let o = 0;
  for (let img = 0; img < n * image; img += image) {
    for (let oy = 0; oy < ho; oy++) {
      const r1 = img + rows[2 * oy]!;
      const r2 = img + rows[2 * oy + 1]!;
      for (let ox = 0; ox < wo; ox++) {
        const c1 = cols[2 * ox]!;
        const c2 = cols[2 * ox + 1]!;
        for (let k = 0; k < c; k++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          // Column-major (j outer, i inner), strict '>': the first maximum in MatConvNet's order.
          for (let q = r1 + c1 + k; q < r1 + c2 + k; q += c) {
            for (let p = q; p < q - r1 + r2; p += row) {
              const v = xv[p]!;
              if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                best = v;
                at = p;
              }
            }
          }
          if (at >= 0) dx[at]! += dyv[o]!;
        }
      }
    }
  }
}

function avgBackward({ n, c, ho, wo, image, row, rows, cols, counts }: PoolGeometry, dyv: FloatArray, dx: FloatArray): void {
  let o = 0;
  for (let img = 0; img < n * image; img += image) {
    for (let oy = 0; oy < ho; oy++) {
      const r1 = img + rows[2 * oy]!;
      const r2 = img + rows[2 * oy + 1]!;
      for (let ox = 0; ox < wo; ox++) {
        const c1 = cols[2 * ox]!;
        const c2 = cols[2 * ox + 1]!;
        const scale = 1 / counts[oy * wo + ox]!;
        const end = o + c;
        for (let r = r1; r < r2; r += row) {
          for (let p = r + c1; p < r + c2; p += c) {
            for (let q = o, s = p; q < end; q++, s++) dx[s]! += dyv[q]! * scale;
          }
        }
        o = end;
      }
    }
  }
}

const bitsOf = (v: Float32Array): Int32Array => new Int32Array(v.buffer, v.byteOffset, v.length);

/**
 * Float32 bits → an int32 key in the order of the values, with +0 and −0 equal
 * and every NaN above +∞, so `key(v) > key(m)` is the rule of the loops above
 * (NaN wins over numbers, the first NaN and of ±0 ties the first stay). It lets
 * the float32 max loops select without branches (random signs mispredict
 * `if (v > m)` half the time).
 */
function key(b: number): number {
  const mag = b & 0x7fffffff;
  const sign = b >> 31;
  const nan = (0x7f800000 - mag) >> 31;
  return (((mag ^ sign) - sign) & ~nan) | (nan & 0x7fffffff);
}
/** key of −∞, and its bits; the backward starts below it so a window's first element is taken even at −∞. */
const MIN_KEY = -0x7f800000;
const MINUS_INF_BITS = 0xff800000 | 0;

/** `maxForward` on float32 bits: gt = −(key > best) is 0 or −1, and selects with masks. */
function maxForward32({ n, c, ho, wo, image, row, rows, cols }: PoolGeometry, xb: Int32Array, ob: Int32Array): void {
  let o = 0;
  for (let img = 0; img < n * image; img += image) {
    for (let oy = 0; oy < ho; oy++) {
      const r1 = img + rows[2 * oy]!;
      const r2 = img + rows[2 * oy + 1]!;
      for (let ox = 0; ox < wo; ox++) {
        const c1 = cols[2 * ox]!;
        const c2 = cols[2 * ox + 1]!;
        for (let k = 0; k < c; k++) {
          let best = MIN_KEY;
          let bits = MINUS_INF_BITS;
          for (let r = r1 + k; r < r2 + k; r += row) {
            for (let p = r + c1; p < r + c2; p += c) {
              const b = xb[p]!;
              const kb = key(b);
              const gt = -(kb > best);
              best ^= (best ^ kb) & gt;
              bits ^= (bits ^ b) & gt;
            }
          }
          ob[o++] = bits;
        }
      }
    }
  }
}

/** `maxBackward` on float32 bits, the index selected with masks as in `maxForward32`. */
function maxBackward32({ n, c, ho, wo, image, row, rows, cols }: PoolGeometry, xb: Int32Array, dyv: FloatArray, dx: FloatArray): void {
  let o = 0;
  for (let img = 0; img < n * image; img += image) {
    for (let oy = 0; oy < ho; oy++) {
      const r1 = img + rows[2 * oy]!;
      const r2 = img + rows[2 * oy + 1]!;
      for (let ox = 0; ox < wo; ox++) {
        const c1 = cols[2 * ox]!;
        const c2 = cols[2 * ox + 1]!;
        for (let k = 0; k < c; k++, o++) {
          let best = MIN_KEY - 1;
          let at = -1;
          for (let q = r1 + c1 + k; q < r1 + c2 + k; q += c) {
            for (let p = q; p < q - r1 + r2; p += row) {
              const kb = key(xb[p]!);
              const gt = -(kb > best);
              best ^= (best ^ kb) & gt;
              at ^= (at ^ p) & gt;
            }
          }
          if (at >= 0) dx[at]! += dyv[o]!;
        }
      }
    }
  }
}
