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

const [n, h, w, c, r, k] = [100, 12, 12, 20, 5, 50];
const ho = h - r + 1;
const wo = w - r + 1;
const p = {
  patch: { height: h, width: w, channels: c, filterHeight: r, filterWidth: r, outHeight: ho, outWidth: wo, padTop: 0, padLeft: 0, strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 },
  n, c, k, groups: 1, cg: c, kg: k, imageSize: h * w * c, pixels: ho * wo, rowLength: r * r * c,
};
const rng = new Rng(1);
const resident = (size, fill) => {
  const a = moduleFloat32(size);
  if (a === null) throw new Error('bench-winograd-ab: no resident arrays here');
  if (fill) a.set(rng.randn(size));
  return a;
};
const x = resident(n * h * w * c, true);
const f = Float32Array.from(rng.randn(r * r * c * k));
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
  for (let rep = 0; rep < reps; rep++) for (const run of Object.values(passes)) run(profile);
  process.exit(0);
}
const times = Object.fromEntries(Object.keys(passes).map((q) => [q, { base: [], new: [] }]));
for (let rep = 0; rep <= reps; rep++) {
  for (const [q, run] of Object.entries(passes)) {
    for (const v of ['base', 'new', 'base', 'new']) {
      const t0 = performance.now();
      if (!run(v)) throw new Error(`bench-winograd-ab: ${v} ${q} did not run`);
      if (rep > 0) times[q][v].push(performance.now() - t0);
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
console.log(`LeNet conv2, F(4×4, 5×5), 1 thread, ${reps} reps × 2 interleaved, base ${base}${bias ? ', bias' : ''}; ms, medians (base → new)`);
let sums = [0, 0];
for (const [q, t] of Object.entries(times)) {
  const [mb, mn] = [median(t.base), median(t.new)];
  sums = [sums[0] + mb, sums[1] + mn];
  const o = q === 'fwd' ? 'y' : q;
  console.log(`${q.padEnd(4)} ${mb.toFixed(2)} → ${mn.toFixed(2)} (${(mb / mn).toFixed(2)}×)   ${diff(out.base[o], out.new[o])}`);
}
console.log(`sum  ${sums[0].toFixed(2)} → ${sums[1].toFixed(2)} (${(sums[0] / sums[1]).toFixed(2)}×)`);
