import { ShapeError } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';
import { expRow, sigmoid, softmaxBackwardRow } from '../js-tasks.js';
import { sigmoidThreaded, softmaxBackwardThreaded, softmaxThreaded } from '../rows-js.js';
import { MAP_OPS, mapWasm } from '../rows-wasm.js';

/**
 * ReLU (leaky), sigmoid and softmax (manual §4.4, §4.6.4; derivatives §6.4,
 * §6.6.4). Softmax runs over the last axis (channels of NHWC data), with the
 * row maximum subtracted before exponentiating, so large scores never overflow.
 * Float32 ReLU and its derivative run in WebAssembly SIMD from 2^12
 * elements (rows-wasm.ts: on tensors resident in the module's memory in
 * place, split over the threads when large; others copied through the
 * module's memory in passes that stay in L2, on this thread, or over shared
 * tensors by each thread for its own range), with the loops' values; the
 * branch-free loop below (`keepPositive`) takes smaller tensors. Float32
 * softmax, sigmoid and their derivatives on large inputs split their rows
 * over the threads as JavaScript tasks (rows-js.ts, resident operands in
 * place), with the loops' values.
 */
export const activationKernels = {
  Relu: (cpu, { x }, { leak }) => {
    const xv = cpu.contiguous(x);
    // Every path below writes every element.
    const out = cpu.allocOverwritten(x.size);
    const n = out.length;
    if (xv instanceof Float32Array && out instanceof Float32Array && relu32(xv, xv, out, leak)) return cpu.wrap(out, x.shape);
    // leak 0 is MatConvNet's max(x, 0): zeros are +0 (not leak·x = −0) and NaN gives 0 (MATLAB's max ignores NaN).
    if (leak === 0)
      for (let i = 0; i < n; i++) {
        const v = xv[i]!;
        // biome-ignore lint/complexity/useMathMinMax: Math.max(NaN, 0) is NaN, not MATLAB's 0
        out[i] = v > 0 ? v : 0;
      }
    else
      for (let i = 0; i < n; i++) {
        const v = xv[i]!;
        out[i] = v > 0 ? v : leak * v;
      }
    return cpu.wrap(out, x.shape);
  },

  ReluBackward: (cpu, { x, dy }, { leak }) => {
    if (dy.size !== x.size) throw new ShapeError('ReluBackward', 'dy', `dy of ${x.size} values (as x) expected, got ${dy.size}`);
    const xv = cpu.contiguous(x);
    const dyv = cpu.contiguous(dy);
    const out = cpu.allocOverwritten(x.size);
    const n = out.length;
    if (xv instanceof Float32Array && dyv instanceof Float32Array && out instanceof Float32Array && relu32(xv, dyv, out, leak)) return cpu.wrap(out, x.shape);
    if (leak === 0) for (let i = 0; i < n; i++) out[i] = xv[i]! > 0 ? dyv[i]! : 0;
    else
      for (let i = 0; i < n; i++) {
        const d = dyv[i]!;
        out[i] = xv[i]! > 0 ? d : leak * d;
      }
    return cpu.wrap(out, x.shape);
  },

  Sigmoid: (cpu, { x }) => {
    const xv = cpu.contiguous(x);
    const out = cpu.alloc(x.size);
    if (xv instanceof Float32Array && out instanceof Float32Array && sigmoidThreaded(xv, null, out)) return cpu.wrap(out, x.shape);
    for (let i = 0; i < out.length; i++) out[i] = sigmoid(xv[i]!);
    return cpu.wrap(out, x.shape);
  },

  SigmoidBackward: (cpu, { x, dy }) => {
    const xv = cpu.contiguous(x);
    const dyv = cpu.contiguous(dy);
    const out = cpu.alloc(x.size);
    if (xv instanceof Float32Array && dyv instanceof Float32Array && out instanceof Float32Array && sigmoidThreaded(xv, dyv, out)) return cpu.wrap(out, x.shape);
    for (let i = 0; i < out.length; i++) {
      const s = sigmoid(xv[i]!);
      out[i] = dyv[i]! * s * (1 - s);
    }
    return cpu.wrap(out, x.shape);
  },

  Softmax: (cpu, { x }) => {
    const xv = cpu.contiguous(x);
    const out = cpu.alloc(x.size);
    const c = x.shape[x.shape.length - 1] ?? 1;
    if (xv instanceof Float32Array && out instanceof Float32Array && softmaxThreaded(xv, c, out)) return cpu.wrap(out, x.shape);
    const e = new Float64Array(c);
    for (let r = 0; r < out.length; r += c) {
      const inv = 1 / expRow(xv, r, e);
      for (let k = 0; k < c; k++) out[r + k] = e[k]! * inv;
    }
    return cpu.wrap(out, x.shape);
  },

  SoftmaxBackward: (cpu, { x, dy }) => {
    const xv = cpu.contiguous(x);
    const dyv = cpu.contiguous(dy);
    const out = cpu.alloc(x.size);
    const c = x.shape[x.shape.length - 1] ?? 1;
    if (xv instanceof Float32Array && dyv instanceof Float32Array && out instanceof Float32Array && softmaxBackwardThreaded(xv, dyv, c, out)) return cpu.wrap(out, x.shape);
    const y = new Float64Array(c);
    for (let r = 0; r < out.length; r += c) softmaxBackwardRow(xv, dyv, r, y, out);
    return cpu.wrap(out, x.shape);
  },
} satisfies Partial<CpuKernelTable>;

/**
 * out_i = x_i > 0 ? v_i : leak·v_i on float32 data (v = x for ReLU, dy for
 * its derivative): in WebAssembly on large tensors, else with leak 0 in
 * `keepPositive`; false (nothing done) for a small leaky one, left to the loops.
 */
function relu32(x: Float32Array, v: Float32Array, out: Float32Array, leak: number): boolean {
  if (mapWasm(leak === 0 ? MAP_OPS.keepPositive : MAP_OPS.leaky, x, v, out, leak)) return true;
  if (leak !== 0) return false;
  keepPositive(x, v, out);
  return true;
}

/**
 * out_i = x_i > 0 ? v_i : +0 on float32 bits, without a branch (random signs
 * mispredict half the time: 4× slower here). With b the bits of x_i as int32,
 * x_i > 0 exactly when 1 ≤ b ≤ 0x7f800000 (+0 is 0; negatives, −0 and NaNs
 * fall outside), so mask = ((0x7f800000 − b) | (b − 1)) >> 31 is −1 to zero
 * and 0 to keep (the wrap to int32 of `|` makes b = −2³¹ land right too).
 */
function keepPositive(x: Float32Array, v: Float32Array, out: Float32Array): void {
  const xb = new Int32Array(x.buffer, x.byteOffset, x.length);
  const vb = new Int32Array(v.buffer, v.byteOffset, v.length);
  const ob = new Int32Array(out.buffer, out.byteOffset, out.length);
  const n = ob.length;
  for (let i = 0; i < n; i++) {
    const b = xb[i]!;
    ob[i] = vb[i]! & ~(((0x7f800000 - b) | (b - 1)) >> 31);
  }
}

