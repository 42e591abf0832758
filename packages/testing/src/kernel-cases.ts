/**
 * One case per kernel configuration, in host values, so the same case runs
 * on every backend and on the float64 CPU reference.
 */
import type { KernelAttrs, KernelName } from '@convnet-ts/tensor';
import { type HostInputs, type HostTensor, host, hostDistinct, hostRand, hostRandn } from './compare.js';

export interface KernelCase<K extends KernelName = KernelName> {
  name: string;
  kernel: K;
  inputs: HostInputs;
  attrs: KernelAttrs<K>;
}

/** A backward kernel checked against central differences of its forward kernel. */
export interface DerivativeCase {
  name: string;
  forward: { kernel: KernelName; inputs: HostInputs; attrs: object; output?: string };
  /** The forward input the derivative is taken with respect to. */
  wrt: string;
  backward: { kernel: KernelName; inputs: (dy: HostTensor) => HostInputs; attrs: object; output?: string };
  /** Shape of the forward output (the projection dy). */
  yShape: readonly number[];
}

const pad0 = [0, 0, 0, 0] as const;
const geom = (pad: readonly [number, number, number, number], stride: readonly [number, number], dilate: readonly [number, number], groups: number) => ({
  pad,
  stride,
  dilate,
  groups,
});

const x1 = hostRandn([2, 5, 6, 4], 1);
const f1 = hostRandn([3, 3, 2, 6], 2);
const b1 = hostRandn([6], 3);
const convGeom = geom([1, 0, 2, 1], [2, 1], [1, 2], 2);
// Output size: H' = floor((5 + 1 − 3)/2) + 1 = 2, W' = floor((6 + 3 − 5)/1) + 1 = 5.
const y1Shape = [2, 2, 5, 6];
const dy1 = hostRandn(y1Shape, 4);

// 3×3, stride 1, pad 1, C = K = 8: the float32 CPU backend's Winograd path (conv-winograd.ts in
// kernels-cpu: C ≥ 8, C and K multiples of 4, ≥ 64 outputs per image), F(4×4, 3×3) on the 8 × 8
// outputs, F(2×2, 3×3) on the 16 × 6 ones (under 8 wide); its data derivative (C and K swapped) and
// its filter derivative take Winograd too. Their float32 error against float64 is at most
// 1e-6·√(9C)·max |y| for F(4×4) (kernels-cpu's Winograd tests' bound; measured 2–4e-7·√(9C)). The
// filters have the scale trained layers have (He: std √(2/9C) = 1/6), so max |y| ≈ 4 and the bound,
// 3.4e-5, stays under the suite's float32 tolerance 1e-4 of |a − b| / (1 + |b|) with room: N(0, 1)
// filters (max |y| ≈ 30) would reach it. Likewise dy has a loss derivative's scale (std 0.1), so the
// filter derivative's sum of N·Ho·Wo = 128 products has max |df| ≈ 4 and a bound of 4.5e-5.
const wgGeom = geom([1, 1, 1, 1], [1, 1], [1, 1], 1);
const wgX = hostRandn([2, 8, 8, 8], 50);
const wgXTall = hostRandn([2, 16, 6, 8], 51);
const wgF = hostRandn([3, 3, 8, 8], 52, 1 / 6);
const wgB = hostRandn([8], 53, 0.1);
const wgDy = hostRandn([2, 8, 8, 8], 54, 0.1);

// The float32 CPU backend's other fast paths, so that each is held to the float64 reference here:
// 5×5 in 2 groups with odd filters per group (LeNet's conv2 and AlexNet's conv2 shapes: Winograd
// F(2×2, 5×5) where kernels-cpu takes it, else im2row), the direct small-channel first layer (C = 1),
// a fully connected layer (the filter covers the input: one GEMM over the batch) and a 3×3 in two
// groups (AlexNet's conv4/conv5). Scales as the Winograd cases above: He filters, dy of std 0.1.
const g5Geom = geom([1, 1, 1, 1], [1, 1], [1, 1], 2);
const g5X = hostRandn([2, 10, 10, 12], 55);
const g5F = hostRandn([5, 5, 6, 10], 56, Math.sqrt(2 / 150));
const g5Dy = hostRandn([2, 8, 8, 10], 57, 0.1);
const c1X = hostRandn([3, 14, 14, 1], 58);
const c1F = hostRandn([5, 5, 1, 6], 59, Math.sqrt(2 / 25));
const c1Dy = hostRandn([3, 10, 10, 6], 60, 0.1);
const fcX = hostRandn([5, 3, 3, 8], 61);
const fcF = hostRandn([3, 3, 8, 7], 62, Math.sqrt(2 / 72));
const fcDy = hostRandn([5, 1, 1, 7], 63, 0.1);
const g3Geom = geom([1, 1, 1, 1], [1, 1], [1, 1], 2);
const g3X = hostRandn([2, 8, 8, 16], 64);
const g3F = hostRandn([3, 3, 8, 12], 65, 1 / 6);
const g3Dy = hostRandn([2, 8, 8, 12], 66, 0.1);

const xs = hostDistinct([2, 5, 5, 3], 5);
const poolMax = { method: 'max' as const, poolSize: [3, 2] as const, pad: [1, 1, 0, 1] as const, stride: [2, 2] as const };
const poolAvg = { ...poolMax, method: 'avg' as const };
// H' = floor((5 + 2 − 3)/2) + 1 = 3, W' = floor((5 + 1 − 2)/2) + 1 = 3
const poolY = [2, 3, 3, 3];

const scores = hostRandn([2, 2, 3, 5], 6);
const catLabels = host([2, 2, 3, 1], [1, 5, 0, 2, 3, 4, 5, 1, 2, 3, 0, 4]);
const attrLabels = host([2, 2, 3, 5], Array.from({ length: 60 }, (_, i) => [1, -1, 0, 1, -1][i % 5]!));
const weights = hostRand([2, 2, 3, 1], 7, 0.5, 1.5);
const lossAttrs = (loss: KernelAttrs<'Loss'>['loss']) => ({ loss, topK: 2, threshold: 0.1, normalise: true });
const categorical = ['classerror', 'topkerror', 'log', 'softmaxlog', 'mhinge', 'mshinge'] as const;
const attribute = ['binaryerror', 'binarylog', 'logistic', 'hinge'] as const;
const positiveScores = hostRand([2, 2, 3, 5], 8, 0.05, 1);
const probScores = hostRand([2, 2, 3, 5], 9, 0.1, 0.9);

const bx = hostRandn([3, 2, 2, 4], 10);
const bg = hostRandn([4], 11);
const bb = hostRandn([4], 12);
const moments = host([4, 2], [0.1, 1.2, -0.2, 0.8, 0.3, 1.5, 0, 1]);
const lrnAttrs = { n: 3, kappa: 2, alpha: 0.5, beta: 0.75 };
const lx = hostRandn([1, 2, 3, 5], 13);

const sx = hostRandn([2, 4, 5, 3], 14);
const grid = hostRand([4, 3, 2, 2], 15, -1.1, 1.1);
const theta = hostRandn([2, 2, 3], 16, 0.5);
const rx = hostDistinct([2, 6, 7, 2], 17);
const rois = host([3, 5], [1, 1, 1, 7, 6, 2, 2, 3, 5, 5, 1, 3, 2, 4, 6]);
const roiAttrs = (method: 'max' | 'avg') => ({
  method,
  subdivisions: [2, 3] as const,
  transform: [
    [1, 0, 0],
    [0, 1, 0],
  ] as const,
});

export const kernelCases: KernelCase[] = [
  { name: 'Reshape', kernel: 'Reshape', inputs: { x: x1 }, attrs: { shape: [10, 24] } } as KernelCase<'Reshape'>,
  { name: 'Slice', kernel: 'Slice', inputs: { x: x1 }, attrs: { begin: [1, 1, 2, 1], size: [1, 3, 3, 2] } } as KernelCase<'Slice'>,
  { name: 'PadZeros', kernel: 'PadZeros', inputs: { x: lx }, attrs: { before: [0, 1, 0, 2], after: [1, 0, 2, 0] } } as KernelCase<'PadZeros'>,
  { name: 'Concat channels', kernel: 'Concat', inputs: { xs: [x1, hostRandn([2, 5, 6, 3], 20)] }, attrs: { axis: 3 } } as KernelCase<'Concat'>,
  { name: 'Concat batch', kernel: 'Concat', inputs: { xs: [x1, hostRandn([1, 5, 6, 4], 21)] }, attrs: { axis: 0 } } as KernelCase<'Concat'>,
  ...(['neg', 'abs', 'sign', 'exp', 'square', 'scale', 'addScalar', 'maxScalar'] as const).map(
    (op) => ({ name: `Unary ${op}`, kernel: 'Unary', inputs: { x: lx }, attrs: { op, alpha: 0.3 } }) as KernelCase<'Unary'>,
  ),
  ...(['log', 'sqrt', 'recip', 'pow'] as const).map(
    (op) => ({ name: `Unary ${op}`, kernel: 'Unary', inputs: { x: probScores }, attrs: { op, alpha: 1.7 } }) as KernelCase<'Unary'>,
  ),
  ...(['add', 'sub', 'mul', 'div', 'max', 'min'] as const).map(
    (op) =>
      ({ name: `Binary ${op} broadcast`, kernel: 'Binary', inputs: { a: sx, b: hostRand([2, 1, 1, 3], 22, 0.5, 2) }, attrs: { op } }) as KernelCase<'Binary'>,
  ),
  { name: 'Axpby', kernel: 'Axpby', inputs: { x: x1, y: hostRandn([2, 5, 6, 4], 23) }, attrs: { alpha: 0.7, beta: -1.3 } } as KernelCase<'Axpby'>,
  { name: 'ReduceSum per channel', kernel: 'ReduceSum', inputs: { x: x1 }, attrs: { axes: [0, 1, 2] } } as KernelCase<'ReduceSum'>,
  { name: 'ReduceSum spatial', kernel: 'ReduceSum', inputs: { x: x1 }, attrs: { axes: [1, 2] } } as KernelCase<'ReduceSum'>,
  { name: 'Conv', kernel: 'Conv', inputs: { x: x1, f: f1, b: b1 }, attrs: convGeom } as KernelCase<'Conv'>,
  { name: 'Conv no bias 1x1', kernel: 'Conv', inputs: { x: x1, f: hostRandn([1, 1, 4, 3], 24), b: null }, attrs: geom(pad0, [1, 1], [1, 1], 1) } as KernelCase<'Conv'>,
  { name: 'ConvBackwardData', kernel: 'ConvBackwardData', inputs: { dy: dy1, f: f1 }, attrs: { ...convGeom, xShape: x1.shape } } as KernelCase<'ConvBackwardData'>,
  { name: 'ConvBackwardFilter', kernel: 'ConvBackwardFilter', inputs: { x: x1, dy: dy1 }, attrs: { ...convGeom, fShape: f1.shape } } as KernelCase<'ConvBackwardFilter'>,
  { name: 'Conv 3x3 Winograd F(4x4)', kernel: 'Conv', inputs: { x: wgX, f: wgF, b: wgB }, attrs: wgGeom } as KernelCase<'Conv'>,
  { name: 'Conv 3x3 Winograd F(2x2)', kernel: 'Conv', inputs: { x: wgXTall, f: wgF, b: null }, attrs: wgGeom } as KernelCase<'Conv'>,
  {
    name: 'ConvBackwardData 3x3 Winograd F(4x4)',
    kernel: 'ConvBackwardData',
    inputs: { dy: wgDy, f: wgF },
    attrs: { ...wgGeom, xShape: wgX.shape },
  } as KernelCase<'ConvBackwardData'>,
  {
    name: 'ConvBackwardFilter 3x3 Winograd F(4x4)',
    kernel: 'ConvBackwardFilter',
    inputs: { x: wgX, dy: wgDy },
    attrs: { ...wgGeom, fShape: wgF.shape },
  } as KernelCase<'ConvBackwardFilter'>,
  { name: 'Conv 5x5 2 groups odd K', kernel: 'Conv', inputs: { x: g5X, f: g5F, b: null }, attrs: g5Geom } as KernelCase<'Conv'>,
  { name: 'ConvBackwardData 5x5 2 groups odd K', kernel: 'ConvBackwardData', inputs: { dy: g5Dy, f: g5F }, attrs: { ...g5Geom, xShape: g5X.shape } } as KernelCase<'ConvBackwardData'>,
  { name: 'ConvBackwardFilter 5x5 2 groups odd K', kernel: 'ConvBackwardFilter', inputs: { x: g5X, dy: g5Dy }, attrs: { ...g5Geom, fShape: g5F.shape } } as KernelCase<'ConvBackwardFilter'>,
  { name: 'Conv 5x5 C=1 first layer', kernel: 'Conv', inputs: { x: c1X, f: c1F, b: null }, attrs: geom(pad0, [1, 1], [1, 1], 1) } as KernelCase<'Conv'>,
  { name: 'ConvBackwardData 5x5 C=1 first layer', kernel: 'ConvBackwardData', inputs: { dy: c1Dy, f: c1F }, attrs: { ...geom(pad0, [1, 1], [1, 1], 1), xShape: c1X.shape } } as KernelCase<'ConvBackwardData'>,
  { name: 'ConvBackwardFilter 5x5 C=1 first layer', kernel: 'ConvBackwardFilter', inputs: { x: c1X, dy: c1Dy }, attrs: { ...geom(pad0, [1, 1], [1, 1], 1), fShape: c1F.shape } } as KernelCase<'ConvBackwardFilter'>,
  { name: 'Conv fully connected', kernel: 'Conv', inputs: { x: fcX, f: fcF, b: null }, attrs: geom(pad0, [1, 1], [1, 1], 1) } as KernelCase<'Conv'>,
  { name: 'ConvBackwardData fully connected', kernel: 'ConvBackwardData', inputs: { dy: fcDy, f: fcF }, attrs: { ...geom(pad0, [1, 1], [1, 1], 1), xShape: fcX.shape } } as KernelCase<'ConvBackwardData'>,
  { name: 'ConvBackwardFilter fully connected', kernel: 'ConvBackwardFilter', inputs: { x: fcX, dy: fcDy }, attrs: { ...geom(pad0, [1, 1], [1, 1], 1), fShape: fcF.shape } } as KernelCase<'ConvBackwardFilter'>,
  { name: 'Conv 3x3 2 groups', kernel: 'Conv', inputs: { x: g3X, f: g3F, b: null }, attrs: g3Geom } as KernelCase<'Conv'>,
  { name: 'ConvBackwardData 3x3 2 groups', kernel: 'ConvBackwardData', inputs: { dy: g3Dy, f: g3F }, attrs: { ...g3Geom, xShape: g3X.shape } } as KernelCase<'ConvBackwardData'>,
  { name: 'ConvBackwardFilter 3x3 2 groups', kernel: 'ConvBackwardFilter', inputs: { x: g3X, dy: g3Dy }, attrs: { ...g3Geom, fShape: g3F.shape } } as KernelCase<'ConvBackwardFilter'>,
  { name: 'BiasAdd', kernel: 'BiasAdd', inputs: { x: x1, b: hostRandn([4], 25) }, attrs: {} } as KernelCase<'BiasAdd'>,
  { name: 'Pool max', kernel: 'Pool', inputs: { x: xs }, attrs: poolMax } as KernelCase<'Pool'>,
  { name: 'Pool avg', kernel: 'Pool', inputs: { x: xs }, attrs: poolAvg } as KernelCase<'Pool'>,
  { name: 'PoolBackward max', kernel: 'PoolBackward', inputs: { x: xs, dy: hostRandn(poolY, 26) }, attrs: poolMax } as KernelCase<'PoolBackward'>,
  { name: 'PoolBackward avg', kernel: 'PoolBackward', inputs: { x: xs, dy: hostRandn(poolY, 26) }, attrs: poolAvg } as KernelCase<'PoolBackward'>,
  { name: 'Relu leaky', kernel: 'Relu', inputs: { x: x1 }, attrs: { leak: 0.1 } } as KernelCase<'Relu'>,
  { name: 'ReluBackward', kernel: 'ReluBackward', inputs: { x: x1, dy: hostRandn(x1.shape, 27) }, attrs: { leak: 0.1 } } as KernelCase<'ReluBackward'>,
  { name: 'Sigmoid', kernel: 'Sigmoid', inputs: { x: x1 }, attrs: {} } as KernelCase<'Sigmoid'>,
  { name: 'SigmoidBackward', kernel: 'SigmoidBackward', inputs: { x: x1, dy: hostRandn(x1.shape, 28) }, attrs: {} } as KernelCase<'SigmoidBackward'>,
  { name: 'Softmax', kernel: 'Softmax', inputs: { x: scores }, attrs: {} } as KernelCase<'Softmax'>,
  { name: 'Softmax large', kernel: 'Softmax', inputs: { x: host([1, 1, 1, 3], [1000, -1000, 999]) }, attrs: {} } as KernelCase<'Softmax'>,
  { name: 'SoftmaxBackward', kernel: 'SoftmaxBackward', inputs: { x: scores, dy: hostRandn(scores.shape, 29) }, attrs: {} } as KernelCase<'SoftmaxBackward'>,
  ...categorical.flatMap((loss) => [
    { name: `Loss ${loss}`, kernel: 'Loss', inputs: { x: loss === 'log' ? positiveScores : scores, labels: catLabels, weights }, attrs: lossAttrs(loss) } as KernelCase<'Loss'>,
    {
      name: `LossBackward ${loss}`,
      kernel: 'LossBackward',
      inputs: { x: loss === 'log' ? positiveScores : scores, labels: catLabels, weights, dzdy: host([1], [0.7]) },
      attrs: lossAttrs(loss),
    } as KernelCase<'LossBackward'>,
  ]),
  ...attribute.flatMap((loss) => [
    { name: `Loss ${loss}`, kernel: 'Loss', inputs: { x: loss === 'binarylog' ? probScores : scores, labels: attrLabels, weights: null }, attrs: lossAttrs(loss) } as KernelCase<'Loss'>,
    {
      name: `LossBackward ${loss}`,
      kernel: 'LossBackward',
      inputs: { x: loss === 'binarylog' ? probScores : scores, labels: attrLabels, weights: null, dzdy: host([1], [1.3]) },
      attrs: lossAttrs(loss),
    } as KernelCase<'LossBackward'>,
  ]),
  { name: 'DropoutMask', kernel: 'DropoutMask', inputs: {}, attrs: { shape: [3, 4, 5, 6], rate: 0.3, seed: 42 } } as KernelCase<'DropoutMask'>,
  { name: 'Bnorm batch moments', kernel: 'Bnorm', inputs: { x: bx, g: bg, b: bb, moments: null }, attrs: { epsilon: 1e-4 } } as KernelCase<'Bnorm'>,
  { name: 'Bnorm given moments', kernel: 'Bnorm', inputs: { x: bx, g: bg, b: bb, moments }, attrs: { epsilon: 1e-4 } } as KernelCase<'Bnorm'>,
  {
    name: 'BnormBackward',
    kernel: 'BnormBackward',
    inputs: { x: bx, g: bg, b: bb, dy: hostRandn(bx.shape, 30), moments: null },
    attrs: { epsilon: 1e-4 },
  } as KernelCase<'BnormBackward'>,
  { name: 'Lrn', kernel: 'Lrn', inputs: { x: lx }, attrs: lrnAttrs } as KernelCase<'Lrn'>,
  { name: 'LrnBackward', kernel: 'LrnBackward', inputs: { x: lx, dy: hostRandn(lx.shape, 31) }, attrs: lrnAttrs } as KernelCase<'LrnBackward'>,
  { name: 'BilinearSampler', kernel: 'BilinearSampler', inputs: { x: sx, grid }, attrs: {} } as KernelCase<'BilinearSampler'>,
  {
    name: 'BilinearSamplerBackward',
    kernel: 'BilinearSamplerBackward',
    inputs: { x: sx, grid, dy: hostRandn([4, 3, 2, 3], 32) },
    attrs: { needDx: true, needDgrid: true },
  } as KernelCase<'BilinearSamplerBackward'>,
  { name: 'AffineGrid', kernel: 'AffineGrid', inputs: { theta }, attrs: { outSize: [3, 4] } } as KernelCase<'AffineGrid'>,
  { name: 'AffineGridBackward', kernel: 'AffineGridBackward', inputs: { theta, dgrid: hostRandn([2, 3, 4, 2], 33) }, attrs: { outSize: [3, 4] } } as KernelCase<'AffineGridBackward'>,
  { name: 'RoiPool max', kernel: 'RoiPool', inputs: { x: rx, rois }, attrs: roiAttrs('max') } as KernelCase<'RoiPool'>,
  { name: 'RoiPool avg', kernel: 'RoiPool', inputs: { x: rx, rois }, attrs: roiAttrs('avg') } as KernelCase<'RoiPool'>,
  { name: 'RoiPoolBackward max', kernel: 'RoiPoolBackward', inputs: { x: rx, rois, dy: hostRandn([3, 2, 3, 2], 34) }, attrs: roiAttrs('max') } as KernelCase<'RoiPoolBackward'>,
  { name: 'RoiPoolBackward avg', kernel: 'RoiPoolBackward', inputs: { x: rx, rois, dy: hostRandn([3, 2, 3, 2], 34) }, attrs: roiAttrs('avg') } as KernelCase<'RoiPoolBackward'>,
];

const sx2 = hostRandn([1, 3, 4, 2], 40);
const f2 = hostRandn([2, 3, 2, 2], 41);
const cg = geom([1, 0, 1, 1], [2, 1], [1, 1], 1);
const cy = [1, 2, 4, 2];
const px = hostDistinct([1, 4, 4, 2], 42);
const py = [1, 2, 4, 2];
const ppool = { method: 'max' as const, poolSize: [2, 2] as const, pad: [0, 1, 1, 0] as const, stride: [2, 1] as const };
const small = hostRandn([1, 2, 2, 3], 43);
const bsx = hostRandn([1, 3, 3, 2], 44);
const bsgrid = hostRand([2, 2, 2, 2], 45, -0.9, 0.9);
/**
 * One 8 × 8 × 8 image: the Winograd path's smallest (F(4×4), 64 outputs). W.r.t. x with 8 filters (the
 * data derivative, C and K swapped, needs K ≥ 8 for Winograd); w.r.t. f with 4 (the filter derivative
 * needs only K a multiple of 4), halving its 2·9·8·K forward runs (about 15 s → 12 s on SwiftShader).
 */
const wgDx = hostRandn([1, 8, 8, 8], 46);
const wgF4 = hostRandn([3, 3, 8, 4], 47, 1 / 6);

/** Small shapes: each element costs two forward runs. */
export const derivativeCases: DerivativeCase[] = [
  {
    name: 'Conv w.r.t. x',
    forward: { kernel: 'Conv', inputs: { x: sx2, f: f2, b: null }, attrs: cg },
    wrt: 'x',
    backward: { kernel: 'ConvBackwardData', inputs: (dy) => ({ dy, f: f2 }), attrs: { ...cg, xShape: sx2.shape } },
    yShape: cy,
  },
  {
    name: 'Conv w.r.t. f',
    forward: { kernel: 'Conv', inputs: { x: sx2, f: f2, b: null }, attrs: cg },
    wrt: 'f',
    backward: { kernel: 'ConvBackwardFilter', inputs: (dy) => ({ x: sx2, dy }), attrs: { ...cg, fShape: f2.shape } },
    yShape: cy,
  },
  {
    name: 'Conv 3x3 Winograd w.r.t. x',
    forward: { kernel: 'Conv', inputs: { x: wgDx, f: wgF, b: null }, attrs: wgGeom },
    wrt: 'x',
    backward: { kernel: 'ConvBackwardData', inputs: (dy) => ({ dy, f: wgF }), attrs: { ...wgGeom, xShape: wgDx.shape } },
    yShape: wgDx.shape,
  },
  {
    name: 'Conv 3x3 Winograd w.r.t. f',
    forward: { kernel: 'Conv', inputs: { x: wgDx, f: wgF4, b: null }, attrs: wgGeom },
    wrt: 'f',
    backward: { kernel: 'ConvBackwardFilter', inputs: (dy) => ({ x: wgDx, dy }), attrs: { ...wgGeom, fShape: wgF4.shape } },
    yShape: [1, 8, 8, 4],
  },
  {
    name: 'Pool max',
    forward: { kernel: 'Pool', inputs: { x: px }, attrs: ppool },
    wrt: 'x',
    backward: { kernel: 'PoolBackward', inputs: (dy) => ({ x: px, dy }), attrs: ppool },
    yShape: py,
  },
  {
    name: 'Pool avg',
    forward: { kernel: 'Pool', inputs: { x: px }, attrs: { ...ppool, method: 'avg' } },
    wrt: 'x',
    backward: { kernel: 'PoolBackward', inputs: (dy) => ({ x: px, dy }), attrs: { ...ppool, method: 'avg' } },
    yShape: py,
  },
  {
    name: 'Relu',
    forward: { kernel: 'Relu', inputs: { x: px }, attrs: { leak: 0.2 } },
    wrt: 'x',
    backward: { kernel: 'ReluBackward', inputs: (dy) => ({ x: px, dy }), attrs: { leak: 0.2 } },
    yShape: px.shape,
  },
  {
    name: 'Sigmoid',
    forward: { kernel: 'Sigmoid', inputs: { x: small }, attrs: {} },
    wrt: 'x',
    backward: { kernel: 'SigmoidBackward', inputs: (dy) => ({ x: small, dy }), attrs: {} },
    yShape: small.shape,
  },
  {
    name: 'Softmax',
    forward: { kernel: 'Softmax', inputs: { x: small }, attrs: {} },
    wrt: 'x',
    backward: { kernel: 'SoftmaxBackward', inputs: (dy) => ({ x: small, dy }), attrs: {} },
    yShape: small.shape,
  },
  ...(['softmaxlog', 'mshinge', 'logistic', 'hinge'] as const).map((loss): DerivativeCase => {
    const labels = loss === 'softmaxlog' || loss === 'mshinge' ? host([1, 2, 2, 1], [1, 3, 2, 0]) : host([1, 2, 2, 3], [1, -1, 1, -1, 0, 1, 1, 1, -1, -1, 1, 1]);
    const attrs = lossAttrs(loss);
    return {
      name: `Loss ${loss}`,
      forward: { kernel: 'Loss', inputs: { x: small, labels, weights: null }, attrs },
      wrt: 'x',
      backward: { kernel: 'LossBackward', inputs: (dzdy) => ({ x: small, labels, weights: null, dzdy }), attrs },
      yShape: [1],
    };
  }),
  {
    name: 'Bnorm w.r.t. x',
    forward: { kernel: 'Bnorm', inputs: { x: small, g: host([3], [1, 2, -1]), b: host([3], [0, 1, 2]), moments: null }, attrs: { epsilon: 1e-4 }, output: 'y' },
    wrt: 'x',
    backward: {
      kernel: 'BnormBackward',
      inputs: (dy) => ({ x: small, g: host([3], [1, 2, -1]), b: host([3], [0, 1, 2]), dy, moments: null }),
      attrs: { epsilon: 1e-4 },
      output: 'dx',
    },
    yShape: small.shape,
  },
  {
    name: 'Lrn',
    forward: { kernel: 'Lrn', inputs: { x: small }, attrs: lrnAttrs },
    wrt: 'x',
    backward: { kernel: 'LrnBackward', inputs: (dy) => ({ x: small, dy }), attrs: lrnAttrs },
    yShape: small.shape,
  },
  {
    name: 'BilinearSampler w.r.t. x',
    forward: { kernel: 'BilinearSampler', inputs: { x: bsx, grid: bsgrid }, attrs: {} },
    wrt: 'x',
    backward: { kernel: 'BilinearSamplerBackward', inputs: (dy) => ({ x: bsx, grid: bsgrid, dy }), attrs: { needDx: true, needDgrid: false }, output: 'dx' },
    yShape: [2, 2, 2, 2],
  },
  {
    name: 'BilinearSampler w.r.t. grid',
    forward: { kernel: 'BilinearSampler', inputs: { x: bsx, grid: bsgrid }, attrs: {} },
    wrt: 'grid',
    backward: { kernel: 'BilinearSamplerBackward', inputs: (dy) => ({ x: bsx, grid: bsgrid, dy }), attrs: { needDx: false, needDgrid: true }, output: 'dgrid' },
    yShape: [2, 2, 2, 2],
  },
  {
    name: 'AffineGrid',
    forward: { kernel: 'AffineGrid', inputs: { theta: hostRandn([1, 2, 3], 46) }, attrs: { outSize: [2, 3] } },
    wrt: 'theta',
    backward: { kernel: 'AffineGridBackward', inputs: (dgrid) => ({ theta: hostRandn([1, 2, 3], 46), dgrid }), attrs: { outSize: [2, 3] } },
    yShape: [1, 2, 3, 2],
  },
  {
    name: 'RoiPool max',
    forward: { kernel: 'RoiPool', inputs: { x: hostDistinct([1, 4, 5, 2], 47), rois: host([1, 5], [1, 1, 1, 4, 3]) }, attrs: roiAttrs('max') },
    wrt: 'x',
    backward: {
      kernel: 'RoiPoolBackward',
      inputs: (dy) => ({ x: hostDistinct([1, 4, 5, 2], 47), rois: host([1, 5], [1, 1, 1, 4, 3]), dy }),
      attrs: roiAttrs('max'),
    },
    yShape: [1, 2, 3, 2],
  },
];
