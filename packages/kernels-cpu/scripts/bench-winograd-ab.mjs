// LeNet's conv2 by Winograd (5×5×20×50 on 12×12×20 → 8×8×50, batch 100,
// F(4×4, 5×5)), today's sources against those of an earlier commit, in ONE
// process and one module: the earlier commit's gen-winograd.mjs fields are
// spliced into this tree's module with every `wino…` name prefixed `base_`,
// and its conv-winograd.ts runs from a temporary copy calling those names.
// Per repetition each pass runs base, new, base, new (interleaved, so the
// machine's fast and slow states hit both alike); medians, ms, wall time, on
// resident operands (as in the LeNet step), one thread. The outputs of both
// are compared (max |difference|, and whether the bits are equal).
// Run (from packages/kernels-cpu):
//   node --import ./scripts/ts-hooks.mjs scripts/bench-winograd-ab.mjs [reps] [--base=<commit>] [--bias]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import wabtInit from 'wabt';
import { Rng } from '@convnet-ts/tensor';
import { convBackwardDataWinograd, convBackwardFilterWinograd, convForwardWinograd } from '../src/conv-winograd.ts';
import { useGemmModule } from '../src/gemm-threads.ts';
import { moduleFloat32 } from '../src/module-arrays.ts';
import { DEFAULT_TILE, gemmModuleText } from './gemm-module.mjs';

const reps = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 31);
const base = process.argv.find((a) => a.startsWith('--base='))?.slice('--base='.length) ?? 'HEAD';
const bias = process.argv.includes('--bias');
const src = new URL('../src/', import.meta.url);
const show = (path) => execFileSync('git', ['show', `${base}:packages/kernels-cpu/${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 });

// The earlier sources, renamed: module names `wino…` → `base_wino…` (exports, functions), imports to this tree's files.
const dir = mkdtempSync(join(tmpdir(), 'wino-base-'));
writeFileSync(join(dir, 'gen-winograd.mjs'), show('scripts/gen-winograd.mjs'));
const oldGen = await import(pathToFileURL(join(dir, 'gen-winograd.mjs')).href);
const oldFields = oldGen.winogradFields().replace(/\bwino/g, 'base_wino').replace(/"winograd/g, '"base_winograd');
let oldTs = show('src/conv-winograd.ts')
  .replace(/from '\.\/([a-z-]+)\.js'/g, (_, f) => `from '${new URL(`${f}.ts`, src).href}'`)
  .replace(/from '\.\/wasm\/gemm-binary\.js'/, `from '${new URL('wasm/gemm-binary.ts', src).href}'`)
  .replace(/name: 'winograd/g, "name: 'base_winograd")
  .replace(/'winograd_filter_products_task'/g, "'base_winograd_filter_products_task'");
writeFileSync(join(dir, 'conv-winograd.ts'), oldTs);
const old = await import(pathToFileURL(join(dir, 'conv-winograd.ts')).href);
oldTs = '';

const text = gemmModuleText(DEFAULT_TILE, { shared: true });
const close = text.lastIndexOf(')');
const combined = `${text.slice(0, close)}${oldFields}\n)`;
const wabt = await wabtInit();
const features = { simd: true, threads: true, bulk_memory: true };
const binary = (t) => {
  const parsed = wabt.parseWat('ab.wat', t, features);
  try {
    parsed.validate(features);
    return new Uint8Array(parsed.toBinary({ write_debug_names: true }).buffer);
  } finally {
    parsed.destroy();
  }
};
useGemmModule({ shared: binary(combined), plain: binary(combined.replace('(memory 1 65536 shared)', '(memory 1 65536)')) });
rmSync(dir, { recursive: true });

// --shape=alex2|alex4: AlexNet's conv2 (5×5, F(4×4, 5×5) on 27×27) or conv4 (3×3, F(4×4, 3×3) on 13×13) at batch 32 instead.
const SHAPES = {
  lenet2: { n: 100, h: 12, w: 12, c: 20, r: 5, k: 50, pad: 0, groups: 1 },
  alex2: { n: 32, h: 27, w: 27, c: 96, r: 5, k: 256, pad: 2, groups: 2 },
  alex4: { n: 32, h: 13, w: 13, c: 384, r: 3, k: 384, pad: 1, groups: 2 },
};
const shape = process.argv.find((a) => a.startsWith('--shape='))?.slice('--shape='.length) ?? 'lenet2';
const { n, h, w, c, r, k, pad, groups } = SHAPES[shape];
const ho = h + 2 * pad - r + 1;
const wo = w + 2 * pad - r + 1;
const p = {
  patch: { height: h, width: w, channels: c, filterHeight: r, filterWidth: r, outHeight: ho, outWidth: wo, padTop: pad, padLeft: pad, strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 },
  n, c, k, groups, cg: c / groups, kg: k / groups, imageSize: h * w * c, pixels: ho * wo, rowLength: r * r * (c / groups),
};
const rng = new Rng(1);
const resident = (size, fill) => {
  const a = moduleFloat32(size);
  if (a === null) throw new Error('bench-winograd-ab: no resident arrays here');
  if (fill) a.set(rng.randn(size));
  return a;
};
const x = resident(n * h * w * c, true);
const f = Float32Array.from(rng.randn(r * r * (c / groups) * k));
const dy = resident(n * ho * wo * k, true);
const b = Float32Array.from(rng.randn(k));
const out = { base: { y: resident(dy.length), dx: resident(x.length), df: new Float32Array(f.length) }, new: { y: resident(dy.length), dx: resident(x.length), df: new Float32Array(f.length) } };
const impl = { base: old, new: { convForwardWinograd, convBackwardDataWinograd, convBackwardFilterWinograd } };
const passes = {
  fwd: (v) => impl[v].convForwardWinograd(p, x, f, bias ? b : 0, out[v].y, true),
  dx: (v) => impl[v].convBackwardDataWinograd(p, dy, f, out[v].dx, true),
  df: (v) => impl[v].convBackwardFilterWinograd(p, x, dy, out[v].df, true),
};
// --profile=<variant>: only that variant's passes, reps times (for node --cpu-prof), no table.
const profile = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
if (profile !== undefined) {
  const only = process.argv.find((a) => a.startsWith('--passes='))?.slice('--passes='.length).split(',');
  for (let rep = 0; rep < reps; rep++) for (const [q, run] of Object.entries(passes)) if (only === undefined || only.includes(q)) run(profile);
  process.exit(0);
}
const times = Object.fromEntries(Object.keys(passes).map((q) => [q, { base: [], new: [] }]));
const cpuTimes = Object.fromEntries(Object.keys(passes).map((q) => [q, { base: [], new: [] }]));
for (let rep = 0; rep <= reps; rep++) {
  for (const [q, run] of Object.entries(passes)) {
    for (const v of ['base', 'new', 'base', 'new']) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (!run(v)) throw new Error(`bench-winograd-ab: ${v} ${q} did not run`);
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      if (rep > 0) {
        times[q][v].push(t1 - t0);
        cpuTimes[q][v].push((c1.user + c1.system) / 1000);
      }
    }
  }
}
const median = (v) => [...v].sort((a, z) => a - z)[Math.floor(v.length / 2)];
const diff = (a, z) => {
  let m = 0;
  let same = true;
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length);
  const iz = new Int32Array(z.buffer, z.byteOffset, z.length);
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - z[i]));
    if (ia[i] !== iz[i]) same = false;
  }
  return `max |Δ| ${m.toExponential(2)}${same ? ', same bits' : ''}`;
};
console.log(`${shape}, 1 thread, ${reps} reps × 2 interleaved, base ${base}${bias ? ', bias' : ''}; ms, medians (base → new) of wall and CPU time`);
let sums = [0, 0, 0, 0];
for (const [q, t] of Object.entries(times)) {
  const [mb, mn, cb, cn] = [median(t.base), median(t.new), median(cpuTimes[q].base), median(cpuTimes[q].new)];
  sums = [sums[0] + mb, sums[1] + mn, sums[2] + cb, sums[3] + cn];
  const o = q === 'fwd' ? 'y' : q;
  console.log(`${q.padEnd(4)} wall ${mb.toFixed(2)} → ${mn.toFixed(2)} (${(mb / mn).toFixed(2)}×)  cpu ${cb.toFixed(2)} → ${cn.toFixed(2)} (${(cb / cn).toFixed(2)}×)   ${diff(out.base[o], out.new[o])}`);
}
console.log(`sum  wall ${sums[0].toFixed(2)} → ${sums[1].toFixed(2)} (${(sums[0] / sums[1]).toFixed(2)}×)  cpu ${sums[2].toFixed(2)} → ${sums[3].toFixed(2)} (${(sums[2] / sums[3]).toFixed(2)}×)`);
