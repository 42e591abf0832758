import type { Tensor } from '@convnet-ts/tensor';
import type { CpuBackend } from './cpu-backend.js';

/**
 * Runs one of most kernel kinds on seeded values — views (transpose, slice,
 * reshape of a slice), padding, concatenation, convolution forward and
 * backward (large enough for every GEMM thread), pooling, activations, loss,
 * normalization — and returns every output's values: run in a process that
 * refuses code generation from strings (CSP without 'unsafe-eval') and in one
 * that allows it, the two must agree bit for bit.
 */
export function noEvalChain(cpu: CpuBackend): number[][] {
  const seq = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * s + s));
  const x = cpu.tensor(seq(2 * 24 * 24 * 16, 0.37), [2, 24, 24, 16]);
  const f = cpu.tensor(seq(3 * 3 * 16 * 32, 0.11), [3, 3, 16, 32]);
  const b = cpu.tensor(seq(32, 0.5), [32]);
  const geometry = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;
  const y = cpu.run('Conv', { x, f, b }, geometry);
  const r = cpu.run('Relu', { x: y }, { leak: 0.1 });
  const pool = { method: 'max', poolSize: [3, 3], pad: [0, 1, 0, 1], stride: [2, 2] } as const;
  const p = cpu.run('Pool', { x: r }, pool);
  const dp = cpu.run('PoolBackward', { x: r, dy: p }, pool);
  const dx = cpu.run('ConvBackwardData', { dy: dp, f }, { ...geometry, xShape: x.shape });
  const df = cpu.run('ConvBackwardFilter', { x, dy: dp }, { ...geometry, fShape: f.shape });
  const s = cpu.run('Slice', { x: p }, { begin: [1, 2, 3, 4], size: [1, 5, 4, 6] });
  const flat = cpu.run('Reshape', { x: s }, { shape: [1, 1, 1, 120] });
  const a = cpu.view(s);
  const t = cpu.fromNdarray({ data: a.data, shape: [a.shape[0]!, a.shape[2]!, a.shape[1]!, a.shape[3]!], stride: [a.stride[0]!, a.stride[2]!, a.stride[1]!, a.stride[3]!], offset: a.offset });
  const padded = cpu.run('PadZeros', { x: t }, { before: [0, 1, 0, 2], after: [1, 0, 2, 0] });
  const cat = cpu.run('Concat', { xs: [s, t.reshape([1, 5, 4, 6])] }, { axis: 3 });
  const soft = cpu.run('Softmax', { x: flat }, {});
  const sig = cpu.run('Sigmoid', { x: t }, {});
  const lrn = cpu.run('Lrn', { x: p }, { n: 5, kappa: 2, alpha: 1e-4, beta: 0.75 });
  const sum = cpu.run('ReduceSum', { x: t }, { axes: [1, 2] });
  const out: Tensor[] = [y, r, p, dp, dx, df, s, flat, t, padded, cat, soft, sig, lrn, sum];
  return out.map((o) => Array.from(o.dataSync()));
}
