// One convolution's forward, data and filter derivatives at 1 and N threads, interleaved in one process; min and median ms.
// Usage (from packages/kernels-cpu): S=n,h,c,k,f,pad,stride[,groups] node --import ./scripts/ts-hooks.mjs scripts/bench-conv-threads.mjs [reps] [N]
import { conv, convBackward } from '@convnet-ts/blocks';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { Rng, randnTensor } from '@convnet-ts/tensor';

const [n, h, c, k, fh, pad, stride, groups = 1] = (process.env.S ?? '32,13,256,384,3,1,1').split(',').map(Number);
const reps = Number(process.argv[2] ?? 7);
const counts = [1, Number(process.argv[3] ?? 2)];
const bes = counts.map((threads) => createCpuBackend({ threads, dtype: 'float32' }));
const xs = bes.map((be) => randnTensor(be, [n, h, h, c], new Rng(1)));
const fs = bes.map((be) => randnTensor(be, [fh, fh, c / groups, k], new Rng(2)));
const o = Math.floor((h + 2 * pad - fh) / stride) + 1;
const dys = bes.map((be) => randnTensor(be, [n, o, o, k], new Rng(3)));
const opts = { pad, stride, ...(groups > 1 ? { groups } : {}) };
const ops = {
  forward: (i) => conv(xs[i], fs[i], null, opts),
  dzdx: (i) => convBackward(xs[i], fs[i], null, dys[i], { ...opts, noDerFilters: true }).dzdx,
  dzdf: (i) => convBackward(xs[i], fs[i], null, dys[i], { ...opts, noDerData: true }).dzdf,
};
const which = (process.env.OPS ?? 'forward,dzdx,dzdf').split(',');
const stat = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return `${s[0].toFixed(1)}/${s[Math.floor(s.length / 2)].toFixed(1)}`;
};
for (const name of which) {
  const res = counts.map(() => []);
  for (let r = 0; r < reps + 1; r++) {
    for (const i of [0, 1]) {
      const t0 = performance.now();
      ops[name](i).dispose();
      if (r > 0) res[i].push(performance.now() - t0);
    }
  }
  const ratio = Math.min(...res[0]) / Math.min(...res[1]);
  console.log(`S=${process.env.S ?? ''} ${name}: ${counts[0]}T ${stat(res[0])} ms, ${counts[1]}T ${stat(res[1])} ms (min/median), ${ratio.toFixed(2)}x on the mins`);
}
for (const be of bes) be.dispose();
