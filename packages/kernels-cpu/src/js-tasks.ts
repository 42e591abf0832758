/**
 * JavaScript tasks the GEMM workers run on the module's shared memory, for
 * kernels that need `Math.exp` or `Math.log`, which WebAssembly lacks. Each
 * task is a self-contained function (no imports, no closure: its source,
 * `toString()`, is shipped to the workers inside their script, as
 * GEMM_WORKER_SOURCE is) of the memory's buffer and the byte address of a
 * task block of int32 words (float64 attributes at byte 32 of the block).
 * This thread runs the same functions, and V8's `Math.exp`/`Math.log` are one
 * C++ routine (ieee754) on every thread and tier, so a row gives the same
 * bits wherever it runs. Every task works row by row on rows `[0, rows)` from
 * its addresses; rows are independent, so any split gives the loops' values.
 */
export type JsTask = (buffer: ArrayBufferLike, block: number) => void;

/**
 * Fills `e` (C float64s) with `e^{x_k − m}` of the row at `r`, m its
 * maximum, and returns their sum: the softmax's exponentials (shared by the
 * Softmax loops and the task; shipped to the workers with the tasks).
 */
export function expRow(x: ArrayLike<number>, r: number, e: Float64Array): number {
  const c = e.length;
  let m = -Infinity;
  for (let k = r; k < r + c; k++) {
    const v = x[k]!;
    if (v > m) m = v;
  }
  let sum = 0;
  for (let k = 0; k < c; k++) {
    const v = Math.exp(x[r + k]! - m);
    e[k] = v;
    sum += v;
  }
  return sum;
}

/** σ(v) = 1/(1 + e^−v); e^−v overflows to ∞ for very negative v, giving 0 (not NaN). */
export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/**
 * The softmax's derivative on the row at `r`: `dx = y ⊙ (dy − Σ_k dy_k y_k)`,
 * y the row's softmax (in `y`, C float64s), into `out`.
 */
export function softmaxBackwardRow(x: ArrayLike<number>, dy: ArrayLike<number>, r: number, y: Float64Array, out: { [k: number]: number }): void {
  const c = y.length;
  const inv = 1 / expRow(x, r, y);
  let dot = 0;
  for (let k = 0; k < c; k++) {
    y[k] = y[k]! * inv;
    dot += dy[r + k]! * y[k]!;
  }
  for (let k = 0; k < c; k++) out[r + k] = y[k]! * (dy[r + k]! - dot);
}

/** The maximum m of the row at `base` (the first score, then strict `>`) and `Σ_k e^{x_k − m}`, for softmaxlog. */
export function logSumExpParts(x: ArrayLike<number>, base: number, c: number): [number, number] {
  let m = x[base]!;
  for (let k = base + 1; k < base + c; k++) if (x[k]! > m) m = x[k]!;
  let s = 0;
  for (let k = base; k < base + c; k++) s += Math.exp(x[k]! - m);
  return [m, s];
}

/** softmaxlog's derivative on the row at `base`: `dx_k = g·e^{x_k − m}/s`, then `dx_ci −= g` (`ci` the label's element). */
export function softmaxlogRowGradient(x: ArrayLike<number>, base: number, c: number, ci: number, g: number, dx: { [k: number]: number }): void {
  const [m, s] = logSumExpParts(x, base, c);
  const gs = g / s;
  for (let k = base; k < base + c; k++) dx[k] = gs * Math.exp(x[k]! - m);
  dx[ci] = dx[ci]! - g;
}

/**
 * `L[k] = kappa + alpha Σ_{q∈Q(k)} x_q²` for the pixel at `xv[i … i + C − 1]`
 * (C = `L.length`), `Q(k) = [k − ⌊(n−1)/2⌋, k + ⌈(n−1)/2⌉] ∩ [0, C − 1]`
 * (0-based). `sq` is scratch of length C.
 */
export function lrnDenominators(xv: ArrayLike<number>, i: number, n: number, kappa: number, alpha: number, sq: Float64Array, L: Float64Array): void {
  for (let k = 0; k < sq.length; k++) sq[k] = xv[i + k]! * xv[i + k]!;
  windowSums(sq, Math.floor((n - 1) / 2), Math.ceil((n - 1) / 2), L);
  for (let k = 0; k < L.length; k++) L[k] = kappa + alpha * L[k]!;
}

/**
 * `out[k] = Σ_{q ∈ [k − down, k + up] ∩ [0, C)} t[q]`, each window summed
 * directly (O(C·n)): prefix-sum differences would let one NaN, ∞ or 1e30
 * reach every later window (∞ − ∞, (1e60 + 1) − 1e60 = 0). When every window
 * covers every channel (n ≥ 2C, L2 normalisation) it is one sum.
 */
export function windowSums(t: Float64Array, down: number, up: number, out: Float64Array): void {
  const c = t.length;
  if (down >= c - 1 && up >= c - 1) {
    let s = 0;
    for (let q = 0; q < c; q++) s += t[q]!;
    out.fill(s);
    return;
  }
  for (let k = 0; k < c; k++) {
    const hi = Math.min(c - 1, k + up);
    let s = 0;
    for (let q = Math.max(0, k - down); q <= hi; q++) s += t[q]!;
    out[k] = s;
  }
}

/** LRN of the pixel at `i` (manual §4.8): `y_k = x_k·L_k^−β`; `sq`, `L` scratch of C float64s. */
export function lrnRow(x: ArrayLike<number>, i: number, n: number, kappa: number, alpha: number, beta: number, sq: Float64Array, L: Float64Array, y: { [k: number]: number }): void {
  lrnDenominators(x, i, n, kappa, alpha, sq, L);
  for (let k = 0; k < L.length; k++) y[i + k] = x[i + k]! * L[k]! ** -beta;
}

/**
 * LRN's derivative at the pixel at `i`: `dx_d = dy_d·L_d^−β − 2αβ·x_d·Σ_{k: d∈Q(k)} t_k`,
 * `t_k = dy_k·L_k^(−β−1)·x_k`; `t`, `L`, `sums` scratch of C float64s.
 */
export function lrnBackwardRow(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  i: number,
  n: number,
  kappa: number,
  alpha: number,
  beta: number,
  t: Float64Array,
  L: Float64Array,
  sums: Float64Array,
  dx: { [k: number]: number },
): void {
  const c = L.length;
  lrnDenominators(x, i, n, kappa, alpha, t, L);
  // t_k = dy_k L_k^(−β−1) x_k; channel d is in Q(k) for k ∈ [d − after, d + before].
  for (let k = 0; k < c; k++) t[k] = dy[i + k]! * L[k]! ** (-beta - 1) * x[i + k]!;
  windowSums(t, Math.ceil((n - 1) / 2), Math.floor((n - 1) / 2), sums);
  for (let d = 0; d < c; d++) dx[i + d] = dy[i + d]! * L[d]! ** -beta - 2 * alpha * beta * x[i + d]! * sums[d]!;
}

/**
 * LRN (dy at 0) or its derivative over rows of C floats (`lrnRow`,
 * `lrnBackwardRow`). Words: x, dy, out (byte addresses), C, rows, n;
 * float64 kappa, alpha, beta at bytes 32, 40, 48.
 */
export function lrnRowsTask(buffer: ArrayBufferLike, block: number): void {
  const w = new Int32Array(buffer, block, 6);
  const [kappa, alpha, beta] = new Float64Array(buffer, block + 32, 3) as unknown as [number, number, number];
  const c = w[3]!;
  const size = c * w[4]!;
  const n = w[5]!;
  const x = new Float32Array(buffer, w[0]!, size);
  const out = new Float32Array(buffer, w[2]!, size);
  const L = new Float64Array(c);
  const t = new Float64Array(c);
  if (w[1] === 0) {
    for (let i = 0; i < size; i += c) lrnRow(x, i, n, kappa, alpha, beta, t, L, out);
    return;
  }
  const dy = new Float32Array(buffer, w[1]!, size);
  const sums = new Float64Array(c);
  for (let i = 0; i < size; i += c) lrnBackwardRow(x, dy, i, n, kappa, alpha, beta, t, L, sums, out);
}

/**
 * Softmax over rows of C floats (activation.ts's `Softmax` loop, operation
 * for operation): `y_k = e^{x_k − m} / Σ_j e^{x_j − m}`, m the row maximum,
 * the exponentials and their sum in float64. Words: x, y (byte addresses),
 * C, rows.
 */
export function softmaxRowsTask(buffer: ArrayBufferLike, block: number): void {
  const w = new Int32Array(buffer, block, 4);
  const c = w[2]!;
  const n = c * w[3]!;
  const x = new Float32Array(buffer, w[0]!, n);
  const y = new Float32Array(buffer, w[1]!, n);
  const e = new Float64Array(c);
  for (let r = 0; r < n; r += c) {
    const inv = 1 / expRow(x, r, e);
    for (let k = 0; k < c; k++) y[r + k] = e[k]! * inv;
  }
}

/** The softmax's derivative over rows of C floats (`softmaxBackwardRow`). Words: x, dy, dx (byte addresses), C, rows. */
export function softmaxBackwardRowsTask(buffer: ArrayBufferLike, block: number): void {
  const w = new Int32Array(buffer, block, 5);
  const c = w[3]!;
  const n = c * w[4]!;
  const x = new Float32Array(buffer, w[0]!, n);
  const dy = new Float32Array(buffer, w[1]!, n);
  const dx = new Float32Array(buffer, w[2]!, n);
  const y = new Float64Array(c);
  for (let r = 0; r < n; r += c) softmaxBackwardRow(x, dy, r, y, dx);
}

/**
 * The sigmoid (dy at 0) or its derivative `dy·σ(x)·(1 − σ(x))` per element.
 * Words: x, dy (0: the forward), out (byte addresses), elements.
 */
export function sigmoidTask(buffer: ArrayBufferLike, block: number): void {
  const w = new Int32Array(buffer, block, 4);
  const n = w[3]!;
  const x = new Float32Array(buffer, w[0]!, n);
  const out = new Float32Array(buffer, w[2]!, n);
  if (w[1] === 0) {
    for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!);
    return;
  }
  const dy = new Float32Array(buffer, w[1]!, n);
  for (let i = 0; i < n; i++) {
    const s = sigmoid(x[i]!);
    out[i] = dy[i]! * s * (1 - s);
  }
}

/**
 * The softmaxlog loss of each row (loss.ts's `categoricalLoss`):
 * `t = m + log Σ_k e^{x_k − m} − x_label`, m the row's maximum, in float64,
 * into a float64 per row (0 for label 0); the caller adds `weight·t` in row
 * order, as the loop does. Words: x (the pass's first row), labels (float32,
 * one per row), t (float64), C, rows, the first row of this task.
 */
export function softmaxlogLossRowsTask(buffer: ArrayBufferLike, block: number): void {
  const w = new Int32Array(buffer, block, 6);
  const c = w[3]!;
  const first = w[5]!;
  const end = first + w[4]!;
  // x over the whole pass, as the loop's x is over the whole tensor.
  const x = new Float32Array(buffer, w[0]!, c * end);
  const labels = new Float32Array(buffer, w[1]!, end);
  const t = new Float64Array(buffer, w[2]!, end);
  for (let p = first; p < end; p++) {
    const label = labels[p]!;
    if (label === 0) {
      t[p] = 0;
      continue;
    }
    const base = p * c;
    const [m, s] = logSumExpParts(x, base, c);
    t[p] = m + Math.log(s) - x[base + label - 1]!;
  }
}

/**
 * The softmaxlog loss's derivative per row (loss.ts's `categoricalBackward`):
 * `dx_k = g·e^{x_k − m}/Σ_j e^{x_j − m} − g·[k = label]`, g = scale·weight
 * (weight 1 without weights), 0 for label 0 or weight 0. Words: x, labels,
 * weights (0: none), dx (the pass's first row each), C, rows, the first row;
 * float64 scale at byte 32.
 */
export function softmaxlogBackwardRowsTask(buffer: ArrayBufferLike, block: number): void {
  const w = new Int32Array(buffer, block, 7);
  const scale = new Float64Array(buffer, block + 32, 1)[0]!;
  const c = w[4]!;
  const first = w[6]!;
  const end = first + w[5]!;
  const x = new Float32Array(buffer, w[0]!, c * end);
  const labels = new Float32Array(buffer, w[1]!, end);
  const weights = w[2] === 0 ? null : new Float32Array(buffer, w[2]!, end);
  const dx = new Float32Array(buffer, w[3]!, c * end);
  for (let p = first; p < end; p++) {
    const label = labels[p]!;
    const weight = weights ? weights[p]! : 1;
    const base = p * c;
    if (label === 0 || weight === 0) {
      for (let k = base; k < base + c; k++) dx[k] = 0;
      continue;
    }
    softmaxlogRowGradient(x, base, c, base + label - 1, scale * weight, dx);
  }
}

/** The tasks by name, in op-code order (a worker's op `TASK_OP_BASE + taskOps.length + i` runs task i). */
export const JS_TASKS = {
  softmax_rows: softmaxRowsTask,
  softmax_backward_rows: softmaxBackwardRowsTask,
  sigmoid: sigmoidTask,
  lrn_rows: lrnRowsTask,
  softmaxlog_loss_rows: softmaxlogLossRowsTask,
  softmaxlog_backward_rows: softmaxlogBackwardRowsTask,
} as const satisfies Record<string, JsTask>;

export type JsTaskName = keyof typeof JS_TASKS;

/** The task names in op-code order. */
export const JS_TASK_NAMES = Object.keys(JS_TASKS) as JsTaskName[];

/** The functions the tasks call, declared by their own names (as a bundler may have renamed them) before the tasks in the workers' script. */
const HELPERS = [expRow, sigmoid, softmaxBackwardRow, logSumExpParts, softmaxlogRowGradient, windowSums, lrnDenominators, lrnRow, lrnBackwardRow];

/** The workers' task table, as a JavaScript expression: the helpers declared, then `[task, …]` in `JS_TASK_NAMES` order. */
export function jsTasksSource(): string {
  const tasks = JS_TASK_NAMES.map((name) => `(${JS_TASKS[name].toString()})`).join(',\n');
  // `const name = (source);` whether a bundler left a declaration or made an arrow of it.
  const helpers = HELPERS.map((f) => `const ${f.name} = (${f.toString()});`).join('\n');
  return `(() => {\n${helpers}\nreturn [${tasks}];\n})()`;
}
