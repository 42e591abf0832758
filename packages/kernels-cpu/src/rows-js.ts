import { runJsTasks, shares, TASK_WORDS } from './conv-tasks.js';
import type { JsTaskName } from './js-tasks.js';
import { alignedBlocks, instanceFor, passFloatsNow, type RowsKernel, threadsFor } from './rows-wasm.js';
import { wasmArena } from './wasm-gemm.js';
import type { GemmInstance } from './wasm-instance.js';

/**
 * Float32 softmax, sigmoid, LRN, their derivatives, and the softmaxlog loss
 * and its derivative, split by rows (sigmoid: by elements) over the GEMM
 * threads, as the JavaScript tasks of js-tasks.ts on the module's shared memory (the inputs copied in, the outputs out, in passes of
 * `setPassFloats` floats). Rows are independent and each is computed by the
 * loops' operations, so the values are the loops' bit for bit at any thread
 * count. Only where more than one thread would run (one thread gains nothing
 * from the copies) and above the break-evens of rows-wasm.ts's tuning
 * (`softmax`, `softmaxlog`, `sigmoid`, `lrn`).
 */

/** Layout of one pass: element offsets of each operand (`floats` per row each, 2 for a float64) and the task blocks' byte address. */
interface Pass {
  inst: GemmInstance;
  heap: Float32Array;
  rows: number;
  tasks: number;
  at: number[];
  blocks: number;
}

/** A pass of `rows` rows (whole rows, at most `passFloats`) with operands of `floatsPerRow[i]` floats per row; null where no threads or SIMD. */
function plan(kernel: RowsKernel, totalRows: number, c: number, floatsPerRow: readonly number[]): Pass | null {
  const elements = totalRows * c;
  const inst = instanceFor(kernel, elements);
  if (inst === null || c === 0) return null;
  const perRow = floatsPerRow.reduce((a, b) => a + b, 0);
  const rows = Math.max(1, Math.min(totalRows, Math.floor(passFloatsNow() / perRow)));
  const tasks = Math.min(rows, threadsFor(kernel, rows * c));
  if (tasks < 2) return null;
  // Each operand starts at an even element (8-byte aligned, for float64 operands).
  const arena = wasmArena(rows * perRow + 2 * floatsPerRow.length + (tasks + 1) * TASK_WORDS + 2);
  if (arena === null) return null;
  const at: number[] = [];
  let next = arena.at + (arena.at % 2);
  for (const f of floatsPerRow) {
    at.push(next);
    next += rows * f;
    next += next % 2;
  }
  return { inst, heap: arena.heap, rows, tasks, at, blocks: alignedBlocks(next) };
}

/** Runs `name` over `count` rows of a pass: one block per share, its int32 words from `words(first, len)`, then `floats` as float64s from byte 32. */
function runShares(p: Pass, name: JsTaskName, count: number, words: (first: number, len: number) => number[], floats: readonly number[] = []): void {
  const blocks: number[] = [];
  for (const share of shares(count, p.tasks)) {
    const block = p.blocks + 4 * share.thread * TASK_WORDS;
    new Int32Array(p.inst.memory.buffer, block, 8).set(words(share.first, share.count));
    new Float64Array(p.inst.memory.buffer, block + 32, floats.length).set(floats);
    blocks.push(block);
  }
  runJsTasks(p.inst, name, blocks);
}

/** `y ← softmax(x)` over rows of `c` (activation.ts's loop); false, doing nothing, where it stays in the loop. */
export function softmaxThreaded(x: Float32Array, c: number, y: Float32Array): boolean {
  const total = c === 0 ? 0 : x.length / c;
  const p = plan('softmax', total, c, [c, c]);
  if (p === null) return false;
  const [xAt, yAt] = p.at as [number, number];
  for (let r0 = 0; r0 < total; r0 += p.rows) {
    const count = Math.min(p.rows, total - r0);
    p.heap.set(x.subarray(r0 * c, (r0 + count) * c), xAt);
    runShares(p, 'softmax_rows', count, (first, len) => [4 * (xAt + first * c), 4 * (yAt + first * c), c, len]);
    y.set(p.heap.subarray(yAt, yAt + count * c), r0 * c);
  }
  return true;
}

/** `dx` of the softmax over rows of `c` for `dy` (activation.ts's loop); false where it stays in the loop. */
export function softmaxBackwardThreaded(x: Float32Array, dy: Float32Array, c: number, dx: Float32Array): boolean {
  const total = c === 0 ? 0 : x.length / c;
  const p = plan('softmax', total, c, [c, c, c]);
  if (p === null) return false;
  const [xAt, dyAt, dxAt] = p.at as [number, number, number];
  for (let r0 = 0; r0 < total; r0 += p.rows) {
    const count = Math.min(p.rows, total - r0);
    p.heap.set(x.subarray(r0 * c, (r0 + count) * c), xAt);
    p.heap.set(dy.subarray(r0 * c, (r0 + count) * c), dyAt);
    runShares(p, 'softmax_backward_rows', count, (first, len) => [4 * (xAt + first * c), 4 * (dyAt + first * c), 4 * (dxAt + first * c), c, len]);
    dx.set(p.heap.subarray(dxAt, dxAt + count * c), r0 * c);
  }
  return true;
}

/** The sigmoid (`dy` null) or its derivative per element (activation.ts's loops); false where they stay in the loops. */
export function sigmoidThreaded(x: Float32Array, dy: Float32Array | null, out: Float32Array): boolean {
  const total = x.length;
  const p = plan('sigmoid', total, 1, dy ? [1, 1, 1] : [1, 0, 1]);
  if (p === null) return false;
  const [xAt, dyAt, outAt] = p.at as [number, number, number];
  for (let i0 = 0; i0 < total; i0 += p.rows) {
    const count = Math.min(p.rows, total - i0);
    p.heap.set(x.subarray(i0, i0 + count), xAt);
    if (dy) p.heap.set(dy.subarray(i0, i0 + count), dyAt);
    runShares(p, 'sigmoid', count, (first, len) => [4 * (xAt + first), dy ? 4 * (dyAt + first) : 0, 4 * (outAt + first), len]);
    out.set(p.heap.subarray(outAt, outAt + count), i0);
  }
  return true;
}

/** LRN (`dy` null) or its derivative over rows of `c` (norm.ts's loops); false where they stay in the loops. */
export function lrnThreaded(x: Float32Array, dy: Float32Array | null, c: number, n: number, kappa: number, alpha: number, beta: number, out: Float32Array): boolean {
  const total = c === 0 ? 0 : x.length / c;
  const p = plan('lrn', total, c, [c, dy ? c : 0, c]);
  if (p === null) return false;
  const [xAt, dyAt, outAt] = p.at as [number, number, number];
  for (let r0 = 0; r0 < total; r0 += p.rows) {
    const count = Math.min(p.rows, total - r0);
    p.heap.set(x.subarray(r0 * c, (r0 + count) * c), xAt);
    if (dy) p.heap.set(dy.subarray(r0 * c, (r0 + count) * c), dyAt);
    const words = (first: number, len: number) => [4 * (xAt + first * c), dy ? 4 * (dyAt + first * c) : 0, 4 * (outAt + first * c), c, len, n];
    runShares(p, 'lrn_rows', count, words, [kappa, alpha, beta]);
    out.set(p.heap.subarray(outAt, outAt + count * c), r0 * c);
  }
  return true;
}

/**
 * `Σ_p w_p·t_p` of the softmaxlog loss (loss.ts's `categoricalLoss`, the
 * same sum in the same row order: the tasks give each row's t in float64);
 * null where it stays in the loop.
 */
export function softmaxlogLossThreaded(x: Float32Array, labels: Float32Array, weights: Float32Array | null, c: number): number | null {
  const total = labels.length;
  const p = plan('softmaxlog', total, c, [c, 1, 2]);
  if (p === null) return null;
  const [xAt, lAt, tAt] = p.at as [number, number, number];
  const t = new Float64Array(p.inst.memory.buffer, 4 * tAt, p.rows);
  let sum = 0;
  for (let r0 = 0; r0 < total; r0 += p.rows) {
    const count = Math.min(p.rows, total - r0);
    p.heap.set(x.subarray(r0 * c, (r0 + count) * c), xAt);
    p.heap.set(labels.subarray(r0, r0 + count), lAt);
    runShares(p, 'softmaxlog_loss_rows', count, (first, len) => [4 * xAt, 4 * lAt, 4 * tAt, c, len, first]);
    for (let i = 0; i < count; i++) {
      const label = labels[r0 + i]!;
      const weight = weights ? weights[r0 + i]! : 1;
      if (label === 0 || weight === 0) continue;
      sum += weight * t[i]!;
    }
  }
  return sum;
}

/** `dx` of the softmaxlog loss for `scale` (loss.ts's `categoricalBackward`); false where it stays in the loop. */
export function softmaxlogBackwardThreaded(x: Float32Array, labels: Float32Array, weights: Float32Array | null, c: number, scale: number, dx: Float32Array): boolean {
  const total = labels.length;
  const p = plan('softmaxlog', total, c, [c, 1, weights ? 1 : 0, c]);
  if (p === null) return false;
  const [xAt, lAt, wAt, dAt] = p.at as [number, number, number, number];
  for (let r0 = 0; r0 < total; r0 += p.rows) {
    const count = Math.min(p.rows, total - r0);
    p.heap.set(x.subarray(r0 * c, (r0 + count) * c), xAt);
    p.heap.set(labels.subarray(r0, r0 + count), lAt);
    if (weights) p.heap.set(weights.subarray(r0, r0 + count), wAt);
    runShares(p, 'softmaxlog_backward_rows', count, (first, len) => [4 * xAt, 4 * lAt, weights ? 4 * wAt : 0, 4 * dAt, c, len, first], [scale]);
    dx.set(p.heap.subarray(dAt, dAt + count * c), r0 * c);
  }
  return true;
}
