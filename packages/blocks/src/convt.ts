/**
 * Convolution transpose, or "deconvolution" (manual §4.2, derivation §6.2;
 * MatConvNet's `vl_nnconvt`). If `u = conv(v, f)` is `vec u = M vec v` with
 * padding `crop`, stride `upsample` and `numGroups` filter groups, then
 *
 *     y = convt(x, f, b) = Mᵀ x + b,
 *
 * so the filters of a `conv` are the filters of its transpose. x is
 * `[N, H, W, D]`, f is `[Hf, Wf, K, D]` in MatConvNet's order (output channels
 * third, input channels D fourth: filter `f[:, :, :, d]` is spread around every
 * input pixel of channel d), and y is `[N, H″, W″, K·G]` with
 *
 *     H″ = Uy·(H − 1) + Hf − Ct − Cb   (likewise W″)   (manual §4.2, §5.3),
 *
 * computed by @convnet-ts/geometry's `convtOutputSize` (the sizes the
 * wrappers' `display` and `getVarSizes` show).
 *
 * With G = `numGroups`, input channels `[g·D/G, (g+1)·D/G)` feed output
 * channels `[g·K, (g+1)·K)`.
 *
 * It runs on the convolution kernels: the forward mode is `ConvBackwardData`
 * (Mᵀ), `dzdx = conv(dzdy, f)` (M), `dzdf` is `ConvBackwardFilter` with the
 * roles of data and derivative swapped, `dzdb[k] = Σ dzdy[…, k]`.
 *
 * Decision on a MatConvNet quirk: its DagNN `ConvTranspose` wrapper ignores
 * `numGroups` when sizing the output and the bias; we follow the MEX (output
 * depth and bias size K·numGroups). `b` may have any shape with K·G elements,
 * and `dzdb` has the shape of `b`; `b = null` means no bias (`dzdb` null).
 */
import { convtOutputSize } from '@convnet-ts/geometry';
import { type ConvGeometry, OptionError, ShapeError, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, checkOutputSize, expectRank, expectShape, expectTensor } from './checks.js';
import { biasDerivative, type ConvDerivatives } from './conv.js';
import { checkOptionNames, describe, toFlag, toNumber, toPad4, toPair } from './options.js';

export interface ConvtOptions {
  /** Input upsampling (the stride of the transposed conv), one number or `[vertical, horizontal]` (default 1). */
  upsample?: number | readonly number[];
  /** Output cropping (the padding of the transposed conv), one number or `[top, bottom, left, right]` (default 0). */
  crop?: number | readonly number[];
  /** Filter groups G; must divide D, the last dimension of f (default 1). */
  numGroups?: number;
  /** Skip `dzdx` (returned as null). */
  noDerData?: boolean;
  /** Skip `dzdf` (returned as null). */
  noDerFilters?: boolean;
  /** Skip `dzdb` (returned as null). */
  noDerBiases?: boolean;
}

const OPTIONS = ['upsample', 'crop', 'numGroups', 'noDerData', 'noDerFilters', 'noDerBiases'] as const;

/** `y = Mᵀ x + b`, the transpose of `conv(·, f)`. Temporaries are released, also on error. */
export function convt(x: Tensor, f: Tensor, b: Tensor | null, opts?: ConvtOptions): Tensor {
  return scope(() => {
    const c = check(x, f, b, null, opts);
    const y = c.backend.run('ConvBackwardData', { dy: x, f }, { ...c.geometry, xShape: c.yShape });
    return c.bias ? c.backend.run('BiasAdd', { x: y, b: c.bias }, {}) : y;
  });
}

/** The derivatives of `convt` projected onto `dzdy`: `{ dzdx, dzdf, dzdb }`. */
export function convtBackward(x: Tensor, f: Tensor, b: Tensor | null, dzdy: Tensor, opts?: ConvtOptions): ConvDerivatives {
  expectTensor('convt', 'dzdy', dzdy);
  return scope(() => {
    const c = check(x, f, b, dzdy, opts);
    const { backend, geometry } = c;
    const dzdx = c.noDerData ? null : backend.run('Conv', { x: dzdy, f, b: null }, geometry);
    const dzdf = c.noDerFilters ? null : backend.run('ConvBackwardFilter', { x: dzdy, dy: x }, { ...geometry, fShape: f.shape });
    const dzdb = c.noDerBiases || b === null ? null : biasDerivative(dzdy, b);
    return { dzdx, dzdf, dzdb };
  });
}

function check(x: Tensor, f: Tensor, b: Tensor | null, dzdy: Tensor | null, opts: ConvtOptions | undefined) {
  const block = 'convt';
  checkOptionNames(block, opts, OPTIONS);
  const backend = backendOf(block, { x, f, b, dzdy });
  // Unlike conv, convt has no identity-filter form (vl_nnconvt requires F).
  if (!f) throw new ShapeError(block, 'f', `f must be a filter tensor [Hf, Wf, K, D], got ${describe(f)}`);
  expectRank(block, 'x', x, 4);
  expectRank(block, 'f', f, 4, '[Hf, Wf, K, D]');
  if (dzdy) expectRank(block, 'dzdy', dzdy, 4);
  const upsample = toPair(block, 'upsample', opts?.upsample, 1, 1);
  const crop = toPad4(block, 'crop', opts?.crop);
  const groups = toNumber(block, 'numGroups', opts?.numGroups, 1, { integer: true, min: 1 });
  const noDerData = toFlag(block, 'noDerData', opts?.noDerData);
  const noDerFilters = toFlag(block, 'noDerFilters', opts?.noDerFilters);
  const noDerBiases = toFlag(block, 'noDerBiases', opts?.noDerBiases);

  const [n, h, w, d] = x.shape as [number, number, number, number];
  const [hf, wf, k, fd] = f.shape as [number, number, number, number];
  if (fd !== d) {
    throw new ShapeError(
      block,
      'f',
      `f must have the ${d} channels of x as its last dimension ([Hf, Wf, K, D]), got shape [${f.shape.join(', ')}]`,
    );
  }
  if (d % groups !== 0) {
    throw new OptionError(block, 'numGroups', `numGroups must divide the ${d} channels of x, got ${groups}`);
  }
  const depth = k * groups;
  if (b && b.size !== depth) {
    throw new ShapeError(
      block,
      'b',
      `b must have ${depth} elements (K = ${k} filters × ${groups} groups), got shape [${b.shape.join(', ')}]`,
    );
  }
  if (h === 0 || w === 0) throw new ShapeError(block, 'x', `x must have a height and width of at least 1, got shape [${x.shape.join(', ')}]`);
  if (hf === 0 || wf === 0) throw new ShapeError(block, 'f', `f must have a height and width of at least 1, got shape [${f.shape.join(', ')}]`);
  // The manual's formula, from the one place display and getVarSizes also use: uncropped, then cropped.
  const [fullH, fullW] = convtOutputSize([h, w], { size: [hf, wf], upsample });
  if (fullH - crop[0] - crop[1] < 1 || fullW - crop[2] - crop[3] < 1) {
    throw new OptionError(
      block,
      'crop',
      `crop must leave a non-empty output of the uncropped ${fullH}×${fullW}, got crop [${crop.join(', ')}]`,
    );
  }
  const [ho, wo] = convtOutputSize([h, w], { size: [hf, wf], upsample, crop });
  const yShape = [n, ho, wo, depth];
  checkOutputSize(block, 'y', backend, yShape);
  if (dzdy) expectShape(block, 'dzdy', dzdy, yShape, 'the shape of the output');
  const geometry: ConvGeometry = { pad: crop, stride: upsample, dilate: [1, 1], groups };
  const bias = b && b.rank !== 1 ? b.reshape([depth]) : b;
  return { backend, geometry, yShape, bias, noDerData, noDerFilters, noDerBiases };
}
