/**
 * `normalizeLp` — Lp normalisation (MatConvNet `vl_nnnormalizelp`,
 * matconvnet-api §1.9; a manual §4.6 normalisation). Over the summed axes D:
 *
 *   s = Σ_D |x|^p + ε,   n = s^(1/p),   y = x / n,
 *   dz/dx = dz/dy / n − |x|^(p−1) sign(x) · (Σ_D dz/dy ⊙ x) / (n s)
 *
 * (n^(−1−p) = 1/(n s); for p = 2 the last factor is x · Σ_D(dz/dy ⊙ x) / n³).
 *
 * Summed axes: `dimensions` (MatConvNet's 1-based list over H×W×C×N:
 * 1 = H, 2 = W, 3 = C, 4 = N → axes 1, 2, 3, 0 of `[N, H, W, C]`; default
 * `[3]`, the channels), `spatial: true` (= dimensions [1, 2]), or `axes`
 * (0-based axes of our layout, any rank); at most one of the three.
 *
 * Decisions on MatConvNet's behaviour:
 * - p: MatConvNet sums x^p and documents only even exponents; FIXED, we sum
 *   |x|^p, which equals x^p for even p and is a norm for every p ≥ 1
 *   (p < 1 is rejected: the derivative is unbounded at 0).
 * - `exponent` (MatConvNet's alias of `p`) is accepted too. The `norms` input/
 *   output and the cuDNN / verbose flags are not offered (no cuDNN; the norms are
 *   cheap to recompute).
 */
import { OptionError, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { DIM_TO_AXIS } from './concat.js';
import { checkOptionNames, describe, toFlag, toNumber } from './options.js';

export interface NormalizeLpOptions {
  /** The exponent p ≥ 1. Default 2. */
  p?: number;
  /** MatConvNet's alias of `p`. */
  exponent?: number;
  /** Added to Σ|x|^p before the root. Default 0.01. */
  epsilon?: number;
  /** MatConvNet's 1-based dims summed over (1 = H, 2 = W, 3 = C, 4 = N). Default [3]. */
  dimensions?: readonly number[];
  /** Sum over H and W (= dimensions [1, 2]). */
  spatial?: boolean;
  /** 0-based axes of the layout summed over (any rank). */
  axes?: readonly number[];
}

const KNOWN = ['p', 'exponent', 'epsilon', 'dimensions', 'spatial', 'axes'] as const;

/** `x / (Σ_D |x|^p + ε)^(1/p)`. */
export function normalizeLp(x: Tensor, opts: NormalizeLpOptions = {}): Tensor {
  const { p, epsilon, axes } = parse('normalizeLp', x, null, opts);
  const b = x.backend;
  return scope(() => {
    const { s } = norms(x, p, epsilon, axes);
    const n = b.run('Unary', { x: s }, { op: 'pow', alpha: 1 / p });
    return b.run('Binary', { a: x, b: n }, { op: 'div' });
  });
}

/** Derivative of `normalizeLp` projected onto `dzdy`. */
export function normalizeLpBackward(x: Tensor, dzdy: Tensor, opts: NormalizeLpOptions = {}): Tensor {
  const { p, epsilon, axes } = parse('normalizeLpBackward', x, dzdy, opts);
  const b = x.backend;
  const mul = (a: Tensor, c: Tensor) => b.run('Binary', { a, b: c }, { op: 'mul' });
  return scope(() => {
    const { s, abs } = norms(x, p, epsilon, axes);
    const n = b.run('Unary', { x: s }, { op: 'pow', alpha: 1 / p });
    const t = b.run('ReduceSum', { x: mul(dzdy, x) }, { axes });
    const coeff = b.run('Binary', { a: t, b: mul(n, s) }, { op: 'div' });
    // g = |x|^(p−1) sign(x): x for p = 2, sign(x) for p = 1.
    const sign = () => b.run('Unary', { x }, { op: 'sign', alpha: 0 });
    const g = p === 2 ? x : p === 1 ? sign() : mul(b.run('Unary', { x: abs }, { op: 'pow', alpha: p - 1 }), sign());
    const first = b.run('Binary', { a: dzdy, b: n }, { op: 'div' });
    return b.run('Binary', { a: first, b: mul(g, coeff) }, { op: 'sub' });
  });
}

/** s = Σ_axes |x|^p + ε (axes kept as size 1), and |x|. */
function norms(x: Tensor, p: number, epsilon: number, axes: readonly number[]): { s: Tensor; abs: Tensor } {
  const b = x.backend;
  const abs = b.run('Unary', { x }, { op: 'abs', alpha: 0 });
  const powered = p === 2 ? b.run('Unary', { x }, { op: 'square', alpha: 0 }) : p === 1 ? abs : b.run('Unary', { x: abs }, { op: 'pow', alpha: p });
  const sum = b.run('ReduceSum', { x: powered }, { axes });
  return { s: b.run('Unary', { x: sum }, { op: 'addScalar', alpha: epsilon }), abs };
}

function parse(block: string, x: Tensor, dzdy: Tensor | null, opts: NormalizeLpOptions) {
  checkOptionNames(block, opts, KNOWN);
  if (opts.p !== undefined && opts.exponent !== undefined) {
    throw new OptionError(block, 'exponent', 'exponent is an alias of p; give one of them, got both');
  }
  const p = toNumber(block, 'p', opts.p ?? opts.exponent, 2, { min: 1 });
  const epsilon = toNumber(block, 'epsilon', opts.epsilon, 0.01, { min: 0 });
  const spatial = toFlag(block, 'spatial', opts.spatial);
  backendOf(block, { x, dzdy });
  const given = [opts.dimensions !== undefined && 'dimensions', spatial && 'spatial', opts.axes !== undefined && 'axes'].filter(Boolean);
  if (given.length > 1) {
    throw new OptionError(block, String(given[1]), `dimensions, spatial and axes choose the summed axes; give at most one, got ${given.join(' and ')}`);
  }
  let axes: number[];
  if (opts.axes !== undefined) {
    axes = toAxes(block, 'axes', opts.axes, 0, x.rank - 1, `an axis of x (rank ${x.rank})`);
  } else {
    expectRank(block, 'x', x, 4);
    const dims = spatial ? [1, 2] : toAxes(block, 'dimensions', opts.dimensions ?? [3], 1, 4, 'a dimension 1..4 (H, W, C, N)');
    axes = dims.map((d) => DIM_TO_AXIS[d as 1 | 2 | 3 | 4]);
  }
  if (dzdy) expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  return { p, epsilon, axes };
}

function toAxes(block: string, name: string, v: unknown, min: number, max: number, what: string): number[] {
  const ok =
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((a) => typeof a === 'number' && Number.isInteger(a) && a >= min && a <= max) &&
    new Set(v).size === v.length;
  if (!ok) throw new OptionError(block, name, `${name} must be a non-empty list of distinct integers, each ${what}, got ${describe(v)}`);
  return [...(v as number[])];
}
