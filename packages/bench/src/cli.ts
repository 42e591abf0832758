#!/usr/bin/env node
import { parseArgs } from './args.js';
import { machine, runBench } from './run.js';
import { formatTable } from './table.js';

/** `pnpm bench [--quick] [--threads 1,2] [--only W1,W3] [--engines convnet-ts,pytorch] [--peak GFLOPS]`: prints the machine, the threads, the peaks, the sameness checks and the table. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
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
