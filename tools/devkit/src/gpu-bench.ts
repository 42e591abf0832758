/**
 * convnet-ts on the WebGPU backend (Dawn), the bench's workloads
 * (packages/bench/src/workloads.ts, same seeded data as `pnpm bench`):
 *   W1       conv forward, x 32×56×56×64 NHWC, filters 3×3×64×64, pad 1, stride 1
 *   W2 dzdx  its derivative w.r.t. x   (convBackward, noDerFilters)
 *   W2 dzdf  its derivative w.r.t. f   (convBackward, noDerData)
 *   W3       one SGD step of MatConvNet's MNIST LeNet, batch 100 (forward, backward, Axpby update)
 * and, with --cpu, the same on the CPU backend (float32) for comparison.
 *
 * Each operation: warm-up runs (pipelines compiled), then `--reps` timed runs (default 7, --quick: 1),
 * median reported. Two timings per run:
 *   done  encode + submit, then await queue.onSubmittedWorkDone() (GPU work finished, no readback)
 *   read  encode + submit, then await the result's data() (the GPU work plus reading the output back;
 *         W1/W2 dzdx outputs are 25.7 MB, W2 dzdf 147 KB, W3 the loss)
 *
 *   node gpu-bench.mjs [--quick] [--reps N] [--warmup N] [--only W1,W2,W3] [--cpu] [--threads N]
 */
import { conv, convBackward } from '@convnet-ts/blocks';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createNodeWebGPUBackend } from '@convnet-ts/kernels-webgpu/node';
import type { Backend, Tensor } from '@convnet-ts/tensor';
import { chainStep } from '../../../packages/bench/src/webgpu/convnet-webgpu.ts';
import { lenet } from '../../../packages/bench/src/webgpu/data.ts';
import { CONV, FLOPS, LENET_BATCH, makeData } from '../../../packages/bench/src/workloads.ts';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const num = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const quick = flag('--quick');
const reps = num('--reps', quick ? 1 : 7);
const warmup = num('--warmup', quick ? 1 : 2);
const threads = num('--threads', 1);
const oi = argv.indexOf('--only');
/** Rows to run (`--only W1,W3`; W2 selects both derivatives). */
const only = oi >= 0 ? argv[oi + 1]!.toUpperCase().split(',') : ['W1', 'W2', 'W3'];

const data = makeData();

type Op = () => Tensor; // encodes the work, returns the tensor whose read proves it finished

function ops(be: Backend): { ops: Record<string, Op> } {
  const t = (h: { values: Float32Array; shape: number[] }): Tensor => be.tensor(h.values, h.shape);
  const x = t(data.x);
  const f = t(data.f);
  const dy = t(data.dy);
  const opts = { pad: CONV.pad };
  // The same SGD step as the WebGPU bench's W3 (packages/bench/src/webgpu): forward, backward, Axpby update.
  const sgdStep: Op = chainStep(be, lenet(LENET_BATCH), { x: data.lenetX, labels: data.lenetLabels, params: data.lenetParams });
  return {
    ops: {
      W1: () => conv(x, f, null, opts),
      'W2 dzdx': () => convBackward(x, f, null, dy, { ...opts, noDerFilters: true }).dzdx!,
      'W2 dzdf': () => convBackward(x, f, null, dy, { ...opts, noDerData: true }).dzdf!,
      W3: sgdStep,
    },
  };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`);

async function bench(label: string, be: Backend, done: () => Promise<void>): Promise<void> {
  const { ops: table } = ops(be);
  console.log(`\n${label}: warm-up ${warmup}, ${reps} timed runs each (median)`);
  console.log('workload   mode   median       min          GFLOP/s   runs');
  for (const [name, op] of Object.entries(table)) {
    if (!only.includes(name.split(' ')[0]!)) continue;
    const gflop = FLOPS[name]! / 1e9;
    for (let i = 0; i < warmup; i++) {
      const y = op();
      await y.data();
      y.dispose();
    }
    for (const mode of ['done', 'read'] as const) {
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const s = performance.now();
        const y = op();
        if (mode === 'done') await done();
        else await y.data();
        times.push(performance.now() - s);
        y.dispose();
      }
      const med = median(times);
      console.log(
        `${name.padEnd(10)} ${mode.padEnd(6)} ${fmt(med).padEnd(12)} ${fmt(Math.min(...times)).padEnd(12)} ${(gflop / (med / 1000)).toFixed(1).padStart(8)}   ${times.map((t) => t.toFixed(1)).join(' ')}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const gpu = await createNodeWebGPUBackend();
  const info = (gpu.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  console.log(`adapter: vendor=${info?.vendor || '?'} architecture=${info?.architecture || '?'} description=${info?.description || '?'}`);
  console.log(`GFLOP per op: W1/W2 ${(FLOPS.W1! / 1e9).toFixed(2)}, W3 ${(FLOPS.W3! / 1e9).toFixed(2)} (as packages/bench counts them)`);
  await bench('webgpu', gpu, async () => {
    gpu.flush();
    await gpu.device.queue.onSubmittedWorkDone();
  });
  console.log(`webgpu stats: ${JSON.stringify(gpu.stats())}`);
  gpu.dispose();
  if (flag('--cpu')) {
    const cpu = createCpuBackend({ dtype: 'float32', threads });
    await bench(`cpu float32, ${threads} thread(s)`, cpu, async () => {});
    cpu.dispose();
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
