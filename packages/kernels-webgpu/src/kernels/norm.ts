import type { Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import type { WebGPUBackend } from '../webgpu-backend.js';

/**
 * Batch normalisation (manual §4.6.2, §6.6.2) and cross-channel LRN (manual
 * §4.6.1, §6.6.1) on NHWC data, as on the CPU. Bnorm's per-channel moments
 * and sums take one thread per channel walking the M = N·H·W pixels (centred
 * before squaring: no cancellation); the element-wise passes then read them.
 * LRN takes one thread per element; `Q(k) = [k − ⌊(n−1)/2⌋, k + ⌈(n−1)/2⌉] ∩ [0, C)`.
 *
 *     y  = g (x − mu)/sigma + b,   sigma = sqrt(var + epsilon)
 *     dx = a·dy + s·(x − mu) + t,  a = g/sigma, s = −a·dg/(M·sigma), t = −a·db/M
 *     L_k = kappa + alpha Σ_{q∈Q(k)} x_q²,   y_k = x_k L_k^−beta
 */
export const normKernels = {
  Bnorm: (gpu, { x, g, b, moments }, { epsilon }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const m = momentsOf(gpu, 'Bnorm', x, moments, epsilon);
    const y = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'Bnorm',
      variant: 'apply',
      inputs: { x, g, b, m },
      outputs: { y },
      u32: { c },
      threads: y.size,
      body: '  let k = i % u.c;\n  y[i] = g[k] / m[2u * k + 1u] * (x[i] - m[2u * k]) + b[k];',
    });
    return { y, moments: m };
  },

  BnormBackward: (gpu, { x, g, dy, moments }, { epsilon }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const count = c === 0 ? 0 : x.size / c;
    const m = momentsOf(gpu, 'BnormBackward', x, moments, epsilon);
    const dg = gpu.empty([c]);
    const db = gpu.empty([c]);
    gpu.dispatch({
      kernel: 'BnormBackward',
      variant: 'sums',
      inputs: { x, dy, m },
      outputs: { dg, db },
      u32: { c, count },
      threads: c,
      body: `  var sd = 0.0;
  var sdx = 0.0;
  for (var p = 0u; p < u.count; p++) {
    let d = dy[p * u.c + i];
    sd += d;
    sdx += d * (x[p * u.c + i] - m[2u * i]);
  }
  dg[i] = sdx / m[2u * i + 1u];
  db[i] = sd;`,
    });
    const dx = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'BnormBackward',
      variant: 'dx',
      inputs: { x, dy, g, m, dg, db },
      outputs: { dx },
      u32: { c },
      f32: { count },
      threads: dx.size,
      body: `  let k = i % u.c;
  let sigma = m[2u * k + 1u];
  let a = g[k] / sigma;
  dx[i] = a * dy[i] - a * dg[k] / (u.count * sigma) * (x[i] - m[2u * k]) - a * db[k] / u.count;`,
    });
    return { dx, dg, db, moments: m };
  },

  Lrn: (gpu, { x }, attrs) => {
    const y = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'Lrn',
      variant: '',
      inputs: { x },
      outputs: { y },
      ...lrnUniforms(x, attrs.n, attrs),
      threads: y.size,
      helpers: LRN_DENOMINATOR,
      body: '  let k = i % u.c;\n  y[i] = x[i] * pow(denominator(i - k, k), -u.beta);',
    });
    return y;
  },

  LrnBackward: (gpu, { x, dy }, attrs) => {
    const dx = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'LrnBackward',
      variant: '',
      inputs: { x, dy },
      outputs: { dx },
      ...lrnUniforms(x, attrs.n, attrs),
      threads: dx.size,
      helpers: LRN_DENOMINATOR,
      // Channel d is in Q(k) for k ∈ [d − after, d + before].
      body: `  let d = i % u.c;
  let base = i - d;
  let lo = u32(max(i32(d) - u.after, 0));
  let hi = u32(min(i32(d) + u.before, i32(u.c) - 1));
  var s = 0.0;
  for (var k = lo; k <= hi; k++) { s += dy[base + k] * pow(denominator(base, k), -u.beta - 1.0) * x[base + k]; }
  dx[i] = dy[i] * pow(denominator(base, d), -u.beta) - 2.0 * u.alpha * u.beta * x[i] * s;`,
    });
    return dx;
  },
} satisfies Partial<WebGPUKernelTable>;

/** The moments `[C, 2]` rows `[mu, sigma]`: computed from the batch, or a copy of the given ones. */
function momentsOf(gpu: WebGPUBackend, kernel: string, x: Tensor, given: Tensor | null, epsilon: number): Tensor {
  const c = x.shape[x.rank - 1] ?? 1;
  const m = gpu.empty([c, 2]);
  if (given) {
    gpu.dispatch({ kernel, variant: 'copy', inputs: { given }, outputs: { m }, threads: m.size, body: '  m[i] = given[i];' });
    return m;
  }
  gpu.dispatch({
    kernel,
    variant: 'moments',
    inputs: { x },
    outputs: { m },
    u32: { c, count: c === 0 ? 0 : x.size / c },
    f32: { epsilon },
    threads: c,
    body: `  var s = 0.0;
  for (var p = 0u; p < u.count; p++) { s += x[p * u.c + i]; }
  let mu = s / f32(u.count);
  var q = 0.0;
  for (var p = 0u; p < u.count; p++) { let d = x[p * u.c + i] - mu; q += d * d; }
  m[2u * i] = mu;
  m[2u * i + 1u] = sqrt(q / f32(u.count) + u.epsilon);`,
  });
  return m;
}

function lrnUniforms(x: Tensor, n: number, { kappa, alpha, beta }: { kappa: number; alpha: number; beta: number }) {
  return {
    u32: { c: x.shape[x.rank - 1] ?? 1 },
    i32: { before: Math.floor((n - 1) / 2), after: Math.ceil((n - 1) / 2) },
    f32: { kappa, alpha, beta },
  };
}

/** L_k of the pixel whose channels start at `base`. */
const LRN_DENOMINATOR = `
fn denominator(base: u32, k: u32) -> f32 {
  let lo = u32(max(i32(k) - u.before, 0));
  let hi = u32(min(i32(k) + u.after, i32(u.c) - 1));
  var s = 0.0;
  for (var q = lo; q <= hi; q++) { s += x[base + q] * x[base + q]; }
  return u.kappa + u.alpha * s;
}`;
