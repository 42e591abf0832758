// GEMM 1024³ and the W1 convolution (32×56×56×64, 3×3×64×64, pad 1) with 1 and 2 threads, medians.
// Run: node --import ./scripts/ts-hooks.mjs scripts/bench-threads.mjs (from packages/kernels-cpu).
import { createCpuBackend } from '../src/index.ts';
import { gemm } from '../src/gemm.ts';
import { acquireGemmThreads } from '../src/gemm-threads.ts';
const med = (f, reps) => { f(); const t = []; for (let i = 0; i < reps; i++) { const s = performance.now(); f(); t.push(performance.now() - s); } t.sort((a, b) => a - b); return t[reps >> 1]; };
for (const threads of [1, 2, 1, 2]) {
  const lease = acquireGemmThreads(threads);
  const n = 1024; const a = new Float32Array(n * n).fill(0.5), b = new Float32Array(n * n).fill(0.25), c = new Float32Array(n * n);
  const tg = med(() => gemm(false, false, n, n, n, 1, { data: a, offset: 0, ld: n }, { data: b, offset: 0, ld: n }, 0, { data: c, offset: 0, ld: n }), 7);
  lease.release();
  const cpu = createCpuBackend({ threads });
  const x = cpu.zeros([32, 56, 56, 64]); const f = cpu.fill([3, 3, 64, 64], 0.1);
  const tc = med(() => cpu.run('Conv', { x, f, b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 }), 5);
  cpu.dispose();
  const wf = 2 * 32 * 56 * 56 * 64 * 576;
  console.log(`threads ${threads}: GEMM 1024³ ${tg.toFixed(1)} ms (${(2 * n ** 3 / tg / 1e6).toFixed(1)} GFLOP/s), W1 conv ${tc.toFixed(1)} ms (${(wf / tc / 1e6).toFixed(1)} GFLOP/s)`);
}
