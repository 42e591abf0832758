/**
 * Run settings of the fuzz suite: `FUZZ_RUNS` (runs per property; CI's
 * default is small, `pnpm --filter @convnet-ts/testing fuzz` asks for 1000) and
 * `FUZZ_SEED` (fast-check's seed, fixed so CI is deterministic; a failure
 * prints the seed and path that reproduce it).
 */
const env = typeof process === 'undefined' ? {} : process.env;

function nonNegativeInteger(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return v;
}

/** fast-check parameters for one property: `runs` scales the suite's default for that property. */
export function fuzzParameters(runs: number): { numRuns: number; seed: number; endOnFailure: true } {
  const scale = nonNegativeInteger('FUZZ_RUNS', 0);
  return { numRuns: scale > 0 ? scale : runs, seed: nonNegativeInteger('FUZZ_SEED', 20261201), endOnFailure: true };
}
