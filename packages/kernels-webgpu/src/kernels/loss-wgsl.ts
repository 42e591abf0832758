import { IEEE_LOG, IEEE_SIGN, IS_FINITE, IS_NAN, IS_POSITIVE, SPECIAL_VALUES } from './wgsl.js';

/**
 * WGSL of the categorical losses over one pixel: `base` is the index of its
 * first class score, `ci` that of the labelled class (needs bindings `x`,
 * `labels`, optional `weights`, and uniforms `c`, `topk`). `classerror` and
 * `topkerror` use the rank of the labelled score in a stable descending sort,
 * mshinge the first largest other score; both as MatConvNet's vl_nnloss.
 * NaN rules, as on the CPU (kernels-cpu loss.ts): a pixel with a NaN score
 * is an error for classerror and topkerror; mhinge and mshinge of a NaN are
 * NaN (a NaN competitor wins mshinge's max, and WGSL's `max` may drop NaN, so
 * NaN is tested on the bits). softmaxlog of a row whose maximum is not finite
 * (a NaN, a +∞, or all −∞) is NaN, as the CPU's max-subtracted formula gives;
 * `log` and `binarylog` take IEEE logarithms (−log 0 = ∞, not SwiftShader's 88.03);
 * the derivatives of a NaN loss are the CPU's: NaN for log and logistic, 0
 * for the hinges (their test t > 0 fails on NaN).
 */
export const LOSS_HELPERS = (weighted: boolean): string => `${SPECIAL_VALUES}${IS_NAN}${IS_FINITE}${IS_POSITIVE}${IEEE_SIGN}${IEEE_LOG}
fn binary_error(s: f32, label: f32) -> f32 { return select(0.0, 1.0, is_nan(s) || s != label); }
fn hinge0(t: f32) -> f32 { return select(max(0.0, t), t, is_nan(t)); }
fn row_has_nan(base: u32) -> bool {
  for (var k = base; k < base + u.c; k++) { if (is_nan(x[k])) { return true; } }
  return false;
}
fn weight(p: u32) -> f32 { return ${weighted ? 'weights[p]' : '1.0'}; }
fn softplus(a: f32) -> f32 { if (is_nan(a)) { return a; } return max(a, 0.0) + log(1.0 + exp(-abs(a))); }
fn rank_of(base: u32, ci: u32) -> u32 {
  let v = x[ci];
  var r = 0u;
  for (var k = base; k < base + u.c; k++) { if (x[k] > v || (x[k] == v && k < ci)) { r++; } }
  return r;
}
fn argmax_other(base: u32, ci: u32) -> i32 {
  var best = -1;
  for (var k = base; k < base + u.c; k++) {
    if (k != ci && (best < 0 || x[k] > x[u32(best)] || (is_nan(x[k]) && !is_nan(x[u32(best)])))) { best = i32(k); }
  }
  return best;
}
fn row_max(base: u32) -> f32 {
  var m = x[base];
  for (var k = base + 1u; k < base + u.c; k++) {
    let v = x[k];
    if (is_nan(v) || (!is_nan(m) && v > m)) { m = v; }
  }
  return m;
}
fn row_sum(base: u32, m: f32) -> f32 {
  var s = 0.0;
  for (var k = base; k < base + u.c; k++) { s += exp(x[k] - m); }
  return s;
}
fn categorical_classerror(base: u32, ci: u32) -> f32 { return select(0.0, 1.0, row_has_nan(base) || rank_of(base, ci) >= 1u); }
fn categorical_topkerror(base: u32, ci: u32) -> f32 { return select(0.0, 1.0, row_has_nan(base) || rank_of(base, ci) >= u.topk); }
fn categorical_log(base: u32, ci: u32) -> f32 { return -ieee_log(x[ci]); }
fn categorical_softmaxlog(base: u32, ci: u32) -> f32 {
  let m = row_max(base);
  if (!is_finite(m)) { return nan(); }
  return m + log(row_sum(base, m)) - x[ci];
}
fn categorical_mhinge(base: u32, ci: u32) -> f32 { return hinge0(1.0 - x[ci]); }
fn categorical_mshinge(base: u32, ci: u32) -> f32 {
  let q = argmax_other(base, ci);
  if (q < 0) { return 0.0; }
  return hinge0(1.0 - x[ci] + x[u32(q)]);
}
fn categorical_classerror_backward(base: u32, ci: u32, k: u32, g: f32) -> f32 { return 0.0; }
fn categorical_topkerror_backward(base: u32, ci: u32, k: u32, g: f32) -> f32 { return 0.0; }
fn categorical_log_backward(base: u32, ci: u32, k: u32, g: f32) -> f32 {
  if (k != ci) { return 0.0; }
  if (is_nan(x[ci])) { return x[ci]; }
  return -g / max(x[ci], 1e-8);
}
fn categorical_softmaxlog_backward(base: u32, ci: u32, k: u32, g: f32) -> f32 {
  let m = row_max(base);
  if (!is_finite(m)) { return nan(); }
  return g * exp(x[k] - m) / row_sum(base, m) - select(0.0, g, k == ci);
}
fn categorical_mhinge_backward(base: u32, ci: u32, k: u32, g: f32) -> f32 {
  return select(0.0, -g, k == ci && !is_nan(x[ci]) && x[ci] < 1.0);
}
fn categorical_mshinge_backward(base: u32, ci: u32, k: u32, g: f32) -> f32 {
  let q = argmax_other(base, ci);
  if (q < 0) { return 0.0; }
  let t = 1.0 - x[ci] + x[u32(q)];
  if (is_nan(t) || t <= 0.0) { return 0.0; }
  if (k == ci) { return -g; }
  return select(0.0, g, k == u32(q));
}`;
