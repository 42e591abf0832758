import { Worker } from 'node:worker_threads';

/** Independent accumulators in the probe's loop: enough to cover mul + add latency on two ports, within V8's 16 vector registers. */
const ACCUMULATORS = 12;
/** Multiply-add pairs per loop iteration (each on f32x4: 8 flops). */
const PAIRS = 2 * ACCUMULATORS;

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};

const f32x4 = (v: number): number[] => {
  const b = new Uint8Array(16);
  const view = new DataView(b.buffer);
  for (let i = 0; i < 4; i++) view.setFloat32(4 * i, v, true);
  return [0xfd, 0x0c, ...b];
};

/**
 * A WebAssembly module exporting `run(n: i32) → f32`: n iterations of
 * `acc_i = acc_i · m + a` (f32x4.mul then f32x4.add, no FMA in WebAssembly
 * SIMD) on ACCUMULATORS independent v128 registers, PAIRS pairs per
 * iteration; m = 0.999, a = 0.001 keep every value near 1 (no denormals).
 * Hand-assembled: the bench needs no WAT compiler.
 */
export function probeModule(): Uint8Array<ArrayBuffer> {
  const N = 0; // param
  const M = 1; // locals 1, 2: m, a; 3..: accumulators
  const A = 2;
  const acc = (i: number) => 3 + i;
  const body: number[] = [];
  body.push(...f32x4(0.999), 0x21, M, ...f32x4(0.001), 0x21, A);
  body.push(0x02, 0x40, 0x03, 0x40); // block, loop
  body.push(0x20, N, 0x45, 0x0d, 1); // if n == 0: break
  for (let p = 0; p < PAIRS; p++) {
    const i = acc(p % ACCUMULATORS);
    body.push(0x20, i, 0x20, M, 0xfd, ...leb(0xe6), 0x20, A, 0xfd, ...leb(0xe4), 0x21, i);
  }
  body.push(0x20, N, 0x41, 1, 0x6b, 0x21, N, 0x0c, 0, 0x0b, 0x0b); // n -= 1; continue; end loop, block
  body.push(0x20, acc(0));
  for (let i = 1; i < ACCUMULATORS; i++) body.push(0x20, acc(i), 0xfd, ...leb(0xe4));
  body.push(0xfd, 0x1f, 0, 0x0b); // f32x4.extract_lane 0; end
  const locals = [1, ...leb(2 + ACCUMULATORS), 0x7b];
  const code = [...leb(locals.length + body.length), ...locals, ...body];
  const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, 3, ...[...'run'].map((ch) => ch.charCodeAt(0)), 0x00, 0]),
    ...section(10, [1, ...code]),
  ]);
}

/** Flops of one iteration of the probe's loop. */
export const FLOPS_PER_ITERATION = PAIRS * 8;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes));
exports.run(workerData.warm);
const flag = new Int32Array(workerData.flag);
Atomics.add(flag, 1, 1);
Atomics.wait(flag, 0, 0);
const t0 = performance.now();
const r = exports.run(workerData.iterations);
parentPort.postMessage({ ms: performance.now() - t0, r });
`;

/**
 * WebAssembly SIMD's f32x4 mul + add throughput on `threads` workers at
 * once, in GFLOP/s: each worker compiles the probe, warms it up, waits at a
 * barrier, then runs `iterations`; flops of all / the slowest worker's time.
 * The best of `rounds`. What one WebAssembly thread can reach at most with
 * 128-bit vectors and no FMA (AVX2/AVX-512 FMA does 2-4× more per cycle natively).
 */
export async function wasmSimdPeak(threads: number, iterations = 4_000_000, rounds = 2): Promise<number> {
  const bytes = probeModule();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const flag = new SharedArrayBuffer(8);
    const view = new Int32Array(flag);
    const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: { bytes, flag, iterations, warm: 20_000 } }));
    const done = workers.map((w) => new Promise<{ ms: number }>((resolve, reject) => w.once('message', resolve).once('error', reject)));
    while (Atomics.load(view, 1) < threads) await new Promise((resolve) => setTimeout(resolve, 5));
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    const times = await Promise.all(done);
    await Promise.all(workers.map((w) => w.terminate()));
    const ms = Math.max(...times.map((t) => t.ms));
    best = Math.max(best, (threads * iterations * FLOPS_PER_ITERATION) / ms / 1e6);
  }
  return best;
}

/** The machine's measured peak at one thread count, and how it was measured. */
export interface Peak {
  threads: number;
  /** The peak the "% peak" column uses, GFLOP/s. */
  gflops: number;
  /** Where `gflops` comes from. */
  source: string;
  /** WebAssembly SIMD mul+add probe, GFLOP/s (not run with `--peak`). */
  wasmSimd?: number;
  /** Native SGEMM probe (PyTorch's torch.mm at 512³, 1024³ and 2048³, the best), GFLOP/s, when PyTorch is present. */
  nativeSgemm?: number;
}

/**
 * The peak at each thread count: `--peak` when given; else the native SGEMM
 * probe (a lower bound of the FMA peak: OpenBLAS's or MKL's SGEMM runs near
 * it) when PyTorch is present; else the WebAssembly SIMD probe (labelled).
 * With `given`, no probe runs.
 */
export async function measurePeaks(threads: readonly number[], native: ((n: number) => Promise<number>) | null, given?: number): Promise<Peak[]> {
  if (given !== undefined) return threads.map((n) => ({ threads: n, gflops: given, source: '--peak' }));
  const out: Peak[] = [];
  for (const n of threads) {
    const wasmSimd = await wasmSimdPeak(n);
    const nativeSgemm = native ? await native(n) : undefined;
    const p: Peak = { threads: n, wasmSimd, gflops: wasmSimd, source: 'WebAssembly SIMD f32x4 mul+add probe' };
    if (nativeSgemm !== undefined) Object.assign(p, { nativeSgemm, gflops: nativeSgemm, source: 'native SGEMM probe (torch.mm 512³–2048³, best)' });
    out.push(p);
  }
  return out;
}

/** The higher of two probes per thread count, field by field (a probe under load from other jobs reads low; the bench probes before and after its runs). */
export function maxPeaks(a: readonly Peak[], b: readonly Peak[]): Peak[] {
  return a.map((p, i) => {
    const q = b[i];
    if (!q || q.source !== p.source) return p;
    const best = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
    const out: Peak = { ...p, gflops: Math.max(p.gflops, q.gflops) };
    const wasmSimd = best(p.wasmSimd, q.wasmSimd);
    const nativeSgemm = best(p.nativeSgemm, q.nativeSgemm);
    if (wasmSimd !== undefined) out.wasmSimd = wasmSimd;
    if (nativeSgemm !== undefined) out.nativeSgemm = nativeSgemm;
    return out;
  });
}
