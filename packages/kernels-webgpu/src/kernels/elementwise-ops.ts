import type { BinaryOp, UnaryOp } from '@convnet-ts/tensor';

/**
 * WGSL of each unary op on `v` (alpha is the uniform `u.alpha`), with the
 * CPU's (JavaScript's) special values: NaN stays NaN, log 0 = −∞, sign and
 * sqrt of a subnormal read its bits, max propagates NaN.
 */
export const UNARY: Record<UnaryOp, string> = {
  neg: '-v',
  abs: 'abs(v)',
  sign: 'ieee_sign(v)',
  exp: 'ieee_exp(v)',
  log: 'ieee_log(v)',
  sqrt: 'ieee_sqrt(v)',
  square: 'v * v',
  recip: '1.0 / v',
  pow: 'powf(v, u.alpha)',
  scale: 'u.alpha * v',
  addScalar: 'v + u.alpha',
  maxScalar: 'nan_max(v, u.alpha)',
};

/** WGSL of each binary op on `p` and `q`, NaN propagated as on the CPU. */
export const BINARY: Record<BinaryOp, string> = {
  add: 'p + q',
  sub: 'p - q',
  mul: 'p * q',
  div: 'ieee_div(p, q)',
  max: 'nan_max(p, q)',
  min: 'nan_min(p, q)',
};
