/**
 * `noffset` — norm-dependent offset (MatConvNet `vl_nnnoffset`,
 * matconvnet-api §1.19; DagNN `NormOffset`, default param `[1, 0.5]`). With
 * `param = [kappa, beta]` and the squared norm over channels at each pixel
 *
 *   L = max(Σ_k x_k², 1e-8),   y = x − kappa · L^beta,
 *   dz/dx = dz/dy − 2 kappa beta · L^(beta−1) · [Σ_k x_k² ≥ 1e-8] · x ⊙ Σ_k dz/dy_k.
 *
 * Decision: MatConvNet's backward drops the indicator (it uses 2x even where
 * the 1e-8 floor is active, e.g. an all-zero pixel); FIXED, the floor is a
 * constant there, so its derivative is 0 and only dz/dy passes. The two agree
 * wherever Σ_k x_k² > 1e-8.
 */
import { OptionError, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { describe } from './options.js';

/** `[kappa, beta]`. */
export type NoffsetParam = readonly [number, number] | readonly number[];

/** The floor on the squared norm (MatConvNet's). */
export const NOFFSET_FLOOR = 1e-8;

/** `x − kappa · max(Σ_channels x², 1e-8)^beta`. */
export function noffset(x: Tensor, param: NoffsetParam): Tensor {
  const [kappa, beta] = parse('noffset', x, null, param);
  const b = x.backend;
  return scope(() => {
    const { floored } = squaredNorm(x);
    const offset = b.run('Unary', { x: b.run('Unary', { x: floored }, { op: 'pow', alpha: beta }) }, { op: 'scale', alpha: kappa });
    return b.run('Binary', { a: x, b: offset }, { op: 'sub' });
  });
}

/** Derivative of `noffset` projected onto `dzdy`. */
export function noffsetBackward(x: Tensor, param: NoffsetParam, dzdy: Tensor): Tensor {
  const [kappa, beta] = parse('noffsetBackward', x, dzdy, param);
  const b = x.backend;
  const mul = (a: Tensor, c: Tensor) => b.run('Binary', { a, b: c }, { op: 'mul' });
  return scope(() => {
    const { sum, floored } = squaredNorm(x);
    // active = 1 where the floor is not in force: sign(sum − floored) is −1 there, else 0.
    const diff = b.run('Binary', { a: sum, b: floored }, { op: 'sub' });
    const active = b.run('Unary', { x: b.run('Unary', { x: diff }, { op: 'sign', alpha: 0 }) }, { op: 'addScalar', alpha: 1 });
    const grad = b.run('Unary', { x: b.run('Unary', { x: floored }, { op: 'pow', alpha: beta - 1 }) }, { op: 'scale', alpha: 2 * kappa * beta });
    const coeff = mul(mul(grad, active), b.run('ReduceSum', { x: dzdy }, { axes: [3] }));
    return b.run('Binary', { a: dzdy, b: mul(x, coeff) }, { op: 'sub' });
  });
}

/** Σ_channels x² (`[N, H, W, 1]`) and its floored value. */
function squaredNorm(x: Tensor): { sum: Tensor; floored: Tensor } {
  const b = x.backend;
  const sum = b.run('ReduceSum', { x: b.run('Unary', { x }, { op: 'square', alpha: 0 }) }, { axes: [3] });
  return { sum, floored: b.run('Unary', { x: sum }, { op: 'maxScalar', alpha: NOFFSET_FLOOR }) };
}

function parse(block: string, x: Tensor, dzdy: Tensor | null, param: NoffsetParam): [number, number] {
  backendOf(block, { x, dzdy });
  if (!Array.isArray(param) || param.length !== 2 || !param.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new OptionError(block, 'param', `param must be [kappa, beta], two finite numbers, got ${describe(param)}`);
  }
  expectRank(block, 'x', x, 4);
  if (dzdy) expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  return [param[0]!, param[1]!];
}
