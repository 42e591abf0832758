/**
 * Convolution (manual §4.1, derivatives §6.1; MatConvNet's `vl_nnconv`):
 *
 *     y[n, i″, j″, k] = b[k] + Σ_{i′, j′, d} f[i′, j′, d, k] · x[n, Sy·i″ + Dy·i′ − Pt, Sx·j″ + Dx·j′ − Pl, g·C′ + d]
 *
 * with x `[N, H, W, C]` zero-padded by `pad = [Pt, Pb, Pl, Pr]`, filters f
 * `[Hf, Wf, C′, K]`, G = C / C′ filter groups (filter k belongs to group
 * g = ⌊k / (K/G)⌋ and sees channels `[g·C′, (g+1)·C′)`), `stride = [Sy, Sx]`,
 * `dilate = [Dy, Dx]`, and output `[N, H″, W″, K]` with
 *
 *     H″ = ⌊(H + Pt + Pb − ((Hf − 1)·Dy + 1)) / Sy⌋ + 1   (likewise W″),
 *
 * computed by @convnet-ts/geometry's `convOutputSize` (the sizes the
 * wrappers' `display` and `getVarSizes` show).
 *
 * Backward (§6.1): `dzdx = φ*(dzdy·Fᵀ)`, `dzdf = Σ_n φ(x_n)ᵀ·dzdy_n`,
 * `dzdb[k] = Σ_{n, i″, j″} dzdy[n, i″, j″, k]`.
 *
 * A fully connected layer is the case H″ = W″ = 1 (filters as large as the
 * padded input). Decisions on MatConvNet's behaviour:
 * - `f = null` follows `vl_nnconv(x, [], b)`: no filtering, only padding,
 *   stride and the bias (b then has C elements, dilate must be 1). It is run as
 *   a depthwise 1×1 convolution with filters of ones and G = C, so it needs no
 *   kernel of its own; `dzdf` is then null.
 * - `b` may have any shape with K elements (MatConvNet takes 1×K or K×1);
 *   `dzdb` has the shape of `b`. `b = null` means no bias and `dzdb = null`.
 * - `pad` takes 1 or 4 values and `stride`/`dilate` 1 or 2, as the MEX; the
 *   `noDer*` flags are accepted in the forward call too (options are shared).
 */
import { convOutputSize } from '@convnet-ts/geometry';
import { type ConvGeometry, ShapeError, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, checkOutputSize, expectRank, expectShape, expectTensor } from './checks.js';
import { checkOptionNames, toFlag, toPad4, toPair } from './options.js';

export interface ConvOptions {
  /** Zero padding, one number or `[top, bottom, left, right]` (default 0). */
  pad?: number | readonly number[];
  /** Output subsampling, one number or `[vertical, horizontal]` (default 1). */
  stride?: number | readonly number[];
  /** Filter dilation, one number or `[vertical, horizontal]` (default 1). */
  dilate?: number | readonly number[];
  /** Skip `dzdx` (returned as null). */
  noDerData?: boolean;
  /** Skip `dzdf` (returned as null). */
  noDerFilters?: boolean;
  /** Skip `dzdb` (returned as null). */
  noDerBiases?: boolean;
}

/** What `convBackward` (and `convtBackward`) return; skipped or absent derivatives are null. */
export interface ConvDerivatives {
  dzdx: Tensor | null;
  dzdf: Tensor | null;
  dzdb: Tensor | null;
}

const OPTIONS = ['pad', 'stride', 'dilate', 'noDerData', 'noDerFilters', 'noDerBiases'] as const;
const FILTERS = '[Hf, Wf, C/groups, K]';

/** `y = conv(x, f) + b`. Temporaries (a reshaped bias, the identity filters) are released, also on error. */
export function conv(x: Tensor, f: Tensor | null, b: Tensor | null, opts?: ConvOptions): Tensor {
  return scope(() => {
    const c = check(x, f, b, null, opts);
    return c.backend.run('Conv', { x, f: c.filters, b: c.bias }, c.geometry);
  });
}

/** The derivatives of `conv` projected onto `dzdy`: `{ dzdx, dzdf, dzdb }`. */
export function convBackward(x: Tensor, f: Tensor | null, b: Tensor | null, dzdy: Tensor, opts?: ConvOptions): ConvDerivatives {
  expectTensor('conv', 'dzdy', dzdy);
  return scope(() => {
    const c = check(x, f, b, dzdy, opts);
    const { backend, geometry } = c;
    const dzdx = c.noDerData ? null : backend.run('ConvBackwardData', { dy: dzdy, f: c.filters }, { ...geometry, xShape: x.shape });
    const dzdf = c.noDerFilters || f === null ? null : backend.run('ConvBackwardFilter', { x, dy: dzdy }, { ...geometry, fShape: f.shape });
    const dzdb = c.noDerBiases || b === null ? null : biasDerivative(dzdy, b);
    return { dzdx, dzdf, dzdb };
  });
}

/** `dzdb[k] = Σ_{n, i, j} dzdy[n, i, j, k]`, in the shape of `b` (the sum's own tensor is released). */
export function biasDerivative(dzdy: Tensor, b: Tensor): Tensor {
  return scope(() => dzdy.backend.run('ReduceSum', { x: dzdy }, { axes: [0, 1, 2] }).reshape(b.shape));
}

function check(x: Tensor, f: Tensor | null, b: Tensor | null, dzdy: Tensor | null, opts: ConvOptions | undefined) {
  const block = 'conv';
  checkOptionNames(block, opts, OPTIONS);
  const backend = backendOf(block, { x, f, b, dzdy });
  expectRank(block, 'x', x, 4);
  if (f) expectRank(block, 'f', f, 4, FILTERS);
  if (dzdy) expectRank(block, 'dzdy', dzdy, 4);
  const pad = toPad4(block, 'pad', opts?.pad);
  const stride = toPair(block, 'stride', opts?.stride, 1, 1);
  const dilate = toPair(block, 'dilate', opts?.dilate, 1, 1);
  const noDerData = toFlag(block, 'noDerData', opts?.noDerData);
  const noDerFilters = toFlag(block, 'noDerFilters', opts?.noDerFilters);
  const noDerBiases = toFlag(block, 'noDerBiases', opts?.noDerBiases);

  const [n, h, w, c] = x.shape as [number, number, number, number];
  let groups = c;
  if (f) {
    const [, , depth, k] = f.shape as [number, number, number, number];
    if (c % depth !== 0) {
      throw new ShapeError(block, 'f', `f depth (third dimension) must divide the ${c} channels of x, got depth ${depth}`);
    }
    groups = c / depth;
    if (k % groups !== 0) {
      throw new ShapeError(
        block,
        'f',
        `f must have a number of filters divisible by the ${groups} groups (${c} channels / depth ${depth}), got ${k} filters`,
      );
    }
  } else if (dilate[0] !== 1 || dilate[1] !== 1) {
    throw new ShapeError(block, 'dilate', `dilate must be 1 when f is null (no filters), got [${dilate.join(', ')}]`);
  }
  const [hf, wf, , k] = (f ? f.shape : [1, 1, 1, c]) as [number, number, number, number];
  if (b && b.size !== k) {
    const what = f ? 'one per filter' : 'one per channel of x, since f is null';
    throw new ShapeError(block, 'b', `b must have ${k} elements (${what}), got shape [${b.shape.join(', ')}]`);
  }
  if (h === 0 || w === 0) throw new ShapeError(block, 'x', `x must have a height and width of at least 1, got shape [${x.shape.join(', ')}]`);
  if (hf === 0 || wf === 0) throw new ShapeError(block, 'f', `f must have a height and width of at least 1, got shape [${f!.shape.join(', ')}]`);
  const eh = (hf - 1) * dilate[0] + 1;
  const ew = (wf - 1) * dilate[1] + 1;
  const ph = h + pad[0] + pad[1];
  const pw = w + pad[2] + pad[3];
  if (ph < eh || pw < ew) {
    const dilated = dilate[0] === 1 && dilate[1] === 1 ? '' : ` (${hf}×${wf} dilated by [${dilate.join(', ')}])`;
    throw new ShapeError(block, 'f', `f must fit in the padded input ${ph}×${pw}, got filters of extent ${eh}×${ew}${dilated}`);
  }
  // The manual's formula, from the one place display and getVarSizes also use.
  const [ho, wo] = convOutputSize([h, w], { size: [hf, wf], pad, stride, dilate });
  checkOutputSize(block, 'y', backend, [n, ho, wo, k]);
  if (dzdy) expectShape(block, 'dzdy', dzdy, [n, ho, wo, k], 'the shape of the output');
  const geometry: ConvGeometry = { pad, stride, dilate, groups };
  const bias = b && b.rank !== 1 ? b.reshape([k]) : b;
  // f = null: identity filters, a depthwise 1×1 convolution with ones (made last: nothing can throw after).
  const filters = f ?? backend.fill([1, 1, 1, c], 1);
  return { backend, geometry, filters, bias, noDerData, noDerFilters, noDerBiases };
}

