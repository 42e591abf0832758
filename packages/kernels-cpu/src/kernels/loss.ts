import type { FloatArray, LossAttrs, LossType } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';
import { logSumExpParts, softmaxlogRowGradient } from '../js-tasks.js';
import { softmaxlogBackwardThreaded, softmaxlogLossThreaded } from '../rows-js.js';

/**
 * Categorical and attribute losses (manual §4.7, derivatives §6.7), as
 * MatConvNet's vl_nnloss computes them. `x` is `[N, H, W, C]`; categorical
 * labels are `[N, H, W, 1]` classes 1..C, attribute labels `[N, H, W, C]` ±1;
 * label 0 and weight 0 skip an instance. The result is Σ w·ℓ (÷ N when
 * `normalise`), accumulated in float64 whatever the backend's dtype.
 *
 * NaN scores make a diverged network visible: a pixel with a NaN among its
 * scores counts as an error for classerror and topkerror (MatConvNet's `max`
 * and `sort` would skip or rank the NaN and could report 0), and mhinge and
 * mshinge of a row with a NaN are NaN. Their derivatives there are 0.
 *
 * Float32 softmaxlog (loss and derivative) on large inputs splits its rows
 * over the GEMM threads (rows-js.ts), with these loops' values.
 */
export const lossKernels = {
  Loss: (cpu, { x, labels, weights }, attrs) => {
    const [n = 1, , , c = 1] = x.shape;
    const xv = cpu.contiguous(x);
    const lv = cpu.contiguous(labels);
    const wv = weights ? cpu.contiguous(weights) : null;
    const threaded = attrs.loss === 'softmaxlog' && xv instanceof Float32Array && lv instanceof Float32Array && !(wv instanceof Float64Array) ? softmaxlogLossThreaded(xv, lv, wv, c) : null;
    const sum = threaded ?? (isAttribute(attrs.loss) ? attributeLoss(xv, lv, wv, attrs) : categoricalLoss(xv, lv, wv, c, attrs));
    const out = cpu.alloc(1);
    out[0] = attrs.normalise ? sum / n : sum;
    return cpu.wrap(out, [1]);
  },

  LossBackward: (cpu, { x, labels, weights, dzdy }, attrs) => {
    const [n = 1, , , c = 1] = x.shape;
    const xv = cpu.contiguous(x);
    const lv = cpu.contiguous(labels);
    const wv = weights ? cpu.contiguous(weights) : null;
    const p = cpu.contiguous(dzdy)[0]!;
    const dx = cpu.alloc(x.size);
    const scale = attrs.normalise ? p / n : p;
    const f32 = xv instanceof Float32Array && lv instanceof Float32Array && dx instanceof Float32Array && !(wv instanceof Float64Array);
    if (attrs.loss === 'softmaxlog' && f32 && softmaxlogBackwardThreaded(xv, lv, wv, c, scale, dx)) return cpu.wrap(dx, x.shape);
    if (isAttribute(attrs.loss)) attributeBackward(xv, lv, wv, scale, attrs, dx);
    else categoricalBackward(xv, lv, wv, c, scale, attrs, dx);
    return cpu.wrap(dx, x.shape);
  },
} satisfies Partial<CpuKernelTable>;

function isAttribute(loss: LossType): boolean {
  return loss === 'binaryerror' || loss === 'binarylog' || loss === 'logistic' || loss === 'hinge';
}

/**
 * Rank of entry `ci` among `x[base .. base + c)` in a stable descending sort
 * (MatConvNet's `sort(X, 'descend')`): the number of larger scores plus the
 * number of equal scores at lower class indices. 0 means first (the argmax).
 */
function rankOf(x: FloatArray, base: number, c: number, ci: number): number {
  const v = x[ci]!;
  let rank = 0;
  for (let k = base; k < base + c; k++) {
    const xk = x[k]!;
    if (xk > v || (xk === v && k < ci)) rank++;
  }
  return rank;
}

/**
 * First index of the largest score among `x[base .. base + c)` other than
 * `ci`, or −1 when C = 1. A NaN is larger than any number (the first NaN
 * wins), so mshinge of a row with a NaN is NaN wherever the NaN is.
 */
function argmaxOther(x: FloatArray, base: number, c: number, ci: number): number {
  let best = -1;
  for (let k = base; k < base + c; k++) {
    if (k === ci) continue;
    const xk = x[k]!;
    if (best < 0 || xk > x[best]! || (Number.isNaN(xk) && !Number.isNaN(x[best]!))) best = k;
  }
  return best;
}

/** True when a score of `x[base .. base + c)` is NaN: classerror and topkerror count the pixel as an error. */
function hasNaN(x: FloatArray, base: number, c: number): boolean {
  for (let k = base; k < base + c; k++) if (Number.isNaN(x[k]!)) return true;
  return false;
}

function categoricalLoss(x: FloatArray, labels: FloatArray, w: FloatArray | null, c: number, attrs: LossAttrs): number {
  let sum = 0;
  for (let p = 0; p < labels.length; p++) {
    const label = labels[p]!;
    const weight = w ? w[p]! : 1;
    if (label === 0 || weight === 0) continue;
    const base = p * c;
    const ci = base + label - 1;
    const xc = x[ci]!;
    let t: number;
    switch (attrs.loss) {
      case 'classerror':
        t = hasNaN(x, base, c) || rankOf(x, base, c, ci) >= 1 ? 1 : 0;
        break;
      case 'topkerror':
        t = hasNaN(x, base, c) || rankOf(x, base, c, ci) >= attrs.topK ? 1 : 0;
        break;
      case 'log':
        t = -Math.log(xc);
        break;
      case 'softmaxlog': {
        const [m, s] = logSumExpParts(x, base, c);
        t = m + Math.log(s) - xc;
        break;
      }
      case 'mhinge':
        t = Math.max(0, 1 - xc);
        break;
      default: {
        const q = argmaxOther(x, base, c, ci);
        t = q < 0 ? 0 : Math.max(0, 1 - xc + x[q]!);
      }
    }
    sum += weight * t;
  }
  return sum;
}

function categoricalBackward(
  x: FloatArray,
  labels: FloatArray,
  w: FloatArray | null,
  c: number,
  scale: number,
  attrs: LossAttrs,
  dx: FloatArray,
): void {
  if (attrs.loss === 'classerror' || attrs.loss === 'topkerror') return;
  for (let p = 0; p < labels.length; p++) {
    const label = labels[p]!;
    const weight = w ? w[p]! : 1;
    if (label === 0 || weight === 0) continue;
    const g = scale * weight;
    const base = p * c;
    const ci = base + label - 1;
    const xc = x[ci]!;
    switch (attrs.loss) {
      case 'log':
        dx[ci] = -g / Math.max(xc, 1e-8);
        break;
      case 'softmaxlog':
        softmaxlogRowGradient(x, base, c, ci, g, dx);
        break;
      case 'mhinge':
        if (xc < 1) dx[ci] = -g;
        break;
      default: {
        const q = argmaxOther(x, base, c, ci);
        if (q >= 0 && 1 - xc + x[q]! > 0) {
          dx[ci] = -g;
          dx[q] = g;
        }
      }
    }
  }
}

function attributeLoss(x: FloatArray, labels: FloatArray, w: FloatArray | null, attrs: LossAttrs): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    const weight = w ? w[i]! : 1;
    if (c === 0 || weight === 0) continue;
    const xi = x[i]!;
    let t: number;
    switch (attrs.loss) {
      case 'binaryerror':
        // sign(0) = 0 agrees with neither label, as in MatConvNet.
        t = Math.sign(xi - attrs.threshold) !== c ? 1 : 0;
        break;
      case 'binarylog':
        t = -Math.log(c * (xi - 0.5) + 0.5);
        break;
      case 'logistic': {
        // log(1 + e^a), a = −cx, without overflow: max(a, 0) + log1p(e^−|a|).
        const a = -c * xi;
        t = Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
        break;
      }
      default:
        t = Math.max(0, 1 - c * xi);
    }
    sum += weight * t;
  }
  return sum;
}

function attributeBackward(
  x: FloatArray,
  labels: FloatArray,
  w: FloatArray | null,
  scale: number,
  attrs: LossAttrs,
  dx: FloatArray,
): void {
  if (attrs.loss === 'binaryerror') return;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    const weight = w ? w[i]! : 1;
    if (c === 0 || weight === 0) continue;
    const g = scale * weight;
    const xi = x[i]!;
    switch (attrs.loss) {
      case 'binarylog':
        dx[i] = (-g * c) / (c * (xi - 0.5) + 0.5);
        break;
      case 'logistic':
        // −c·σ(−cx); e^{cx} = ∞ gives 0, never NaN.
        dx[i] = (-g * c) / (1 + Math.exp(c * xi));
        break;
      default:
        if (c * xi < 1) dx[i] = -g * c;
    }
  }
}
