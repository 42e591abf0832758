// Times the LeNet step's (bench W3) memory-bound kernels alone, one thread,
// no backend and no copies: max pooling and its derivative on pool1 and
// pool2 (`pool_max_images`, `pool_max_backward_images`), the bias sums
// (`channel_sums_task`) of conv1–conv4's dy, the SGD update (`rows_map_task`'s
// Axpby) of conv3's filters and gemm-scaling.ts's scan of conv3's operands
// for tiny elements (`has_tiny`, or `magnitudes` where a module lacks it),
// on the shapes of the step. With BEFORE=<a folder holding older copies of
// some src/wasm/*.part.wat> a module assembled with those parts instead runs
// interleaved with the current one (A, B, A, B, … on one memory, the same
// operands), each output compared bit for bit with the first variant's;
// medians of R repetitions in ms. COLD=1 streams 32 MiB through the cache
// before each call (the operands then come from memory, as in the step where
// each tensor was written a few layers earlier); PAD=<floats> puts that gap
// before each output (to look for 4K aliasing between inputs and outputs).
// Use (from packages/kernels-cpu):
//   [BEFORE=/tmp/old-parts] [COLD=1] [R=15] [PAD=0] [ONLY=floor,pool,sums,axpby,mag] node scripts/bench-step-maps.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

// As gemm-module.mjs's (not imported: it loads the generators, which others may be editing).
const wasmDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'wasm');
const partFiles = () => readdirSync(wasmDir).filter((f) => f.endsWith('.part.wat')).sort();

const R = Number(process.env.R ?? 15);
const cold = process.env.COLD === '1';
const only = process.env.ONLY?.split(',');
const want = (k) => !only || only.includes(k);

// A small module of gemm.wat's `$ld` and `magnitudes` and the part files (not gemm.wat's generated
// fields: the GEMM and the convolutions are not timed here).
const gemmWat = readFileSync(join(wasmDir, 'gemm.wat'), 'utf8');
/** The balanced s-expression of `text` opening at the `(` of `head`. */
function sexpr(text, head) {
  const at = text.indexOf(head);
  if (at < 0) throw new Error(`gemm.wat: ${head} not found`);
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === ';' && text[i + 1] === ';') i = text.indexOf('\n', i);
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(at, i + 1);
  }
  throw new Error(`gemm.wat: ${head} not closed`);
}
const moduleText = (dir) => `(module (import "env" "memory" (memory 1 65536 shared))
  ${sexpr(gemmWat, '(func $ld ')}
  ${sexpr(gemmWat, '(func (export "magnitudes")')}
  ${partFiles().map((f) => readFileSync(join(dir !== undefined && existsSync(join(dir, f)) ? dir : wasmDir, f), 'utf8')).join('\n')})`;
const variants = [{ name: 'now', text: moduleText() }];
if (process.env.BEFORE !== undefined) {
  for (const f of readdirSync(process.env.BEFORE).filter((f) => f.endsWith('.part.wat'))) {
    if (!partFiles().includes(f)) throw new Error(`BEFORE: ${f} is not a part file of the module`);
  }
  variants.unshift({ name: 'before', text: moduleText(process.env.BEFORE) });
}
const wabt = await wabtInit();
const features = { simd: true, threads: true, bulk_memory: true };
const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
for (const v of variants) {
  const parsed = wabt.parseWat('gemm.wat', v.text, features);
  parsed.validate(features);
  const module = new WebAssembly.Module(parsed.toBinary({}).buffer);
  parsed.destroy();
  v.exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
}

// The memory: a bump allocator of 64-byte aligned float regions.
let top = 1024;
const regions = [];
function region(floats) {
  const at = top;
  top += Math.ceil((floats * 4 + 64) / 64) * 64;
  const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
  if (need > 0) memory.grow(need);
  regions.push(at);
  return at;
}
const f32 = (at, n) => new Float32Array(memory.buffer, at, n);
const i32 = (at, n) => new Int32Array(memory.buffer, at, n);
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) / 2 ** 23 - 1;
};
const fill = (at, n, f = rand) => {
  const a = f32(at, n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return at;
};
const flushAt = cold ? region(2 ** 23) : 0;
function flush() {
  if (!cold) return;
  const a = f32(flushAt, 2 ** 23);
  a.copyWithin(0, 2 ** 22);
  a.copyWithin(2 ** 22, 0, 2 ** 22);
}

const median = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
/**
 * Times `call(exports, out)` for every variant, interleaved; `out` is the variant's own output region of
 * `outFloats`, compared bit for bit with the first variant's after the repetitions.
 */
function bench(name, outFloats, call) {
  const outs = variants.map(() => {
    region(Number(process.env.PAD ?? 0));
    return region(outFloats);
  });
  const times = variants.map(() => []);
  for (let r = 0; r <= R; r++) {
    for (const [i, v] of variants.entries()) {
      flush();
      const s = performance.now();
      call(v.exports, outs[i]);
      const t = performance.now() - s;
      if (r > 0) times[i].push(t);
    }
  }
  const first = new Uint32Array(memory.buffer, outs[0], outFloats);
  const same = outs.slice(1).map((o) => {
    const b = new Uint32Array(memory.buffer, o, outFloats);
    for (let j = 0; j < outFloats; j++) if (first[j] !== b[j]) return `differs at ${j}`;
    return 'same';
  });
  console.log(`${name.padEnd(44)}${times.map((t) => median(t).toFixed(3).padStart(10)).join('')}   ${same.join(' ')}`);
}

console.log(`${'kernel (LeNet, batch 100)'.padEnd(44)}${variants.map((v) => v.name.padStart(10)).join('')}   (ms, medians of ${R}${cold ? ', cold cache' : ''})`);
const block = region(64);
if (want('floor')) {
  // What the memory allows: copying pool1's x (reading it and writing as much, as the derivative does) and filling it.
  const n = 100 * 24 * 24 * 20;
  const x = fill(region(n), n);
  bench('floor: copy 4.6 MB (TypedArray.set)', n, (_e, out) => f32(out, n).set(f32(x, n)));
  bench('floor: fill 4.6 MB', n, (_e, out) => f32(out, n).fill(0));
}
if (want('pool')) {
  for (const [label, H, C] of [['pool1 24×24×20', 24, 20], ['pool2 8×8×50', 8, 50]]) {
    const n = 100;
    const Ho = H / 2;
    const x = fill(region(n * H * H * C), n * H * H * C);
    const dy = fill(region(n * Ho * Ho * C), n * Ho * Ho * C);
    const words = (out) => [H, H, C, Ho, Ho, 2, 2, 2, 2, 0, 0, x, n, out, out];
    bench(`Pool ${label}`, n * Ho * Ho * C, (e, out) => {
      i32(block, 15).set(words(out));
      e.pool_max_images(block);
    });
    bench(`PoolBackward ${label}`, n * H * H * C, (e, out) => {
      i32(block, 15).set(words(dy));
      i32(block, 15)[14] = out;
      e.pool_max_backward_images(block);
    });
  }
}
if (want('sums')) {
  for (const [label, rows, C] of [['conv1 dy [100,24,24,20]', 100 * 24 * 24, 20], ['conv2 dy [100,8,8,50]', 100 * 64, 50], ['conv3 dy [100,1,1,500]', 100, 500], ['conv4 dy [100,1,1,10]', 100, 10]]) {
    const x = fill(region(rows * C), rows * C);
    const per = Math.max(1, Math.floor(2 ** 14 / C));
    const blocks = Math.ceil(rows / per);
    bench(`ReduceSum blocks ${label}`, blocks * C, (e, out) => {
      i32(block, 5).set([rows, C, x, per, out]);
      e.channel_sums_task(block);
    });
  }
}
if (want('axpby')) {
  for (const [label, n] of [['conv3 f [4,4,50,500]', 400000], ['conv2 f [5,5,20,50]', 25000]]) {
    const x = fill(region(n), n);
    const y = fill(region(n), n);
    bench(`Axpby ${label}`, n, (e, out) => {
      i32(block, 5).set([2, n, x, y, out]);
      const f = new Float64Array(memory.buffer, block + 32, 2);
      f[0] = 1;
      f[1] = -0.001;
      e.rows_map_task(block);
    });
  }
}
if (want('mag')) {
  // gemm-scaling.ts's scan of an operand: has_tiny where the module has it, else magnitudes (then min < 2^-64); the output is the decision.
  const scratch = region(2);
  for (const [label, n] of [['conv3 f 800×500', 400000], ['conv3 x 100×800', 80000], ['conv3 dy 100×500', 50000]]) {
    const x = fill(region(n), n);
    bench(`underflow scan ${label}`, 1, (e, out) => {
      if (e.has_tiny !== undefined) f32(out, 1)[0] = e.has_tiny(x, n, 0x1f800000);
      else {
        e.magnitudes(x, n, scratch);
        f32(out, 1)[0] = f32(scratch, 2)[1] < 2 ** -64 ? 1 : 0;
      }
    });
  }
}
