/**
 * `crop` — spatial crop (MatConvNet `vl_nncrop`, matconvnet-api §1.17). With
 * `crop = [top, bottom, left, right]` and x `[N, H, W, C]`:
 *
 *   y_{n,i,j,k} = x_{n, i + top, j + left, k},   y: [N, H − top − bottom, W − left − right, C],
 *
 * a view of x on the CPU (the `Slice` kernel). The derivative places dz/dy
 * inside zeros of x's shape (MatConvNet's zero-filled DX, `PadZeros`);
 * `cropBackward` needs only x's shape (MatConvNet's `vl_nncrop([], CROP, DY, INPUTSIZE)`).
 *
 * Decision: a crop that leaves no row or no column is an error (MatConvNet
 * would return an empty array, which no later block accepts).
 */
import { formatShape, isTensor, OptionError, type Pad4, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { describe, toPad4 } from './options.js';

/** `[top, bottom, left, right]`, or one number for all four. */
export type CropSpec = number | readonly number[];

/** Crops `[top, bottom, left, right]` rows and columns off x `[N, H, W, C]` (a view on the CPU). */
export function crop(x: Tensor, spec: CropSpec): Tensor {
  const block = 'crop';
  const backend = backendOf(block, { x });
  expectRank(block, 'x', x, 4);
  const c = toCrop(block, spec);
  const size = croppedShape(block, x.shape, c);
  return backend.run('Slice', { x }, { begin: [0, c[0], c[2], 0], size });
}

/** Derivative of `crop` projected onto `dzdy`: dz/dy inside zeros of x's shape. `x` may be given as its shape. */
export function cropBackward(x: Tensor | Shape, spec: CropSpec, dzdy: Tensor): Tensor {
  const block = 'cropBackward';
  const backend = backendOf(block, { dzdy, x: isTensor(x) ? x : null });
  const xShape = isTensor(x) ? x.shape : x;
  if (!Array.isArray(xShape) || xShape.length !== 4 || !xShape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(block, 'x', `x must be a tensor or a shape [N, H, W, C], got ${Array.isArray(xShape) ? formatShape(xShape) : String(xShape)}`);
  }
  const c = toCrop(block, spec);
  expectShape(block, 'dzdy', dzdy, croppedShape(block, xShape, c), 'the cropped shape of x');
  return backend.run('PadZeros', { x: dzdy }, { before: [0, c[0], c[2], 0], after: [0, c[1], c[3], 0] });
}

/** The spec as `[top, bottom, left, right]`; a missing spec is an error (MatConvNet's vl_nncrop needs one), not a crop of 0. */
function toCrop(block: string, spec: CropSpec | undefined | null): Pad4 {
  if (spec === undefined || spec === null) {
    throw new OptionError(block, 'crop', `crop must be one number or [top, bottom, left, right], got ${describe(spec)}`);
  }
  return toPad4(block, 'crop', spec);
}

function croppedShape(block: string, shape: Shape, c: readonly number[]): number[] {
  const [n, h, w, k] = shape as [number, number, number, number];
  const [top, bottom, left, right] = c as [number, number, number, number];
  if (top + bottom >= h || left + right >= w) {
    throw new ShapeError(
      block,
      'crop',
      `crop [${c.join(', ')}] must leave at least one row and one column of x ${formatShape(shape)}, got ${Math.max(h - top - bottom, 0)} × ${Math.max(w - left - right, 0)}`,
    );
  }
  return [n, h - top - bottom, w - left - right, k];
}
