// Times the phase-plane kernels of scripts/gen-direct.mjs alone (one thread,
// no backend, no copies): `conv_planes_images` (the forward) and
// `direct_planes_images` + `conv_direct_filter_task` (the filter derivative)
// on LeNet's conv1 (100 × 28 × 28 × 1, 5 × 5 × 1 × 20) and AlexNet's conv1
// (32 × 227 × 227 × 3, 11 × 11 × 3 × 96, stride 4), each generator assembled
// into a small module of its own (with gemm.wat's $ld and $min) over one
// memory. With BEFORE=<paths of older gen-direct.mjs, comma-separated> the old and the
// current kernels run interleaved in one process (A, B, A, B, …) on the same
// operands, their outputs are compared bit for bit with the first's, and medians (and minima)
// are printed.
// Use: [BEFORE=/tmp/gen-direct-old.mjs] [ADD=1] [R=9] [ONLY=lenet1,alex1] [CALLS=fwd,dzdf] node scripts/bench-first-layer.mjs
import { resolve } from 'node:path';
import wabtInit from 'wabt';
import { directFields } from './gen-direct.mjs';

const R = Number(process.env.R ?? 9);
const only = process.env.ONLY?.split(',');
const calls = (process.env.CALLS ?? 'fwd,dzdf').split(',');
// ADD=1: the forward adds its sums into y (as with a bias), else stores them.
const add = process.env.ADD === '1' ? 1 : 0;
const TASK_WORDS = 32;
const SLACK = 8;

const variants = [{ name: 'now', fields: directFields() }];
const before = process.env.BEFORE?.split(',') ?? [];
for (const [i, path] of before.entries()) {
  variants.splice(i, 0, { name: before.length > 1 ? `before${i + 1}` : 'before', fields: (await import(resolve(path))).directFields() });
}

const wabt = await wabtInit();
const features = { simd: true, bulk_memory: true };
const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
for (const v of variants) {
  const text = `(module (import "env" "memory" (memory 1 65536))
  (func $min (param $x i32) (param $y i32) (result i32) (select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y))))
  (func $ld (param $d i32) (param $w i32) (result i32) (i32.load (i32.add (local.get $d) (i32.shl (local.get $w) (i32.const 2)))))
  ${v.fields})`;
  const parsed = wabt.parseWat('direct.wat', text, features);
  parsed.validate(features);
  const module = new WebAssembly.Module(parsed.toBinary({}).buffer);
  parsed.destroy();
  v.exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
}

// [name, n, H, W, C, Hf, Wf, K, stride]: no padding (as the layers).
const cases = [
  ['lenet1', 100, 28, 28, 1, 5, 5, 20, 1],
  ['alex1', 32, 227, 227, 3, 11, 11, 96, 4],
].filter(([name]) => !only || only.includes(name));

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
let seed = 1;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) / 2 ** 23 - 1;
};

for (const [name, n, H, W, C, Hf, Wf, K, s] of cases) {
  const Ho = Math.floor((H - Hf) / s) + 1;
  const Wo = Math.floor((W - Wf) / s) + 1;
  const L = Hf * Wf * C;
  const Hp = (Ho - 1) * s + Hf;
  const Wq = Math.ceil(((Wo - 1) * s + Wf) / s);
  const planeFloats = C * s * Hp * Wq;
  const rows = Math.ceil(L / 4) * 4;
  const table = new Int32Array(rows);
  for (let fy = 0; fy < Hf; fy++) for (let fx = 0; fx < Wf; fx++) for (let c = 0; c < C; c++) table[(fy * Wf + fx) * C + c] = 4 * (((fy * s + (fx % s)) * C + c) * Wq + Math.floor(fx / s));
  const kp = Math.ceil(K / 8) * 8;
  const tiles = (rows / 4) * (kp / 8);
  const fTiles = Math.ceil(K / 4) * L * 4;
  const xSize = H * W * C;
  const ySize = Ho * Wo * K;
  // Float offsets: x, y (+ slack), dy (+ slack), F tiles, the table, all images' planes (+ slack), scratch, per variant: y, dF, blocks.
  const xAt = 0;
  const dyAt = xAt + n * xSize + SLACK;
  const fAt = dyAt + n * ySize + SLACK;
  const tableAt = fAt + fTiles;
  const planesAt = tableAt + rows;
  const scratchAt = planesAt + n * planeFloats + SLACK;
  const outAt = (i) => scratchAt + 16 + i * (n * ySize + rows * kp + 2 * TASK_WORDS + 64);
  const end = outAt(variants.length);
  const pages = Math.ceil((4 * end) / 65536);
  if (memory.buffer.byteLength < 65536 * pages) memory.grow(pages - memory.buffer.byteLength / 65536);
  const heap = new Float32Array(memory.buffer);
  for (let i = 0; i < n * xSize; i++) heap[xAt + i] = rand();
  for (let i = 0; i < n * ySize; i++) heap[dyAt + i] = rand();
  for (let l = 0; l < L; l++) for (let k = 0; k < K; k++) heap[fAt + ((k >> 2) * L + l) * 4 + (k & 3)] = rand();
  new Int32Array(memory.buffer, 4 * tableAt, rows).set(table);
  const block = (i, words) => {
    const at = 4 * (outAt(i) + n * ySize + rows * kp);
    const b = new Int32Array(memory.buffer, at, TASK_WORDS).fill(0);
    b.set([H, W, C, Hf, Wf, Ho, Wo, s, s, 0, 0, Hp, s * C * Wq, Wq]);
    b[17] = K;
    b[23] = 4 * planeFloats;
    b[24] = 4 * tableAt;
    b[27] = 4 * scratchAt;
    for (const [w, v] of Object.entries(words)) b[Number(w)] = v;
    return at;
  };
  const flops = 2 * n * Ho * Wo * K * L;
  const run = {
    // The forward, one image's planes at a time (as convForwardPlanes: y stored).
    fwd: (v, i) => v.exports.conv_planes_images(block(i, { 18: 4 * xAt, 19: n, 20: 4 * outAt(i), 21: 4 * fAt, 22: 4 * planesAt, 28: add })),
    // The filter derivative (as convBackwardFilterDirect, one pass): the planes, then every tile.
    dzdf: (v, i) => {
      const dfAt = outAt(i) + n * ySize;
      heap.fill(0, dfAt, dfAt + rows * kp);
      v.exports.direct_planes_images(block(i, { 18: 4 * xAt, 19: n, 22: 4 * planesAt }));
      v.exports.conv_direct_filter_task(
        block(i, { 19: n, 20: 4 * dyAt, 21: 4 * dfAt, 22: 4 * planesAt, 25: 0, 26: tiles, 29: Math.max(1, Math.floor(2 ** 14 / (Wo * K))) }),
      );
    },
  };
  const outputs = { fwd: (i) => heap.subarray(outAt(i), outAt(i) + n * ySize), dzdf: (i) => heap.subarray(outAt(i) + n * ySize, outAt(i) + n * ySize + rows * kp) };
  for (const call of calls) {
    const times = variants.map(() => []);
    for (let r = 0; r < R + 1; r++) {
      variants.forEach((v, i) => {
        const t0 = performance.now();
        run[call](v, i);
        if (r > 0) times[i].push(performance.now() - t0);
      });
    }
    let same = '';
    for (let i = 1; i < variants.length; i++) {
      const [a, b] = [outputs[call](0), outputs[call](i)];
      const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
      const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
      let diff = 0;
      let all = 0;
      for (let j = 0; j < ua.length; j++) {
        if (call === 'dzdf' && (j % kp >= K || j >= L * kp)) continue; // dF's padding rows and columns
        all++;
        if (ua[j] !== ub[j]) diff++;
      }
      same += diff === 0 ? `  ${variants[i].name}: same bits` : `  ${variants[i].name}: ${diff} of ${all} outputs DIFFER`;
    }
    const cols = variants.map((v, i) => `${v.name} ${median(times[i]).toFixed(2)} ms (min ${Math.min(...times[i]).toFixed(2)}, ${(flops / median(times[i]) / 1e6).toFixed(1)} GFLOP/s)`);
    console.log(`${name} ${call}: ${cols.join('  ')}${same}`);
  }
}
