#!/usr/bin/env node
import { parseArgs } from './args.js';
import { machine, runBench } from './run.js';
import { formatTable } from './table.js';

/** `pnpm bench [--quick] [--threads N] [--only W1,W3]`: prints the machine, the thread counts and the table. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`machine: ${machine()}`);
  console.log(`threads requested: ${args.threads}${args.quick ? ' (quick mode)' : ''}`);
  const cells = await runBench(args, undefined, (line) => console.log(line));
  console.log();
  console.log(formatTable(cells));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
