import type { Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { itemGrid, NAN_MAX_COMBINE, reduceThreads, treeCombine, treeHelpers, useReduceTree } from './reduce-tree.js';
import { IS_FINITE, IS_NAN, POW, SPECIAL_VALUES } from './wgsl.js';

/**
 * Batch normalisation (manual §4.6.2, §6.6.2) and cross-channel LRN (manual
 * §4.6.1, §6.6.1) on NHWC data, as on the CPU. Bnorm's per-channel moments
 * and sums over the M = N·H·W pixels (centred before squaring: no
 * cancellation) are trees in workgroup memory, one workgroup per channel,
 * when M is at least a workgroup's threads (`useReduceTree`), else one
 * thread per channel; the element-wise passes then read them.
 * LRN takes one thread per element; `Q(k) = [k − ⌊(n−1)/2⌋, k + ⌈(n−1)/2⌉] ∩ [0, C)`.
 *
 * Special values, the CPU's answers in float32: sigma is computed as
 * a·sqrt(mean(((x − mu)/a)²) + epsilon/a²) with a = max|x − mu| when a > 1, so
 * squares of values up to ~1e38 do not overflow (bnorm of ±1e20 is ±1, sigma
 * 1e20, not 0 and ∞), and every pass divides by sigma before multiplying by g
 * (no subnormal intermediate). L^−beta goes through `powf` (NaN stays NaN,
 * 0^−beta = ∞), so a NaN reaches only the channels whose window holds it,
 * and L is scaled by its window's largest |x| (see `lrn_pow`). Not matched:
 * with kappa = 0, a window of values below ~1e-19 underflows float32 here
 * (L = 0, y = NaN) where the CPU, summing in doubles, normalises it.
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
      body: '  let k = i % u.c;\n  y[i] = g[k] * ((x[i] - m[2u * k]) / m[2u * k + 1u]) + b[k];',
    });
    return { y, moments: m };
  },

  BnormBackward: (gpu, { x, g, dy, moments }, { epsilon }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const count = c === 0 ? 0 : x.size / c;
    const m = momentsOf(gpu, 'BnormBackward', x, moments, epsilon);
    const dg = gpu.empty([c]);
    const db = gpu.empty([c]);
    if (!bnormSumsTree(gpu, x, dy, m, dg, db, c, count)) gpu.dispatch({
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
    sdx += d * ((x[p * u.c + i] - m[2u * i]) / m[2u * i + 1u]);
  }
  dg[i] = sdx;
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
  let xhat = (x[i] - m[2u * k]) / sigma;
  dx[i] = g[k] * ((dy[i] - dg[k] * xhat / u.count - db[k] / u.count) / sigma);`,
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
      body: '  let k = i % u.c;\n  y[i] = x[i] * lrn_pow(i - k, k, -u.beta);',
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
  for (var k = lo; k <= hi; k++) { s += dy[base + k] * lrn_pow(base, k, -u.beta - 1.0) * x[base + k]; }
  dx[i] = dy[i] * lrn_pow(base, d, -u.beta) - 2.0 * u.alpha * u.beta * x[i] * s;`,
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
  if (momentsTree(gpu, kernel, x, m, c, epsilon)) return m;
  gpu.dispatch({
    kernel,
    variant: 'moments',
    inputs: { x },
    outputs: { m },
    u32: { c, count: c === 0 ? 0 : x.size / c },
    f32: { epsilon },
    threads: c,
    helpers: IS_NAN + IS_FINITE,
    // a = max |x − mu| (NaN if any); scaled by a when a > 1 so that d² cannot overflow.
    body: `  var s = 0.0;
  for (var p = 0u; p < u.count; p++) { s += x[p * u.c + i]; }
  let mu = s / f32(u.count);
  var a = 0.0;
  for (var p = 0u; p < u.count; p++) {
    let d = abs(x[p * u.c + i] - mu);
    if (is_nan(d) || (!is_nan(a) && d > a)) { a = d; }
  }
  let scaled = a > 1.0 && is_finite(a);
  let scale = select(1.0, a, scaled);
  var q = 0.0;
  for (var p = 0u; p < u.count; p++) { let d = (x[p * u.c + i] - mu) / scale; q += d * d; }
  m[2u * i] = mu;
  m[2u * i + 1u] = select(sqrt(q / f32(u.count) + u.epsilon), a * sqrt(q / f32(u.count) + u.epsilon / (a * a)), scaled);`,
  });
  return m;
}

/** Threads of a per-channel tree over `count` pixels, or undefined when one thread per channel is the better rule (short sums, or enough channels to fill the GPU). */
function channelTree(gpu: WebGPUBackend, count: number, c: number): { threads: number; grid: [number, number] } | undefined {
  const threads = reduceThreads(gpu.device.limits);
  const grid = itemGrid(gpu, c);
  return useReduceTree(count, c, threads) && grid ? { threads, grid } : undefined;
}

/**
 * The moments with one workgroup per channel: Σx, then max |x − mu| (NaN if
 * any), then Σ((x − mu)/a)², each a tree in workgroup memory over a strided
 * share of the M pixels per thread (the same three passes and scaling as
 * the one-thread kernel below, in a fixed order).
 */
function momentsTree(gpu: WebGPUBackend, kernel: string, x: Tensor, m: Tensor, c: number, epsilon: number): boolean {
  const count = c === 0 ? 0 : x.size / c;
  const tree = channelTree(gpu, count, c);
  if (!tree) return false;
  const sum = (a: string, b: string) => `${a} + ${b}`;
  gpu.dispatch({
    kernel,
    variant: `moments-tree${tree.threads}`,
    inputs: { x },
    outputs: { m },
    u32: { c, count, gx: tree.grid[0] },
    f32: { epsilon },
    threads: c,
    workgroups: [tree.grid[0], tree.grid[1], 1],
    workgroupSize: tree.threads,
    helpers: `${IS_NAN}${IS_FINITE}${NAN_MAX_COMBINE}\n${treeHelpers(tree.threads, ['partial'])}`,
    body: `  let o = wg.x + wg.y * u.gx;
  let i = min(o, u.c - 1u);
  var s = 0.0;
  for (var p = li; p < u.count; p += NT) { s += x[p * u.c + i]; }
  partial[li] = s;
${treeCombine('partial', sum)}
  let mu = partial[0] / f32(u.count);
  workgroupBarrier();
  var a = 0.0;
  for (var p = li; p < u.count; p += NT) { a = combine_max(a, abs(x[p * u.c + i] - mu)); }
  partial[li] = a;
${treeCombine('partial', (l, r) => `combine_max(${l}, ${r})`)}
  let amax = partial[0];
  workgroupBarrier();
  let scaled = amax > 1.0 && is_finite(amax);
  let scale = select(1.0, amax, scaled);
  var q = 0.0;
  for (var p = li; p < u.count; p += NT) { let d = (x[p * u.c + i] - mu) / scale; q += d * d; }
  partial[li] = q;
${treeCombine('partial', sum)}
  if (li == 0u && o < u.c) {
    let v = partial[0] / f32(u.count);
    m[2u * i] = mu;
    m[2u * i + 1u] = select(sqrt(v + u.epsilon), amax * sqrt(v + u.epsilon / (amax * amax)), scaled);
  }`,
  });
  return true;
}

/** Bnorm's backward sums Σdy and Σdy·x̂ per channel as two trees in workgroup memory, one workgroup per channel. */
function bnormSumsTree(gpu: WebGPUBackend, x: Tensor, dy: Tensor, m: Tensor, dg: Tensor, db: Tensor, c: number, count: number): boolean {
  const tree = channelTree(gpu, count, c);
  if (!tree) return false;
  const sum = (a: string, b: string) => `${a} + ${b}`;
  gpu.dispatch({
    kernel: 'BnormBackward',
    variant: `sums-tree${tree.threads}`,
    inputs: { x, dy, m },
    outputs: { dg, db },
    u32: { c, count, gx: tree.grid[0] },
    threads: c,
    workgroups: [tree.grid[0], tree.grid[1], 1],
    workgroupSize: tree.threads,
    helpers: treeHelpers(tree.threads, ['pd', 'pdx']),
    body: `  let o = wg.x + wg.y * u.gx;
  let i = min(o, u.c - 1u);
  let mu = m[2u * i];
  let sigma = m[2u * i + 1u];
  var sd = 0.0;
  var sdx = 0.0;
  for (var p = li; p < u.count; p += NT) {
    let d = dy[p * u.c + i];
    sd += d;
    sdx += d * ((x[p * u.c + i] - mu) / sigma);
  }
  pd[li] = sd;
  pdx[li] = sdx;
${treeCombine('pd', sum)}
${treeCombine('pdx', sum)}
  if (li == 0u && o < u.c) {
    dg[i] = pdx[0];
    db[i] = pd[0];
  }`,
  });
  return true;
}

function lrnUniforms(x: Tensor, n: number, { kappa, alpha, beta }: { kappa: number; alpha: number; beta: number }) {
  return {
    u32: { c: x.shape[x.rank - 1] ?? 1 },
    i32: { before: Math.floor((n - 1) / 2), after: Math.ceil((n - 1) / 2) },
    f32: { kappa, alpha, beta },
  };
}

/**
 * L_k^e of the pixel whose channels start at `base` (e = −beta or −beta − 1).
 * When the window's largest |x| = a exceeds 1, L = a²(kappa/a² + alpha Σ (x/a)²)
 * so that x² cannot overflow float32 (|x| up to ~1e38); a NaN in the window gives NaN.
 */
const LRN_DENOMINATOR = `${SPECIAL_VALUES}${IS_NAN}${IS_FINITE}${POW}
fn lrn_pow(base: u32, k: u32, e: f32) -> f32 {
  let lo = u32(max(i32(k) - u.before, 0));
  let hi = u32(min(i32(k) + u.after, i32(u.c) - 1));
  var a = 0.0;
  for (var q = lo; q <= hi; q++) {
    let v = abs(x[base + q]);
    if (is_nan(v) || (!is_nan(a) && v > a)) { a = v; }
  }
  if (is_nan(a)) { return a; }
  var s = 0.0;
  if (a > 1.0 && is_finite(a)) {
    for (var q = lo; q <= hi; q++) { let v = x[base + q] / a; s += v * v; }
    return powf(a, 2.0 * e) * powf(u.kappa / (a * a) + u.alpha * s, e);
  }
  for (var q = lo; q <= hi; q++) { s += x[base + q] * x[base + q]; }
  return powf(u.kappa + u.alpha * s, e);
}`;
