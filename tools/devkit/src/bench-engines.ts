/**
 * The bench CLI (packages/bench/src/cli.ts) for the device kit: every flag of
 * `pnpm bench`, `--engines` included (the thread sweep needs only convnet-ts).
 *
 *   node bench-engines.mjs --engines convnet-ts [--quick] [--threads 1,2] [--only W1,W3]
 */
import { formatTable, machine, parseArgs, runBench } from '@convnet-ts/bench';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`machine: ${machine()}`);
  console.log(`threads: ${args.threads.join(', ')}${args.quick ? ' (quick mode)' : ''}; engines: ${args.engines.join(', ')}`);
  const report = await runBench(args, (line) => console.log(line));
  console.log();
  console.log(formatTable(report.cells, report.peaks));
  for (const n of report.notes) console.log(n);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
