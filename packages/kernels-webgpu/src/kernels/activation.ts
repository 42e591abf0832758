import type { Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { NAN_MAX_COMBINE, ROW_MAX_SUM, ROW_TREE_MIN, rowProgram, rowThreads, treeCombine } from './reduce-tree.js';
import { IS_FINITE, IS_NAN, IS_POSITIVE, SIGMOID, SPECIAL_VALUES } from './wgsl.js';

/**
 * ReLU (leaky), sigmoid and softmax (manual §4.4, §4.6.4; derivatives §6.4,
 * §6.6.4), as on the CPU: leak 0 is MatConvNet's max(x, 0) (+0 for x ≤ 0,
 * NaN gives 0), and softmax runs over the last axis with the row maximum
 * subtracted: one thread per row, or for rows of at least `ROW_TREE_MIN`
 * channels one workgroup per row whose max and sums are trees in
 * workgroup memory (a fixed order, so deterministic).
 *
 * Special values, the CPU's answers: ReLU's test x > 0 reads the bits, so a
 * positive subnormal (which the GPU may flush to 0) passes as on the CPU;
 * σ(NaN) = NaN; a softmax row whose maximum is not finite (a NaN, a +∞, or
 * all −∞) is NaN everywhere, as MatConvNet's e^(x − max) / Σ e^(x − max)
 * gives (∞ − ∞ = NaN spreads through the sum).
 */
export const activationKernels = {
  Relu: (gpu, { x }, { leak }) => {
    const y = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'Relu',
      variant: leak === 0 ? 'max0' : 'leaky',
      inputs: { x },
      outputs: { y },
      f32: { leak },
      threads: y.size,
      helpers: IS_POSITIVE,
      // The bits move untouched (a subnormal survives), only leak·v is arithmetic.
      body:
        leak === 0
          ? '  let v = x[i];\n  y[i] = bitcast<f32>(select(0u, bitcast<u32>(v), is_positive(v)));'
          : '  let v = x[i];\n  y[i] = select(u.leak * v, bitcast<f32>(bitcast<u32>(v)), is_positive(v));',
    });
    return y;
  },

  ReluBackward: (gpu, { x, dy }, { leak }) => {
    const dx = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'ReluBackward',
      variant: '',
      inputs: { x, dy },
      outputs: { dx },
      f32: { leak },
      threads: dx.size,
      helpers: IS_POSITIVE,
      body: '  dx[i] = select(u.leak * dy[i], dy[i], is_positive(x[i]));',
    });
    return dx;
  },

  Sigmoid: (gpu, { x }) => {
    const y = gpu.empty(x.shape);
    gpu.dispatch({ kernel: 'Sigmoid', variant: '', inputs: { x }, outputs: { y }, threads: y.size, helpers: IS_NAN + SIGMOID, body: '  y[i] = sigmoid(x[i]);' });
    return y;
  },

  SigmoidBackward: (gpu, { x, dy }) => {
    const dx = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'SigmoidBackward',
      variant: '',
      inputs: { x, dy },
      outputs: { dx },
      threads: dx.size,
      helpers: IS_NAN + SIGMOID,
      body: '  let s = sigmoid(x[i]);\n  dx[i] = dy[i] * s * (1.0 - s);',
    });
    return dx;
  },

  Softmax: (gpu, { x }) => {
    const y = gpu.empty(x.shape);
    const c = x.shape[x.shape.length - 1] ?? 1;
    if (c >= ROW_TREE_MIN && softmaxRows(gpu, x, null, y, c)) return y;
    gpu.dispatch({
      kernel: 'Softmax',
      variant: '',
      inputs: { x },
      outputs: { y },
      u32: { c },
      threads: c === 0 ? 0 : x.size / c,
      helpers: ROW_EXP,
      body: `  let r = i * u.c;
  let m = row_max(r);
  if (!is_finite(m)) {
    for (var k = 0u; k < u.c; k++) { y[r + k] = nan(); }
    return;
  }
  let inv = 1.0 / row_sum(r);
  for (var k = 0u; k < u.c; k++) { y[r + k] = exp(x[r + k] - m) * inv; }`,
    });
    return y;
  },

  SoftmaxBackward: (gpu, { x, dy }) => {
    const dx = gpu.empty(x.shape);
    const c = x.shape[x.shape.length - 1] ?? 1;
    if (c >= ROW_TREE_MIN && softmaxRows(gpu, x, dy, dx, c)) return dx;
    // dx = y ⊙ (dy − Σ_k dy_k y_k)
    gpu.dispatch({
      kernel: 'SoftmaxBackward',
      variant: '',
      inputs: { x, dy },
      outputs: { dx },
      u32: { c },
      threads: c === 0 ? 0 : x.size / c,
      helpers: ROW_EXP,
      body: `  let r = i * u.c;
  let m = row_max(r);
  if (!is_finite(m)) {
    for (var k = 0u; k < u.c; k++) { dx[r + k] = nan(); }
    return;
  }
  let inv = 1.0 / row_sum(r);
  var dot = 0.0;
  for (var k = 0u; k < u.c; k++) { dot += dy[r + k] * exp(x[r + k] - m) * inv; }
  for (var k = 0u; k < u.c; k++) { dx[r + k] = exp(x[r + k] - m) * inv * (dy[r + k] - dot); }`,
    });
    return dx;
  },
} satisfies Partial<WebGPUKernelTable>;

/**
 * Softmax (dy null) or its derivative over rows of c ≥ `ROW_TREE_MIN`
 * channels, one workgroup per row: max and Σ e^(x − max) (and for the
 * derivative Σ_k dy_k y_k) as trees in workgroup memory, then every
 * channel. False when the grid does not fit.
 */
function softmaxRows(gpu: WebGPUBackend, x: Tensor, dy: Tensor | null, out: Tensor, c: number): boolean {
  const threads = rowThreads(gpu, c);
  const rows = rowProgram(gpu, out.size / c, c, threads, dy ? ['rmax', 'rsum', 'rdot'] : ['rmax', 'rsum']);
  if (!rows) return false;
  const dot = dy
    ? `  var d = 0.0;
  if (is_finite(m)) { for (var k = li; k < u.c; k += NT) { d += dy[base + k] * exp(x[base + k] - m) / sum; } }
  rdot[li] = d;
${treeCombine('rdot', (a, b) => `${a} + ${b}`)}
  let dot = rdot[0];`
    : '';
  const value = dy ? 'exp(x[e] - m) / sum * (dy[e] - dot)' : 'exp(x[e] - m) / sum';
  gpu.dispatch({
    kernel: dy ? 'SoftmaxBackward' : 'Softmax',
    variant: `rows${threads}`,
    inputs: dy ? { x, dy } : { x },
    outputs: { out },
    u32: rows.u32,
    threads: out.size,
    workgroups: rows.workgroups,
    workgroupSize: threads,
    helpers: `${SPECIAL_VALUES}${IS_NAN}${IS_FINITE}${NAN_MAX_COMBINE}\n${rows.arrays}`,
    body: `${ROW_MAX_SUM}
${dot}
  if (!real) { return; }
  for (var k = li; k < u.c; k += NT) {
    let e = base + k;
    out[e] = select(nan(), ${value}, is_finite(m));
  }`,
  });
  return true;
}

/**
 * Row maximum (NaN if the row holds one) and Σ e^(x − max) of the row of
 * length `u.c` starting at `r` (needs input `x`).
 */
const ROW_EXP = `${SPECIAL_VALUES}${IS_NAN}${IS_FINITE}
fn row_max(r: u32) -> f32 {
  var m = x[r];
  for (var k = 1u; k < u.c; k++) {
    let v = x[r + k];
    if (is_nan(v) || (!is_nan(m) && v > m)) { m = v; }
  }
  return m;
}
fn row_sum(r: u32) -> f32 {
  let m = row_max(r);
  var s = 0.0;
  for (var k = 0u; k < u.c; k++) { s += exp(x[r + k] - m); }
  return s;
}`;
