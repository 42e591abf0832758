import type { LossAttrs, LossInputs, LossType, Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { LOSS_HELPERS } from './loss-wgsl.js';
import { NAN_MAX_COMBINE, ROW_MAX_SUM, ROW_TREE_MIN, reduceThreads, rowProgram, rowThreads, treeCombine, treeHelpers } from './reduce-tree.js';
import { IS_FINITE, IS_NAN, SPECIAL_VALUES } from './wgsl.js';

/**
 * Categorical and attribute losses (manual §4.7, derivatives §6.7), as on the
 * CPU: label 0 or weight 0 skips an instance, and the result is Σ w·ℓ (÷ N
 * when normalising). The forward pass is one workgroup whose threads each
 * sum the weighted losses of a strided share of the instances (pixels for
 * categorical losses, elements for attribute losses), then add their
 * partial sums as a tree in workgroup memory (a fixed order: deterministic);
 * beyond `ONE_WORKGROUP_INSTANCES` per thread, the instances' losses are
 * first written by one thread each and that one workgroup sums them (the
 * same order, so the same value). The backward pass is element-wise: a categorical element
 * recomputes its pixel's softmax or argmax from the row, except softmaxlog
 * over rows of at least `ROW_TREE_MIN` classes, which takes one workgroup
 * per pixel (the row's max and Σ e^(x − max) as trees, then every class).
 */
/** Instances per thread up to which the loss is one dispatch (a rule of sizes, unmeasured until a GPU run). */
const ONE_WORKGROUP_INSTANCES = 16;

export const lossKernels = {
  Loss: (gpu, inputs, attrs) => {
    const n = inputs.x.shape[0] ?? 1;
    const count = inputs.labels.size;
    const threads = reduceThreads(gpu.device.limits);
    const instance = `  let label = labels[i];
  let wt = weight(i);
  var v = 0.0;
  if (label != 0.0 && wt != 0.0) { v = wt * ${isAttribute(attrs.loss) ? ATTRIBUTE_LOSS[attrs.loss] : `categorical_${attrs.loss}(i * u.c, i * u.c + u32(label) - 1u)`}; }`;
    const variant = `${attrs.loss}/${inputs.weights ? 'weighted' : 'unweighted'}`;
    const scale = attrs.normalise ? 1 / n : 1;
    const y = gpu.empty([1]);
    // Thread t sums instances t, t + T, …; then the T partial sums as a tree.
    const sum = (term: string, t: Record<string, Tensor>, helpers: string) =>
      gpu.dispatch({
        kernel: 'Loss',
        variant: `${term === 't[i]' ? 'sum' : variant}/tree${threads}`,
        inputs: t,
        outputs: { y },
        u32: { ...uniforms(inputs, attrs).u32, count },
        f32: { ...uniforms(inputs, attrs).f32, scale },
        threads: 1,
        workgroups: [1, 1, 1],
        workgroupSize: threads,
        helpers: `${helpers}\n${treeHelpers(threads, ['partial'])}`,
        body: `  var acc = 0.0;
  for (var i = li; i < u.count; i += NT) {
${term === 't[i]' ? '    acc += t[i];' : `${instance}\n    acc += v;`}
  }
  partial[li] = acc;
${treeCombine('partial', (a, b) => `${a} + ${b}`)}
  if (li == 0u) { y[0] = partial[0] * u.scale; }`,
      });
    if (count <= ONE_WORKGROUP_INSTANCES * threads) {
      sum('instance', bindings(inputs), LOSS_HELPERS(inputs.weights !== null));
      return y;
    }
    const perInstance = gpu.empty([count]);
    gpu.dispatch({
      kernel: 'Loss',
      variant,
      inputs: bindings(inputs),
      outputs: { t: perInstance },
      ...uniforms(inputs, attrs),
      threads: count,
      helpers: LOSS_HELPERS(inputs.weights !== null),
      body: `${instance}\n  t[i] = v;`,
    });
    sum('t[i]', { t: perInstance }, '');
    perInstance.dispose();
    return y;
  },

  LossBackward: (gpu, inputs, attrs) => backward(gpu, inputs, attrs),
} satisfies Partial<WebGPUKernelTable>;

function backward(gpu: WebGPUBackend, inputs: LossInputs & { dzdy: Tensor }, attrs: LossAttrs): Tensor {
  const dx = gpu.empty(inputs.x.shape);
  const attribute = isAttribute(attrs.loss);
  const n = inputs.x.shape[0] ?? 1;
  const c = inputs.x.shape[inputs.x.shape.length - 1] ?? 1;
  if (attrs.loss === 'softmaxlog' && c >= ROW_TREE_MIN && softmaxlogBackwardRows(gpu, inputs, attrs, dx, c, n)) return dx;
  gpu.dispatch({
    kernel: 'LossBackward',
    variant: `${attrs.loss}/${inputs.weights ? 'weighted' : 'unweighted'}`,
    inputs: { ...bindings(inputs), dzdy: inputs.dzdy },
    outputs: { dx },
    ...uniforms(inputs, attrs),
    f32: { ...uniforms(inputs, attrs).f32, scale: attrs.normalise ? 1 / n : 1 },
    threads: dx.size,
    helpers: LOSS_HELPERS(inputs.weights !== null),
    body: attribute
      ? `  let label = labels[i];
  let wt = weight(i);
  if (label == 0.0 || wt == 0.0) { dx[i] = 0.0; return; }
  let g = dzdy[0] * u.scale * wt;
  let xi = x[i];
  dx[i] = ${ATTRIBUTE_BACKWARD[attrs.loss]};`
      : `  let p = i / u.c;
  let label = labels[p];
  let wt = weight(p);
  if (label == 0.0 || wt == 0.0) { dx[i] = 0.0; return; }
  let g = dzdy[0] * u.scale * wt;
  dx[i] = categorical_${attrs.loss}_backward(p * u.c, p * u.c + u32(label) - 1u, i, g);`,
  });
  return dx;
}

/**
 * softmaxlog's derivative with one workgroup per pixel (rows of c ≥
 * `ROW_TREE_MIN` classes): the row's max and Σ e^(x − max) as trees, then
 * dx_k = g·e^(x_k − max)/Σ − g·[k = label], g = dz/dy·scale·w (0 for label
 * or weight 0; NaN when the row's max is not finite). False when the grid does not fit.
 */
function softmaxlogBackwardRows(gpu: WebGPUBackend, inputs: LossInputs & { dzdy: Tensor }, attrs: LossAttrs, dx: Tensor, c: number, n: number): boolean {
  const threads = rowThreads(gpu, c);
  const rows = rowProgram(gpu, dx.size / c, c, threads);
  if (!rows) return false;
  gpu.dispatch({
    kernel: 'LossBackward',
    variant: `softmaxlog/${inputs.weights ? 'weighted' : 'unweighted'}/rows${threads}`,
    inputs: { ...bindings(inputs), dzdy: inputs.dzdy },
    outputs: { dx },
    u32: rows.u32,
    f32: { scale: attrs.normalise ? 1 / n : 1 },
    threads: dx.size,
    workgroups: rows.workgroups,
    workgroupSize: threads,
    helpers: `${SPECIAL_VALUES}${IS_NAN}${IS_FINITE}${NAN_MAX_COMBINE}
fn weight(p: u32) -> f32 { return ${inputs.weights ? 'weights[p]' : '1.0'}; }
${rows.arrays}`,
    body: `${ROW_MAX_SUM}
  if (!real) { return; }
  let label = labels[r];
  let wt = weight(r);
  let skip = label == 0.0 || wt == 0.0;
  let g = dzdy[0] * u.scale * wt;
  let ci = base + u32(max(label, 1.0)) - 1u;
  for (var k = li; k < u.c; k += NT) {
    let e = base + k;
    var d = 0.0;
    if (!skip) { d = select(nan(), g * exp(x[e] - m) / sum - select(0.0, g, e == ci), is_finite(m)); }
    dx[e] = d;
  }`,
  });
  return true;
}

function isAttribute(loss: LossType): boolean {
  return loss === 'binaryerror' || loss === 'binarylog' || loss === 'logistic' || loss === 'hinge';
}

function bindings(inputs: LossInputs): Record<string, Tensor> {
  return inputs.weights ? { x: inputs.x, labels: inputs.labels, weights: inputs.weights } : { x: inputs.x, labels: inputs.labels };
}

function uniforms(inputs: LossInputs, attrs: LossAttrs) {
  return { u32: { c: inputs.x.shape[inputs.x.shape.length - 1] ?? 1, topk: attrs.topK }, f32: { threshold: attrs.threshold } };
}

/** Attribute losses of element i: label c = `label`, score `x[i]`. */
const ATTRIBUTE_LOSS: Partial<Record<LossType, string>> = {
  // x − 0 is x itself: a subnormal must not be flushed by the subtraction.
  binaryerror: 'binary_error(ieee_sign(select(x[i] - u.threshold, x[i], u.threshold == 0.0)), label)',
  binarylog: '-ieee_log(label * (x[i] - 0.5) + 0.5)',
  logistic: 'softplus(-label * x[i])',
  hinge: 'hinge0(1.0 - label * x[i])',
};

const ATTRIBUTE_BACKWARD: Partial<Record<LossType, string>> = {
  binaryerror: '0.0',
  binarylog: '(-g * label) / (label * (xi - 0.5) + 0.5)',
  logistic: 'select((-g * label) / (1.0 + exp(label * xi)), xi, is_nan(xi))',
  hinge: 'select(0.0, -g * label, label * xi < 1.0)',
};
