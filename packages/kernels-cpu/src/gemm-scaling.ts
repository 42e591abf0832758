import { type GemmInstance, scratchOf } from './wasm-instance.js';


/**
 * Products that underflow cost a microcode assist per multiply on x86 (about
 * 100× a normal one): subnormal operands are flushed while packing, but
 * normal ones whose product is subnormal are not, and a saturated softmax's
 * derivative (AlexNet's fc8 at its first SGD steps: 27 % of dy below 2^-90)
 * makes most products with the filters underflow. So where an operand (the
 * smaller one, or one of at most `SCAN_FLOATS` elements) holds elements
 * below `TINY` in magnitude, `gemmWasm` multiplies it by a power of two 2^e
 * (exactly) and alpha by 2^-e:
 *
 *     alpha·op(A)·op(B) = (alpha·2^-e)·(2^e·op(A))·op(B)
 *
 * Scaling by a power of two is exact while nothing overflows or underflows,
 * so wherever the unscaled product had no underflow the bits are the same;
 * where it had, the scaled one keeps the precision IEEE arithmetic loses
 * (and the scaled operand's subnormals count at their value instead of as
 * 0). 2^e brings the operand's largest magnitude to about 2^64 (less where
 * alpha·2^-e would leave the normal range), and only where every sum then
 * stays far from overflow (k·max |2^e·small|·max |other| < 2^100); operands
 * with NaN or ±∞ are left as they are.
 */
export const TINY = 2 ** -64;

let scalingOn = true;

/** Turns the scaling on or off (on by default; for tests that compare); returns the previous setting. */
export function setUnderflowScaling(on: boolean): boolean {
  const was = scalingOn;
  scalingOn = on;
  return was;
}

/** The largest magnitude of `count` floats of `heap` from `at`, and the smallest nonzero one (NaN where one is NaN): gemm.wat's `magnitudes`. */
function magnitudes(inst: GemmInstance, heap: Float32Array, at: number, count: number): { max: number; min: number } {
  const out = scratchOf(inst, 0).tile;
  inst.exports.magnitudes(4 * at, count, out);
  return { max: heap[out >> 2]!, min: heap[(out >> 2) + 1]! };
}

/** Operands of at most this many elements are checked for tiny elements even when they are the larger one (4 MB: about 0.5 ms). */
export const SCAN_FLOATS = 2 ** 20;

/**
 * Scales one of the operands `a` and `b` (`count` floats at element `at` of
 * `heap` each) by 2^e where it holds tiny elements (see the header): the
 * smaller one first, the other where it has at most `SCAN_FLOATS` elements.
 * Returns 2^e, or 1 where nothing was scaled.
 */
export function underflowScale(inst: GemmInstance, heap: Float32Array, a: Operand, b: Operand, k: number, alpha: number): number {
  if (!scalingOn || alpha === 0 || k === 0) return 1;
  const [first, second] = a.count <= b.count ? [a, b] : [b, a];
  const f = scaleOne(inst, heap, first, second, k, alpha);
  if (f !== 1 || second.count > SCAN_FLOATS) return f;
  return scaleOne(inst, heap, second, first, k, alpha);
}

/** Floats of an operand in the module's memory. */
export interface Operand {
  at: number;
  count: number;
}

/** Scales `small` by 2^e where it holds elements below `TINY` and the sums stay far from overflow (`other`'s largest magnitude); 2^e or 1. */
function scaleOne(inst: GemmInstance, heap: Float32Array, small: Operand, other: Operand, k: number, alpha: number): number {
  const s = magnitudes(inst, heap, small.at, small.count);
  if (!(s.min < TINY) || !Number.isFinite(s.max) || s.max === 0) return 1;
  // 2^e: the largest magnitude to about 2^64, alpha·2^-e still normal.
  const e = Math.min(64 - Math.ceil(Math.log2(s.max)), 125 + Math.floor(Math.log2(Math.abs(alpha))));
  if (e <= 0) return 1;
  const o = magnitudes(inst, heap, other.at, other.count);
  if (!Number.isFinite(o.max) || k * s.max * 2 ** e * o.max >= 2 ** 100) return 1;
  const factor = 2 ** e;
  for (let i = small.at; i < small.at + small.count; i++) heap[i]! *= factor;
  return factor;
}
