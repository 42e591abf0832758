/** WGSL snippets shared by several kernels. */

/**
 * IEEE special values. WGSL has no literals for them and rejects constant
 * expressions that evaluate to them, so the bits go through a `var`.
 */
export const SPECIAL_VALUES = `
fn from_bits(b: u32) -> f32 { var v = b; return bitcast<f32>(v); }
fn nan() -> f32 { return from_bits(0x7fc00000u); }
fn neg_inf() -> f32 { return from_bits(0xff800000u); }
fn pos_inf() -> f32 { return from_bits(0x7f800000u); }`;

/** NaN test on the bits (a compiler may fold `v != v` to false). */
export const IS_NAN = `
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }`;

/** Finite test on the bits (exponent not all ones). */
export const IS_FINITE = `
fn is_finite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }`;

/**
 * v > 0 on the bits: true for positive subnormals, which a GPU may flush to
 * 0 before comparing (WGSL allows it; SwiftShader does), and +∞; false for
 * ±0, negatives and NaN.
 */
export const IS_POSITIVE = `
fn is_positive(v: f32) -> bool { return bitcast<u32>(v) - 1u < 0x7f800000u; }`;

/**
 * ln v with IEEE's special values, which WGSL leaves undefined (SwiftShader's
 * log(0) is −88.03): ln ±0 = −∞, ln of a negative number or NaN = NaN,
 * ln ∞ = ∞, and a positive subnormal v = m·2^−149 (which the GPU may flush
 * to 0) from its bits, ln m − 149 ln 2. Needs SPECIAL_VALUES.
 */
export const IEEE_LOG = `
fn ieee_log(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) == 0u) { return neg_inf(); }
  if (b > 0x7f800000u) { return nan(); }
  if (b == 0x7f800000u) { return v; }
  if (b < 0x00800000u) { return log(f32(b)) - 103.27892990343185; }
  return log(v);
}`;

/**
 * sign(v) with NaN kept and subnormals signed, on the bits (WGSL's sign may
 * flush a subnormal to 0 and leaves NaN undefined). Needs IS_NAN and IS_POSITIVE.
 */
export const IEEE_SIGN = `
fn ieee_sign(v: f32) -> f32 {
  if (is_nan(v)) { return v; }
  if (is_positive(v)) { return 1.0; }
  if (is_positive(bitcast<f32>(bitcast<u32>(v) ^ 0x80000000u))) { return -1.0; }
  return 0.0;
}`;

/**
 * e^v with NaN kept (WGSL leaves exp(NaN) undefined), e^−∞ = 0 and e^∞ = ∞.
 * Needs IS_NAN.
 */
export const IEEE_EXP = `
fn ieee_exp(v: f32) -> f32 {
  if (is_nan(v)) { return v; }
  return exp(v);
}`;

/**
 * max and min that propagate NaN as JavaScript's Math.max/Math.min (WGSL's
 * may return either operand). Needs SPECIAL_VALUES and IS_NAN.
 */
export const NAN_MAX_MIN = `
fn nan_max(p: f32, q: f32) -> f32 { if (is_nan(p) || is_nan(q)) { return nan(); } return max(p, q); }
fn nan_min(p: f32, q: f32) -> f32 { if (is_nan(p) || is_nan(q)) { return nan(); } return min(p, q); }`;

/**
 * x^a with the semantics of JavaScript's `**` (IEEE pow): negative bases give
 * real results for integer exponents (sign from the exponent's parity) and NaN
 * otherwise; NaN stays NaN (x^0 = 1); (±0)^a and (±∞)^a by the sign of a,
 * −0 and −∞ keeping their sign for odd integers a; a subnormal base from its
 * bits, 2^(a·(log2 m − 149)) (the GPU may flush it to 0). WGSL's `pow` alone
 * is undefined for x ≤ 0 and NaN. Needs SPECIAL_VALUES and IS_NAN.
 */
export const POW = `
fn powf(x: f32, a: f32) -> f32 {
  if (a == 0.0) { return 1.0; }
  if (is_nan(x) || is_nan(a)) { return nan(); }
  let b = bitcast<u32>(x);
  let negative = b >= 0x80000000u;
  let mag = b & 0x7fffffffu;
  let odd = fract(a) == 0.0 && fract(a * 0.5) != 0.0;
  var r = 0.0;
  if (mag == 0u) {
    r = select(pos_inf(), 0.0, a > 0.0);
  } else if (mag == 0x7f800000u) {
    r = select(0.0, pos_inf(), a > 0.0);
  } else {
    if (negative && fract(a) != 0.0) { return nan(); }
    if (mag < 0x00800000u) { r = exp2(a * (log2(f32(mag)) - 149.0)); } else { r = pow(abs(x), a); }
  }
  return select(r, -r, negative && odd);
}`;

/** σ(v) = 1/(1 + e^−v); e^−v overflowing to ∞ gives 0, not NaN; σ(NaN) = NaN. Needs IS_NAN. */
export const SIGMOID = `
fn sigmoid(v: f32) -> f32 { if (is_nan(v)) { return v; } return 1.0 / (1.0 + exp(-v)); }`;

/**
 * The PCG hash and counter-based uniform of \`@convnet-ts/tensor\`'s rng.ts,
 * bit for bit: u32 arithmetic in WGSL wraps modulo 2^32 like \`Math.imul … >>> 0\`.
 */
export const PCG = `
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
fn hash_bits24(seed: u32, index: u32) -> u32 { return pcg_hash(index + pcg_hash(seed)) >> 8u; }`;

/** √v of a subnormal m·2^−149 from its bits, √m·2^−74.5 (the GPU may flush it to 0); NaN if negative. */
export const IEEE_SQRT = `
fn ieee_sqrt(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  if (b > 0u && b < 0x00800000u) { return sqrt(f32(b)) * 3.743392130574644e-23; }
  if (b > 0x80000000u && b < 0x80800000u) { return nan(); }
  return sqrt(v);
}`;

/**
 * p / q when an operand is subnormal (the GPU may flush it, making 1e-40/1e-40
 * 0/0): both scaled by 2^64 first, a subnormal m·2^−149 rebuilt from its bits
 * as m·2^−85.
 */
export const IEEE_DIV = `
fn is_subnormal(v: f32) -> bool { let b = bitcast<u32>(v) & 0x7fffffffu; return b > 0u && b < 0x00800000u; }
fn up64(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  if (!is_subnormal(v)) { return v * 18446744073709551616.0; }
  return select(1.0, -1.0, b >= 0x80000000u) * f32(b & 0x007fffffu) * 2.5849394142282115e-26;
}
fn ieee_div(p: f32, q: f32) -> f32 {
  if (is_subnormal(p) || is_subnormal(q)) { return up64(p) / up64(q); }
  return p / q;
}`;
