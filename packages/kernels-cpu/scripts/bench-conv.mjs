// The bench's W1 (conv forward, x 32×56×56×64, filters 3×3×64×64, pad 1),
// W2 (its data and filter derivatives), W3 (one SGD step of MNIST LeNet,
// batch 100, as packages/bench) and W4 (SGEMM 1024³), each variant
// of the convolution path taking turns in one process (A, B, A, B, …) so
// that background load hits them alike; medians.
// Run (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-conv.mjs [threads] [reps] [fma] [--variants=before,after,…] [--workloads=W1,W3,…]
// `fma` adds the relaxed-SIMD FMA module as variants (Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd).
import { conv, convBackward, pool, poolBackward, relu, reluBackward, softmaxloss, softmaxlossBackward } from '@convnet-ts/blocks';
import { setDirectConv } from '../src/conv-direct.ts';
import { createCpuBackend } from '../src/index.ts';
import { gemm } from '../src/gemm.ts';
import { acquireGemmThreads, useGemmModule } from '../src/gemm-threads.ts';
import { gemmModuleBinary } from './gemm-module.mjs';

const threads = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 5);
const withFma = process.argv.includes('fma');
const fmaBytes = withFma ? { shared: await gemmModuleBinary({ mr: 4, nr: 8, fma: true }, { shared: true }), plain: await gemmModuleBinary({ mr: 4, nr: 8, fma: true }, { shared: false }) } : null;
// 'before': im2row + GEMM everywhere (the code before issue 21's paths, same bits); 'after': the defaults —
// Winograd (F(4×4, 3×3) on W1/W2 dzdx's 56×56 maps) and the implicit GEMM for LeNet's first layer; 'after F2':
// Winograd forced to F(2×2, 3×3); '+fma': the relaxed-SIMD FMA micro-kernel too.
const only = process.argv.find((a) => a.startsWith('--variants='))?.slice('--variants='.length).split(',');
const allVariants = [
  { name: 'before', fast: false, fma: false },
  { name: 'after', fast: true, fma: false },
  { name: 'after F2', fast: true, fma: false, tile: 2 },
  ...(withFma
    ? [
        { name: 'before+fma', fast: false, fma: true },
        { name: 'after+fma', fast: true, fma: true },
        { name: 'after F2+fma', fast: true, fma: true, tile: 2 },
      ]
    : []),
];
const workloads = process.argv.find((a) => a.startsWith('--workloads='))?.slice('--workloads='.length).split(',');
const wanted = (w) => workloads === undefined || workloads.includes(w);
const variants = only === undefined ? allVariants : allVariants.filter((v) => only.includes(v.name));
const geometry = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 };
const LENET = [
  { filter: [5, 5, 1, 20], after: 'pool' },
  { filter: [5, 5, 20, 50], after: 'pool' },
  { filter: [4, 4, 50, 500], after: 'relu' },
  { filter: [1, 1, 500, 10], after: null },
];
const POOL = { method: 'max', stride: 2 };
const labels = Array.from({ length: 100 }, (_, i) => (i % 10) + 1);
/** One LeNet SGD step (forward, backward, w ← w − 0.001·dw) on `cpu`. */
function lenetStep(cpu) {
  const params = LENET.map(({ filter }) => ({
    f: cpu.tensor(new Float32Array(filter.reduce((p, q) => p * q)).map((_, i) => 0.01 * Math.sin(i)), filter),
    b: cpu.tensor(new Float32Array(filter[3]).map((_, i) => 0.05 * Math.cos(i)), [filter[3]]),
  }));
  const x = cpu.tensor(new Float32Array(100 * 28 * 28).map((_, i) => Math.sin(i * 0.1)), [100, 28, 28, 1]);
  return () => {
    const inputs = [];
    const pre = [];
    let h = x;
    for (const [i, layer] of LENET.entries()) {
      inputs.push(h);
      const y = conv(h, params[i].f, params[i].b);
      pre.push(y);
      h = layer.after === 'pool' ? pool(y, 2, POOL) : layer.after === 'relu' ? relu(y) : y;
    }
    softmaxloss(h, labels).dataSync();
    let d = softmaxlossBackward(h, labels, 1);
    for (let i = LENET.length - 1; i >= 0; i--) {
      if (LENET[i].after === 'pool') d = poolBackward(pre[i], 2, d, POOL);
      else if (LENET[i].after === 'relu') d = reluBackward(pre[i], d);
      const g = convBackward(inputs[i], params[i].f, params[i].b, d, { noDerData: i === 0 });
      params[i] = { f: cpu.run('Axpby', { x: params[i].f, y: g.dzdf }, { alpha: 1, beta: -0.001 }), b: cpu.run('Axpby', { x: params[i].b, y: g.dzdb }, { alpha: 1, beta: -0.001 }) };
      if (g.dzdx) d = g.dzdx;
    }
    params[0].f.dataSync();
  };
}
const flops = { W1: 2 * 32 * 56 * 56 * 64 * 576, 'W2 dzdx': 2 * 32 * 56 * 56 * 64 * 576, 'W2 dzdf': 2 * 32 * 56 * 56 * 64 * 576, W4: 2 * 1024 ** 3 };
const times = {};
const time = (key, f) => {
  const s = performance.now();
  f();
  times[key] = [...(times[key] ?? []), performance.now() - s];
};
const n = 1024;
const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
const b = new Float32Array(n * n).map((_, i) => Math.cos(i));
const c = new Float32Array(n * n);
for (let rep = 0; rep <= reps; rep++) {
  for (const v of variants) {
    useGemmModule(v.fma ? fmaBytes : null);
    setDirectConv(v.fast);
    const cpu = createCpuBackend({ threads, winograd: v.fast ? (v.tile ?? true) : false, fma: v.fma });
    await cpu.ready();
    const x = cpu.tensor(new Float32Array(32 * 56 * 56 * 64).map((_, i) => Math.sin(i)), [32, 56, 56, 64]);
    const f = cpu.tensor(new Float32Array(9 * 64 * 64).map((_, i) => Math.cos(i) * 0.1), [3, 3, 64, 64]);
    const key = (w) => `${w} | ${v.name}`;
    const record = (k, fn) => (rep > 0 && wanted(k.split(' | ')[0]) ? time(k, fn) : wanted(k.split(' | ')[0]) || k.startsWith('W1') ? fn() : undefined);
    let y;
    record(key('W1'), () => {
      y = cpu.run('Conv', { x, f, b: null }, geometry);
    });
    record(key('W2 dzdx'), () => cpu.run('ConvBackwardData', { dy: y, f }, { ...geometry, xShape: x.shape }));
    record(key('W2 dzdf'), () => cpu.run('ConvBackwardFilter', { x, dy: y }, { ...geometry, fShape: f.shape }));
    const step = lenetStep(cpu);
    step();
    record(key('W3'), step);
    if (!v.fast) {
      const lease = acquireGemmThreads(threads);
      record(key('W4'), () => gemm(false, false, n, n, n, 1, { data: a, offset: 0, ld: n }, { data: b, offset: 0, ld: n }, 0, { data: c, offset: 0, ld: n }));
      lease.release();
    }
    cpu.dispose();
  }
}
useGemmModule(null);
console.log(`threads ${threads}, ${reps} repetitions per variant, medians:`);
for (const [key, ts] of Object.entries(times)) {
  ts.sort((p, q) => p - q);
  const med = ts[ts.length >> 1];
  const w = key.split(' | ')[0];
  const rate = flops[w] === undefined ? '' : `  ${((flops[w] / med) * 1e-6).toFixed(1).padStart(6)} GFLOP/s (direct-method flops)`;
  console.log(`${key.padEnd(24)} ${med.toFixed(1).padStart(8)} ms${rate}`);
}
