/**
 * Axis scales for the training plot: a domain widened to round ends and
 * 5–8 ticks on it ("nice" numbers, as d3's ticks), mapped to pixels.
 *
 * - linear: tick step 1, 2 or 5 × 10^k (2.5 × 10^k only when none fits), the
 *   domain extended to multiples of the step;
 * - log (base 10, values > 0): ticks at m × 10^k for the mantissas m of one
 *   of 1 | 1, 3 | 1, 2, 5 | 1, 2, 3, 5 | 1, 1.5, 2, 3, 5, 7 (the finest set
 *   with at most 8 ticks; every n-th decade when even 1 × 10^k gives too
 *   many), the domain extended to the neighbouring ticks. Values within less
 *   than a decade can get fewer than 5 ticks: `valueScale` then takes a
 *   linear scale instead;
 * - epochs: integers, every one when there are at most 8, else multiples of
 *   a step of 1, 2 or 5 × 10^k (and the first epoch, when not crowded).
 */

export interface Scale {
  /** The value's position in [0, 1] along the axis. */
  at(v: number): number;
  ticks: number[];
  log: boolean;
}

const MIN_TICKS = 5;
const MAX_TICKS = 8;

/** Removes float noise from a tick (0.30000000000000004 → 0.3). */
const clean = (v: number): number => Number.parseFloat(v.toPrecision(12));

/** The ticks of `step` covering [lo, hi], from the last multiple ≤ lo to the first ≥ hi. */
function linearTicks(lo: number, hi: number, step: number): number[] {
  const a = Math.floor(lo / step + 1e-9);
  const b = Math.ceil(hi / step - 1e-9);
  return Array.from({ length: b - a + 1 }, (_, i) => clean((a + i) * step));
}

export function linearScale(lo: number, hi: number): Scale {
  if (!(hi > lo)) [lo, hi] = lo === 0 ? [0, 1] : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  const p = 10 ** Math.floor(Math.log10((hi - lo) / 6));
  // Steps of 1, 2, 5 × 10^k first (2.5 × 10^k only when none fits): the one giving 5–8 ticks, closest to 6.
  const candidates = [1, 2, 5, 10, 20, 2.5, 25].map((m) => linearTicks(lo, hi, m * p));
  const fits = (t: number[]) => t.length >= MIN_TICKS && t.length <= MAX_TICKS;
  const nice = candidates.slice(0, 5).filter(fits);
  const pool = nice.length > 0 ? nice : candidates.filter(fits).length > 0 ? candidates.filter(fits) : candidates;
  const ticks = pool.reduce((best, t) => (Math.abs(t.length - 6) < Math.abs(best.length - 6) ? t : best));
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  return { at: (v) => (v - a) / (b - a), ticks, log: false };
}

const MANTISSAS = [[1], [1, 3], [1, 2, 5], [1, 2, 3, 5], [1, 1.5, 2, 3, 5, 7]];

/** The ticks m × 10^k (for m in `set`, k in decades[] stepping by `every`) from the last ≤ lo to the first ≥ hi. */
function logTicks(lo: number, hi: number, set: number[], every: number): number[] {
  const all: number[] = [];
  const k0 = Math.floor(Math.log10(lo)) - 1;
  const k1 = Math.ceil(Math.log10(hi)) + 1;
  for (let k = Math.floor(k0 / every) * every; k <= k1; k += every) for (const m of set) all.push(clean(m * 10 ** k));
  let first = 0;
  while (first + 1 < all.length && all[first + 1]! <= lo * (1 + 1e-9)) first++;
  const last = all.findIndex((t) => t >= hi * (1 - 1e-9));
  return all.slice(first, last + 1);
}

export function logScale(lo: number, hi: number): Scale {
  if (!(lo > 0)) throw new RangeError(`logScale: lo must be > 0, got ${lo}`);
  if (!(hi > lo)) [lo, hi] = [lo / 2, hi * 2];
  let ticks: number[] = [];
  // The finest mantissa set that gives at most MAX_TICKS; then every 2nd, 3rd, … decade.
  for (let every = 1; ticks.length === 0; every++) {
    for (const set of every === 1 ? [...MANTISSAS].reverse() : [[1]]) {
      const t = logTicks(lo, hi, set, every);
      if (t.length <= MAX_TICKS) {
        ticks = t;
        break;
      }
    }
  }
  const a = Math.log10(ticks[0]!);
  const b = Math.log10(ticks[ticks.length - 1]!);
  return { at: (v) => (Math.log10(v) - a) / (b - a), ticks, log: true };
}

/** A log scale for positive values spanning a decade or giving 5 ticks, else a linear one. */
export function valueScale(lo: number, hi: number, preferLog: boolean): Scale {
  if (preferLog && lo > 0) {
    const log = logScale(lo, hi);
    if (log.ticks.length >= MIN_TICKS || hi >= 10 * lo) return log;
  }
  return linearScale(lo, hi);
}

export function epochScale(first: number, last: number): Scale {
  if (first === last) return { at: () => 0.5, ticks: [first], log: false };
  const n = last - first + 1;
  let ticks: number[];
  if (n <= MAX_TICKS) ticks = Array.from({ length: n }, (_, i) => first + i);
  else {
    const p = 10 ** Math.floor(Math.log10(n / 6));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => Math.floor(last / s) - Math.ceil(first / s) + 1 <= MAX_TICKS) ?? 10 * p;
    ticks = [];
    for (let t = Math.ceil(first / step) * step; t <= last; t += step) ticks.push(t);
    // The first epoch gets a tick too when it is not crowded by the next one.
    if (ticks[0]! - first >= 0.6 * step) ticks.unshift(first);
  }
  return { at: (v) => (v - first) / (last - first), ticks, log: false };
}

/** A tick label: `0.05`, `2e-4`, `1.5`, `300`. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(clean(v));
  const [m, e] = v.toExponential().split('e');
  return `${clean(Number(m))}e${Number(e)}`;
}
