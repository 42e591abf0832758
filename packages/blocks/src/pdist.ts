/**
 * `pdist` — p-distance between feature vectors (MatConvNet `vl_nnpdist`,
 * manual §4.8.1, derivatives §6.8.1; matconvnet-api §1.15; DagNN `PDist`).
 * At each pixel, over the channels, with d = x − x0:
 *
 *   y = (Σ_k |d_k|^p)^(1/p)   (or, with `noRoot`, y = Σ_k |d_k|^p),   y: [N, H, W, 1],
 *   noRoot: dz/dx = dz/dy · p |d|^(p−1) sign(d);
 *   root:   dz/dx = dz/dy · max(Σ_k |d_k|^p, ε)^((1−p)/p) · |d|^(p−1) sign(d)   (= dz/dy · sign(d) for p = 1);
 *   dz/dx0 = −dz/dx, summed over the broadcast axes.
 *
 * For p < 1, |d|^(p−1) uses max(|d|, ε) and the sum is not bounded
 * (vl_nnpdist.m lines 89-99 and 113-119). `instanceWeights` (a number or a
 * tensor whose sizes are each 1 or those of y `[N, H, W, 1]`, broadcast as
 * vl_nnpdist.m's bsxfun, lines 75-76 and 125-126) multiply y per pixel; `aggregate` sums
 * everything into a `[1]` tensor (the `Loss` kernel's scalar shape). p = 1, 2
 * are special-cased as in MatConvNet.
 *
 * x0 is x-shaped or `[N, 1, 1, C]` (MatConvNet's 1×1×C×N), broadcast over the
 * pixels. Decisions on MatConvNet's behaviour:
 * - dz/dx0: MatConvNet returns −dz/dx with x's size even for a broadcast x0;
 *   FIXED, it is summed back to x0's shape — the derivative w.r.t. the x0 that
 *   was given (what DagNN must accumulate). Identical when x0 has x's shape.
 * - ε bounds Σ|d|^p, as MatConvNet does (vl_nnpdist.m lines 92, 98), not
 *   the distance y: for p = 2 the derivative's denominator is
 *   max(Σd², ε)^(1/2), whose floor is √ε (1e-3 for the default ε = 1e-6).
 */
import { formatShape, keep, OptionError, scope, ShapeError, shapesEqual, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { checkOptionNames, describe, toFlag, toNumber } from './options.js';

export interface PdistOptions {
  /** Return Σ|d|^p without the 1/p root. Default false. */
  noRoot?: boolean;
  /** Lower bound on the quantities divided by in the derivative. Default 1e-6. */
  epsilon?: number;
  /** Sum every (weighted) distance into a `[1]` tensor. Default false. */
  aggregate?: boolean;
  /** Weights of the distances: a number, or a tensor `[N or 1, H or 1, W or 1, 1]` broadcast to y. */
  instanceWeights?: Tensor | number | null;
}

export interface PdistBackwardResult {
  dzdx: Tensor;
  /** Of x0's shape. */
  dzdx0: Tensor;
}

const KNOWN = ['noRoot', 'epsilon', 'aggregate', 'instanceWeights'] as const;

/** Per-pixel p-distance between x and x0 over the channels. */
export function pdist(x: Tensor, x0: Tensor, p: number, opts: PdistOptions = {}): Tensor {
  const o = parse('pdist', x, x0, p, null, opts);
  const b = x.backend;
  return scope(() => {
    const { s } = parts(x, x0, p);
    const y = o.noRoot || p === 1 ? s : b.run('Unary', { x: s }, { op: p === 2 ? 'sqrt' : 'pow', alpha: 1 / p });
    const weighted = weigh(y, o.weights);
    if (!o.aggregate) return weighted;
    // The total outlives the scope: the [1] result may be a view of it.
    const total = keep(b.run('ReduceSum', { x: weighted }, { axes: [0, 1, 2, 3] }));
    return b.run('Reshape', { x: total }, { shape: [1] });
  });
}

/** Derivatives of `pdist` projected onto `dzdy` (`[N, H, W, 1]`, or `[1]` when aggregating). */
export function pdistBackward(x: Tensor, x0: Tensor, p: number, dzdy: Tensor, opts: PdistOptions = {}): PdistBackwardResult {
  const o = parse('pdistBackward', x, x0, p, dzdy, opts);
  const b = x.backend;
  const un = (t: Tensor, op: 'sign' | 'pow' | 'maxScalar' | 'scale' | 'sqrt' | 'neg', alpha = 0) => b.run('Unary', { x: t }, { op, alpha });
  const mul = (a: Tensor, c: Tensor) => b.run('Binary', { a, b: c }, { op: 'mul' });
  return scope(() => {
    const { d, abs, s } = parts(x, x0, p);
    // Factor per pixel [N, H, W, 1] (or [1] / [N, 1, 1, 1] when aggregating; broadcast over d below).
    let factor = weigh(dzdy, o.weights);
    if (o.noRoot) factor = un(factor, 'scale', p);
    else if (p !== 1) {
      // max(Σ|d|^p, ε)^((1−p)/p), unbounded for p < 1 (MatConvNet's three cases).
      const base = p < 1 ? s : un(s, 'maxScalar', o.epsilon);
      factor = mul(factor, un(base, 'pow', (1 - p) / p));
    }
    // g = |d|^(p−1) sign(d): sign(d) for p = 1, d for p = 2.
    const g = p === 1 ? un(d, 'sign') : p === 2 ? d : mul(un(p < 1 ? un(abs, 'maxScalar', o.epsilon) : abs, 'pow', p - 1), un(d, 'sign'));
    const dzdx = mul(g, factor);
    const summed = shapesEqual(x0.shape, x.shape) ? dzdx : b.run('ReduceSum', { x: dzdx }, { axes: [1, 2] });
    return { dzdx, dzdx0: un(summed, 'neg') };
  });
}

/** d = x − x0 (broadcast), |d|, and s = Σ_channels |d|^p `[N, H, W, 1]`. */
function parts(x: Tensor, x0: Tensor, p: number): { d: Tensor; abs: Tensor; s: Tensor } {
  const b = x.backend;
  const d = b.run('Binary', { a: x, b: x0 }, { op: 'sub' });
  const abs = b.run('Unary', { x: d }, { op: 'abs', alpha: 0 });
  const powered = p === 1 ? abs : p === 2 ? b.run('Unary', { x: d }, { op: 'square', alpha: 0 }) : b.run('Unary', { x: abs }, { op: 'pow', alpha: p });
  return { d, abs, s: b.run('ReduceSum', { x: powered }, { axes: [3] }) };
}

function weigh(t: Tensor, w: Tensor | number | null): Tensor {
  if (w === null) return t;
  if (typeof w === 'number') return t.backend.run('Unary', { x: t }, { op: 'scale', alpha: w });
  return t.backend.run('Binary', { a: t, b: w }, { op: 'mul' });
}

function parse(block: string, x: Tensor, x0: Tensor, p: number, dzdy: Tensor | null, opts: PdistOptions) {
  checkOptionNames(block, opts, KNOWN);
  const noRoot = toFlag(block, 'noRoot', opts.noRoot);
  const aggregate = toFlag(block, 'aggregate', opts.aggregate);
  const epsilon = toNumber(block, 'epsilon', opts.epsilon, 1e-6, { min: 0, minExclusive: true });
  const iw = opts.instanceWeights ?? null;
  if (iw !== null && typeof iw === 'number' && !Number.isFinite(iw)) {
    throw new OptionError(block, 'instanceWeights', `instanceWeights must be a finite number or a tensor, got ${iw}`);
  }
  const weights = typeof iw === 'number' ? null : iw;
  backendOf(block, { x, x0, instanceWeights: weights, dzdy }, dzdy == null ? ['x', 'x0'] : ['x', 'x0', 'dzdy']);
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) {
    throw new OptionError(block, 'p', `p must be a finite number > 0, got ${describe(p)}`);
  }
  expectRank(block, 'x', x, 4);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  if (!shapesEqual(x0.shape, x.shape) && !shapesEqual(x0.shape, [n, 1, 1, c])) {
    throw new ShapeError(block, 'x0', `x0 must have x's shape ${formatShape(x.shape)} or [${n}, 1, 1, ${c}], got ${formatShape(x0.shape)}`);
  }
  const pixels = [n, h, w, 1];
  if (weights && (weights.rank !== 4 || !weights.shape.every((d, i) => d === 1 || d === pixels[i]))) {
    const alt = pixels.map((d) => (d === 1 ? '1' : `${d} or 1`)).join(', ');
    throw new ShapeError(
      block,
      'instanceWeights',
      `instanceWeights must be a number or broadcast to the distances' shape ${formatShape(pixels)} (shape [${alt}], as MatConvNet's bsxfun), got ${formatShape(weights.shape)}`,
    );
  }
  if (dzdy) expectShape(block, 'dzdy', dzdy, aggregate ? [1] : [n, h, w, 1], aggregate ? 'one value: aggregate is on' : 'one value per pixel');
  return { noRoot, aggregate, epsilon, weights: iw };
}
