// Micro-kernel tiles of scripts/gen-gemm.mjs on the bare sgemm export, taking turns in one process (one
// instance each; SGEMM 1024³ and the W1 convolution's product shape 3136 × 64 × 576), medians of 9.
// Run: node [--experimental-wasm-relaxed-simd] scripts/bench-tiles.mjs 4x8,6x8,5x8s,4x8f,…
// (a tile MRxNR, suffix s: A splatted from vector loads, f: relaxed-SIMD FMA).
import { gemmModuleBinary } from './gemm-module.mjs';
function inst(bin) { const memory = new WebAssembly.Memory({ initial: 2000, maximum: 65536, shared: true }); return { memory, ex: new WebAssembly.Instance(new WebAssembly.Module(bin), { env: { memory } }).exports }; }
const tiles = (process.argv[2] ?? '4x8,5x8,6x8,8x8,4x12').split(',').map((t) => [...t.replace(/[sf]/g, '').split('x').map(Number), t.includes('s'), t.includes('f')]);
const mods = await Promise.all(tiles.map(async ([mr, nr, splat, fma]) => [`${mr}x${nr}${splat ? 's' : ''}${fma ? 'f' : ''}`, inst(await gemmModuleBinary({ mr, nr, fma, splat }))]));
const shapes = [[1024,1024,1024],[3136,64,576]];
const times = {};
for (let rep = 0; rep < 9; rep++) for (const [m,n,k] of shapes) for (const [name, {memory, ex}] of mods) {
  const h = new Float32Array(memory.buffer); const base = 4 * 1024 * 1024;
  const a = base, b = a + 4*m*k, c = b + 4*k*n;
  if (rep === 0) { for (let i = 0; i < m*k; i++) h[a/4+i] = Math.sin(i); for (let i = 0; i < k*n; i++) h[b/4+i] = Math.cos(i); }
  const t0 = performance.now();
  ex.sgemm(m, n, k, 1, a, k, 0, b, n, 0, c, n, 1024, 1024 + 4*128*256, 0);
  const t = performance.now() - t0;
  times[`${m}x${n}x${k} ${name}`] = [...(times[`${m}x${n}x${k} ${name}`] ?? []), t];
}
for (const [key, ts] of Object.entries(times)) { ts.sort((x,y)=>x-y); const [m,n,k] = key.split(' ')[0].split('x').map(Number); const med = ts[ts.length>>1]; console.log(key.padEnd(22), med.toFixed(1).padStart(8), 'ms', (2*m*n*k/med/1e6).toFixed(1).padStart(6), 'GFLOP/s'); }
