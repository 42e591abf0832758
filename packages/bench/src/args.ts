import { cpus } from 'node:os';
import { OptionError } from '@convnet-ts/tensor';

/** The workloads: issue 8's four and issue 21's AlexNet step. */
export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Every engine the CLI knows (peers absent from the machine are skipped with a note). */
export const ENGINE_NAMES = ['convnet-ts', 'tfjs-cpu', 'tfjs-wasm', 'pytorch', 'onnxruntime'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface BenchArgs {
  /** Fewer repetitions, and the slowest peer runs skipped (a few minutes in all). */
  quick: boolean;
  /** Thread counts, each run by every engine that takes one (convnet-ts, PyTorch, ONNX Runtime); ascending, no repeats. */
  threads: number[];
  /** Which workloads to run, in order. */
  only: Workload[];
  /** Which engines to run (default all). */
  engines: EngineName[];
  /** The machine's peak in GFLOP/s for the "% peak" column, instead of the probe (`--peak`). */
  peakGflops?: number;
}

/** 1 and the machine's logical cores (just 1 on a one-core machine). */
export function defaultThreads(): number[] {
  const n = cpus().length;
  return n > 1 ? [1, n] : [1];
}

function list<T extends string>(name: string, v: string, allowed: readonly T[], upper: boolean): T[] {
  const names = v.split(',').map((s) => (upper ? s.trim().toUpperCase() : s.trim().toLowerCase()));
  for (const w of names) {
    if (!(allowed as readonly string[]).includes(w)) throw new OptionError('bench', name, `${name} expected a list among ${allowed.join(',')}, got ${v}`);
  }
  return allowed.filter((w) => names.includes(w));
}

/**
 * Parses `--quick`, `--threads 1,2` (or `--threads=2`), `--only W1,W3`,
 * `--engines convnet-ts,pytorch` and `--peak GFLOPS`. Thread counts go to
 * createCpuBackend's `threads`, `torch.set_num_threads` and ONNX Runtime's
 * `intraOpNumThreads`; tfjs runs one thread in Node whatever it is told.
 */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { quick: false, threads: defaultThreads(), only: [...WORKLOADS], engines: [...ENGINE_NAMES] };
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
      const counts = v.split(',').map(Number);
      if (!counts.every((n) => Number.isInteger(n) && n >= 1)) {
        throw new OptionError('bench', '--threads', `--threads expected positive integers separated by commas, got ${v}`);
      }
      out.threads = [...new Set(counts)].sort((a, b) => a - b);
    } else if (name === '--only') out.only = list('--only', value(), WORKLOADS, true);
    else if (name === '--engines') out.engines = list('--engines', value(), ENGINE_NAMES, false);
    else if (name === '--peak') {
      const v = value();
      const p = Number(v);
      if (!(p > 0) || !Number.isFinite(p)) throw new OptionError('bench', '--peak', `--peak expected a positive number of GFLOP/s, got ${v}`);
      out.peakGflops = p;
    } else if (name === '--') continue;
    else {
      throw new OptionError('bench', 'argument', `argument expected --quick, --threads 1,2, --only W1,…,W5, --engines NAMES or --peak GFLOPS, got ${arg}`);
    }
  }
  return out;
}
