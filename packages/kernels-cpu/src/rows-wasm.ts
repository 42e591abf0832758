import { runTasks, shares, TASK_WORDS, taskThreads } from './conv-tasks.js';
import { gemmPool } from './gemm-threads.js';
import { residentOffset } from './module-arrays.js';
import type { SharedOperand, SharedPassMessage } from './shared-tasks.js';
import { type GemmInstance, gemmInstance } from './wasm-instance.js';
import { wasmArena } from './wasm-gemm.js';

/**
 * When the float32 element-wise and per-channel kernels leave their loops
 * for WebAssembly SIMD (wasm/kernels-rows.part.wat) and the worker pool.
 * Copying a tensor into the module's memory and back costs about what a
 * simple loop over it does (0.4 ms per 1.15 M floats each way here), and
 * waking the workers tens of microseconds (milliseconds when the cores are
 * busy), so each kernel has its own break-even: small tensors stay in the
 * loops, each extra thread must get enough elements, and memory-bound maps
 * whose loops already run at memory speed leave them only when very large.
 * Tests lower them (`setRowsTuning`) to run the paths on small tensors.
 */
export interface RowsTuning {
  /** Fewest elements for which the kernel takes the WebAssembly path. */
  wasmMin: number;
  /** Fewest elements per thread: a tensor of n elements uses at most ⌊n / perThread⌋ threads (at least 1). */
  perThread: number;
  /**
   * ReLU, leaky ReLU and Axpby on tensors that all live on SharedArrayBuffers
   * (cpu-backend.ts): fewest elements per thread when each thread copies its
   * own range through the module (shared-tasks.ts), or, all resident in the
   * module's memory, maps its own range in place (`residentThreads`);
   * the bias sums: fewest elements per thread where x is resident (read in
   * place, nothing copied); pooling: whether it takes the shared route
   * (Infinity: off).
   */
  sharedPerThread?: number;
}

/** The kernels of this file. */
export type RowsKernel = 'relu' | 'leakyRelu' | 'axpby' | 'sums' | 'stats' | 'affine' | 'pool' | 'avgPoolBackward' | 'softmax' | 'softmaxlog' | 'sigmoid' | 'lrn';

/**
 * Measured on the loaded 2-core VM (kernel-threads.bench.mjs, medians of 11,
 * loops → WebAssembly on 1 thread), on LeNet conv1's output (100×24×24×20
 * floats) unless said: bias sums 2.5 → 0.75 ms, batch normalisation 30 → 14
 * and its derivative 42 → 32, average pooling 3.1 → 1.4 and its derivative
 * 7.3 → 6.7, leaky ReLU 13.6 → 3.2 (best of 21).
 *
 * ReLU, its derivative and Axpby (scripts/bench-memory-bound.mjs): the
 * branch-free loops cost 2.2–2.7 ns an element wherever the data sit, the
 * WebAssembly route (copies in, SIMD map, copy out, in passes of
 * `MAP_PASS_FLOATS` that stay in L2) 0.6–1.5 ns up to a few million
 * elements; on larger tensors both run at main memory's speed (2.5–4 ns an
 * element on this loaded VM, within ±20% of each other). So they take it
 * from 2^12 elements, and where this thread copies them, on it alone: the
 * copies in and out are on this thread and cost more than the map itself,
 * so a second thread gained nothing and lost its dispatch (AlexNet's step:
 * Axpby 212 → 248 ms, ReLU 62 → 86 ms at 2 threads before). Over shared
 * tensors each thread copies its own range, and on tensors resident in the
 * module's memory nothing is copied: both split from `sharedPerThread`.
 */
const DEFAULT_TUNING: Readonly<Record<RowsKernel, RowsTuning>> = {
  relu: { wasmMin: 2 ** 12, perThread: Number.POSITIVE_INFINITY, sharedPerThread: 2 ** 17 },
  leakyRelu: { wasmMin: 2 ** 12, perThread: Number.POSITIVE_INFINITY, sharedPerThread: 2 ** 17 },
  axpby: { wasmMin: 2 ** 12, perThread: Number.POSITIVE_INFINITY, sharedPerThread: 2 ** 17 },
  // Bias sums: a copied x splits from 2^21 elements (its copies are this thread's); a resident one, read in place,
  // from 2^17 a thread (the LeNet step at 2 threads, interleaved, load 2: its bias sums 0.57 → 0.47 ms a step).
  sums: { wasmMin: 2 ** 12, perThread: 2 ** 21, sharedPerThread: 2 ** 17 },
  stats: { wasmMin: 2 ** 12, perThread: 2 ** 21 },
  affine: { wasmMin: 2 ** 14, perThread: 2 ** 19 },
  // Max and average pooling (pool-wasm.ts), in input elements: a thread per 32 768 (0.1 ms of work against
  // the dispatch's tens of µs), whole images each.
  // On shared tensors each thread copies its own images (pool-wasm.ts): the same threads, sharedPerThread only
  // switches that route (Infinity: off).
  pool: { wasmMin: 0, perThread: 2 ** 15, sharedPerThread: 2 ** 15 },
  avgPoolBackward: { wasmMin: 2 ** 16, perThread: 2 ** 15, sharedPerThread: 2 ** 15 },
  // Softmax, sigmoid, LRN, their derivatives and the softmaxlog loss and derivative (rows-js.ts): JavaScript
  // tasks, only with more than one thread. Loops → 2 threads (scripts/bench-js-tasks.mjs, medians of 21,
  // load 0.2–2.2): even at 10 240 elements (softmax 0.28 → 0.26 ms, loss 0.23 → 0.28, sigmoid 0.19 → 0.19,
  // LRN 0.76 → 0.79), 1–1.9× at 32 000–40 960, then softmax and the loss 1.8×, LRN 1.9×, sigmoid 1.2× at
  // 163 840 and 1.7× at 1 024 000 (softmax 29 → 17 ms, sigmoid 28 → 16, LRN 106 → 57); so from 2^15
  // elements, a thread per 2^14.
  softmax: { wasmMin: 2 ** 15, perThread: 2 ** 14 },
  softmaxlog: { wasmMin: 2 ** 15, perThread: 2 ** 14 },
  sigmoid: { wasmMin: 2 ** 15, perThread: 2 ** 14 },
  lrn: { wasmMin: 2 ** 15, perThread: 2 ** 14 },
};
let tuning: Record<RowsKernel, RowsTuning> = { ...DEFAULT_TUNING };

/**
 * Sets the thresholds of `kernels` (default all; tests and benchmarks;
 * `Infinity` keeps a path off). Without arguments, restores the measured defaults.
 */
export function setRowsTuning(next?: Partial<RowsTuning>, kernels = Object.keys(DEFAULT_TUNING) as RowsKernel[]): void {
  if (next === undefined) tuning = { ...DEFAULT_TUNING };
  else for (const k of kernels) tuning[k] = { ...tuning[k], ...next };
}

/** The module when kernel `kernel` on `elements` elements should run in it, else null (too small, or no SIMD here). */
export function instanceFor(kernel: RowsKernel, elements: number): GemmInstance | null {
  return elements >= tuning[kernel].wasmMin ? gemmInstance() : null;
}

/** Threads for `elements` elements: at most the pool's, at least 1, each with `perThread` elements. */
export function threadsFor(kernel: RowsKernel, elements: number): number {
  return Math.max(1, Math.min(taskThreads(), Math.floor(elements / tuning[kernel].perThread)));
}

/** Floats the operands of one pass keep in the module's memory (16 MiB), as the convolutions' passes. */
const DEFAULT_PASS_FLOATS = 2 ** 22;
let passFloats = DEFAULT_PASS_FLOATS;

/** The floats of one pass now (`setPassFloats`). */
export function passFloatsNow(): number {
  return passFloats;
}

/** Sets the floats of one pass (tests: several passes on small tensors); without an argument, the default 2^22. */
export function setPassFloats(floats = DEFAULT_PASS_FLOATS): void {
  passFloats = floats;
}

/**
 * One operand of a kernel's passes through the module's memory: where it is
 * one of the module's resident arrays (module-arrays.ts) the kernel reads or
 * writes it in place at its own address, else it is copied through its slot
 * in the arena, a pass at a time. An absent operand (`data` null) has
 * address 0 (the tasks read 0 as "none").
 */
export interface PassOperand {
  data: Float32Array | null;
  /** Floats per unit (an element, a row, an image). */
  per: number;
  /** Its element offset in the module's memory where resident, else -1. */
  resident: number;
  /** Its slot in the arena (an element offset, a pass of units), where not resident (`placeSlots`). */
  slot: number;
}

/** The operands `arrays` (units of `per[i]` floats each) of a kernel on `inst`, resident or not; the same array twice is one operand. */
export function passOperands(inst: GemmInstance, arrays: readonly (Float32Array | null)[], per: readonly number[]): PassOperand[] {
  const out: PassOperand[] = [];
  arrays.forEach((data, i) => {
    const same = data === null ? undefined : out.find((o) => o.data === data);
    out.push(same ?? { data, per: per[i]!, resident: data === null ? -1 : residentOffset(inst, data), slot: -1 });
  });
  return out;
}

/** True when every present operand is resident: a kernel then runs in one pass, copying nothing. */
export function everyResident(ops: readonly PassOperand[]): boolean {
  return ops.every((o) => o.data === null || o.resident >= 0);
}

/** Floats per unit of the operands that go through the arena (each counted once). */
export function copiedPerUnit(ops: readonly PassOperand[]): number {
  return [...new Set(ops)].reduce((s, o) => s + (o.data !== null && o.resident < 0 ? o.per : 0), 0);
}

/**
 * Reserves the arena for a pass of `pass` units: a slot for each operand
 * that is not resident (64-byte aligned), then `extra` floats from the
 * returned element offset `free` (8-byte aligned). Null where the module cannot run.
 */
export function placeSlots(ops: readonly PassOperand[], pass: number, extra: number): { heap: Float32Array; free: number } | null {
  const copied = [...new Set(ops)].filter((o) => o.data !== null && o.resident < 0);
  const arena = wasmArena(copied.reduce((s, o) => s + Math.ceil((pass * o.per) / 16) * 16, 0) + extra + 16);
  if (arena === null) return null;
  let next = Math.ceil(arena.at / 16) * 16;
  for (const o of copied) {
    o.slot = next;
    next += Math.ceil((pass * o.per) / 16) * 16;
  }
  return { heap: arena.heap, free: next };
}

/** The element address of unit `u0 + k` of `o` in a pass starting at unit `u0` (in place, or in its slot); 0 when absent. */
export function unitAt(o: PassOperand, u0: number, k = 0): number {
  if (o.data === null) return 0;
  return o.resident >= 0 ? o.resident + (u0 + k) * o.per : o.slot + k * o.per;
}

/** Copies units `[u0, u0 + count)` of an input that is not resident into its slot. */
export function copyIn(heap: Float32Array, o: PassOperand, u0: number, count: number): void {
  if (o.data !== null && o.resident < 0) heap.set(o.data.subarray(u0 * o.per, (u0 + count) * o.per), o.slot);
}

/** Copies units `[u0, u0 + count)` of an output that is not resident out of its slot. */
export function copyOut(heap: Float32Array, o: PassOperand, u0: number, count: number): void {
  if (o.data !== null && o.resident < 0) o.data.set(heap.subarray(o.slot, o.slot + count * o.per), u0 * o.per);
}

/** Zeroes units `[u0, u0 + count)` of an output where the kernel reads them: in place, or in its slot. */
export function zeroUnits(heap: Float32Array, o: PassOperand, u0: number, count: number): void {
  const at = unitAt(o, u0);
  heap.fill(0, at, at + count * o.per);
}

/**
 * Floats of each operand in one pass of `mapWasm` (256 KiB): the three
 * operands of a pass stay in L2 from the copies in to the copy out (passes
 * of 5.6 MiB an operand were 1.1–2× slower on 1–17 M elements).
 */
const MAP_PASS_FLOATS = 2 ** 16;

/** rows_map_task's ops (kernels-rows.part.wat). */
export const MAP_OPS = { keepPositive: 0, leaky: 1, axpby: 2 } as const;
export type MapOp = (typeof MAP_OPS)[keyof typeof MAP_OPS];

/**
 * `out_i = f(x_i, y_i)` for the ops of `MAP_OPS` (`a`, `b` their float64
 * attributes). Where x, y and out are all resident in the module's memory,
 * the export runs on their own addresses in one pass, split in ranges over
 * the threads (`residentThreads`); else over shared tensors each thread
 * copies its own range (`mapShared`); else this thread copies the operands
 * that are not resident through the arena in passes that stay in L2 (the
 * resident ones read and written in place). Every element is the same
 * operation on every route. Returns false, doing nothing, when the tensor
 * is small or SIMD is missing.
 */
export function mapWasm(op: MapOp, x: Float32Array, y: Float32Array, out: Float32Array, a = 0, b = 0): boolean {
  const n = out.length;
  const kernel = op === MAP_OPS.axpby ? 'axpby' : op === MAP_OPS.leaky ? 'leakyRelu' : 'relu';
  const inst = instanceFor(kernel, n);
  if (inst === null) return false;
  const ops = passOperands(inst, [x, y, out], [1, 1, 1]);
  const [xo, yo, oo] = ops as [PassOperand, PassOperand, PassOperand];
  const inPlace = everyResident(ops);
  if (!inPlace && mapShared(op, kernel, x, y, out, a, b)) return true;
  const pass = inPlace ? n : Math.min(n, MAP_PASS_FLOATS, Math.max(4, Math.floor(passFloats / 12) * 4));
  const tasks = inPlace ? residentThreads(kernel, n) : threadsFor(kernel, pass);
  const place = placeSlots(ops, pass, (tasks + 1) * TASK_WORDS);
  if (place === null) return false;
  const { heap } = place;
  const blocksAt = alignedBlocks(place.free);
  for (let i0 = 0; i0 < n; i0 += pass) {
    const count = Math.min(pass, n - i0);
    copyIn(heap, xo, i0, count);
    if (yo !== xo) copyIn(heap, yo, i0, count);
    const blocks: number[] = [];
    // Ranges of whole vectors (4 floats), the tail with the last.
    const vectors = Math.ceil(count / 4);
    for (const share of shares(vectors, tasks)) {
      const first = 4 * share.first;
      const len = Math.min(count, first + 4 * share.count) - first;
      const block = blocksAt + 4 * share.thread * TASK_WORDS;
      writeBlock(inst, block, [op, len, 4 * unitAt(xo, i0, first), 4 * unitAt(yo, i0, first), 4 * unitAt(oo, i0, first)], a, b);
      blocks.push(block);
    }
    runTasks(inst, 'rows_map_task', blocks);
    copyOut(heap, oo, i0, count);
  }
  return true;
}

/**
 * Threads for a map over `n` resident elements: at most the pool's, each
 * with `sharedPerThread` elements (the map is memory-bound and copies
 * nothing, so a thread pays where it has enough to stream), at least 1.
 */
export function residentThreads(kernel: RowsKernel, n: number): number {
  const per = tuning[kernel].sharedPerThread ?? tuning[kernel].perThread;
  return Math.max(1, Math.min(taskThreads(), Math.floor(n / per)));
}

/** True when `a` lives on a SharedArrayBuffer (the workers can then be handed it). */
export function isShared(a: Float32Array): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/**
 * `mapWasm` with each thread copying its own range of the operands through
 * its own part of the module's memory (shared-tasks.ts), where x, y and out
 * all live on SharedArrayBuffers, the workers take shared tasks, and at
 * least two threads get `sharedPerThread` elements each; false (nothing
 * done) otherwise. Ranges are whole vectors of 4 floats, the tail with the last.
 */
function mapShared(op: MapOp, kernel: RowsKernel, x: Float32Array, y: Float32Array, out: Float32Array, a: number, b: number): boolean {
  const n = out.length;
  const per = tuning[kernel].sharedPerThread ?? Number.POSITIVE_INFINITY;
  const tasks = sharedThreads([x, y, out], Math.floor(n / per));
  if (tasks < 2) return false;
  const vectors = Math.ceil(n / 4);
  const pass = Math.min(MAP_PASS_FLOATS, 4 * Math.ceil(vectors / tasks));
  const same = x === y;
  const ranges = shares(vectors, tasks).map((s) => ({ first: 4 * s.first, end: Math.min(n, 4 * (s.first + s.count)) }));
  const addressWords = same ? [[2, 3], [4]] : [[2], [3], [4]];
  return runSharedPasses('rows_map_task', ranges, pass, same ? [x] : [x, y], out, false, (at, outAt) => [op, 0, 4 * at[0]!, 4 * at[same ? 0 : 1]!, 4 * outAt], 1, addressWords, [a, b]);
}

/** Whether `kernel` may take the shared route (its `sharedPerThread` is finite). */
export function sharedRouteOn(kernel: RowsKernel): boolean {
  return Number.isFinite(tuning[kernel].sharedPerThread ?? Number.POSITIVE_INFINITY);
}

/**
 * Threads a shared task may use on `arrays` (at most `most`): the pool's
 * where its workers take shared tasks and every array lives on a
 * SharedArrayBuffer, else 1.
 */
export function sharedThreads(arrays: readonly Float32Array[], most: number): number {
  const pool = gemmPool();
  if (pool === null || !pool.sharedTasks || most < 2 || !arrays.every(isShared)) return 1;
  return Math.min(taskThreads(), most);
}

/**
 * Runs export `op` over units (elements or images) as shared tasks
 * (shared-tasks.ts's `sharedPassTask`): range t of `ranges` on thread t, in
 * passes of `pass` units, each thread with its own part of the module's
 * memory (the `pass` units of the inputs and the output that are not
 * resident, then its task block, whose words `words(inputsAt, outputAt)`
 * gives in byte addresses; word `countWord` is set to each pass's units).
 * `addressWords` names, for each input and then the output, the words
 * holding its address: a resident operand is used in place, those words
 * pointed at each pass's units. False where the module cannot run.
 */
export function runSharedPasses(
  op: string,
  ranges: readonly { first: number; end: number }[],
  pass: number,
  inputs: readonly Float32Array[],
  output: Float32Array,
  zero: boolean,
  words: (inputsAt: number[], outputAt: number) => number[],
  countWord: number,
  addressWords: readonly (readonly number[])[],
  floats: readonly number[] = [],
): boolean {
  const pool = gemmPool();
  const inst = gemmInstance();
  if (pool === null || inst === null) return false;
  const units = ranges[ranges.length - 1]!.end;
  const operands = [...inputs, output].map((data, i) => ({ data, per: data.length / units, resident: residentOffset(inst, data), words: [...addressWords[i]!] }));
  const copied = operands.reduce((s, o) => s + (o.resident < 0 ? o.per : 0), 0);
  const region = Math.ceil((pass * copied + TASK_WORDS) / 32) * 32;
  const arena = wasmArena(ranges.length * region + 32);
  if (arena === null) return false;
  const base = Math.ceil(arena.at / 32) * 32;
  const messages: SharedPassMessage[] = ranges.map((r, t) => {
    let next = base + t * region;
    // A resident operand's `at` is its range's first unit (the worker moves it each pass), others get this thread's slots.
    const placed: SharedOperand[] = operands.map((o) => {
      const at = o.resident >= 0 ? o.resident + r.first * o.per : next;
      if (o.resident < 0) next += pass * o.per;
      return { ...o, at };
    });
    const ins = placed.slice(0, -1);
    const output = placed[placed.length - 1]!;
    const block = 4 * (next + (next % 2));
    return { task: 0, op, first: r.first, end: r.end, pass, inputs: ins, output, zero, block, words: words(ins.map((i) => i.at), output.at), countWord, floats: [...floats] };
  });
  pool.runShared(messages);
  return true;
}

/** Rows of C channels in one block of the float32 per-channel sums: 16 384 floats (64 KiB, cache-sized) whatever the threads. */
export function sumBlockRows(c: number): number {
  return Math.max(1, Math.floor(2 ** 14 / c));
}

/**
 * `out_k = Σ_rows x[r·C + k]` in float32 (the bias derivative of NHWC data,
 * ReduceSum over every axis but the last), in a fixed order that does not
 * depend on the threads: rows in blocks of `sumBlockRows(C)`, each block's
 * sums from +0 in row order, then the blocks' sums added in block order.
 * The blocks go to the threads in ranges. Returns false where SIMD is
 * missing or the tensor is small (`channelSumsBlocked` is the same order in
 * a loop).
 */
export function channelSumsWasm(x: Float32Array, c: number, out: Float32Array): boolean {
  const inst = instanceFor('sums', x.length);
  if (inst === null || c === 0) return false;
  const rows = x.length / c;
  const per = sumBlockRows(c);
  const blocks = Math.ceil(rows / per);
  // Units are blocks of rows; a resident x is read in place, so a pass holds only the blocks' sums.
  const ops = passOperands(inst, [x], [per * c]);
  const xo = ops[0]!;
  const passBlocks = Math.max(1, Math.min(blocks, Math.floor(passFloats / (copiedPerUnit(ops) + c))));
  // A resident x is copied by no one, so the threads split from `sharedPerThread`; a copied one, whose copies are this thread's, from `perThread`.
  const tasks = xo.resident >= 0 ? residentThreads('sums', x.length) : threadsFor('sums', passBlocks * per * c);
  const place = placeSlots(ops, passBlocks, passBlocks * c + (tasks + 1) * TASK_WORDS);
  if (place === null) return false;
  const { heap } = place;
  const partAt = place.free;
  const blocksAt = alignedBlocks(partAt + passBlocks * c);
  out.fill(0);
  for (let b0 = 0; b0 < blocks; b0 += passBlocks) {
    const r0 = b0 * per;
    const passRows = Math.min(rows, (b0 + passBlocks) * per) - r0;
    const count = Math.ceil(passRows / per);
    // The last block may be short: copyIn's subarray ends at x's end.
    copyIn(heap, xo, b0, count);
    const taskBlocks: number[] = [];
    for (const share of shares(count, tasks)) {
      const first = share.first * per;
      const len = Math.min(passRows, first + share.count * per) - first;
      const block = blocksAt + 4 * share.thread * TASK_WORDS;
      writeBlock(inst, block, [len, c, 4 * unitAt(xo, b0, share.first), per, 4 * (partAt + share.first * c)]);
      taskBlocks.push(block);
    }
    runTasks(inst, 'channel_sums_task', taskBlocks);
    addBlockSums(heap, partAt, count, c, out);
  }
  return true;
}

/** `channelSumsWasm`'s order in a loop (its reference, and its path for small tensors). */
export function channelSumsBlocked(x: Float32Array, c: number, out: Float32Array): void {
  out.fill(0);
  if (c === 0) return;
  const rows = x.length / c;
  const per = sumBlockRows(c);
  const part = new Float32Array(c);
  for (let r0 = 0; r0 < rows; r0 += per) {
    part.fill(0);
    const end = Math.min(rows, r0 + per) * c;
    for (let i = r0 * c; i < end; i += c) for (let k = 0; k < c; k++) part[k]! += x[i + k]!;
    for (let k = 0; k < c; k++) out[k]! += part[k]!;
  }
}

/** Adds `count` blocks of C sums at element `at` into `out`, in block order (float32). */
function addBlockSums(heap: Float32Array, at: number, count: number, c: number, out: Float32Array): void {
  for (let b = 0; b < count; b++) {
    const p = at + b * c;
    for (let k = 0; k < c; k++) out[k]! += heap[p + k]!;
  }
}

/** channel_stats_task's ops: Σ x, Σ (x − mu)², and Σ dy then Σ dy·(x − mu). */
export const STATS_OPS = { sum: 0, centredSquares: 1, backward: 2 } as const;
export type StatsOp = (typeof STATS_OPS)[keyof typeof STATS_OPS];

/**
 * Per-channel float64 statistics of rows of C channels (batch
 * normalisation's sums; `mu` the means for ops 1 and 2) into `out` (C
 * values, 2C for `backward`: the sums of dy, then of dy·(x − mu)), in the
 * fixed order of `channelSumsWasm`: blocks of `sumBlockRows(C)` rows from 0
 * in row order, then the blocks added in order. Blocks go to the threads in
 * ranges. Returns false when small or without SIMD (`channelStatsBlocked`
 * is the same order in a loop).
 */
export function channelStatsWasm(op: StatsOp, x: Float32Array, dy: Float32Array | null, c: number, mu: Float64Array, out: Float64Array): boolean {
  const inst = instanceFor('stats', x.length);
  if (inst === null || c === 0) return false;
  const rows = x.length / c;
  const per = sumBlockRows(c);
  const blocks = Math.ceil(rows / per);
  const width = op === STATS_OPS.backward ? 2 * c : c;
  // Units are blocks of rows: x and dy (read in place where resident) and each block's float64 results (2 floats each).
  const ops = passOperands(inst, [x, dy], [per * c, per * c]);
  const [xo, dyo] = ops as [PassOperand, PassOperand];
  const passBlocks = Math.max(1, Math.min(blocks, Math.floor(passFloats / (copiedPerUnit(ops) + 2 * width))));
  const tasks = threadsFor('stats', passBlocks * per * c);
  const place = placeSlots(ops, passBlocks, 2 * passBlocks * width + 2 * c + (tasks + 2) * TASK_WORDS);
  if (place === null) return false;
  const { heap } = place;
  const partAt = alignedBlocks(place.free);
  const muAt = partAt + 8 * passBlocks * width;
  new Float64Array(inst.memory.buffer, muAt, c).set(mu);
  const blocksAt = muAt + 8 * c;
  out.fill(0);
  for (let b0 = 0; b0 < blocks; b0 += passBlocks) {
    const r0 = b0 * per;
    const passRows = Math.min(rows, (b0 + passBlocks) * per) - r0;
    const count = Math.ceil(passRows / per);
    copyIn(heap, xo, b0, count);
    if (dyo !== xo) copyIn(heap, dyo, b0, count);
    const taskBlocks: number[] = [];
    for (const share of shares(count, tasks)) {
      const first = share.first * per;
      const len = Math.min(passRows, first + share.count * per) - first;
      const block = blocksAt + 4 * share.thread * TASK_WORDS;
      writeBlock(inst, block, [op, len, c, 4 * unitAt(xo, b0, share.first), 4 * unitAt(dyo, b0, share.first), per, partAt + 8 * share.first * width, muAt]);
      taskBlocks.push(block);
    }
    runTasks(inst, 'channel_stats_task', taskBlocks);
    const part = new Float64Array(inst.memory.buffer, partAt, count * width);
    for (let b = 0; b < count; b++) for (let k = 0; k < width; k++) out[k]! += part[b * width + k]!;
  }
  return true;
}

/** `channelStatsWasm`'s order in a loop (its reference, and its path for small tensors). */
export function channelStatsBlocked(op: StatsOp, x: Float32Array, dy: Float32Array | null, c: number, mu: Float64Array, out: Float64Array): void {
  out.fill(0);
  if (c === 0) return;
  const rows = x.length / c;
  const per = sumBlockRows(c);
  const width = op === STATS_OPS.backward ? 2 * c : c;
  const part = new Float64Array(width);
  for (let r0 = 0; r0 < rows; r0 += per) {
    part.fill(0);
    const end = Math.min(rows, r0 + per) * c;
    for (let i = r0 * c; i < end; i += c) {
      if (op === STATS_OPS.sum) for (let k = 0; k < c; k++) part[k]! += x[i + k]!;
      else if (op === STATS_OPS.centredSquares)
        for (let k = 0; k < c; k++) {
          const d = x[i + k]! - mu[k]!;
          part[k]! += d * d;
        }
      else
        for (let k = 0; k < c; k++) {
          const g = dy![i + k]!;
          part[k]! += g;
          part[c + k]! += g * (x[i + k]! - mu[k]!);
        }
    }
    for (let k = 0; k < width; k++) out[k]! += part[k]!;
  }
}

/** `channelStatsWasm` where it runs, else `channelStatsBlocked`. */
export function channelStats(op: StatsOp, x: Float32Array, dy: Float32Array | null, c: number, mu: Float64Array, out: Float64Array): void {
  if (!channelStatsWasm(op, x, dy, c, mu, out)) channelStatsBlocked(op, x, dy, c, mu, out);
}

/** channel_affine_task's ops. */
export const AFFINE_OPS = { bnorm: 0, bnormBackward: 1 } as const;
export type AffineOp = (typeof AFFINE_OPS)[keyof typeof AFFINE_OPS];

/**
 * Per-channel affine maps of rows of C channels in float64, rounded once:
 * `bnorm` (coefficient arrays mu, scale, b): `out = scale·(x − mu) + b`;
 * `bnormBackward` (mu, a, s, t): `out = a·dy + s·(x − mu) + t`. Rows in
 * ranges over the threads. Returns false when small or without SIMD.
 */
export function channelAffineWasm(op: AffineOp, x: Float32Array, dy: Float32Array | null, c: number, coef: Float64Array, out: Float32Array): boolean {
  const inst = instanceFor('affine', x.length);
  if (inst === null || c === 0) return false;
  const rows = x.length / c;
  // Units are rows; resident operands in place, all rows in one pass where every one is.
  const ops = passOperands(inst, [x, dy, out], [c, c, c]);
  const [xo, dyo, oo] = ops as [PassOperand, PassOperand, PassOperand];
  const copied = copiedPerUnit(ops);
  const passRows = copied === 0 ? rows : Math.max(1, Math.min(rows, Math.floor(passFloats / copied)));
  const tasks = threadsFor('affine', passRows * c);
  const place = placeSlots(ops, passRows, 2 * coef.length + 2 + (tasks + 1) * TASK_WORDS);
  if (place === null) return false;
  const { heap } = place;
  const coefAt = alignedBlocks(place.free);
  new Float64Array(inst.memory.buffer, coefAt, coef.length).set(coef);
  const blocksAt = alignedBlocks((coefAt + 8 * coef.length) / 4);
  for (let r0 = 0; r0 < rows; r0 += passRows) {
    const count = Math.min(passRows, rows - r0);
    copyIn(heap, xo, r0, count);
    copyIn(heap, dyo, r0, count);
    const blocks: number[] = [];
    for (const share of shares(count, tasks)) {
      const block = blocksAt + 4 * share.thread * TASK_WORDS;
      writeBlock(inst, block, [op, share.count, c, 4 * unitAt(xo, r0, share.first), 4 * unitAt(dyo, r0, share.first), 4 * unitAt(oo, r0, share.first), coefAt]);
      blocks.push(block);
    }
    runTasks(inst, 'channel_affine_task', blocks);
    copyOut(heap, oo, r0, count);
  }
  return true;
}

/** The byte address of element `at` rounded up to 8 bytes (the blocks hold float64 words). */
export function alignedBlocks(at: number): number {
  return Math.ceil((4 * at) / 8) * 8;
}

/** Writes a task block: int32 words from word 0, float64 `a` and `b` at bytes 32 and 40. */
export function writeBlock(inst: GemmInstance, at: number, words: readonly number[], a = 0, b = 0): void {
  new Int32Array(inst.memory.buffer, at, words.length).set(words);
  const f = new Float64Array(inst.memory.buffer, at + 32, 2);
  f[0] = a;
  f[1] = b;
}
