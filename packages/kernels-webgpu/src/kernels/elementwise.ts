import type { Shape } from '@convnet-ts/tensor';
import { stridesOf } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import { deferElementwise } from './elementwise-chain.js';
import { BINARY, UNARY } from './elementwise-ops.js';
import { sizeUniforms, splitIndex, strideUniforms } from './nd-index.js';
import { reduceSumTree, reduceThreads, useReduceTree } from './reduce-tree.js';
import { IEEE_DIV, IEEE_EXP, IEEE_LOG, IEEE_SIGN, IEEE_SQRT, IS_NAN, IS_POSITIVE, NAN_MAX_MIN, POW, SPECIAL_VALUES } from './wgsl.js';

/**
 * Element-wise maps, numpy-broadcasting binary ops (a same-shape variant and a
 * strided one per rank, stride 0 along broadcast axes), alpha·x + beta·y,
 * sums over any set of axes (one thread per output element walks the reduced
 * axes) and bias addition along the last axis.
 */
export const elementwiseKernels = {
  Unary: (gpu, { x }, { op, alpha }) => {
    const y = gpu.empty(x.shape);
    deferElementwise(gpu, 'Unary', { x }, { op, alpha }, y, {
      kernel: 'Unary',
      variant: op,
      inputs: { x },
      outputs: { y },
      f32: { alpha },
      threads: y.size,
      helpers: SPECIAL_VALUES + IS_NAN + IS_POSITIVE + IEEE_SIGN + IEEE_EXP + IEEE_LOG + IEEE_SQRT + NAN_MAX_MIN + POW,
      body: `  let v = x[i];\n  y[i] = ${UNARY[op]};`,
    });
    return y;
  },

  Binary: (gpu, { a, b }, { op }) => {
    const shape = broadcastShape(a.shape, b.shape);
    const z = gpu.empty(shape);
    const rank = shape.length;
    const same = a.size === z.size && b.size === z.size;
    const index = (t: string) => Array.from({ length: rank }, (_, d) => `c${d} * u.${t}${d}`).join(' + ') || '0u';
    deferElementwise(gpu, 'Binary', { a, b }, { op }, z, {
      kernel: 'Binary',
      variant: same ? `${op}/same` : `${op}/rank${rank}`,
      inputs: { a, b },
      outputs: { z },
      u32: same ? {} : { ...sizeUniforms(shape), ...strideUniforms(shape, 'a', broadcastStrides(a.shape, shape)), ...strideUniforms(shape, 'b', broadcastStrides(b.shape, shape)) },
      threads: z.size,
      helpers: op === 'max' || op === 'min' ? SPECIAL_VALUES + IS_NAN + NAN_MAX_MIN : op === 'div' ? IEEE_DIV : '',
      body: same
        ? `  let p = a[i];\n  let q = b[i];\n  z[i] = ${BINARY[op]};`
        : `${splitIndex(rank)}\n  let p = a[${index('a')}];\n  let q = b[${index('b')}];\n  z[i] = ${BINARY[op]};`,
    });
    return z;
  },

  Axpby: (gpu, { x, y }, { alpha, beta }) => {
    const z = gpu.empty(x.shape);
    deferElementwise(gpu, 'Axpby', { x, y }, { alpha, beta }, z, {
      kernel: 'Axpby',
      variant: '',
      inputs: { x, y },
      outputs: { z },
      f32: { alpha, beta },
      threads: z.size,
      body: '  z[i] = u.alpha * x[i] + u.beta * y[i];',
    });
    return z;
  },

  ReduceSum: (gpu, { x }, { axes }) => {
    const shape = x.shape.map((d, k) => (axes.includes(k) ? 1 : d));
    const y = gpu.empty(shape);
    const rank = shape.length;
    const strides = stridesOf(x.shape);
    const reduced = x.shape.filter((_, k) => axes.includes(k));
    const count = reduced.reduce((p, d) => p * d, 1);
    // Output element i → base offset in x; then the reduced axes are walked as one counter j.
    const base = `  let base = ${Array.from({ length: rank }, (_, d) => `c${d} * u.s${d}`).join(' + ') || '0u'};`;
    const walk = ['    var r = j;', '    var off = base;'];
    for (let d = rank - 1; d >= 0; d--) {
      walk.push(`    if (u.r${d} != 0u) { off += (r % u.m${d}) * u.s${d}; r = r / u.m${d}; }`);
    }
    walk.push('    acc += x[off];');
    const u32 = {
      count,
      ...sizeUniforms(shape),
      ...sizeUniforms(x.shape, 'm'),
      ...strideUniforms(x.shape, 's', strides),
      ...Object.fromEntries(x.shape.map((_, k) => [`r${k}`, axes.includes(k) ? 1 : 0])),
    };
    const threads = reduceThreads(gpu.device.limits);
    if (useReduceTree(count, y.size, threads) && reduceSumTree(gpu, x, y, rank, base, walk.join('\n'), u32, threads)) return y;
    const lines = [splitIndex(rank), base, '  var acc = 0.0;', '  for (var j = 0u; j < u.count; j++) {', ...walk, '  }', '  y[i] = acc;'];
    gpu.dispatch({ kernel: 'ReduceSum', variant: `rank${rank}`, inputs: { x }, outputs: { y }, u32, threads: y.size, body: lines.join('\n') });
    return y;
  },

  BiasAdd: (gpu, { x, b }) => {
    const y = gpu.empty(x.shape);
    gpu.dispatch({
      kernel: 'BiasAdd',
      variant: '',
      inputs: { x, b },
      outputs: { y },
      u32: { c: b.size },
      threads: y.size,
      body: '  y[i] = x[i] + b[i % u.c];',
    });
    return y;
  },
} satisfies Partial<WebGPUKernelTable>;

/** Numpy broadcasting of two shapes (right-aligned; sizes equal or 1). Blocks validate first. */
export function broadcastShape(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, k) => {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    return da === 1 ? db : da;
  });
}

/** Strides into `shape` when walking the broadcast `target` (0 along broadcast axes). */
function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  return target.map((_, k) => {
    const j = shape.length - target.length + k;
    return j >= 0 && shape[j] !== 1 ? own[j]! : 0;
  });
}
