/**
 * The kernel contract: every primitive a backend must implement, with typed
 * inputs, attributes and outputs. Blocks validate their arguments and then
 * call `backend.run(name, inputs, attrs)`; kernels may assume valid input.
 *
 * Layout conventions (all row-major):
 * - feature maps `[N, H, W, C]`;
 * - convolution filters `[Hf, Wf, C/groups, K]`, biases `[K]`;
 * - `Pad4` is `[top, bottom, left, right]`, `Pair` is `[vertical, horizontal]`.
 *
 * The set is kept small: the derivative of a convolution w.r.t. its data *is*
 * a transposed convolution, crops are slices, spatial normalisation is pooling
 * plus element-wise ops. Adding a kernel here makes every backend's kernel
 * table fail to compile until it implements it.
 */
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

export type Pair = readonly [number, number];
export type Pad4 = readonly [number, number, number, number];

/** Geometry of a 2-D convolution (manual §4.1, with dilation and groups). */
export interface ConvGeometry {
  pad: Pad4;
  stride: Pair;
  dilate: Pair;
  /** Filter groups G: filter depth is C/G, each group has K/G filters. */
  groups: number;
}

export type PoolMethod = 'max' | 'avg';

export interface PoolAttrs {
  method: PoolMethod;
  /** Window size `[Ph, Pw]`. */
  poolSize: Pair;
  pad: Pad4;
  stride: Pair;
}

/** Categorical losses take one class label 1..C per pixel; attribute losses a ±1 per channel. */
export type CategoricalLoss = 'classerror' | 'topkerror' | 'log' | 'softmaxlog' | 'mhinge' | 'mshinge';
export type AttributeLoss = 'binaryerror' | 'binarylog' | 'logistic' | 'hinge';
export type LossType = CategoricalLoss | AttributeLoss;

export interface LossAttrs {
  loss: LossType;
  /** For `topkerror`. */
  topK: number;
  /** For `binaryerror`: the sign of x − threshold is the prediction. */
  threshold: number;
  /** Divide by the batch size N (MatConvNet's `normalise`). */
  normalise: boolean;
}

/**
 * Loss inputs. `x` is `[N, H, W, C]`. `labels` is, for categorical losses,
 * `[N, H, W, 1]` class indices 1..C (0 = ignore); for attribute losses
 * `[N, H, W, C]` values ±1 (0 = ignore). Blocks broadcast per-image labels
 * before calling. `weights` (instance weights) has the labels' shape, or is null.
 */
export interface LossInputs {
  x: Tensor;
  labels: Tensor;
  weights: Tensor | null;
}

export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'square'
  | 'recip'
  /** x^alpha (alpha from attrs). */
  | 'pow'
  /** alpha·x. */
  | 'scale'
  /** x + alpha. */
  | 'addScalar'
  /** max(x, alpha). */
  | 'maxScalar';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';

export interface BilinearSamplerBackwardOutputs {
  dx: Tensor | null;
  dgrid: Tensor | null;
}

export interface RoiPoolAttrs {
  method: PoolMethod;
  /** Tiles `[Sh, Sw]` per ROI. */
  subdivisions: Pair;
  /** Maps ROI corners to feature-map coordinates: `[[T11, T12, T13], [T21, T22, T23]]` on (u, v, 1). */
  transform: readonly [readonly [number, number, number], readonly [number, number, number]];
}

/** Every kernel: `{ inputs, attrs, outputs }`. */
export interface KernelSpecs {
  // ---- shape and memory -------------------------------------------------
  /** Same values, new shape of the same size; one size may be -1 (inferred). Backends check it with `resolveReshape`. */
  Reshape: { inputs: { x: Tensor }; attrs: { shape: Shape }; outputs: Tensor };
  /** `y = x[begin : begin + size]` along every axis (a view where the backend can). */
  Slice: { inputs: { x: Tensor }; attrs: { begin: Shape; size: Shape }; outputs: Tensor };
  /** Zero padding: `before[i]` and `after[i]` zeros along axis i. */
  PadZeros: { inputs: { x: Tensor }; attrs: { before: Shape; after: Shape }; outputs: Tensor };
  /** Concatenation along `axis` (0-based). */
  Concat: { inputs: { xs: readonly Tensor[] }; attrs: { axis: number }; outputs: Tensor };

  // ---- element-wise and reductions ---------------------------------------
  Unary: { inputs: { x: Tensor }; attrs: { op: UnaryOp; alpha: number }; outputs: Tensor };
  /** `a op b` with numpy broadcasting (blocks check shapes first; no silent broadcasting reaches users). */
  Binary: { inputs: { a: Tensor; b: Tensor }; attrs: { op: BinaryOp }; outputs: Tensor };
  /** `alpha·x + beta·y`, same shapes. */
  Axpby: { inputs: { x: Tensor; y: Tensor }; attrs: { alpha: number; beta: number }; outputs: Tensor };
  /** Sum over `axes`, keeping them as size 1. */
  ReduceSum: { inputs: { x: Tensor }; attrs: { axes: readonly number[] }; outputs: Tensor };

  // ---- convolution (manual §4.1, §4.2) ------------------------------------
  /** `y = conv(x, f) + b`; `b` null means no bias. */
  Conv: { inputs: { x: Tensor; f: Tensor; b: Tensor | null }; attrs: ConvGeometry; outputs: Tensor };
  /** `dx = M_fᵀ dy` for the conv `y = M_f x` whose input has shape `xShape` (also: convolution transpose). */
  ConvBackwardData: { inputs: { dy: Tensor; f: Tensor }; attrs: ConvGeometry & { xShape: Shape }; outputs: Tensor };
  /** `df = Σ_n φ(x_n)ᵀ dy_n`, the filter derivative, of shape `fShape`. */
  ConvBackwardFilter: { inputs: { x: Tensor; dy: Tensor }; attrs: ConvGeometry & { fShape: Shape }; outputs: Tensor };
  /** `y = x + b` with `b` of shape `[C]` added along the last axis. */
  BiasAdd: { inputs: { x: Tensor; b: Tensor }; attrs: Record<string, never>; outputs: Tensor };

  // ---- pooling (manual §4.3) --------------------------------------------------
  /**
   * Windows clipped to the image: max ignores padding (−∞), avg divides by the
   * number of valid pixels. Max backward routes each window's derivative to its
   * first maximum in MatConvNet's column-major window order (down the first
   * column, then the next; first strict maximum wins); windows accumulate.
   */
  Pool: { inputs: { x: Tensor }; attrs: PoolAttrs; outputs: Tensor };
  PoolBackward: { inputs: { x: Tensor; dy: Tensor }; attrs: PoolAttrs; outputs: Tensor };

  // ---- activations (manual §4.4) --------------------------------------------
  /** `y = x·(leak + (1 − leak)[x > 0])`. */
  Relu: { inputs: { x: Tensor }; attrs: { leak: number }; outputs: Tensor };
  ReluBackward: { inputs: { x: Tensor; dy: Tensor }; attrs: { leak: number }; outputs: Tensor };
  Sigmoid: { inputs: { x: Tensor }; attrs: Record<string, never>; outputs: Tensor };
  /** `dx = dy·σ(x)(1 − σ(x))`. */
  SigmoidBackward: { inputs: { x: Tensor; dy: Tensor }; attrs: Record<string, never>; outputs: Tensor };

  // ---- softmax and losses (manual §4.7, §4.8) -----------------------------------
  /** Softmax over the last axis, max-subtracted. */
  Softmax: { inputs: { x: Tensor }; attrs: Record<string, never>; outputs: Tensor };
  SoftmaxBackward: { inputs: { x: Tensor; dy: Tensor }; attrs: Record<string, never>; outputs: Tensor };
  /** A 1-element tensor `[1]`: weighted sum of per-instance losses (÷ N when normalising). */
  Loss: { inputs: LossInputs; attrs: LossAttrs; outputs: Tensor };
  /** `dx` for a projection `dzdy` given as a 1-element tensor. */
  LossBackward: { inputs: LossInputs & { dzdy: Tensor }; attrs: LossAttrs; outputs: Tensor };

  // ---- dropout (manual §4.6) -------------------------------------------------------
  /**
   * Inverted-dropout mask of `shape`: `1/(1 − rate)` where u ≥ rate, else 0, with
   * u uniform in [0, 1) from a counter-based generator keyed by `seed` and the
   * element index, so every backend draws the same mask.
   */
  DropoutMask: { inputs: Record<string, never>; attrs: { shape: Shape; rate: number; seed: number }; outputs: Tensor };

  // ---- normalisation (manual §4.5) -----------------------------------------------
  /**
   * Batch normalisation over `[N, H, W]` per channel. `moments` `[C, 2]` rows
   * `[mu, sigma]`, sigma = sqrt(var + epsilon); null means compute them from the batch.
   */
  Bnorm: {
    inputs: { x: Tensor; g: Tensor; b: Tensor; moments: Tensor | null };
    attrs: { epsilon: number };
    outputs: { y: Tensor; moments: Tensor };
  };
  BnormBackward: {
    inputs: { x: Tensor; g: Tensor; b: Tensor; dy: Tensor; moments: Tensor | null };
    attrs: { epsilon: number };
    outputs: { dx: Tensor; dg: Tensor; db: Tensor; moments: Tensor };
  };
  /** Cross-channel LRN: `y = x (kappa + alpha Σ_{q∈Q(k)} x_q²)^(−beta)`. */
  Lrn: { inputs: { x: Tensor }; attrs: { n: number; kappa: number; alpha: number; beta: number }; outputs: Tensor };
  LrnBackward: {
    inputs: { x: Tensor; dy: Tensor };
    attrs: { n: number; kappa: number; alpha: number; beta: number };
    outputs: Tensor;
  };

  // ---- spatial transformers and detection (manual §4.9, §4.10) -------------------
  /** `x` `[N, H, W, C]`, `grid` `[No, Ho, Wo, 2]` (y, x) in [−1, 1], No a multiple of N → `[No, Ho, Wo, C]`. */
  BilinearSampler: { inputs: { x: Tensor; grid: Tensor }; attrs: Record<string, never>; outputs: Tensor };
  BilinearSamplerBackward: {
    inputs: { x: Tensor; grid: Tensor; dy: Tensor };
    attrs: { needDx: boolean; needDgrid: boolean };
    outputs: BilinearSamplerBackwardOutputs;
  };
  /** `theta` `[N, 2, 3]` affine maps → grid `[N, Ho, Wo, 2]`. */
  AffineGrid: { inputs: { theta: Tensor }; attrs: { outSize: Pair }; outputs: Tensor };
  AffineGridBackward: { inputs: { theta: Tensor; dgrid: Tensor }; attrs: { outSize: Pair }; outputs: Tensor };
  /** `rois` `[K, 5]` rows `(image, u0, v0, u1, v1)`, 1-based → `[K, Sh, Sw, C]`. */
  RoiPool: { inputs: { x: Tensor; rois: Tensor }; attrs: RoiPoolAttrs; outputs: Tensor };
  RoiPoolBackward: { inputs: { x: Tensor; rois: Tensor; dy: Tensor }; attrs: RoiPoolAttrs; outputs: Tensor };
}

export type KernelName = keyof KernelSpecs;
export type KernelInputs<K extends KernelName> = KernelSpecs[K]['inputs'];
export type KernelAttrs<K extends KernelName> = KernelSpecs[K]['attrs'];
export type KernelOutputs<K extends KernelName> = KernelSpecs[K]['outputs'];

/** One kernel's implementation on one backend. */
export type KernelImpl<K extends KernelName> = (inputs: KernelInputs<K>, attrs: KernelAttrs<K>) => KernelOutputs<K>;

/** A backend's complete kernel table: leaving a kernel out is a compile error. */
export type KernelTable = { [K in KernelName]: KernelImpl<K> };

/** Every kernel name, for conformance suites that must cover them all. */
export const KERNEL_NAMES = [
  'Reshape',
  'Slice',
  'PadZeros',
  'Concat',
  'Unary',
  'Binary',
  'Axpby',
  'ReduceSum',
  'Conv',
  'ConvBackwardData',
  'ConvBackwardFilter',
  'BiasAdd',
  'Pool',
  'PoolBackward',
  'Relu',
  'ReluBackward',
  'Sigmoid',
  'SigmoidBackward',
  'Softmax',
  'SoftmaxBackward',
  'Loss',
  'LossBackward',
  'DropoutMask',
  'Bnorm',
  'BnormBackward',
  'Lrn',
  'LrnBackward',
  'BilinearSampler',
  'BilinearSamplerBackward',
  'AffineGrid',
  'AffineGridBackward',
  'RoiPool',
  'RoiPoolBackward',
] as const satisfies readonly KernelName[];

type MissingKernelName = Exclude<KernelName, (typeof KERNEL_NAMES)[number]>;
/** Compile-time check that KERNEL_NAMES lists every kernel. */
export const kernelNamesComplete: MissingKernelName extends never ? true : MissingKernelName = true;
