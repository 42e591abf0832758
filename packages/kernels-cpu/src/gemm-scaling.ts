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

/**
 * The largest magnitude of an operand's elements and the smallest nonzero one (NaN where one is NaN): gemm.wat's
 * `magnitudes`, once over contiguous rows, else row by row (Math.max and Math.min carry NaN as the module does, so
 * the decisions below are those of one pass over a packed copy).
 */
function magnitudes(inst: GemmInstance, heap: Float32Array, op: Operand): { max: number; min: number } {
  const out = scratchOf(inst, 0).tile;
  const count = op.rows * op.cols;
  if (count === 0 || op.rows === 1 || op.ld === op.cols) {
    inst.exports.magnitudes(4 * op.at, count, out);
    return { max: heap[out >> 2]!, min: heap[(out >> 2) + 1]! };
  }
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < op.rows; i++) {
    inst.exports.magnitudes(4 * (op.at + i * op.ld), op.cols, out);
    max = Math.max(max, heap[out >> 2]!);
    min = Math.min(min, heap[(out >> 2) + 1]!);
  }
  return { max, min };
}

/** The bits of `TINY` (a float32 power of two: exponent field 127 + log2 TINY). */
const TINY_BITS = (127 + Math.log2(TINY)) << 23;

/**
 * True where one of the operand's elements has a magnitude in (0, `TINY`):
 * the module's `has_tiny` (an integer minimum over the magnitudes' bits, four
 * times cheaper than `magnitudes`), once over contiguous rows, else row by
 * row. Where it is false `magnitudes` would give a smallest nonzero magnitude
 * of at least `TINY` (or NaN), so `scaleFactor` answers 1 without it.
 */
function hasTiny(inst: GemmInstance, op: Operand): boolean {
  const test = inst.exports.has_tiny;
  if (op.rows === 1 || op.ld === op.cols) return test(4 * op.at, op.rows * op.cols, TINY_BITS) !== 0;
  for (let i = 0; i < op.rows; i++) if (test(4 * (op.at + i * op.ld), op.cols, TINY_BITS) !== 0) return true;
  return false;
}

/** Operands of at most this many elements are checked for tiny elements even when they are the larger one (4 MB: about 0.5 ms). */
export const SCAN_FLOATS = 2 ** 20;

/** A `rows × cols` operand in the module's memory: element offset `at` of `heap`, `ld` elements from row to row. */
export interface Operand {
  at: number;
  rows: number;
  cols: number;
  ld: number;
}

/** The operand to scale and by what (an exact power of two). */
export interface UnderflowScale {
  operand: Operand;
  factor: number;
}

/**
 * Which of the operands `a` and `b` to scale by 2^e where one holds tiny
 * elements (see the header): the smaller one first, the other where it has
 * at most `SCAN_FLOATS` elements; null where neither. Reads the operands
 * only: the caller scales (`scaleOperand`) a copy it owns, never an input.
 */
export function underflowScale(inst: GemmInstance, heap: Float32Array, a: Operand, b: Operand, k: number, alpha: number): UnderflowScale | null {
  if (!scalingOn || alpha === 0 || k === 0) return null;
  const [first, second] = a.rows * a.cols <= b.rows * b.cols ? [a, b] : [b, a];
  const f = scaleFactor(inst, heap, first, second, k, alpha);
  if (f !== 1) return { operand: first, factor: f };
  if (second.rows * second.cols > SCAN_FLOATS) return null;
  const g = scaleFactor(inst, heap, second, first, k, alpha);
  return g !== 1 ? { operand: second, factor: g } : null;
}

/** Multiplies the operand's elements by `factor` in place (its memory must be the caller's own copy). */
export function scaleOperand(heap: Float32Array, op: Operand, factor: number): void {
  for (let i = 0; i < op.rows; i++) {
    const row = op.at + i * op.ld;
    for (let j = row; j < row + op.cols; j++) heap[j]! *= factor;
  }
}

/** 2^e to scale `small` by where it holds elements below `TINY` and the sums stay far from overflow (`other`'s largest magnitude), or 1. */
function scaleFactor(inst: GemmInstance, heap: Float32Array, small: Operand, other: Operand, k: number, alpha: number): number {
  if (!hasTiny(inst, small)) return 1;
  const s = magnitudes(inst, heap, small);
  if (!(s.min < TINY) || !Number.isFinite(s.max) || s.max === 0) return 1;
  // 2^e: the largest magnitude to about 2^64, alpha·2^-e still normal.
  const e = Math.min(64 - Math.ceil(Math.log2(s.max)), 125 + Math.floor(Math.log2(Math.abs(alpha))));
  if (e <= 0) return 1;
  const o = magnitudes(inst, heap, other);
  if (!Number.isFinite(o.max) || k * s.max * 2 ** e * o.max >= 2 ** 100) return 1;
  return 2 ** e;
}
