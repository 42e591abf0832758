import { type PoolAttrs, Rng, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import type { CpuBackend } from './cpu-backend.js';
import { createCpuBackend } from './index.js';
import { isModuleArray, moduleArrayBytes, setModuleArrayBudget } from './module-arrays.js';
import { setPassFloats, setRowsTuning } from './rows-wasm.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * The float32 row kernels, pooling and the JavaScript row tasks on tensors
 * resident in the GEMM module's memory (module-arrays.ts): read and written
 * in place (rows-wasm.ts's `passOperands`), all resident in one pass over
 * the threads. Driven through the public backend and compared bit for bit
 * with the same kernels on plain arrays (`setModuleArrayBudget(0)`: the copy
 * routes) at 1, 2 and 3 threads, with NaN, ±∞, ±0 and subnormals, lengths
 * not a multiple of 4, mixed residency (a resident operand with a plain or
 * shared one), and tensors too small to be resident.
 */
const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-45, -1e-45, 1e-40, -3e-39, 3.4e38, -3.4e38, 1, -1];
/** A float32 array's bits (NaN payloads and −0 included). */
const bits = (v: Float32Array | Float64Array) => new Uint32Array(Float32Array.from(v).buffer);

/** 'same' when every run's arrays hold the same bits, else where they first differ. */
function differences(a: Run, b: Run): string {
  if (a.bits.length !== b.bits.length) return `${a.bits.length} outputs against ${b.bits.length}`;
  for (let k = 0; k < a.bits.length; k++) {
    const [u, v] = [a.bits[k]!, b.bits[k]!];
    if (u.length !== v.length) return `output ${k}: ${u.length} values against ${v.length}`;
    for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return `output ${k}, element ${i}: 0x${u[i]!.toString(16)} against 0x${v[i]!.toString(16)}`;
  }
  return 'same';
}

function values(seed: number, count: number): Float32Array {
  const v = Float32Array.from(new Rng(seed).randn(count));
  for (let i = 0; i < specials.length * 40; i++) v[(i * 7919) % count] = specials[i % specials.length]!;
  return v;
}

/** Bytes the last call asked of the arena: a kernel that copied an operand through it asked for at least that operand's pass. */
const arenaAsked = () => gemmInstance()!.arenaAsked;
/** An arena request of at most this many bytes (task blocks, per-block sums) copied no tensor. */
const NO_COPY_BYTES = 2 ** 14;

afterEach(() => {
  setRowsTuning();
  setPassFloats();
  setModuleArrayBudget();
});

/** What one backend computes, and whether its operands and outputs were resident and its arena requests small. */
interface Run {
  bits: Uint32Array[];
  resident: boolean[];
  copyFree: boolean[];
  workerCalls: number;
}

/**
 * Runs `kernels` on a new backend of `threads` threads: with the default
 * module budget (resident tensors) or none (plain and shared arrays).
 */
function run(threads: number, resident: boolean, kernels: (be: CpuBackend, resident: boolean) => (() => Tensor)[]): Run {
  if (!resident) setModuleArrayBudget(0);
  const be = createCpuBackend({ threads });
  try {
    const out: Run = { bits: [], resident: [], copyFree: [], workerCalls: 0 };
    const calls = be.workerCalls;
    for (const k of kernels(be, resident)) {
      const t = k();
      out.copyFree.push(arenaAsked() <= NO_COPY_BYTES);
      out.resident.push(isModuleArray(be.view(t).data));
      out.bits.push(bits(be.readSync(t)));
    }
    out.workerCalls = be.workerCalls - calls;
    return out;
  } finally {
    be.dispose();
    setModuleArrayBudget();
  }
}

const n = 3 * 2 ** 16 + 4 * 777 + 3;

function maps(be: CpuBackend): (() => Tensor)[] {
  const x = be.tensor(values(1, n), [n]);
  const y = be.tensor(values(2, n), [n]);
  return [
    () => be.run('Relu', { x }, { leak: 0 }),
    () => be.run('Relu', { x }, { leak: 0.1 }),
    () => be.run('ReluBackward', { x, dy: y }, { leak: 0 }),
    () => be.run('ReluBackward', { x, dy: y }, { leak: 0.01 }),
    () => be.run('Axpby', { x, y }, { alpha: 0.9, beta: -0.0123 }),
    () => be.run('Axpby', { x, y: x }, { alpha: -1.5, beta: 1e-30 }),
  ];
}

describe.each([1, 2, 3])('module-resident tensors at %i thread(s)', (threads) => {
  it('ReLU, leaky ReLU, their derivatives and Axpby run in place with the copy routes\' bits', () => {
    // Threads from 2^14 elements each, so that these tensors split over all of them.
    setRowsTuning({ sharedPerThread: 2 ** 14 }, ['relu', 'leakyRelu', 'axpby']);
    const got = run(threads, true, maps);
    const want = run(threads, false, maps);
    expect(differences(got, want)).toBe('same');
    expect(differences(got, run(1, false, maps))).toBe('same');
    expect(got.resident.every(Boolean)).toBe(true);
    expect(want.resident.some(Boolean)).toBe(false);
    expect(got.copyFree.every(Boolean), 'nothing copied through the arena').toBe(true);
    expect(want.copyFree.some(Boolean)).toBe(false);
    expect(got.workerCalls).toBe(6 * (threads - 1));
  });

  it('max and average pooling and their derivatives run in place with the copy routes\' bits (batch smaller than the threads, C not a multiple of 4)', () => {
    setRowsTuning({ perThread: 2 ** 12 }, ['pool', 'avgPoolBackward']);
    const pools: [number[], PoolAttrs][] = [
      // LeNet's pool1 (batch 12), pool2 (batch 12: dy too small to be resident), AlexNet's 3×3/2 with 13 channels, padded and clipped windows.
      [[12, 24, 24, 20], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
      [[12, 8, 8, 50], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
      [[2, 55, 55, 13], { method: 'max', poolSize: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] }],
      [[8, 33, 31, 10], { method: 'max', poolSize: [3, 2], stride: [2, 1], pad: [1, 0, 2, 1] }],
      [[8, 33, 31, 10], { method: 'avg', poolSize: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] }],
      [[30, 24, 24, 7], { method: 'avg', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ];
    const kernels = (be: CpuBackend) =>
      pools.flatMap(([shape, attrs], i) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = be.tensor(values(10 + i, size), shape);
        const y = be.run('Pool', { x }, attrs);
        const dy = be.tensor(values(20 + i, y.size), y.shape);
        return [() => be.run('Pool', { x }, attrs), () => be.run('PoolBackward', { x, dy }, attrs)];
      });
    const got = run(threads, true, kernels);
    const want = run(threads, false, kernels);
    expect(differences(got, want)).toBe('same');
    expect(differences(got, run(1, false, kernels))).toBe('same');
    // Every output here is resident but pool2's y (12·4·4·50 < 2^14); its derivative reads that dy by copy.
    expect(got.resident).toEqual(got.resident.map((_, i) => i !== 2));
    expect(got.copyFree).toEqual(got.resident.map((_, i) => i !== 2 && i !== 3));
    if (threads > 1) expect(got.workerCalls).toBeGreaterThan(0);
  });

  it('bias sums, batch normalisation, softmax, sigmoid, LRN and the softmaxlog loss run in place with the copy routes\' bits', () => {
    setRowsTuning({ wasmMin: 0, perThread: 2 ** 13 });
    const kernels = (be: CpuBackend) => {
      const c = 20;
      const rows = 1003;
      const shape = [rows, 1, 1, c];
      const x = be.tensor(values(30, rows * c), shape);
      const dy = be.tensor(values(31, rows * c), shape);
      const g = be.tensor(values(32, c), [c]);
      const b = be.tensor(values(33, c), [c]);
      // Labels 1…C, some 0 (skipped); the loss rows are 10 scores each.
      const scores = be.tensor(values(34, rows * 10 * 2), [rows * 2, 1, 1, 10]);
      const labels = be.tensor(Array.from({ length: rows * 2 }, (_, i) => (i % 11 === 3 ? 0 : 1 + ((i * 7) % 10))), [rows * 2, 1, 1, 1]);
      const lrn = { n: 5, kappa: 2, alpha: 1e-4, beta: 0.75 };
      const loss = { loss: 'softmaxlog', topK: 1, threshold: 0, normalise: true } as const;
      return [
        () => be.run('ReduceSum', { x }, { axes: [0, 1, 2] }),
        () => be.run('Bnorm', { x, g, b, moments: null }, { epsilon: 1e-4 }).y,
        () => be.run('BnormBackward', { x, g, b, dy, moments: null }, { epsilon: 1e-4 }).dx,
        () => be.run('BnormBackward', { x, g, b, dy, moments: null }, { epsilon: 1e-4 }).dg,
        () => be.run('Softmax', { x }, {}),
        () => be.run('SoftmaxBackward', { x, dy }, {}),
        () => be.run('Sigmoid', { x }, {}),
        () => be.run('SigmoidBackward', { x, dy }, {}),
        () => be.run('Lrn', { x }, lrn),
        () => be.run('LrnBackward', { x, dy }, lrn),
        () => be.run('Loss', { x: scores, labels, weights: null }, loss),
        () => be.run('LossBackward', { x: scores, labels, weights: null, dzdy: be.tensor([0.7], [1]) }, loss),
      ];
    };
    const got = run(threads, true, kernels);
    const want = run(threads, false, kernels);
    expect(differences(got, want)).toBe('same');
    expect(differences(got, run(1, false, kernels))).toBe('same');
    // Small passes: the operands that are copied (the loss's labels, the sums' partial results) go in several.
    setPassFloats(3000);
    expect(differences(run(threads, true, kernels), want)).toBe('same');
    setPassFloats();
    const big = [false, true, true, false, true, true, true, true, true, true, false, true];
    expect(got.resident).toEqual(big);
    // The maps over the rows copied nothing (the loss's labels are small: copied).
    if (threads > 1) expect(got.copyFree.slice(4, 10).every(Boolean)).toBe(true);
    expect(got.copyFree.slice(1, 3).every(Boolean)).toBe(true);
  });

  it('mixes resident operands with plain and shared ones, with the same bits', () => {
    setRowsTuning({ sharedPerThread: 2 ** 14 }, ['relu', 'leakyRelu', 'axpby']);
    setRowsTuning({ perThread: 2 ** 12 }, ['pool']);
    // Pooling in passes of one image a thread, the maps' shared passes 2^16 elements: several passes each.
    setPassFloats(2 * 55 * 55 * 16);
    const xv = values(40, n);
    const yv = values(41, n);
    const attrs: PoolAttrs = { method: 'max', poolSize: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] };
    const pv = values(42, 8 * 55 * 55 * 16);
    const dyv = values(43, 8 * 27 * 27 * 16);
    type Mix = 'plain' | 'shared' | 'shared output';
    // No room for more resident arrays: later tensors are shared (threads > 1; dy too, 93 312 elements) or plain.
    const full = () => setModuleArrayBudget(moduleArrayBytes());
    const kernels = (mix: Mix) => (be: CpuBackend, resident: boolean) => {
      if (mix === 'shared output') full();
      const x = be.tensor(xv, [n]);
      const p = be.tensor(pv, [8, 55, 55, 16]);
      if (mix === 'shared') full();
      const y = mix === 'plain' ? be.wrap(Float32Array.from(yv), [n]) : be.tensor(yv, [n]);
      const dy = mix === 'plain' ? be.wrap(Float32Array.from(dyv), [8, 27, 27, 16]) : be.tensor(dyv, [8, 27, 27, 16]);
      // Shared inputs, resident outputs.
      if (mix === 'shared output' && resident) setModuleArrayBudget();
      return [
        () => be.run('Axpby', { x, y }, { alpha: 2, beta: 0.5 }),
        () => be.run('Axpby', { x: y, y: x }, { alpha: 2, beta: 0.5 }),
        () => be.run('ReluBackward', { x, dy: y }, { leak: 0 }),
        () => be.run('ReluBackward', { x: y, dy: x }, { leak: 0.1 }),
        () => be.run('Pool', { x: p }, attrs),
        () => be.run('PoolBackward', { x: p, dy }, attrs),
      ];
    };
    for (const mix of ['plain', 'shared', 'shared output'] as const) {
      const got = run(threads, true, kernels(mix));
      expect(differences(got, run(threads, false, kernels(mix))), mix).toBe('same');
      expect(differences(got, run(1, false, kernels(mix))), mix).toBe('same');
      expect(got.resident.every((r) => r === (mix !== 'shared')), mix).toBe(true);
      if (threads > 1) expect(got.workerCalls, mix).toBeGreaterThan(0);
    }
  });

  it('leaves tiny tensors (under 2^14 elements) on their own arrays, through the module with the loops\' bits', () => {
    const small = 4 * 1023 + 1;
    const kernels = (be: CpuBackend) => {
      const x = be.tensor(values(50, small), [small, 1]);
      const y = be.tensor(values(51, small), [small, 1]);
      expect(isModuleArray(be.view(x).data)).toBe(false);
      return [
        () => be.run('Relu', { x }, { leak: 0.1 }),
        () => be.run('ReluBackward', { x, dy: y }, { leak: 0 }),
        () => be.run('Axpby', { x, y }, { alpha: 0.3, beta: -2 }),
        () => be.run('ReduceSum', { x }, { axes: [0] }),
      ];
    };
    setRowsTuning({ wasmMin: 0, perThread: 1, sharedPerThread: 1 });
    const module = run(threads, true, kernels);
    setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY });
    const loops = run(threads, true, kernels);
    expect(differences(module, loops)).toBe('same');
    expect(module.resident.some(Boolean)).toBe(false);
  });
});

describe('module-resident tensors at the default thresholds', () => {
  it('map on one thread under 2 × 2^17 elements and over the threads above, in one pass with the copy route\'s bits', () => {
    const big = 2 ** 19 + 5;
    const kernels = (size: number) => (be: CpuBackend) => {
      const x = be.tensor(values(60, size), [size]);
      const y = be.tensor(values(61, size), [size]);
      return [() => be.run('ReluBackward', { x, dy: y }, { leak: 0 }), () => be.run('Axpby', { x, y }, { alpha: 1, beta: -0.001 })];
    };
    const under = run(2, true, kernels(n));
    expect(under.workerCalls).toBe(0);
    expect(under.copyFree.every(Boolean)).toBe(true);
    expect(differences(under, run(1, false, kernels(n)))).toBe('same');
    const over = run(2, true, kernels(big));
    expect(over.workerCalls).toBe(2);
    expect(over.copyFree.every(Boolean)).toBe(true);
    expect(differences(over, run(2, false, kernels(big)))).toBe('same');
  });

  it('keep resident pooling in one pass when passes are small (nothing copied)', () => {
    setPassFloats(2 ** 12);
    const attrs: PoolAttrs = { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] };
    const kernels = (be: CpuBackend) => {
      const x = be.tensor(values(70, 20 * 24 * 24 * 20), [20, 24, 24, 20]);
      const dy = be.tensor(values(71, 20 * 12 * 12 * 20), [20, 12, 12, 20]);
      return [() => be.run('Pool', { x }, attrs), () => be.run('PoolBackward', { x, dy }, attrs)];
    };
    const got = run(2, true, kernels);
    expect(got.copyFree.every(Boolean)).toBe(true);
    expect(differences(got, run(2, false, kernels))).toBe('same');
  });
});
