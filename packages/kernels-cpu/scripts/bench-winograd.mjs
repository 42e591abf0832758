// The convolutions Winograd F(2×2, 5×5) and grouped/odd-count Winograd were
// built for (issue 21): LeNet's conv2 and AlexNet's conv2, conv4, conv5 at
// the bench's batch sizes, forward, data and filter derivative, with
// `winograd: false` (im2row + GEMM) and the default taking turns in one
// process (A, B, A, B, …) so that background load hits them alike; medians, ms,
// of wall time and of this process's CPU time (user + system: on one thread
// the work itself, less sensitive to other jobs on a loaded machine; on more,
// the sum over the threads).
// Run (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-winograd.mjs [threads] [reps] [--shapes=lenet2,alex2,…]
// `dzdxA` is the adjoint data derivative (convBackwardDataWinograd, called directly) against the direct one, where it applies.
// Shapes `lenet2s4`, `lenet2s6` (LeNet's conv2 on 8×8 and 10×10 inputs: 4×4 and 6×6 outputs) time the small-output threshold.
import { Rng } from '@convnet-ts/tensor';
import { convBackwardDataWinograd, winogradApplies } from '../src/conv-winograd.ts';
import { createCpuBackend } from '../src/index.ts';

const threads = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 5);
// --options=false,true,4: the backends' `winograd` options, one column each (the ratios are to the first).
const options = (process.argv.find((a) => a.startsWith('--options='))?.slice('--options='.length) ?? 'false,true').split(',').map((o) => (o === 'false' ? false : o === 'true' ? true : Number(o)));
const only = process.argv.find((a) => a.startsWith('--shapes='))?.slice('--shapes='.length).split(',');
const SHAPES = [
  { name: 'lenet2', x: [100, 12, 12, 20], f: [5, 5, 20, 50], pad: 0, groups: 1 },
  { name: 'lenet2s6', x: [100, 10, 10, 20], f: [5, 5, 20, 50], pad: 0, groups: 1 },
  { name: 'lenet2s4', x: [100, 8, 8, 20], f: [5, 5, 20, 50], pad: 0, groups: 1 },
  { name: 'alex2', x: [32, 27, 27, 96], f: [5, 5, 48, 256], pad: 2, groups: 2 },
  { name: 'alex4', x: [32, 13, 13, 384], f: [3, 3, 192, 384], pad: 1, groups: 2 },
  { name: 'alex5', x: [32, 13, 13, 384], f: [3, 3, 192, 256], pad: 1, groups: 2 },
].filter((s) => (only === undefined ? !s.name.includes('s') || s.name === 'lenet2' : only.includes(s.name)));

const backends = options.map((winograd) => createCpuBackend({ threads, winograd }));
await Promise.all(backends.map((b) => b.ready()));
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`threads ${threads}, reps ${reps}; ms, medians: winograd ${options.join(' / ')}`);
for (const s of SHAPES) {
  const [n, h, w] = s.x;
  const [r, , , k] = s.f;
  const ho = h + 2 * s.pad - r + 1;
  const wo = w + 2 * s.pad - r + 1;
  const attrs = { pad: [s.pad, s.pad, s.pad, s.pad], stride: [1, 1], dilate: [1, 1], groups: s.groups };
  const rng = new Rng(1);
  const size = (shape) => shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from(rng.randn(size(s.x)));
  const f = Float32Array.from(rng.randn(size(s.f)));
  const dy = Float32Array.from(rng.randn(n * ho * wo * k));
  const sizes = {
    patch: { height: h, width: w, channels: s.x[3], filterHeight: r, filterWidth: r, outHeight: ho, outWidth: wo, padTop: s.pad, padLeft: s.pad, strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 },
    n, c: s.x[3], k, groups: s.groups, cg: s.f[2], kg: k / s.groups, imageSize: h * w * s.x[3], pixels: ho * wo, rowLength: r * r * s.f[2],
  };
  const ops = backends.map((cpu) => {
    const xt = cpu.tensor(x, s.x);
    const ft = cpu.tensor(f, s.f);
    const dyt = cpu.tensor(dy, [n, ho, wo, k]);
    const ops0 = {
      dzdx: () => cpu.run('ConvBackwardData', { dy: dyt, f: ft }, { ...attrs, xShape: s.x }).dispose(),
    };
    return {
      fwd: () => cpu.run('Conv', { x: xt, f: ft, b: null }, attrs).dispose(),
      dzdx: () => cpu.run('ConvBackwardData', { dy: dyt, f: ft }, { ...attrs, xShape: s.x }).dispose(),
      dzdf: () => cpu.run('ConvBackwardFilter', { x: xt, dy: dyt }, { ...attrs, fShape: s.f }).dispose(),
      // The direct data derivative, or (default backend) the adjoint one on this backend's threads (the Relu makes them current).
      dzdxA: () => {
        if (!cpu.winograd || !winogradApplies(sizes, cpu.winograd)) return ops0.dzdx();
        cpu.run('Relu', { x: xt }, { leak: 0 }).dispose();
        convBackwardDataWinograd(sizes, dy, f, new Float32Array(x.length), cpu.winograd);
      },
    };
  });
  const names = ['fwd', 'dzdx', 'dzdxA', 'dzdf'];
  const times = Object.fromEntries(names.map((o) => [o, options.map(() => [])]));
  const cpuTimes = Object.fromEntries(names.map((o) => [o, options.map(() => [])]));
  for (let rep = 0; rep <= reps; rep++) {
    for (const op of names) {
      for (const b of options.keys()) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        ops[b][op]();
        const t1 = performance.now();
        const c1 = process.cpuUsage(c0);
        if (rep > 0) {
          times[op][b].push(t1 - t0);
          cpuTimes[op][b].push((c1.user + c1.system) / 1000);
        }
      }
    }
  }
  const row = (t) =>
    Object.entries(t).map(([op, ts]) => `${op} ${ts.map((v) => median(v).toFixed(1)).join(' / ')} (${ts.slice(1).map((v) => `${(median(ts[0]) / median(v)).toFixed(2)}×`).join(', ')})`);
  console.log(`${s.name.padEnd(9)} wall ${row(times).join('   ')}`);
  console.log(`${''.padEnd(9)} cpu  ${row(cpuTimes).join('   ')}`);
}
for (const b of backends) b.dispose();
