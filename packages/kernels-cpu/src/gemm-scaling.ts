import { gemmPool } from './gemm-threads.js';
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
  if (count === 0 || contiguous(op)) {
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
  if (contiguous(op)) return test(4 * op.at, op.rows * op.cols, TINY_BITS) !== 0;
  for (let i = 0; i < op.rows; i++) if (test(4 * (op.at + i * op.ld), op.cols, TINY_BITS) !== 0) return true;
  return false;
}

/** Operands of at most this many elements are checked for tiny elements even when they are the larger one (4 MB: about 0.5 ms). */
export const SCAN_FLOATS = 2 ** 20;

/** True where the operand's rows follow each other in memory (one row, or `ld` = `cols`): one pass covers it. */
function contiguous(op: Operand): boolean {
  return op.rows === 1 || op.ld === op.cols;
}

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
 * The scan for tiny elements is split over the pool's threads where it is
 * long enough (`splitScan`); the decisions are the same either way.
 */
export function underflowScale(inst: GemmInstance, heap: Float32Array, a: Operand, b: Operand, k: number, alpha: number): UnderflowScale | null {
  if (!scalingOn || alpha === 0 || k === 0) return null;
  const [first, second] = a.rows * a.cols <= b.rows * b.cols ? [a, b] : [b, a];
  const scanSecond = second.rows * second.cols <= SCAN_FLOATS;
  const split = splitScan(inst, first, scanSecond ? second : null);
  const f = (split === null ? hasTiny(inst, first) : (split & 1) !== 0) ? scaleFactor(inst, heap, first, second, k, alpha) : 1;
  if (f !== 1) return { operand: first, factor: f };
  if (!scanSecond || !(split === null ? hasTiny(inst, second) : (split & 2) !== 0)) return null;
  const g = scaleFactor(inst, heap, second, first, k, alpha);
  return g !== 1 ? { operand: second, factor: g } : null;
}

/**
 * From this many floats (both operands' together) on, the scan for tiny
 * elements is split over the pool's threads (`splitScan`): `has_tiny` reads
 * 7.8 floats per ns on one thread here from cache (1 MB), about 4 in the
 * LeNet step, so 2^16 floats take 8–16 µs, against about 1 µs for a
 * dispatch to a polling worker.
 */
export const SPLIT_SCAN_FLOATS = 2 ** 16;

/** Floats per unit the threads claim in a split scan (32 KiB). */
export const SCAN_CHUNK_FLOATS = 2 ** 13;

let splitScanOn = true;

/** Turns the split scan (`splitScan`) on or off for later products (on by default; for tests and benchmarks); returns the previous setting. */
export function setSplitScan(on: boolean): boolean {
  const was = splitScanOn;
  splitScanOn = on;
  return was;
}

/**
 * `has_tiny` of `a` and of `b` (null: none) at once, over the pool's threads:
 * gemm.wat's `has_tiny_task`, units of `SCAN_CHUNK_FLOATS` floats claimed by
 * the threads (a's, then b's), each thread's block thread t's scratch tile.
 * Returns bit 0 set where a holds a tiny element, bit 1 where b does; or
 * null where the scan stays on this thread (no pool, the split off, fewer
 * than `SPLIT_SCAN_FLOATS` floats, an operand whose rows are not contiguous),
 * for `hasTiny`. In the LeNet step at 2 threads (bench W3) the scans read
 * about 1.2 M floats: 0.2–0.3 ms on the calling thread alone.
 */
function splitScan(inst: GemmInstance, a: Operand, b: Operand | null): number | null {
  const pool = gemmPool();
  if (!splitScanOn || pool === null || pool.threads < 2 || !contiguous(a) || (b !== null && !contiguous(b))) return null;
  const aFloats = a.rows * a.cols;
  const bFloats = b === null ? 0 : b.rows * b.cols;
  if (aFloats + bFloats < SPLIT_SCAN_FLOATS) return null;
  const aUnits = Math.ceil(aFloats / SCAN_CHUNK_FLOATS);
  const units = aUnits + Math.ceil(bFloats / SCAN_CHUNK_FLOATS);
  const blocks = Array.from({ length: pool.threads }, (_, t) => {
    const block = scratchOf(inst, t).tile;
    new Int32Array(inst.memory.buffer, block, 10).set([0, 0, SCAN_CHUNK_FLOATS, TINY_BITS, 4 * a.at, aFloats, aUnits, b === null ? 0 : 4 * b.at, bFloats, 0]);
    return block;
  });
  pool.runClaimed('has_tiny_task', blocks, { units, step: Math.max(1, Math.floor(units / (8 * pool.threads))), at: [{ word: 0, base: 0, stride: 1 }], count: 1 });
  const words = new Int32Array(inst.memory.buffer);
  let found = 0;
  for (const block of blocks) found |= words[(block >> 2) + 9]!;
  return found;
}

/** Multiplies the operand's elements by `factor` in place (its memory must be the caller's own copy). */
export function scaleOperand(heap: Float32Array, op: Operand, factor: number): void {
  for (let i = 0; i < op.rows; i++) {
    const row = op.at + i * op.ld;
    for (let j = row; j < row + op.cols; j++) heap[j]! *= factor;
  }
}

/** 2^e to scale `small` (which `hasTiny` or `splitScan` found tiny elements in) by where it holds elements below `TINY` and the sums stay far from overflow (`other`'s largest magnitude), or 1. */
function scaleFactor(inst: GemmInstance, heap: Float32Array, small: Operand, other: Operand, k: number, alpha: number): number {
  const s = magnitudes(inst, heap, small);
  if (!(s.min < TINY) || !Number.isFinite(s.max) || s.max === 0) return 1;
  // 2^e: the largest magnitude to about 2^64, alpha·2^-e still normal.
  const e = Math.min(64 - Math.ceil(Math.log2(s.max)), 125 + Math.floor(Math.log2(Math.abs(alpha))));
  if (e <= 0) return 1;
  const o = magnitudes(inst, heap, other);
  if (!Number.isFinite(o.max) || k * s.max * 2 ** e * o.max >= 2 ** 100) return 1;
  return 2 ** e;
}
