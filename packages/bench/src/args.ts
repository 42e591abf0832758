import { OptionError } from '@convnet-ts/tensor';

/** The four workloads of issue 8. */
export const WORKLOADS = ['W1', 'W2', 'W3', 'W4'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchArgs {
  /** Fewer repetitions, and the slowest peer runs skipped (about a minute in all). */
  quick: boolean;
  /** Threads for convnet-ts (its GEMM) and for each peer that can take a thread count. */
  threads: number;
  /** Which workloads to run, in order. */
  only: Workload[];
}

/**
 * Parses `--quick`, `--threads N` (or `--threads=N`) and `--only W1,W3`.
 * `threads` goes to createCpuBackend's `threads` (the GEMM's workers) and to
 * tfjs-backend-wasm. It defaults to 1: tfjs-backend-wasm in Node has no
 * pthreads build and runs one thread whatever it is told, so 1 compares like
 * with like.
 */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { quick: false, threads: 1, only: [...WORKLOADS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new OptionError('bench', name, `${name} expected a value, got nothing`);
      return v;
    };
    if (name === '--quick' && inline === undefined) out.quick = true;
    else if (name === '--threads') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new OptionError('bench', '--threads', `--threads expected a positive integer, got ${v}`);
      out.threads = n;
    } else if (name === '--only') {
      const v = value();
      const names = v.split(',').map((s) => s.trim().toUpperCase());
      for (const w of names) {
        if (!(WORKLOADS as readonly string[]).includes(w)) {
          throw new OptionError('bench', '--only', `--only expected workloads among ${WORKLOADS.join(',')}, got ${v}`);
        }
      }
      out.only = WORKLOADS.filter((w) => names.includes(w));
    } else if (name === '--') continue;
    else throw new OptionError('bench', 'argument', `argument expected --quick, --threads N or --only W1,W2,W3,W4, got ${arg}`);
  }
  return out;
}
