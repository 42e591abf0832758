/**
 * `pool` — max and average spatial pooling (MatConvNet `vl_nnpool`, manual
 * §4.3; derivatives §6.3). For x `[N, H, W, C]`, a `[Ph, Pw]` window, pads
 * `[Pt, Pb, Pl, Pr]` and strides `[Sy, Sx]`, output pixel (i'', j'') pools the
 * window Ω = rows [i''·Sy − Pt, i''·Sy − Pt + Ph) × columns [j''·Sx − Pl, j''·Sx − Pl + Pw)
 * clipped to the image, per channel:
 *
 *   max: y = max_{(i,j)∈Ω} x_ij,   avg: y = (1/|Ω|) Σ_{(i,j)∈Ω} x_ij,
 *
 * with output size Ho = floor((H + Pt + Pb − Ph)/Sy) + 1, Wo = floor((W + Pl + Pr − Pw)/Sx) + 1.
 * Backward (§6.3): dz/dx = Sᵀ dz/dy, S the selector (max) or averaging (avg) matrix.
 *
 * Decisions on MatConvNet's quirks (matconvnet-api §1.3, §9):
 * - Padding: FOLLOW the implementation (and the manual §4.3), not the help
 *   text's "padded with zeros": windows are clipped to the image, so max
 *   pooling behaves as −∞ padding and average pooling divides by the number
 *   of valid pixels |Ω|, not by Ph·Pw. Zero padding would let a border
 *   window of negative values output 0 and would shrink border averages;
 *   every trained MatConvNet model was computed with the clipped windows.
 * - Ties in max backward: FOLLOW MatConvNet. The derivative goes to the first
 *   maximum in MatConvNet's memory order, column-major: down the window's
 *   first column (top to bottom), then the next column to the right (not the
 *   row-major order of our NHWC storage). Ties are common in practice (windows
 *   of zeros after a ReLU, repeated pixel values), and this keeps gradients
 *   identical to MatConvNet's; the reference fixtures have no tie inside a window.
 * - NaN: FIX. A window with a NaN pools to NaN (NaN wins over every number;
 *   MatConvNet's `std::max` from −∞ skips it, so a diverged network looked
 *   healthy), and its derivative goes to the window's first NaN in the
 *   column-major order above. A window whose values are all −∞ pools to −∞
 *   and sends its derivative to its first element (MatConvNet's strict `>`
 *   from −∞ dropped it). The same on every backend.
 * - `method` defaults to 'max' (SimpleNN's tidy never fills it; api §9) and,
 *   like every option here, is matched exactly ('max' | 'avg', lower case).
 * - Each pad must be strictly smaller than the pool size in its direction
 *   (MatConvNet's rule), which guarantees no window lies wholly in the padding.
 */
import { poolOutputSize } from '@convnet-ts/geometry';
import { OptionError, type Pad4, type Pair, type PoolMethod, ShapeError, type Shape, type Tensor } from '@convnet-ts/tensor';
import { backendOf, checkOutputSize, expectRank, expectShape } from './checks.js';
import { checkOptionNames, describe, toChoice, toPad4, toPair } from './options.js';

export interface PoolOptions {
  /** 'max' (default) or 'avg'. */
  method?: PoolMethod;
  /** One number or `[top, bottom, left, right]`; each strictly smaller than the pool size in its direction. Default 0. */
  pad?: number | readonly number[];
  /** One number or `[vertical, horizontal]`, each ≥ 1. Default 1. */
  stride?: number | readonly number[];
}

const OPTIONS = ['method', 'pad', 'stride'] as const;
const METHODS: readonly PoolMethod[] = ['max', 'avg'];

/** Max or average pooling of x `[N, H, W, C]` with a `poolSize` (`P` or `[Ph, Pw]`) window → `[N, Ho, Wo, C]`. */
export function pool(x: Tensor, poolSize: number | readonly number[], opts: PoolOptions = {}): Tensor {
  const { backend, attrs } = parse('pool', x, poolSize, null, opts);
  return backend.run('Pool', { x }, attrs);
}

/** Derivative of `pool` with respect to x, projected onto `dzdy` (shape `[N, Ho, Wo, C]`) → `[N, H, W, C]`. */
export function poolBackward(x: Tensor, poolSize: number | readonly number[], dzdy: Tensor, opts: PoolOptions = {}): Tensor {
  const { backend, attrs } = parse('poolBackward', x, poolSize, dzdy, opts);
  return backend.run('PoolBackward', { x, dy: dzdy }, attrs);
}

/** The output shape `[N, Ho, Wo, C]` of pooling an `[N, H, W, C]` input (checked to fit), by @convnet-ts/geometry's `poolOutputSize`. */
function poolOutputShape(xShape: Shape, poolSize: Pair, pad: Pad4, stride: Pair): Shape {
  const [n = 0, h = 0, w = 0, c = 0] = xShape;
  const [ho, wo] = poolOutputSize([h, w], { size: poolSize, pad, stride });
  return [n, ho, wo, c];
}

function parse(block: string, x: Tensor, poolSize: number | readonly number[], dzdy: Tensor | null, opts: PoolOptions) {
  checkOptionNames(block, opts, OPTIONS);
  if (poolSize === undefined || poolSize === null) {
    throw new OptionError(block, 'poolSize', `poolSize must be one number or [height, width], got ${describe(poolSize)}`);
  }
  const size = toPair(block, 'poolSize', poolSize, 1, 1);
  const method = toChoice(block, 'method', opts.method, 'max', METHODS);
  const pad = toPad4(block, 'pad', opts.pad);
  const stride = toPair(block, 'stride', opts.stride, 1, 1);
  if (pad[0] >= size[0] || pad[1] >= size[0] || pad[2] >= size[1] || pad[3] >= size[1]) {
    throw new OptionError(
      block,
      'pad',
      `pad must be strictly smaller than the pool size [${size.join(', ')}] in its direction ` +
        `(top, bottom < ${size[0]}; left, right < ${size[1]}), got [${pad.join(', ')}]`,
    );
  }
  const backend = backendOf(block, { x, dzdy });
  expectRank(block, 'x', x, 4);
  const [, h = 0, w = 0] = x.shape;
  if (h === 0 || w === 0) {
    throw new ShapeError(block, 'x', `x must have a height and width of at least 1, got shape [${x.shape.join(', ')}]`);
  }
  const padded = [h + pad[0] + pad[1], w + pad[2] + pad[3]];
  if (padded[0]! < size[0] || padded[1]! < size[1]) {
    throw new ShapeError(
      block,
      'x',
      `x must be at least the pool size [${size.join(', ')}] once padded (height, width), ` +
        `got [${padded.join(', ')}] from shape [${x.shape.join(', ')}] with pad [${pad.join(', ')}]`,
    );
  }
  const yShape = poolOutputShape(x.shape, size, pad, stride);
  checkOutputSize(block, 'y', backend, yShape);
  if (dzdy) expectShape(block, 'dzdy', dzdy, yShape, 'the output shape of pool');
  return { backend, attrs: { method, poolSize: size, pad, stride } };
}
