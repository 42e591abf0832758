/**
 * The bench CLI (packages/bench/src/cli.ts) with one more flag, `--engines`,
 * to run a subset of the engines (the thread sweep needs only convnet-ts:
 * the tfjs peers take no thread count that changes anything in Node).
 *
 *   node bench-engines.mjs --engines convnet-ts [--quick] [--threads N] [--only W1,W3]
 */
import { ENGINES, type EngineName, formatTable, machine, parseArgs, runBench } from '@convnet-ts/bench';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let engines: EngineName[] = [...ENGINES];
  const i = argv.findIndex((a) => a === '--engines' || a.startsWith('--engines='));
  if (i >= 0) {
    const v = argv[i]!.includes('=') ? argv[i]!.slice(argv[i]!.indexOf('=') + 1) : argv[i + 1];
    argv.splice(i, argv[i]!.includes('=') ? 1 : 2);
    const names = (v ?? '').split(',').map((s) => s.trim());
    for (const n of names) if (!(ENGINES as readonly string[]).includes(n)) throw new Error(`--engines expected among ${ENGINES.join(',')}, got ${v}`);
    engines = ENGINES.filter((e) => names.includes(e));
  }
  const args = parseArgs(argv);
  console.log(`machine: ${machine()}`);
  console.log(`threads requested: ${args.threads}${args.quick ? ' (quick mode)' : ''}; engines: ${engines.join(', ')}`);
  const cells = await runBench(args, engines, (line) => console.log(line));
  console.log();
  console.log(formatTable(cells));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
