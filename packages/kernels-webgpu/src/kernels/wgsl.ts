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

/**
 * x^a with the real-valued semantics of JavaScript's `**`: negative bases give
 * real results for integer exponents (sign from the exponent's parity) and NaN
 * otherwise; WGSL's `pow` alone is undefined for x < 0.
 */
export const POW = `
fn powf(x: f32, a: f32) -> f32 {
  if (a == 0.0) { return 1.0; }
  if (x == 0.0) { return select(pos_inf(), 0.0, a > 0.0); }
  let r = pow(abs(x), a);
  if (x > 0.0) { return r; }
  if (fract(a) != 0.0) { return nan(); }
  return select(r, -r, fract(a * 0.5) != 0.0);
}`;

/** σ(v) = 1/(1 + e^−v); e^−v overflowing to ∞ gives 0, not NaN. */
export const SIGMOID = `
fn sigmoid(v: f32) -> f32 { return 1.0 / (1.0 + exp(-v)); }`;

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
