/**
 * `spnorm` — spatial normalisation (MatConvNet `vl_nnspnorm`, manual §4.6.3;
 * implementation and derivative §6.6.3). With `param = [ph, pw, alpha, beta]`,
 * per channel of x `[N, H, W, C]`:
 *
 *   n²_ij = mean of x² over the ph×pw window around (i, j) clipped to the image,
 *   y_ij  = x_ij (1 + alpha n²_ij)^(−beta).
 *
 * As §6.6.3 says, n² is average pooling of x² (stride 1) with "same" padding
 * `[⌊(ph−1)/2⌋, ph−1−⌊(ph−1)/2⌋, ⌊(pw−1)/2⌋, pw−1−⌊(pw−1)/2⌋]`; average
 * pooling excludes the padding, so it divides by the number of pixels inside
 * the image ("the factor 1/W'H' is adjusted at the boundaries", §4.6.3) — a mean
 * of squares, as MatConvNet computes, although its help text says "sum". The
 * derivative, with f = 1 + alpha n² and the pooling's backward mode P*:
 *
 *   dz/dx = dz/dy · f^(−beta) − 2 alpha beta x · P*(dz/dy · f^(−beta−1) · x).
 *
 * Everything runs through backend kernels (Pool / PoolBackward with method
 * 'avg', element-wise Unary / Binary / Axpby), so any backend with those has
 * spnorm; temporaries are released by a scope. Validation beyond MatConvNet's
 * (which checks nothing): ph, pw integers ≥ 1 and alpha ≥ 0 (so f ≥ 1);
 * beta any finite number. DagNN's default param is `[2, 2, 10, 2]`; vl_nnspnorm
 * has no options, so any option name throws.
 */
import { OptionError, type PoolAttrs, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { checkNoOptions } from './lrn.js';
import { describe } from './options.js';

/** `[ph, pw, alpha, beta]`, MatConvNet's order. */
export type SpnormParam = readonly number[];

/** `spnorm` takes no options (vl_nnspnorm has none); any name throws. */
export type SpnormOptions = Record<string, never>;

interface Parsed {
  pool: PoolAttrs;
  alpha: number;
  beta: number;
}

/** Spatial normalisation, `y = x (1 + alpha · avgpool(x²))^(−beta)`. */
export function spnorm(x: Tensor, param: SpnormParam, opts?: SpnormOptions): Tensor {
  const { pool, alpha, beta } = parse('spnorm', x, param, null, opts);
  const backend = x.backend;
  return scope(() => {
    const f = energy(x, pool, alpha);
    return backend.run('Binary', { a: x, b: backend.run('Unary', { x: f }, { op: 'pow', alpha: -beta }) }, { op: 'mul' });
  });
}

/** Derivative of `spnorm` w.r.t. x projected onto `dzdy`. */
export function spnormBackward(x: Tensor, param: SpnormParam, dzdy: Tensor, opts?: SpnormOptions): Tensor {
  const { pool, alpha, beta } = parse('spnormBackward', x, param, dzdy, opts);
  const backend = x.backend;
  return scope(() => {
    const x2 = backend.run('Unary', { x }, { op: 'square', alpha: 0 });
    const f = energy(x, pool, alpha, x2);
    const direct = backend.run('Binary', { a: dzdy, b: backend.run('Unary', { x: f }, { op: 'pow', alpha: -beta }) }, { op: 'mul' });
    const dyx = backend.run('Binary', { a: dzdy, b: x }, { op: 'mul' });
    const eta = backend.run('Binary', { a: dyx, b: backend.run('Unary', { x: f }, { op: 'pow', alpha: -beta - 1 }) }, { op: 'mul' });
    const pooled = backend.run('PoolBackward', { x: x2, dy: eta }, pool);
    const through = backend.run('Binary', { a: x, b: pooled }, { op: 'mul' });
    return backend.run('Axpby', { x: direct, y: through }, { alpha: 1, beta: -2 * alpha * beta });
  });
}

/** `f = 1 + alpha · avgpool(x²)` (x² passed in when the caller has it). */
function energy(x: Tensor, pool: PoolAttrs, alpha: number, x2?: Tensor): Tensor {
  const backend = x.backend;
  const sq = x2 ?? backend.run('Unary', { x }, { op: 'square', alpha: 0 });
  const n2 = backend.run('Pool', { x: sq }, pool);
  const scaled = backend.run('Unary', { x: n2 }, { op: 'scale', alpha });
  return backend.run('Unary', { x: scaled }, { op: 'addScalar', alpha: 1 });
}

/** The "same" padding of a window of `p` pixels: `⌊(p−1)/2⌋` before, the rest after. */
export function samePadding(p: number): [number, number] {
  const before = Math.floor((p - 1) / 2);
  return [before, p - 1 - before];
}

function parse(block: string, x: Tensor, param: SpnormParam, dzdy: Tensor | null, opts: SpnormOptions | undefined): Parsed {
  checkNoOptions(block, opts);
  if (!Array.isArray(param) || param.length !== 4 || !param.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new OptionError(block, 'param', `param must be [ph, pw, alpha, beta] (4 finite numbers), got ${describe(param)}`);
  }
  const [ph, pw, alpha, beta] = param as [number, number, number, number];
  if (!Number.isInteger(ph) || ph < 1 || !Number.isInteger(pw) || pw < 1) {
    throw new OptionError(block, 'param', `param ph and pw must be integers ≥ 1, got ${ph} and ${pw}`);
  }
  if (alpha < 0) throw new OptionError(block, 'param', `param alpha must be ≥ 0, got ${alpha}`);
  backendOf(block, { x, dzdy });
  expectRank(block, 'x', x, 4);
  if (dzdy) expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  const [top, bottom] = samePadding(ph);
  const [left, right] = samePadding(pw);
  return { pool: { method: 'avg', poolSize: [ph, pw], pad: [top, bottom, left, right], stride: [1, 1] }, alpha, beta };
}
