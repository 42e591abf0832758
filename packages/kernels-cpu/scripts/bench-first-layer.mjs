// Times the phase-plane kernels of scripts/gen-direct.mjs alone (one thread,
// no backend, no copies): `conv_planes_images` (the forward; one channel and no
// padding: reading x in place) and `direct_planes_images` + `conv_direct_filter_task`
// (the filter derivative, gen-direct-filter.mjs's tiles of V vectors, V as
// conv-direct.ts picks it), on LeNet's conv1 (100 × 28 × 28 × 1, 5 × 5 × 1 × 20) and AlexNet's conv1
// (32 × 227 × 227 × 3, 11 × 11 × 3 × 96, stride 4), and `lenetL1` (LeNet's y from a
// 1 × 1 filter: the cost outside the taps' multiply-adds), each generator assembled
// into a small module of its own (with gemm.wat's $ld and $min) over one
// memory. With BEFORE=<paths of older gen-direct.mjs, comma-separated> the old and the
// current kernels run interleaved in one process (A, B, A, B, …) on the same
// operands, their outputs are compared bit for bit with the first's, and medians (and minima)
// are printed.
// An older generator (before gen-direct-filter.mjs) runs its own derivative tiles
// (4 taps × 8 filters) and forward without a bias start or reading x in place.
// ADD=1: the forward adds its sums into y; BIAS=1: it starts from a bias (added
// as the sums are stored; the older one adds into y filled with it first, by
// conv-tasks.ts's broadcastBias, timed with it).
// BLOCKS=16384,4096: the current kernels once per size of the derivative's blocks of dy (2^14 and 2^12
// floats ran alike on LeNet's conv1: L2 serves the 46 kB of an image's dy as fast as L1).
// Use: [BEFORE=/tmp/gen-direct-old.mjs] [ADD=1|BIAS=1] [BLOCKS=…] [R=9] [ONLY=lenet1,alex1,lenetL1] [CALLS=fwd,dzdf] node scripts/bench-first-layer.mjs
import { resolve } from 'node:path';
import wabtInit from 'wabt';
import { directFields } from './gen-direct.mjs';
import { wideTaps, wideVectors } from './gen-direct-filter.mjs';

const R = Number(process.env.R ?? 9);
const only = process.env.ONLY?.split(',');
const calls = (process.env.CALLS ?? 'fwd,dzdf').split(',');
const add = process.env.ADD === '1' ? 1 : 0;
const bias = process.env.BIAS === '1';
const TASK_WORDS = 32;
const SLACK = 8;

const variants = [{ name: 'now', fields: directFields() }];
const before = process.env.BEFORE?.split(',') ?? [];
for (const [i, path] of before.entries()) {
  variants.splice(i, 0, { name: before.length > 1 ? `before${i + 1}` : 'before', fields: (await import(resolve(path))).directFields() });
}

// BLOCKS: the current kernels once per block size (floats of dy; conv-direct.ts's DY_BLOCK_FLOATS).
if (process.env.BLOCKS) {
  const now = variants.pop();
  for (const block of process.env.BLOCKS.split(',').map(Number)) variants.push({ ...now, name: `now ${block}`, block });
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
  ['lenetL1', 100, 24, 24, 1, 1, 1, 20, 1],
].filter(([name]) => !only || only.includes(name));

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
let seed = 1;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) / 2 ** 23 - 1;
};

/** Writes `b` (K floats) `pixels` times from element `at` (conv-tasks.ts's broadcastBias). */
function broadcastBias(out, at, b, pixels) {
  const k = b.length;
  const end = at + pixels * k;
  for (let j = 0; j < k; j++) out[at + j] = b[j];
  for (let done = k; at + done < end; done *= 2) out.copyWithin(at + done, at, Math.min(at + 2 * done, end) - done);
}

for (const [name, n, H, W, C, Hf, Wf, K, s] of cases) {
  const Ho = Math.floor((H - Hf) / s) + 1;
  const Wo = Math.floor((W - Wf) / s) + 1;
  const L = Hf * Wf * C;
  const Hp = (Ho - 1) * s + Hf;
  const Wq = Math.ceil(((Wo - 1) * s + Wf) / s);
  const planeFloats = C * s * Hp * Wq;
  const rows = Math.ceil(L / 12) * 12;
  const table = new Int32Array(rows);
  for (let fy = 0; fy < Hf; fy++) for (let fx = 0; fx < Wf; fx++) for (let c = 0; c < C; c++) table[(fy * Wf + fx) * C + c] = 4 * (((fy * s + (fx % s)) * C + c) * Wq + Math.floor(fx / s));
  const xSize = H * W * C;
  const ySize = Ho * Wo * K;
  const kb = 20 * Math.ceil(K / 4);
  // Per variant: its tile (V, T) and layouts of F (4-filter tiles or 4V-filter blocks) and dF (⌈L/4⌉·4 × Kp8 or ⌈L/T⌉·T × Kb).
  for (const v of variants) {
    v.V = wideVectors(K);
    v.T = wideTaps(v.V);
    v.kb = 4 * v.V * Math.ceil(K / (4 * v.V));
    v.wide = v.fields.includes('$direct_filter_v');
    v.dfCols = v.wide ? v.kb : Math.ceil(K / 8) * 8;
  }
  const fFloats = Math.ceil(K / 4) * 4 * L;
  const dfFloats = rows * (kb + 8);
  // Float offsets: x, dy (+ slack), bias, the table, all images' planes (+ slack), scratch, per variant: F, y, dF, blocks.
  const xAt = 0;
  const dyAt = xAt + n * xSize + SLACK;
  const biasAt = dyAt + n * ySize + SLACK;
  const tableAt = biasAt + kb;
  const planesAt = tableAt + rows;
  const scratchAt = planesAt + n * planeFloats + SLACK;
  const fAt = (i) => scratchAt + 32 + i * (fFloats + n * ySize + dfFloats + 2 * TASK_WORDS + 64);
  const outAt = (i) => fAt(i) + fFloats;
  const end = fAt(variants.length);
  const pages = Math.ceil((4 * end) / 65536);
  if (memory.buffer.byteLength < 65536 * pages) memory.grow(pages - memory.buffer.byteLength / 65536);
  const heap = new Float32Array(memory.buffer);
  for (let i = 0; i < n * xSize; i++) heap[xAt + i] = rand();
  for (let i = 0; i < n * ySize; i++) heap[dyAt + i] = rand();
  const f = Float32Array.from({ length: L * K }, rand);
  const b = Float32Array.from({ length: K }, rand);
  heap.set(b, biasAt);
  for (let i = 0; i < variants.length; i++) {
    for (let l = 0; l < L; l++) for (let k = 0; k < K; k++) heap[fAt(i) + ((k >> 2) * L + l) * 4 + (k & 3)] = f[l * K + k];
  }
  new Int32Array(memory.buffer, 4 * tableAt, rows).set(table);
  const block = (i, words) => {
    const at = 4 * (outAt(i) + n * ySize + dfFloats);
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
  // The forward reads x in place: one channel, sx = 1, no padding (the cases have none).
  const inPlace = C === 1 && s === 1;
  const run = {
    fwd: (v, i) => {
      const words = { 18: 4 * xAt, 19: n, 20: 4 * outAt(i), 21: 4 * fAt(i), 22: 4 * planesAt, 28: add };
      if (v.wide) v.exports.conv_planes_images(block(i, { ...words, 28: bias ? 2 : add, 30: 4 * biasAt, 31: inPlace ? 1 : 0 }));
      else {
        if (bias) broadcastBias(heap, outAt(i), b, n * Ho * Wo);
        v.exports.conv_planes_images(block(i, { ...words, 28: bias ? 1 : add }));
      }
    },
    dzdf: (v, i) => {
      const dfAt = outAt(i) + n * ySize;
      heap.fill(0, dfAt, dfAt + dfFloats);
      const blockRows = Math.max(1, Math.floor((v.block ?? 2 ** 14) / (Wo * K)));
      const tiles = v.wide ? Math.ceil(L / v.T) * (v.kb / (4 * v.V)) : Math.ceil(L / 4) * Math.ceil(K / 8);
      v.exports.direct_planes_images(block(i, { 18: 4 * xAt, 19: n, 22: 4 * planesAt }));
      v.exports.conv_direct_filter_task(block(i, { 16: v.V, 19: n, 20: 4 * dyAt, 21: 4 * dfAt, 22: 4 * planesAt, 25: 0, 26: tiles, 29: blockRows }));
    },
  };
  // The outputs as L × K (dF) or y, whatever the variant's layout.
  const outputs = {
    fwd: (i) => heap.slice(outAt(i), outAt(i) + n * ySize),
    dzdf: (i) => {
      const v = variants[i];
      const at = outAt(i) + n * ySize;
      return Float32Array.from({ length: L * K }, (_, e) => heap[at + Math.floor(e / K) * v.dfCols + (e % K)]);
    },
  };
  for (const call of calls) {
    const times = variants.map(() => []);
    for (let r = 0; r < R + 1; r++) {
      variants.forEach((v, i) => {
        // With ADD=1 every variant adds into the same y (zeros), untimed.
        if (call === 'fwd' && add) heap.fill(0, outAt(i), outAt(i) + n * ySize);
        const t0 = performance.now();
        run[call](v, i);
        if (r > 0) times[i].push(performance.now() - t0);
      });
    }
    let same = '';
    for (let i = 1; i < variants.length; i++) {
      const [a, b] = [outputs[call](0), outputs[call](i)];
      const ua = new Uint32Array(a.buffer);
      const ub = new Uint32Array(b.buffer);
      let diff = 0;
      for (let j = 0; j < ua.length; j++) if (ua[j] !== ub[j]) diff++;
      same += diff === 0 ? `  ${variants[i].name}: same bits` : `  ${variants[i].name}: ${diff} of ${ua.length} outputs DIFFER`;
    }
    const cols = variants.map((v, i) => `${v.name} ${median(times[i]).toFixed(2)} ms (min ${Math.min(...times[i]).toFixed(2)}, ${(flops / median(times[i]) / 1e6).toFixed(1)} GFLOP/s)`);
    console.log(`${name} ${call}${call === 'fwd' && bias ? ' +bias' : ''}: ${cols.join('  ')}${same}`);
  }
}
