/**
 * The WebGPU bench on its own. The workspace has no tsx, so run it bundled (esbuild, as the device kit):
 *
 *   node tools/devkit/build.mjs --entry webgpu-bench --bundles-only
 *   node .devkit/webgpu-bench.mjs [--quick] [--only W1,W2,W3,W4,AlexNet] [--reps N] [--warmup N] [--alexnet-batch N] [--tiny]
 *
 * (`webgpu` must resolve from .devkit: see src/webgpu/README.md), with `node --import tsx
 * packages/bench/src/webgpu/cli.ts …` where tsx is installed, or from dist after the package builds:
 * `node packages/bench/dist/webgpu/cli.js …`.
 *
 * Without a GPU, set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader: its times
 * say nothing about GPU speed). Prints the adapter, the machine and the table.
 */
import { cpus } from 'node:os';
import { formatWebgpuTable, runWebgpuBench, type WebgpuBenchOptions } from './index.js';

function parse(argv: readonly string[]): WebgpuBenchOptions {
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

async function main(): Promise<void> {
  const t0 = performance.now();
  const opts = parse(process.argv.slice(2));
  const list = cpus();
  console.log(`machine: ${list[0]?.model ?? 'unknown CPU'}, ${list.length} logical cores; Node ${process.version}; VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'} VK_DRIVER_FILES=${process.env.VK_DRIVER_FILES ?? 'unset'}`);
  const cells = await runWebgpuBench({ ...opts, log: (l) => console.log(l) });
  console.log(`\n${formatWebgpuTable(cells)}`);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
