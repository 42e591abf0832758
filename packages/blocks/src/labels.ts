/**
 * Labels and instance weights of the loss blocks, converted to the layout of
 * the `Loss` kernel (MatConvNet vl_nnloss's three label forms, api §1.13):
 *
 * 1. one label per image (N values: an array of length N, or a tensor `[N]`
 *    or `[N, 1, 1, 1]`), broadcast over the pixels;
 * 2. one class label per pixel, `[N, H, W, 1]` (categorical losses);
 * 3. one ±1 label per attribute, `[N, H, W, C]` (attribute losses).
 *
 * Class labels are 1..C as in MatConvNet (not 0-based); 0 means "ignore" in
 * every form. Arrays are read row-major (NHWC).
 *
 * Label and instance-weight values are always checked, on the host, before
 * any kernel runs (`hostValues` of @convnet-ts/tensor): arrays directly,
 * tensors through `readSync` (the CPU) or, on a backend that cannot read
 * synchronously (WebGPU), through the host copy the backend kept when the
 * tensor was made with `backend.tensor(values, shape)` (up to
 * `HOST_VALUES_LIMIT`, 2^20 elements). A label tensor computed on the GPU
 * has no such copy and is refused with a `ValueError` (pass the labels as an
 * array or upload them with `backend.tensor`): checking it would need a
 * read back, which WebGPU only offers asynchronously. Cost: one host copy of
 * each small uploaded tensor, kept until it is disposed, and one pass over
 * the labels per call.
 */
import { type Backend, formatShape, hostValues, ShapeError, sizeOf, Tensor, ValueError } from '@convnet-ts/tensor';
import { describe } from './options.js';

/** Labels as a tensor or as plain numbers (row-major NHWC). */
export type Labels = Tensor | ArrayLike<number>;

export type LabelKind = 'categorical' | 'attribute';

/** Labels in the kernel's layout, plus the weights a `[N, H, W, 2]` labels array carries (softmaxloss). */
export interface KernelLabels {
  labels: Tensor;
  weights: Tensor | null;
}

/**
 * Validates `labels` against `x` (`[N, H, W, C]`, already checked to be 4-D)
 * and returns them as `[N, H, W, 1]` (categorical) or `[N, H, W, C]`
 * (attribute). With `weightChannel`, categorical labels may also be
 * `[N, H, W, 2]`, the second channel holding per-pixel weights.
 */
export function toKernelLabels(
  block: string,
  backend: Backend,
  x: Tensor,
  labels: Labels,
  kind: LabelKind,
  weightChannel = false,
): KernelLabels {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const pixelShape = [n, h, w, 1];
  const fullShape = kind === 'categorical' ? pixelShape : [n, h, w, c];
  const pairShape = [n, h, w, 2];
  const perImageOk = kind === 'categorical' || c === 1;
  const isTensor = labels instanceof Tensor;
  if (!isTensor && (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number')) {
    throw new ShapeError(block, 'labels', `labels must be a Tensor or an array of numbers, got ${describe(labels)}`);
  }
  const given = isTensor ? labels.shape : [labels.length];
  const count = isTensor ? labels.size : labels.length;
  const perImage = perImageOk && count === n && (!isTensor || isPerImageShape(labels.shape, n));
  const full = isTensor ? sameShape(labels.shape, fullShape) : count === sizeOf(fullShape);
  const paired = weightChannel && (isTensor ? sameShape(labels.shape, pairShape) : count === sizeOf(pairShape));
  if (!perImage && !full && !paired) throw labelShapeError(block, kind, n, fullShape, weightChannel ? pairShape : null, given, isTensor);

  const values = isTensor ? checkableValues(block, 'labels', labels) : labels;
  checkLabelValues(block, values, kind, c, paired ? 2 : 1);

  if (!isTensor) {
    if (paired) {
      const l = new Array<number>(n * h * w);
      const wt = new Array<number>(n * h * w);
      for (let p = 0; p < l.length; p++) {
        l[p] = labels[2 * p]!;
        wt[p] = labels[2 * p + 1]!;
      }
      return { labels: backend.tensor(l, pixelShape), weights: backend.tensor(wt, pixelShape) };
    }
    if (full) return { labels: backend.tensor(labels, fullShape), weights: null };
    return { labels: backend.tensor(broadcastHost(labels, fullShape), fullShape), weights: null };
  }
  if (paired) {
    return {
      labels: backend.run('Slice', { x: labels }, { begin: [0, 0, 0, 0], size: pixelShape }),
      weights: backend.run('Slice', { x: labels }, { begin: [0, 0, 0, 1], size: pixelShape }),
    };
  }
  if (full) return { labels, weights: null };
  return { labels: broadcastPerImage(backend, labels, fullShape), weights: null };
}

/** Instance weights: a number, plain numbers (row-major NHWC) or a tensor. */
export type InstanceWeights = Labels | number;

/**
 * Instance weights broadcast to the labels' full shape `fullShape`
 * (`[N, H, W, 1]` categorical, `[N, H, W, C]` attribute), as vl_nnloss.m
 * does with `bsxfun(@times, ones(size(c)), instanceWeights)` (lines 202–209;
 * documented forms H×W×1(×N), H×W×D(×N) at lines 110–114). Accepted:
 *
 * - a tensor `[N', H', W', C']` whose sizes are each 1 or the labels' (every
 *   bsxfun-compatible shape: MATLAB's H×W×D×N is NHWC `[N, H, W, D]`, and its
 *   trailing singletons are the leading 1s here: H×W is `[1, H, W, 1]`);
 * - one weight per image: a tensor `[N]` or N plain numbers (convnet-ts's
 *   form; `[N, 1, 1, 1]` is the bsxfun one);
 * - one weight for everything: a number, a tensor `[1]` or `[]`, or one plain
 *   number;
 * - the labels' full size as plain numbers.
 *
 * A shape bsxfun would grow the labels with (a size where the labels have 1,
 * e.g. `C` weights for a categorical loss) makes vl_nnloss fail at its
 * `instanceWeights(:)' * t(:)`; here it is a `ShapeError` before any kernel
 * runs. Values must be finite and ≥ 0, checked on the host before broadcasting
 * (error indices count in the weights as given). The broadcast is exact (w + 0)
 * and runs as backend kernels (Reshape, Binary add with zeros), so a WebGPU
 * tensor is never read back. Returns null when no weights are given.
 */
export function toKernelWeights(
  block: string,
  backend: Backend,
  weights: InstanceWeights | null | undefined,
  fullShape: readonly number[],
): Tensor | null {
  if (weights === null || weights === undefined) return null;
  if (typeof weights === 'number') {
    checkWeightValues(block, [weights], true);
    return backend.fill(fullShape, weights);
  }
  const isTensor = weights instanceof Tensor;
  if (!isTensor && (typeof weights !== 'object' || typeof weights.length !== 'number')) {
    throw new ShapeError(
      block,
      'instanceWeights',
      `instanceWeights must be a number, a Tensor or an array of numbers, got ${describe(weights)}`,
    );
  }
  const shape = isTensor ? weightShape(weights.shape, fullShape) : arrayWeightShape(weights.length, fullShape);
  if (!shape) throw weightShapeError(block, fullShape, isTensor ? `shape ${formatShape(weights.shape)}` : `${weights.length} values`, isTensor);
  checkWeightValues(block, isTensor ? checkableValues(block, 'instanceWeights', weights) : weights, false);
  const t = isTensor ? weights : backend.tensor(weights, shape);
  if (sameShape(t.shape, fullShape)) return t;
  const r = sameShape(t.shape, shape) ? t : backend.run('Reshape', { x: t }, { shape });
  return backend.run('Binary', { a: r, b: backend.zeros(fullShape) }, { op: 'add' });
}

/** The projection `dzdy` of a scalar output: a number or a 1-element tensor (returned as a tensor). */
export function toScalarTensor(block: string, backend: Backend, dzdy: number | Tensor): Tensor {
  if (dzdy instanceof Tensor) {
    if (dzdy.size !== 1) {
      throw new ShapeError(block, 'dzdy', `dzdy must be a number or a 1-element tensor, got shape ${formatShape(dzdy.shape)}`);
    }
    return dzdy;
  }
  if (typeof dzdy !== 'number' || !Number.isFinite(dzdy)) {
    throw new ShapeError(block, 'dzdy', `dzdy must be a number or a 1-element tensor, got ${describe(dzdy)}`);
  }
  return backend.tensor([dzdy], [1]);
}

/**
 * The values of tensor argument `name` readable on the host (see the module
 * doc); a `ValueError` for a tensor whose values live only on the device.
 */
export function checkableValues(block: string, name: string, t: Tensor): ArrayLike<number> {
  const values = hostValues(t);
  if (values) return values;
  throw new ValueError(
    block,
    name,
    `${name} must be an array or a tensor made from host values (backend.tensor, at most 2^20 elements) so they can be checked without reading back the ${t.backend.name} device, got a tensor computed on the device`,
  );
}

/** Instance weights must be finite and ≥ 0 (a NaN or negative weight silently corrupts the objective). */
function checkWeightValues(block: string, weights: ArrayLike<number>, scalar: boolean): void {
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      const where = scalar ? '' : ` at index ${i}`;
      throw new ValueError(block, 'instanceWeights', `instanceWeights must be finite numbers ≥ 0, got ${describe(w)}${where}`);
    }
  }
}

/**
 * The rank-4 shape a weight tensor of shape `given` broadcasts from, or null
 * if it does not broadcast to `full` (see `toKernelWeights`).
 */
function weightShape(given: readonly number[], full: readonly number[]): number[] | null {
  const n = full[0]!;
  if (given.length === 0 || sameShape(given, [1])) return [1, 1, 1, 1];
  if (sameShape(given, [n])) return [n, 1, 1, 1];
  if (given.length !== 4) return null;
  return given.every((d, i) => d === 1 || d === full[i]) ? [...given] : null;
}

/** The shape `count` plain weights are read as: the full shape, one per image, or one in all. */
function arrayWeightShape(count: number, full: readonly number[]): number[] | null {
  if (count === sizeOf(full)) return [...full];
  if (count === full[0]) return [count, 1, 1, 1];
  if (count === 1) return [1, 1, 1, 1];
  return null;
}

function weightShapeError(block: string, full: readonly number[], got: string, isTensor: boolean): ShapeError {
  const [n, h, w, c] = full as [number, number, number, number];
  const alt = (d: number) => (d === 1 ? '1' : `${d} or 1`);
  const forms = isTensor
    ? `a tensor of shape [${full.map(alt).join(', ')}] (each size 1 or the labels', as MatConvNet's bsxfun), [${n}] (one per image) or [1]`
    : `a number, or ${sizeOf(full)} values (the labels' shape), ${n} (one per image) or 1 (pass a tensor for other shapes that broadcast)`;
  const labels = formatShape([n, h, w, c]);
  return new ShapeError(block, 'instanceWeights', `instanceWeights must broadcast to the labels' shape ${labels}: ${forms}, got ${got}`);
}

function isPerImageShape(shape: readonly number[], n: number): boolean {
  return sameShape(shape, [n]) || sameShape(shape, [n, 1, 1, 1]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function labelShapeError(
  block: string,
  kind: LabelKind,
  n: number,
  fullShape: readonly number[],
  pairShape: readonly number[] | null,
  given: readonly number[],
  isTensor: boolean,
): ShapeError {
  const perImage = kind === 'categorical' || fullShape[3] === 1;
  const forms: string[] = [];
  if (perImage) forms.push(isTensor ? `[${n}] or [${n}, 1, 1, 1] (one per image)` : `${n} values (one per image)`);
  const fullWhat = kind === 'categorical' ? 'one per pixel' : 'one ±1 per attribute';
  if (!perImage || sizeOf(fullShape) !== n) forms.push(isTensor ? `${formatShape(fullShape)} (${fullWhat})` : `${sizeOf(fullShape)} values (${fullWhat})`);
  if (pairShape) {
    forms.push(isTensor ? `${formatShape(pairShape)} (label and weight)` : `${sizeOf(pairShape)} values (label and weight)`);
  }
  const got = isTensor ? `shape ${formatShape(given)}` : `${given[0]} values`;
  return new ShapeError(block, 'labels', `labels must have ${forms.join(' or ')}, got ${got}`);
}

/** Rejects labels other than integers 0..C (categorical) or −1, 0, +1 (attribute); `step` 2 skips a weight channel. */
function checkLabelValues(block: string, values: ArrayLike<number>, kind: LabelKind, c: number, step: number): void {
  for (let i = 0; i < values.length; i += step) {
    const v = values[i]!;
    const ok = kind === 'categorical' ? Number.isInteger(v) && v >= 0 && v <= c : v === 1 || v === -1 || v === 0;
    if (!ok) {
      const expected = kind === 'categorical' ? `integers in 1..${c}` : '+1 or -1';
      throw new ValueError(block, 'labels', `labels must be ${expected} (0 = ignore), got ${describe(v)} at index ${i}`);
    }
  }
}

/** Repeats value n of `perImage` over the other axes of `shape`. */
function broadcastHost(perImage: ArrayLike<number>, shape: readonly number[]): number[] {
  const n = shape[0]!;
  const inner = sizeOf(shape) / n;
  const out = new Array<number>(n * inner);
  for (let i = 0; i < n; i++) out.fill(perImage[i]!, i * inner, (i + 1) * inner);
  return out;
}

/** Broadcasts N per-image values to `shape` with backend kernels (no read back). */
function broadcastPerImage(backend: Backend, t: Tensor, shape: readonly number[]): Tensor {
  const n = shape[0]!;
  const column = t.rank === 4 ? t : backend.run('Reshape', { x: t }, { shape: [n, 1, 1, 1] });
  const zeros = backend.zeros(shape);
  return backend.run('Binary', { a: column, b: zeros }, { op: 'add' });
}
