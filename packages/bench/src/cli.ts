#!/usr/bin/env node
import { OptionError } from '@convnet-ts/tensor';
import { parseArgs } from './args.js';
import { machine, runBench } from './run.js';
import { formatTable } from './table.js';

/**
 * `--backend cpu|webgpu` (default cpu), taken out of `argv`: the WebGPU rows (src/webgpu) have
 * options of their own.
 */
function takeBackend(argv: string[]): 'cpu' | 'webgpu' {
  const i = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  if (i < 0) return 'cpu';
  const inline = argv[i]!.startsWith('--backend=');
  const v = inline ? argv[i]!.slice('--backend='.length) : argv[i + 1];
  argv.splice(i, inline ? 1 : 2);
  if (v !== 'cpu' && v !== 'webgpu') throw new OptionError('bench', '--backend', `--backend expected cpu or webgpu, got ${v ?? 'nothing'}`);
  return v;
}

/**
 * `pnpm bench [--quick] [--threads 1,2] [--only W1,W3] [--engines convnet-ts,pytorch] [--peak GFLOPS]`: prints the machine, the threads, the peaks, the sameness checks and the table.
 * `pnpm bench -- --backend webgpu [--quick] [--only W1,W2,W3,W4,AlexNet] [--reps N]`: the WebGPU rows, convnet-ts against tfjs-backend-webgpu (src/webgpu/main.ts).
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (takeBackend(argv) === 'webgpu') {
    const { webgpuMain } = await import('./webgpu/main.js');
    await webgpuMain(argv);
    return;
  }
  const args = parseArgs(argv);
  console.log(`machine: ${machine()}`);
  console.log(`threads: ${args.threads.join(', ')}${args.quick ? ' (quick mode)' : ''}`);
  const report = await runBench(args, (line) => console.log(line));
  console.log();
  console.log(formatTable(report.cells, report.peaks));
  for (const n of report.notes) console.log(n);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
