import type { FloatArray, Tensor } from '@convnet-ts/tensor';
import type { CpuBackend } from '../cpu-backend.js';
import type { CpuKernelTable } from '../kernel-table.js';
import { lrnBackwardRow, lrnRow } from '../js-tasks.js';
import { lrnThreaded } from '../rows-js.js';
import { AFFINE_OPS, channelAffineWasm, channelStats, STATS_OPS } from '../rows-wasm.js';

/**
 * Batch normalisation (manual §4.6.2, §6.6.2) and cross-channel LRN (manual
 * §4.6.1, §6.6.1) on contiguous NHWC data: channels are the innermost axis, so
 * a pixel's channels are `values[p·C … p·C + C − 1]`. Sums are accumulated in
 * doubles whatever the tensor's dtype. On float32 data, batch
 * normalisation's per-channel sums (the moments, and the derivative's Σ dy
 * and Σ dy·(x − mu)) add rows in fixed blocks, then the blocks in order
 * (rows-wasm.ts's `channelStats`), so they do not depend on the threads; on
 * large tensors they and the per-element maps (y, and dx given the sums) run
 * in WebAssembly over the GEMM threads, the maps with the loops' float64
 * operations rounded once. Float64 data keeps the plain loops.
 */
export const normKernels = {
  Bnorm: (cpu, { x, g, b, moments }, { epsilon }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const xv = cpu.contiguous(x);
    const m = moments ? cpu.contiguous(moments) : batchMoments(xv, c, epsilon);
    const gv = cpu.contiguous(g);
    const bv = cpu.contiguous(b);
    // y = g (x − mu) / sigma + b, per channel.
    const mu = new Float64Array(c);
    const scale = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      mu[k] = m[2 * k]!;
      scale[k] = gv[k]! / m[2 * k + 1]!;
    }
    const y = cpu.alloc(x.size);
    if (!(xv instanceof Float32Array && y instanceof Float32Array && channelAffineWasm(AFFINE_OPS.bnorm, xv, null, c, concat(mu, scale, bv), y))) {
      for (let i = 0; i < y.length; i += c) {
        for (let k = 0; k < c; k++) y[i + k] = scale[k]! * (xv[i + k]! - mu[k]!) + bv[k]!;
      }
    }
    return { y: cpu.wrap(y, x.shape), moments: wrapMoments(cpu, m, c) };
  },

  BnormBackward: (cpu, { x, g, dy, moments }, { epsilon }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const xv = cpu.contiguous(x);
    const dv = cpu.contiguous(dy);
    const gv = cpu.contiguous(g);
    const m = moments ? cpu.contiguous(moments) : batchMoments(xv, c, epsilon);
    // db_k = Σ dy, dg_k = Σ dy·x̂ with x̂ = (x − mu)/sigma (centred before summing: no cancellation).
    const mu = new Float64Array(c);
    for (let k = 0; k < c; k++) mu[k] = m[2 * k]!;
    const sums = new Float64Array(2 * c);
    const sumDy = sums.subarray(0, c);
    const sumDyXc = sums.subarray(c);
    if (xv instanceof Float32Array && dv instanceof Float32Array) channelStats(STATS_OPS.backward, xv, dv, c, mu, sums);
    else
      for (let i = 0; i < xv.length; i += c) {
        for (let k = 0; k < c; k++) {
          const d = dv[i + k]!;
          sumDy[k]! += d;
          sumDyXc[k]! += d * (xv[i + k]! - mu[k]!);
        }
      }
    const count = xv.length / c;
    const dg = cpu.alloc(c);
    const db = cpu.alloc(c);
    // dx = g/sigma · (dy − db/M − x̂ · dg/M), M = N·H·W (manual §6.6.2),
    // written a·dy + s·(x − mu) + t per channel.
    const a = new Float64Array(c);
    const s = new Float64Array(c);
    const t = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      const sigma = m[2 * k + 1]!;
      const dgk = sumDyXc[k]! / sigma;
      dg[k] = dgk;
      db[k] = sumDy[k]!;
      a[k] = gv[k]! / sigma;
      s[k] = (-a[k]! * dgk) / (count * sigma);
      t[k] = (-a[k]! * sumDy[k]!) / count;
    }
    const dx = cpu.alloc(x.size);
    const f32 = xv instanceof Float32Array && dv instanceof Float32Array && dx instanceof Float32Array;
    if (!(f32 && channelAffineWasm(AFFINE_OPS.bnormBackward, xv, dv, c, concat(mu, a, s, t), dx))) {
      for (let i = 0; i < dx.length; i += c) {
        for (let k = 0; k < c; k++) dx[i + k] = a[k]! * dv[i + k]! + s[k]! * (xv[i + k]! - mu[k]!) + t[k]!;
      }
    }
    return {
      dx: cpu.wrap(dx, x.shape),
      dg: cpu.wrap(dg, [c]),
      db: cpu.wrap(db, [c]),
      moments: wrapMoments(cpu, m, c),
    };
  },

  Lrn: (cpu, { x }, { n, kappa, alpha, beta }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const xv = cpu.contiguous(x);
    const y = cpu.alloc(x.size);
    if (xv instanceof Float32Array && y instanceof Float32Array && lrnThreaded(xv, null, c, n, kappa, alpha, beta, y)) return cpu.wrap(y, x.shape);
    const L = new Float64Array(c);
    const sq = new Float64Array(c);
    for (let i = 0; i < xv.length; i += c) lrnRow(xv, i, n, kappa, alpha, beta, sq, L, y);
    return cpu.wrap(y, x.shape);
  },

  LrnBackward: (cpu, { x, dy }, { n, kappa, alpha, beta }) => {
    const c = x.shape[x.rank - 1] ?? 1;
    const xv = cpu.contiguous(x);
    const dv = cpu.contiguous(dy);
    const dx = cpu.alloc(x.size);
    if (xv instanceof Float32Array && dv instanceof Float32Array && dx instanceof Float32Array && lrnThreaded(xv, dv, c, n, kappa, alpha, beta, dx)) return cpu.wrap(dx, x.shape);
    const L = new Float64Array(c);
    const t = new Float64Array(c);
    const sums = new Float64Array(c);
    for (let i = 0; i < xv.length; i += c) lrnBackwardRow(xv, dv, i, n, kappa, alpha, beta, t, L, sums, dx);
    return cpu.wrap(dx, x.shape);
  },
} satisfies Partial<CpuKernelTable>;

/** The per-channel coefficient arrays one after another, as channel_affine_task reads them. */
function concat(...arrays: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * Per channel `[mu, sigma]` (row k at 2k, 2k + 1), biased variance, sigma =
 * sqrt(var + epsilon); the sums in blocks on float32 data (`channelStats`;
 * `sq`, still zeros, is its unused mu of the plain sums).
 */
function batchMoments(xv: FloatArray, c: number, epsilon: number): Float64Array {
  const count = xv.length / c;
  const m = new Float64Array(2 * c);
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  if (xv instanceof Float32Array) channelStats(STATS_OPS.sum, xv, null, c, sq, sum);
  else for (let i = 0; i < xv.length; i += c) for (let k = 0; k < c; k++) sum[k]! += xv[i + k]!;
  const mu = sum.map((s) => s / count);
  if (xv instanceof Float32Array) channelStats(STATS_OPS.centredSquares, xv, null, c, mu, sq);
  else
    for (let i = 0; i < xv.length; i += c) {
      for (let k = 0; k < c; k++) {
        const d = xv[i + k]! - mu[k]!;
        sq[k]! += d * d;
      }
    }
  for (let k = 0; k < c; k++) {
    m[2 * k] = mu[k]!;
    m[2 * k + 1] = Math.sqrt(sq[k]! / count + epsilon);
  }
  return m;
}

/** A fresh `[C, 2]` tensor of the moments (never the caller's own tensor). */
function wrapMoments(cpu: CpuBackend, m: ArrayLike<number>, c: number): Tensor {
  const out = cpu.alloc(2 * c);
  out.set(m);
  return cpu.wrap(out, [c, 2]);
}
