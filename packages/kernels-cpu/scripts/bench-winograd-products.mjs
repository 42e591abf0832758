// GFLOP/s of the Winograd products' kernels (gen-winograd.mjs's
// `productFunction`) with other block shapes (rows × f32x4 vectors of
// columns) on LeNet's conv2 product shapes under F(4×4, 5×5): the forward
// (64 tile rows × 52 filters, depth 20), the data derivative (64 × 20, depth
// 50) and the filter derivative (20 channels × 52, depth 64, added into C),
// each shape's kernels taking turns in one process; medians of 15 runs of
// 3000 calls. The shipped blocks are `PRODUCT_BLOCKS` (4 × 2).
// Run (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-winograd-products.mjs [4x2,2x4,…]
import wabtInit from 'wabt';
import { useGemmModule } from '../src/gemm-threads.ts';
import { wasmArena } from '../src/wasm-gemm.ts';
import { gemmInstance } from '../src/wasm-instance.ts';
import { DEFAULT_TILE, gemmModuleText } from './gemm-module.mjs';
import { productFunction } from './gen-winograd.mjs';

const blocks = (process.argv[2] ?? '4x2,2x4,3x3,5x2,6x2,1x4').split(',').map((b) => b.split('x').map(Number));
const text = gemmModuleText(DEFAULT_TILE, { shared: true });
const close = text.lastIndexOf(')');
const kernels = blocks.map(([r, v]) => productFunction('rows', [r, v], `pr${r}x${v}`) + productFunction('cols', [r, v], `pc${r}x${v}`)).join('\n');
const source = `${text.slice(0, close)}${kernels}\n)`;
const wabt = await wabtInit();
const features = { simd: true, threads: true, bulk_memory: true };
const binary = (t) => {
  const parsed = wabt.parseWat('products.wat', t, features);
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
};
useGemmModule({ shared: binary(source), plain: binary(source.replace('(memory 1 65536 shared)', '(memory 1 65536)')) });
const e = gemmInstance().exports;
const { heap, at } = wasmArena(1 << 20);
for (let i = 0; i < 1 << 20; i++) heap[at + i] = Math.random() - 0.5;
const [A, B, C] = [4 * at, 4 * (at + 100000), 4 * (at + 200000)];
const cases = {};
const flops = {};
for (const [r, v] of blocks) {
  const b = `${r}x${v}`;
  cases[`forward ${b}`] = () => e[`pr${b}`](A, 80, 4, B, 208, C, 208, 64, 52, 20, 0);
  flops[`forward ${b}`] = 64 * 52 * 20 * 2;
  cases[`data ${b}`] = () => e[`pr${b}`](A, 208, 4, B, 80, C, 80, 64, 20, 50, 0);
  flops[`data ${b}`] = 64 * 20 * 50 * 2;
  cases[`filter ${b}`] = () => e[`pc${b}`](A, 4, 80, B, 208, C, 208, 20, 52, 64, 1);
  flops[`filter ${b}`] = 20 * 52 * 64 * 2;
}
const calls = 3000;
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let rep = 0; rep < 15; rep++) {
  for (const [k, run] of Object.entries(cases)) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    times[k].push(performance.now() - t0);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log('GFLOP/s, medians (one thread):');
for (const [k, t] of Object.entries(times)) console.log(`${k.padEnd(14)} ${((flops[k] * calls) / median(t) / 1e6).toFixed(1)}`);
