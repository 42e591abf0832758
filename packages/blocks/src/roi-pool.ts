/**
 * Region-of-interest pooling (vl_nnroipool, Fast R-CNN; api §1.18; pooling as manual §4.3):
 * for ROI k on image t and tile (ph, pw) of an Sh×Sw subdivision,
 *
 *   y[k, ph, pw, c] = max (or mean) of x[t, r, s, c] over the tile's pixels (r, s).
 *
 * ROI convention (follow MatConvNet's code, not its PDF manual): rows
 * `(t, u0, v0, u1, v1)`, t the 1-based image, (u0, v0) the top-left and
 * (u1, v1) the bottom-right corner, u horizontal and v vertical, in 1-based
 * pixels: coordinate 1 is the first pixel, `[1, 1, 1, 1, 1]` is exactly the
 * top-left pixel of image 1, and both corners are inside the ROI.
 *
 * Discretisation (Caffe-compatible): the corners are mapped by `transform`
 * (u' = T11 u + T12 v + T13, v' = T21 u + T22 v + T23; a scalar T means
 * u' = T(u − 1) + 1 and v' = T(v − 1) + 1; a pair is [Tu, Tv], MatConvNet's
 * order, the order of the ROI's coordinates) and rounded half away from zero;
 * the ROI is h = max(v1' − v0' + 1, 1) rows by w columns; tile ph spans rows
 * [⌊ph·h/Sh⌋, ⌈(ph+1)·h/Sh⌉) from v0', clipped to the image (columns alike); an
 * empty tile gives 0. Max backward routes to the first maximum (columns outer,
 * rows inner, as MatConvNet); avg divides by the tile's pixel count.
 *
 * Decisions: a scalar `subdivisions` s means [s, s] (fix: MatConvNet reads a
 * missing second element). Bad image indices throw (fix: MatConvNet clamps t
 * to [1, N] and silently pools another image), as do reversed corners
 * (MatConvNet makes them one pixel) and ROIs with no pixel in the feature map
 * (MatConvNet outputs zeros); ROIs partly outside are clipped (follow). These
 * value checks run on the host for every backend: an ROI tensor on a backend
 * without `readSync` (WebGPU) must have been made from host values with
 * `backend.tensor` (its kept host copy is checked; see `labels.ts`), else it
 * is refused with a `ValueError`.
 */
import {
  type Backend,
  formatShape,
  isTensor,
  OptionError,
  type PoolMethod,
  type RoiPoolAttrs,
  scope,
  ShapeError,
  type Tensor,
  ValueError,
} from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape, expectTensor } from './checks.js';
import { checkableValues } from './labels.js';
import { checkOptionNames, describe, toChoice, toPair } from './options.js';

/** A scalar, `[Tu, Tv]`, or the 2×3 matrix `[[T11, T12, T13], [T21, T22, T23]]` on (u, v, 1). */
export type RoiTransform = number | readonly [number, number] | RoiPoolAttrs['transform'];

export interface RoiPoolOptions {
  /** `'max'` (default) or `'avg'`. */
  method?: PoolMethod;
  /** Tiles `[Sh, Sw]` per ROI (default [1, 1]); a number s means [s, s]. */
  subdivisions?: number | readonly [number, number];
  /** Maps image coordinates to feature-map coordinates (default 1). */
  transform?: RoiTransform;
}

/** `[K, 5]` rows `(t, u0, v0, u1, v1)`, as a tensor or as arrays of 5 numbers. */
export type Rois = Tensor | readonly (readonly number[])[];

/** Pools each ROI of `x` `[N, H, W, C]` into `[K, Sh, Sw, C]`. */
export function roiPool(x: Tensor, rois: Rois, opts: RoiPoolOptions = {}): Tensor {
  return scope(() => {
    const { backend, roiTensor, attrs } = prepare('roiPool', x, rois, opts);
    return backend.run('RoiPool', { x, rois: roiTensor }, attrs);
  });
}

/** Derivative `[N, H, W, C]` of `⟨dzdy, roiPool(x, rois, opts)⟩` w.r.t. `x` (none w.r.t. the ROIs). */
export function roiPoolBackward(x: Tensor, rois: Rois, dzdy: Tensor, opts: RoiPoolOptions = {}): Tensor {
  const block = 'roiPoolBackward';
  expectTensor(block, 'dzdy', dzdy);
  // The ROI tensor made from arrays is released by the scope, also when dzdy is rejected.
  return scope(() => {
    const { backend, roiTensor, attrs } = prepare(block, x, rois, opts, dzdy);
    const [sh, sw] = attrs.subdivisions;
    expectShape(block, 'dzdy', dzdy, [roiTensor.shape[0]!, sh, sw, x.shape[3]!], 'the output [K, Sh, Sw, C]');
    return backend.run('RoiPoolBackward', { x, rois: roiTensor, dy: dzdy }, attrs);
  });
}

function prepare(
  block: string,
  x: Tensor,
  rois: Rois,
  opts: RoiPoolOptions,
  dzdy?: Tensor,
): { backend: Backend; roiTensor: Tensor; attrs: RoiPoolAttrs } {
  checkOptionNames(block, opts, ['method', 'subdivisions', 'transform']);
  const attrs: RoiPoolAttrs = {
    method: toChoice(block, 'method', opts.method, 'max', ['max', 'avg']),
    subdivisions: toPair(block, 'subdivisions', opts.subdivisions, 1, 1),
    transform: toTransform(block, opts.transform),
  };
  const backend = backendOf(block, { x, rois: isTensor(rois) ? rois : null, dzdy });
  expectRank(block, 'x', x, 4);
  let roiTensor: Tensor;
  if (isTensor(rois)) {
    if (rois.rank !== 2 || rois.shape[1] !== 5 || rois.shape[0]! < 1) {
      throw new ShapeError(block, 'rois', `rois must have shape [K, 5] with K ≥ 1, got ${formatShape(rois.shape)}`);
    }
    checkRois(block, checkableValues(block, 'rois', rois), x.shape, attrs.transform);
    roiTensor = rois;
  } else {
    if (!Array.isArray(rois) || rois.length < 1 || !rois.every((r) => Array.isArray(r) && r.length === 5)) {
      throw new ShapeError(block, 'rois', `rois must be K ≥ 1 rows of 5 numbers (t, u0, v0, u1, v1), got ${describe(rois)}`);
    }
    const flat = rois.flat();
    checkRois(block, flat, x.shape, attrs.transform);
    roiTensor = backend.tensor(flat, [rois.length, 5]);
  }
  return { backend, roiTensor, attrs };
}

function toTransform(block: string, t: RoiTransform | undefined): RoiPoolAttrs['transform'] {
  const v = t ?? 1;
  const finite = (a: unknown): a is number => typeof a === 'number' && Number.isFinite(a);
  if (finite(v)) return scales(v, v);
  if (Array.isArray(v) && v.length === 2) {
    const [a, b] = v as unknown[];
    if (finite(a) && finite(b)) return scales(a, b);
    if (Array.isArray(a) && Array.isArray(b) && a.length === 3 && b.length === 3 && [...a, ...b].every(finite)) {
      return [
        [a[0], a[1], a[2]],
        [b[0], b[1], b[2]],
      ];
    }
  }
  throw new OptionError(
    block,
    'transform',
    `transform must be a finite number, [Tu, Tv] or [[T11, T12, T13], [T21, T22, T23]], got ${describe(v)}`,
  );
}

function scales(tu: number, tv: number): RoiPoolAttrs['transform'] {
  return [
    [tu, 0, 1 - tu],
    [0, tv, 1 - tv],
  ];
}

/** C's `round`: halves go away from zero. */
function round(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

function checkRois(block: string, values: ArrayLike<number>, xShape: readonly number[], transform: RoiPoolAttrs['transform']): void {
  const [n, h, w] = [xShape[0]!, xShape[1]!, xShape[2]!];
  const [[t11, t12, t13], [t21, t22, t23]] = transform;
  for (let k = 0; 5 * k < values.length; k++) {
    const row = Array.from({ length: 5 }, (_, i) => values[5 * k + i]!);
    const [t, u0, v0, u1, v1] = row as [number, number, number, number, number];
    const given = `[${row.join(', ')}]`;
    if (!row.every(Number.isFinite)) throw new ValueError(block, 'rois', `rois[${k}] must hold finite numbers, got ${given}`);
    if (!Number.isInteger(t) || t < 1 || t > n) {
      throw new ValueError(block, 'rois', `rois[${k}] image index must be an integer in 1..${n}, got ${t}`);
    }
    if (u1 < u0 || v1 < v0) {
      throw new ValueError(block, 'rois', `rois[${k}] corners must satisfy u0 ≤ u1 and v0 ≤ v1, got ${given}`);
    }
    const top = round(t21 * u0 + t22 * v0 + t23);
    const bottom = top + Math.max(round(t21 * u1 + t22 * v1 + t23) - top, 0);
    const left = round(t11 * u0 + t12 * v0 + t13);
    const right = left + Math.max(round(t11 * u1 + t12 * v1 + t13) - left, 0);
    if (top > h || bottom < 1 || left > w || right < 1) {
      throw new ValueError(
        block,
        'rois',
        `rois[${k}] must overlap the ${h}×${w} feature map, got ${given} (rows ${top}..${bottom}, columns ${left}..${right})`,
      );
    }
  }
}
