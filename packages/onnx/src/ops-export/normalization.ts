/**
 * LRN and BatchNorm.
 *
 * - `LRN` (vl_nnnormalize, manual §4.6.1), `param = [n, κ, α, β]`:
 *   y_k = x_k (κ + α Σ_{q∈Q(k)} x_q²)^(−β), Q(k) = [k − ⌊(n−1)/2⌋, k + ⌈(n−1)/2⌉].
 *   ONNX LRN sums the same window and divides its alpha by size:
 *   y = x (bias + alpha/size · Σ x²)^(−beta), so size = n, bias = κ,
 *   alpha = α·n, beta = β. ONNX Runtime accepts odd sizes only, so an even
 *   n is written as the same formula in plain operators instead:
 *   L = κ + Conv(x ⊙ x, S) with the fixed 1 × 1 filter bank
 *   S[k, q] = α for q ∈ Q(k) (else 0), and y = x / Pow(L, β).
 * - `BatchNorm` in test mode (vl_nnbnorm with moments, manual §4.6.2):
 *   y = g (x − μ)/σ + b with moments `[C, 2]` rows `[μ, σ]`, σ = sqrt(var + ε)
 *   already holding ε. ONNX BatchNormalization computes
 *   scale (x − mean)/sqrt(var + epsilon) + B, so mean = μ, var = σ² − ε,
 *   epsilon = ε (the layer's): sqrt(σ² − ε + ε) = σ. A negative σ (possible
 *   in a loaded file, not from training) is written as σ' = |σ| with the
 *   scale negated, the same function. When some σ² < ε (var would be
 *   negative), epsilon 0 and var = σ² are written instead, also exact.
 *   Of the float32 values near σ² − ε, var is the one whose
 *   fround(sqrt(var + ε)) (in double, as importOnnx computes σ back) is
 *   fround(|σ|): var steps of one float32 ulp move that σ by under one ulp,
 *   so one exists, and the round trip gives σ bit for bit.
 * The doubles the float32 attributes lose (`param`, `epsilon`) are recorded
 * in `GraphBuilder.exact`; for an even n, under the Mul node, with the
 * layer's name (`subgraph: 'LRN'`), from which importOnnx makes one LRN again.
 */
import type { BatchNorm, LRN } from '@convnet-ts/dagnn';
import { floatAttr, intAttr, intsAttr } from '../proto/attribute.js';
import { type LayerExport, nodeName, paramOf, refuse } from './context.js';

export function exportLRN(e: LayerExport<LRN>): void {
  const [n, kappa, alpha, beta] = e.block.param as [number, number, number, number];
  if (!Number.isInteger(n) || n < 1) refuse(e, `LRN window size ${n} must be a positive integer`);
  if (n % 2 === 0) {
    exportEvenLRN(e, n, kappa, alpha, beta);
    return;
  }
  e.graph.node('LRN', [e.inputs[0]!], e.outputs, nodeName(e), [intAttr('size', n), floatAttr('bias', kappa), floatAttr('alpha', alpha * n), floatAttr('beta', beta)]);
  e.graph.exact[nodeName(e)] = { param: [n, kappa, alpha, beta] };
}

export function exportBatchNorm(e: LayerExport<BatchNorm>): void {
  const g = paramOf(e, 0, 'multiplier');
  const b = paramOf(e, 1, 'bias');
  const m = paramOf(e, 2, 'moments');
  const c = e.inShapes[0]![3]!;
  if (g.values.length !== c || b.values.length !== c || m.values.length !== 2 * c) {
    refuse(e, `expected multipliers and biases of ${c} values and moments [${c}, 2] for ${c} channels, got ${g.values.length}, ${b.values.length} and ${m.values.length} values`);
  }
  const eps = e.block.epsilon;
  const mean = new Float64Array(c);
  const sigma = new Float64Array(c);
  const scale = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    mean[k] = m.values[2 * k]!; // moments [C, 2] row-major: [μ_k, σ_k]
    const s = m.values[2 * k + 1]!;
    sigma[k] = Math.abs(s);
    scale[k] = s < 0 ? -g.values[k]! : g.values[k]!;
  }
  // σ² − ε in float32, as ONNX Runtime adds ε back in float32.
  const epsilon = sigma.every((s) => Math.fround(s * s) >= Math.fround(eps)) ? eps : 0;
  const variance = sigma.map((s) => exactVariance(s, Math.fround(epsilon)));
  const G = e.graph;
  const names = [
    e.inputs[0]!,
    G.floatInit(`${g.name}|bn-scale|${m.name}`, g.name, [c], () => scale),
    G.floatInit(`${b.name}|flat`, b.name, [c], () => b.values),
    G.floatInit(`${m.name}|bn-mean`, `${m.name}_mean`, [c], () => mean),
    G.floatInit(`${m.name}|bn-var|${epsilon}`, `${m.name}_var`, [c], () => variance),
  ];
  G.node('BatchNormalization', names, e.outputs, nodeName(e), [floatAttr('epsilon', epsilon)]);
  G.exact[nodeName(e)] = { epsilon: eps };
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float32 next to the non-negative float32 `v`, up or down. */
function nextFloat32(v: number, up: boolean): number {
  f32[0] = v;
  i32[0]! += up ? 1 : -1;
  return f32[0]!;
}

/** The float32 var nearest σ² − ε with fround(sqrt(var + ε)) = fround(σ) (σ ≥ 0, ε a float32): see the module doc. */
function exactVariance(sigma: number, eps: number): number {
  const target = Math.fround(sigma);
  const back = (v: number) => Math.fround(Math.sqrt(v + eps));
  const first = Math.max(0, Math.fround(Math.fround(target * target) - eps));
  let v = first;
  for (let step = 0; step < 16; step++) {
    const s = back(v);
    if (s === target) return v;
    if (s > target && v === 0) break;
    v = nextFloat32(v, s < target);
  }
  return first;
}

/** LRN with an even window as Mul, Conv (the window sum), Add, Pow, Div: see the module doc. */
function exportEvenLRN(e: LayerExport<LRN>, n: number, kappa: number, alpha: number, beta: number): void {
  const c = e.inShapes[0]![3]!;
  const G = e.graph;
  const base = e.layer.name;
  const below = Math.floor((n - 1) / 2);
  const above = Math.ceil((n - 1) / 2);
  const band = G.floatInit(`${base}|lrn-window`, `${base}_window`, [c, c, 1, 1], () => {
    const s = new Float32Array(c * c);
    for (let k = 0; k < c; k++) for (let q = Math.max(0, k - below); q <= Math.min(c - 1, k + above); q++) s[k * c + q] = alpha;
    return s;
  });
  const x = e.inputs[0]!;
  const sq = G.fresh(`${base}_square`);
  const sum = G.fresh(`${base}_window_sum`);
  const l = G.fresh(`${base}_denominator_base`);
  const p = G.fresh(`${base}_denominator`);
  G.node('Mul', [x, x], [sq], nodeName(e, 'square'));
  G.node('Conv', [sq, band], [sum], nodeName(e, 'window_sum'), [intsAttr('kernel_shape', [1, 1])]);
  G.node('Add', [sum, G.floatInit(`${base}|kappa`, `${base}_kappa`, [], () => [kappa])], [l], nodeName(e, 'add_kappa'));
  G.node('Pow', [l, G.floatInit(`${base}|beta`, `${base}_beta`, [], () => [beta])], [p], nodeName(e, 'pow_beta'));
  G.node('Div', [x, p], e.outputs, nodeName(e, 'divide'));
  // The five nodes are one LRN layer: importOnnx makes it again (import-subgraphs.ts).
  G.exact[nodeName(e, 'square')] = { subgraph: 'LRN', layer: base, param: [n, kappa, alpha, beta] };
}
