import type { BinaryOp, FloatArray, Shape, UnaryOp } from '@convnet-ts/tensor';
import { ShapeError, sizeOf, stridesOf } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';
import { channelSumsBlocked, channelSumsWasm, MAP_OPS, mapWasm } from '../rows-wasm.js';

/**
 * Element-wise maps, broadcasting binary ops, alpha·x + beta·y, sums over
 * axes, bias addition. Float32 per-channel sums (the bias derivative) of
 * large tensors run in WebAssembly SIMD over the GEMM threads
 * (rows-wasm.ts), adding rows in fixed blocks (`channelSumsBlocked`, also
 * the loop's order), so they do not depend on the threads. Float32 Axpby
 * (the trainer's updates) runs there too from 2^12 elements, in float64
 * rounded once as the loop (rows-wasm.ts: in place over the threads where x,
 * y and the output are resident in the module's memory; else on this
 * thread through copies, or each thread copying its range of shared tensors).
 */
export const elementwiseKernels = {
  Unary: (cpu, { x }, { op, alpha }) => {
    const v = cpu.contiguous(x);
    const out = cpu.alloc(x.size);
    applyUnary(op, alpha, v, out);
    return cpu.wrap(out, x.shape);
  },

  Binary: (cpu, { a, b }, { op }) => {
    const shape = broadcastShape(a.shape, b.shape);
    const out = cpu.alloc(sizeOf(shape));
    const av = cpu.contiguous(a);
    const bv = cpu.contiguous(b);
    const f = BINARY[op];
    if (av.length === out.length && bv.length === out.length) {
      for (let i = 0; i < out.length; i++) out[i] = f(av[i]!, bv[i]!);
    } else if (bv.length === 1) {
      const s = bv[0]!;
      for (let i = 0; i < out.length; i++) out[i] = f(av[i % av.length]!, s);
    } else {
      const sa = broadcastStrides(a.shape, shape);
      const sb = broadcastStrides(b.shape, shape);
      const rank = shape.length;
      const idx = new Array<number>(rank).fill(0);
      let ia = 0;
      let ib = 0;
      for (let o = 0; o < out.length; o++) {
        out[o] = f(av[ia]!, bv[ib]!);
        for (let d = rank - 1; d >= 0; d--) {
          idx[d]!++;
          ia += sa[d]!;
          ib += sb[d]!;
          if (idx[d]! < shape[d]!) break;
          ia -= sa[d]! * shape[d]!;
          ib -= sb[d]! * shape[d]!;
          idx[d] = 0;
        }
      }
    }
    return cpu.wrap(out, shape);
  },

  Axpby: (cpu, { x, y }, { alpha, beta }) => {
    if (y.size !== x.size) throw new ShapeError('Axpby', 'y', `y of ${x.size} values (as x) expected, got ${y.size}`);
    const xv = cpu.contiguous(x);
    const yv = cpu.contiguous(y);
    // Both paths write every element.
    const out = cpu.allocOverwritten(x.size);
    if (xv instanceof Float32Array && yv instanceof Float32Array && out instanceof Float32Array && mapWasm(MAP_OPS.axpby, xv, yv, out, alpha, beta)) {
      return cpu.wrap(out, x.shape);
    }
    for (let i = 0; i < out.length; i++) out[i] = alpha * xv[i]! + beta * yv[i]!;
    return cpu.wrap(out, x.shape);
  },

  ReduceSum: (cpu, { x }, { axes }) => {
    const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const out = cpu.alloc(sizeOf(shape));
    const v = cpu.contiguous(x);
    // Fast path: reduce every axis but the last (per-channel sums of NHWC data).
    const rank = x.shape.length;
    const last = x.shape[rank - 1] ?? 1;
    if (rank > 0 && !axes.includes(rank - 1) && axes.length === rank - 1) {
      if (v instanceof Float32Array && out instanceof Float32Array) {
        if (!channelSumsWasm(v, last, out)) channelSumsBlocked(v, last, out);
        return cpu.wrap(out, shape);
      }
      // Row by row, each channel summed in element order as before (no modulo per element).
      for (let i = 0; i < v.length; i += last) {
        for (let k = 0; k < last; k++) out[k]! += v[i + k]!;
      }
      return cpu.wrap(out, shape);
    }
    const so = broadcastStrides(shape, x.shape);
    const idx = new Array<number>(rank).fill(0);
    let io = 0;
    for (let i = 0; i < v.length; i++) {
      out[io]! += v[i]!;
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]!++;
        io += so[d]!;
        if (idx[d]! < x.shape[d]!) break;
        io -= so[d]! * x.shape[d]!;
        idx[d] = 0;
      }
    }
    return cpu.wrap(out, shape);
  },

  BiasAdd: (cpu, { x, b }) => {
    const xv = cpu.contiguous(x);
    const bv = cpu.contiguous(b);
    const c = bv.length;
    const out = cpu.alloc(x.size);
    for (let i = 0; i < out.length; i += c) {
      for (let k = 0; k < c; k++) out[i + k] = xv[i + k]! + bv[k]!;
    }
    return cpu.wrap(out, x.shape);
  },
} satisfies Partial<CpuKernelTable>;

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
};

function applyUnary(op: UnaryOp, alpha: number, v: FloatArray, out: FloatArray): void {
  const n = v.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -v[i]!;
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(v[i]!);
      return;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(v[i]!);
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(v[i]!);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(v[i]!);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(v[i]!);
      return;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = v[i]! * v[i]!;
      return;
    case 'recip':
      for (let i = 0; i < n; i++) out[i] = 1 / v[i]!;
      return;
    case 'pow':
      for (let i = 0; i < n; i++) out[i] = v[i]! ** alpha;
      return;
    case 'scale':
      for (let i = 0; i < n; i++) out[i] = alpha * v[i]!;
      return;
    case 'addScalar':
      for (let i = 0; i < n; i++) out[i] = v[i]! + alpha;
      return;
    case 'maxScalar':
      for (let i = 0; i < n; i++) out[i] = Math.max(v[i]!, alpha);
      return;
  }
}

/** Numpy broadcasting of two shapes (right-aligned; sizes equal or 1). Callers validate first. */
export function broadcastShape(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides into a contiguous tensor of `shape` when walking the broadcast `target` (0 where broadcast). */
function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const rank = target.length;
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < rank; i++) {
    const j = shape.length - rank + i;
    if (j >= 0 && shape[j] !== 1) out[i] = own[j]!;
  }
  return out;
}
