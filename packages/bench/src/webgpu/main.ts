/**
 * The WebGPU bench's command line: `pnpm bench -- --backend webgpu [options]` and the bundled
 * `.devkit/webgpu-bench.mjs` (see cli.ts) both end here.
 */
import { cpus } from 'node:os';
import { formatWebgpuTable, runWebgpuBench, type WebgpuBenchOptions } from './index.js';

export function parseWebgpuArgs(argv: readonly string[]): WebgpuBenchOptions {
  const o: WebgpuBenchOptions = { quick: false };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${flag} expects a non-negative integer, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    if (a === '--quick') o.quick = true;
    else if (a === '--tiny') o.tiny = true;
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',');
    else if (a === '--reps') o.repetitions = int(a, argv[++i]);
    else if (a === '--warmup') o.warmup = int(a, argv[++i]);
    else if (a === '--alexnet-batch') o.alexnetBatch = int(a, argv[++i]);
    else throw new RangeError(`unknown argument ${a} (known: --quick --tiny --only LIST --reps N --warmup N --alexnet-batch N)`);
  }
  return o;
}

/** Parses `argv` (without `--backend webgpu`), prints the machine, the adapter, progress and the table. */
export async function webgpuMain(argv: readonly string[]): Promise<void> {
  const t0 = performance.now();
  const opts = parseWebgpuArgs(argv);
  const list = cpus();
  console.log(`machine: ${list[0]?.model ?? 'unknown CPU'}, ${list.length} logical cores; Node ${process.version}; VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'} VK_DRIVER_FILES=${process.env.VK_DRIVER_FILES ?? 'unset'}`);
  const cells = await runWebgpuBench({ ...opts, log: (l) => console.log(l) });
  console.log(`\n${formatWebgpuTable(cells)}`);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
