// Times the GEMM-shaped convolution calls of AlexNet's fully connected layers
// and LeNet's / AlexNet's first layers, one backend call each (Conv,
// ConvBackwardData, ConvBackwardFilter), float32, at 1 and 2 threads; with
// BEFORE=<a copy of an older src/> the old and the current sources run
// interleaved in one process (A, B, A, B, …) and medians (and minima) are printed.
// SUBNORMAL=1 makes every 14th element of dy subnormal, TINY=1 six in seven between 2^-140
// and 2^-90 (AlexNet's fc8 derivative at the first steps: a saturated softmax's has 7 %
// subnormals and 73 % below 2^-60).
// BIAS=1 gives the forwards a bias (AlexNet's and LeNet's layers have one).
// Use: [BEFORE=dir] [BIAS=1] [ONLY=name,…] [CALLS=fwd,dzdx,dzdf] [R=7] [T=1,2] [SUBNORMAL=1] [TINY=1] node --import ./scripts/ts-hooks.mjs scripts/bench-conv-shapes.mjs
import { Rng, randnTensor } from '@convnet-ts/tensor';
import { createCpuBackend } from '../src/index.ts';

const variants = [{ name: 'now', create: createCpuBackend }];
if (process.env.BEFORE) {
  const old = await import(`${process.env.BEFORE}/index.ts`);
  variants.unshift({ name: 'before', create: old.createCpuBackend });
}
const R = Number(process.env.R ?? 7);
const threadCounts = (process.env.T ?? '1,2').split(',').map(Number);
const only = process.env.ONLY?.split(',');

// [name, x shape, f shape, pad, stride, groups]
const cases = [
  ['fc6', [32, 5, 5, 256], [5, 5, 256, 4096], 0, 1],
  ['fc7', [32, 1, 1, 4096], [1, 1, 4096, 4096], 0, 1],
  ['fc8', [32, 1, 1, 4096], [1, 1, 4096, 1000], 0, 1],
  ['lenet1', [100, 28, 28, 1], [5, 5, 1, 20], 0, 1],
  ['lenet2', [100, 12, 12, 20], [5, 5, 20, 50], 0, 1],
  ['lenet3', [100, 4, 4, 50], [4, 4, 50, 500], 0, 1],
  ['alex1', [32, 227, 227, 3], [11, 11, 3, 96], 0, 4],
  ['alex2', [32, 27, 27, 96], [5, 5, 48, 256], 2, 1, 2],
  ['alex3', [32, 13, 13, 256], [3, 3, 256, 384], 1, 1],
].filter(([name]) => !only || only.includes(name));

const geometry = (pad, stride, groups = 1) => ({ pad: [pad, pad, pad, pad], stride: [stride, stride], dilate: [1, 1], groups });
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];

for (const threads of threadCounts) {
  const backends = variants.map((v) => v.create({ threads, dtype: 'float32' }));
  for (const [name, xs, fs, pad, stride, groups] of cases) {
    const g = geometry(pad, stride, groups);
    const ho = Math.floor((xs[1] + 2 * pad - fs[0]) / stride) + 1;
    const ys = [xs[0], ho, ho, fs[3]];
    const flops = 2 * xs[0] * ho * ho * fs[3] * fs[0] * fs[1] * fs[2];
    const bias = process.env.BIAS === '1';
    const ops = backends.map((be) => {
      const x = randnTensor(be, xs, new Rng(1));
      const f = randnTensor(be, fs, new Rng(2));
      const dy = randnTensor(be, ys, new Rng(3));
      const b = bias ? randnTensor(be, [fs[3]], new Rng(4)) : null;
      if (process.env.SUBNORMAL) {
        const d = be.contiguous(dy);
        for (let i = 0; i < d.length; i += 14) d[i] = 1e-40;
      }
      if (process.env.TINY) {
        const d = be.contiguous(dy);
        for (let i = 0; i < d.length; i++) if (i % 7 !== 0) d[i] *= 2 ** -(90 + (i % 50));
      }
      return {
        fwd: () => be.run('Conv', { x, f, b }, g),
        dzdx: () => be.run('ConvBackwardData', { dy, f }, { ...g, xShape: xs }),
        dzdf: () => be.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: fs }),
      };
    });
    for (const call of (process.env.CALLS ?? 'fwd,dzdx,dzdf').split(',')) {
      const times = variants.map(() => []);
      for (let r = 0; r <= R; r++) {
        for (let v = 0; v < variants.length; v++) {
          const t0 = performance.now();
          const out = ops[v][call]();
          const dt = performance.now() - t0;
          out.dispose();
          if (r > 0) times[v].push(dt);
        }
      }
      const cols = variants.map((v, i) => {
        const ms = median(times[i]);
        const best = Math.min(...times[i]);
        return `${v.name} ${ms.toFixed(1).padStart(7)} ms ${(flops / ms / 1e6).toFixed(1).padStart(5)} GFLOP/s (min ${best.toFixed(1)})`;
      });
      console.log(`T=${threads} ${name.padEnd(7)} ${call.padEnd(5)} ${cols.join('   ')}`);
    }
  }
  for (const be of backends) be.dispose();
}
