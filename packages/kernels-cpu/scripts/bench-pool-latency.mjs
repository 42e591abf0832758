// The worker pool's round trip: a two-part 1×8×1 SGEMM (almost no work) dispatched N times, microseconds per dispatch.
// Usage (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-pool-latency.mjs [N]
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { gemmPool } from '../src/gemm-threads.ts';
import { wasmArena } from '../src/wasm-gemm.ts';
import { scratchOf } from '../src/wasm-instance.ts';

const n = Number(process.argv[2] ?? 20000);
const be = createCpuBackend({ threads: 2 });
be.run('Relu', { x: be.tensor([1], [1, 1, 1, 1]) }, {});
const pool = gemmPool();
const { at } = wasmArena(64);
const call = { m: 1, n: 8, k: 1, alpha: 1, a: 4 * at, lda: 1, ta: 0, b: 4 * (at + 8), ldb: 8, tb: 0, c: 4 * (at + 16), ldc: 8 };
const calls = [call, { ...call, c: 4 * (at + 32) }];
void scratchOf;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) pool.run(calls);
  console.log(`${((1000 * (performance.now() - t0)) / n).toFixed(1)} µs per dispatch`);
}
be.dispose();
