import { runJsTasks, shares, TASK_WORDS } from './conv-tasks.js';
import type { JsTaskName } from './js-tasks.js';
import {
  alignedBlocks,
  copiedPerUnit,
  copyIn,
  copyOut,
  everyResident,
  instanceFor,
  type PassOperand,
  passFloatsNow,
  passOperands,
  placeSlots,
  type RowsKernel,
  threadsFor,
  unitAt,
} from './rows-wasm.js';
import type { GemmInstance } from './wasm-instance.js';

/**
 * Float32 softmax, sigmoid, LRN, their derivatives, and the softmaxlog loss
 * and its derivative, split by rows (sigmoid: by elements) over the GEMM
 * threads, as the JavaScript tasks of js-tasks.ts on the module's shared
 * memory: operands resident in the module's memory (module-arrays.ts) are
 * read and written in place, all rows in one pass where every one is; the
 * others are copied in and out through the arena in passes of
 * `setPassFloats` floats. Rows are independent and each is computed by the
 * loops' operations, so the values are the loops' bit for bit at any thread
 * count. Only where more than one thread would run (one thread gains
 * nothing: the loops read the same memory) and above the break-evens of
 * rows-wasm.ts's tuning (`softmax`, `softmaxlog`, `sigmoid`, `lrn`).
 */

/** One kernel's passes: its operands (in place or in arena slots), the rows of a pass, the threads, and float64 scratch per row. */
interface Pass {
  inst: GemmInstance;
  heap: Float32Array;
  ops: PassOperand[];
  rows: number;
  tasks: number;
  /** Element offset (8-byte aligned) of `scratch` floats per row of the pass (the loss's float64 t), and the task blocks' byte address. */
  scratchAt: number;
  blocks: number;
}

/**
 * Passes over `totalRows` rows of `c` with operands `arrays` (null: absent)
 * of `perRow[i]` floats per row, and `scratch` arena floats per row; null
 * where no threads or SIMD.
 */
function plan(kernel: RowsKernel, totalRows: number, c: number, arrays: readonly (Float32Array | null)[], perRow: readonly number[], scratch = 0): Pass | null {
  const elements = totalRows * c;
  const inst = instanceFor(kernel, elements);
  if (inst === null || c === 0) return null;
  const ops = passOperands(inst, arrays, perRow);
  const copied = copiedPerUnit(ops) + scratch;
  const rows = everyResident(ops) && scratch === 0 ? totalRows : Math.max(1, Math.min(totalRows, Math.floor(passFloatsNow() / copied)));
  const tasks = Math.min(rows, threadsFor(kernel, rows * c));
  if (tasks < 2) return null;
  const place = placeSlots(ops, rows, rows * scratch + (tasks + 1) * TASK_WORDS + 2);
  if (place === null) return null;
  const scratchAt = place.free + (place.free % 2);
  return { inst, heap: place.heap, ops, rows, tasks, scratchAt, blocks: alignedBlocks(scratchAt + rows * scratch) };
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

/**
 * Runs `p`'s passes: the inputs (every operand but the last) copied in
 * where not resident, `pass(r0, count, at)` (`at(i, first)`: the byte
 * address of operand i's row r0 + first, 0 where absent), the last operand
 * (the output) copied out where not resident. With `output` false no
 * operand is written (the loss).
 */
function runPasses(p: Pass, total: number, pass: (r0: number, count: number, at: (i: number, first?: number) => number) => void, output = true): void {
  const inputs = output ? p.ops.slice(0, -1) : p.ops;
  for (let r0 = 0; r0 < total; r0 += p.rows) {
    const count = Math.min(p.rows, total - r0);
    for (const o of new Set(inputs)) copyIn(p.heap, o, r0, count);
    pass(r0, count, (i, first = 0) => 4 * unitAt(p.ops[i]!, r0, first));
    if (output) copyOut(p.heap, p.ops[p.ops.length - 1]!, r0, count);
  }
}

/** `y ← softmax(x)` over rows of `c` (activation.ts's loop); false, doing nothing, where it stays in the loop. */
export function softmaxThreaded(x: Float32Array, c: number, y: Float32Array): boolean {
  const total = c === 0 ? 0 : x.length / c;
  const p = plan('softmax', total, c, [x, y], [c, c]);
  if (p === null) return false;
  runPasses(p, total, (_r0, count, at) => runShares(p, 'softmax_rows', count, (first, len) => [at(0, first), at(1, first), c, len]));
  return true;
}

/** `dx` of the softmax over rows of `c` for `dy` (activation.ts's loop); false where it stays in the loop. */
export function softmaxBackwardThreaded(x: Float32Array, dy: Float32Array, c: number, dx: Float32Array): boolean {
  const total = c === 0 ? 0 : x.length / c;
  const p = plan('softmax', total, c, [x, dy, dx], [c, c, c]);
  if (p === null) return false;
  runPasses(p, total, (_r0, count, at) => runShares(p, 'softmax_backward_rows', count, (first, len) => [at(0, first), at(1, first), at(2, first), c, len]));
  return true;
}

/** The sigmoid (`dy` null) or its derivative per element (activation.ts's loops); false where they stay in the loops. */
export function sigmoidThreaded(x: Float32Array, dy: Float32Array | null, out: Float32Array): boolean {
  const total = x.length;
  const p = plan('sigmoid', total, 1, [x, dy, out], [1, 1, 1]);
  if (p === null) return false;
  runPasses(p, total, (_r0, count, at) => runShares(p, 'sigmoid', count, (first, len) => [at(0, first), at(1, first), at(2, first), len]));
  return true;
}

/** LRN (`dy` null) or its derivative over rows of `c` (norm.ts's loops); false where they stay in the loops. */
export function lrnThreaded(x: Float32Array, dy: Float32Array | null, c: number, n: number, kappa: number, alpha: number, beta: number, out: Float32Array): boolean {
  const total = c === 0 ? 0 : x.length / c;
  const p = plan('lrn', total, c, [x, dy, out], [c, c, c]);
  if (p === null) return false;
  runPasses(p, total, (_r0, count, at) =>
    runShares(p, 'lrn_rows', count, (first, len) => [at(0, first), at(1, first), at(2, first), c, len, n], [kappa, alpha, beta]),
  );
  return true;
}

/**
 * `Σ_p w_p·t_p` of the softmaxlog loss (loss.ts's `categoricalLoss`, the
 * same sum in the same row order: the tasks give each row's t in float64);
 * null where it stays in the loop.
 */
export function softmaxlogLossThreaded(x: Float32Array, labels: Float32Array, weights: Float32Array | null, c: number): number | null {
  const total = labels.length;
  const p = plan('softmaxlog', total, c, [x, labels], [c, 1], 2);
  if (p === null) return null;
  const t = new Float64Array(p.inst.memory.buffer, 4 * p.scratchAt, p.rows);
  let sum = 0;
  runPasses(
    p,
    total,
    (r0, count, at) => {
      runShares(p, 'softmaxlog_loss_rows', count, (first, len) => [at(0), at(1), 4 * p.scratchAt, c, len, first]);
      for (let i = 0; i < count; i++) {
        const label = labels[r0 + i]!;
        const weight = weights ? weights[r0 + i]! : 1;
        if (label === 0 || weight === 0) continue;
        sum += weight * t[i]!;
      }
    },
    false,
  );
  return sum;
}

/** `dx` of the softmaxlog loss for `scale` (loss.ts's `categoricalBackward`); false where it stays in the loop. */
export function softmaxlogBackwardThreaded(x: Float32Array, labels: Float32Array, weights: Float32Array | null, c: number, scale: number, dx: Float32Array): boolean {
  const total = labels.length;
  const p = plan('softmaxlog', total, c, [x, labels, weights, dx], [c, 1, 1, c]);
  if (p === null) return false;
  runPasses(p, total, (_r0, count, at) =>
    runShares(p, 'softmaxlog_backward_rows', count, (first, len) => [at(0), at(1), at(2), at(3), c, len, first], [scale]),
  );
  return true;
}
