/**
 * A network's `meta.normalization` (MatConvNet, matconvnet-api §7.1), checked
 * and put in one form. Fields:
 *
 * - `imageSize` `[H, W]`, `[H, W, C]` (C default 3) or `[H, W, C, N]`: the
 *   network's input (utils/import-caffe.py writes the Caffe input shape,
 *   batch size N included, e.g. `[224 224 3 10]`; MatConvNet reads only
 *   `imageSize(1:2)` and `(3)`, so N is ignored);
 * - `averageImage`: the mean subtracted from every input — as
 *   `loadMatConvNet` gives it, a row-major number array over
 *   `averageImageSize` `[H, W, C]`; a C-vector (or `[1, 1, C]`) is a mean
 *   colour; nested arrays `[H][W][C]` / `[H][W]` (MATLAB's `A(i, j, k)` as
 *   `a[i−1][j−1][k−1]`) and a scalar are accepted too;
 * - `interpolation` (default 'bicubic', MATLAB's imresize default and what
 *   MatConvNet's `getImageBatch` passes to `vl_imreadjpeg`);
 * - `cropSize` (a fraction, or `[h, w]` fractions) or, when absent, `border`
 *   `[bh, bw]`, from which `cropSize = imageSize(1:2) ./ (imageSize(1:2) + border)`
 *   as `vl_simplenn_tidy` derives it;
 * - `keepAspect` (default true).
 */
import { ShapeError, ValueError } from '@convnet-ts/tensor';
import { type Interpolation, parseMethod } from '@convnet-ts/images';

export interface Normalization {
  imageSize: [number, number, 1 | 3];
  /** Row-major `[H, W, C]` values over `averageSize`, or null. */
  averageImage: Float64Array | null;
  averageSize: [number, number, number];
  interpolation: Interpolation;
  /** `[h, w]` fractions of the largest crop, or null (no crop: plain imresize). */
  cropSize: [number, number] | null;
  keepAspect: boolean;
}

const WHERE = 'preprocess';

function numberList(v: unknown, what: string): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ValueError(WHERE, what, `${what} must be a number or an array of finite numbers, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

/** Nested arrays `[H][W][C]` or `[H][W]` → row-major values and their size, or null if `v` is not nested. */
function nested(v: unknown[], what: string): { data: Float64Array; size: [number, number, number] } | null {
  if (!v.every(Array.isArray)) return null;
  const rows = v as unknown[][];
  const H = rows.length;
  const W = rows[0]!.length;
  const deep = Array.isArray(rows[0]![0]);
  const C = deep ? (rows[0]![0] as unknown[]).length : 1;
  const data = new Float64Array(H * W * C);
  let k = 0;
  for (const row of rows) {
    if (row.length !== W) throw new ShapeError(WHERE, what, `${what} must be a rectangular array, got rows of ${W} and ${row.length} elements`);
    for (const px of row) {
      const values = deep ? px : [px];
      if (!Array.isArray(values) || values.length !== C || !values.every((x) => typeof x === 'number')) {
        throw new ShapeError(WHERE, what, `${what} must be a rectangular array of numbers [${H}][${W}]${deep ? `[${C}]` : ''}, got an element ${JSON.stringify(px)}`);
      }
      for (const x of values as number[]) data[k++] = x;
    }
  }
  return { data, size: [H, W, C] };
}

function averageOf(n: Record<string, unknown>, channels: number): { data: Float64Array | null; size: [number, number, number] } {
  const v = n.averageImage;
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return { data: null, size: [1, 1, channels] };
  const what = 'normalization.averageImage';
  const grid = Array.isArray(v) ? nested(v, what) : null;
  if (grid) return grid;
  const data = Float64Array.from(numberList(v, what));
  if (n.averageImageSize !== undefined) {
    const s = numberList(n.averageImageSize, 'normalization.averageImageSize');
    const [H = 1, W = 1, C = 1, ...rest] = s;
    if (rest.some((d) => d !== 1) || H * W * C !== data.length) {
      throw new ShapeError(WHERE, 'normalization.averageImageSize', `normalization.averageImageSize must be [H, W, C] with H·W·C = ${data.length} (the length of averageImage), got ${JSON.stringify(n.averageImageSize)}`);
    }
    return { data, size: [H, W, C] };
  }
  if (data.length === 1) return { data: new Float64Array(channels).fill(data[0]!), size: [1, 1, channels] };
  if (data.length === channels) return { data, size: [1, 1, channels] };
  throw new ShapeError(WHERE, what, `${what} must be a mean colour of ${channels} values, or come with averageImageSize [H, W, C], got ${data.length} values and no averageImageSize`);
}

function pairOf(v: unknown, what: string): [number, number] {
  const s = numberList(v, what);
  if ((s.length !== 1 && s.length !== 2) || !s.every((x) => x > 0)) throw new ValueError(WHERE, what, `${what} must be one or two positive numbers, got ${JSON.stringify(v)}`);
  return [s[0]!, s[s.length - 1]!];
}

/** The normalization of a model's `meta` (see the module doc). */
export function parseNormalization(v: unknown): Normalization {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ValueError(WHERE, 'normalization', `normalization must be a model's meta.normalization object with imageSize, got ${JSON.stringify(v)}`);
  }
  const n = v as Record<string, unknown>;
  const size = numberList(n.imageSize, 'normalization.imageSize');
  const [H = 0, W = 0, C = 3, N = 1, ...rest] = size;
  if (size.length < 2 || !Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1 || (C !== 1 && C !== 3) || !Number.isInteger(N) || N < 1 || rest.some((d) => d !== 1)) {
    throw new ShapeError(WHERE, 'normalization.imageSize', `normalization.imageSize must be [H, W] or [H, W, C] (or [H, W, C, N], N ignored) with positive integers H, W, N and C = 1 or 3, got ${JSON.stringify(n.imageSize)}`);
  }
  const average = averageOf(n, C);
  if (average.data && average.size[2] !== C) {
    throw new ShapeError(WHERE, 'normalization.averageImage', `normalization.averageImage must have ${C} channel(s) as imageSize, got [${average.size.join(', ')}]`);
  }
  let cropSize: [number, number] | null = null;
  if (n.cropSize !== undefined && n.cropSize !== null) cropSize = pairOf(n.cropSize, 'normalization.cropSize');
  else if (n.border !== undefined && n.border !== null) {
    const b = numberList(n.border, 'normalization.border');
    if ((b.length !== 1 && b.length !== 2) || !b.every((x) => x >= 0)) {
      throw new ValueError(WHERE, 'normalization.border', `normalization.border must be one or two numbers ≥ 0, got ${JSON.stringify(n.border)}`);
    }
    cropSize = [H / (H + b[0]!), W / (W + b[b.length - 1]!)];
  }
  if (cropSize?.some((c) => c > 1)) throw new ValueError(WHERE, 'normalization.cropSize', `normalization.cropSize must be fractions in (0, 1], got ${JSON.stringify(n.cropSize)}`);
  const keep = n.keepAspect;
  if (keep !== undefined && typeof keep !== 'boolean' && keep !== 0 && keep !== 1) {
    throw new ValueError(WHERE, 'normalization.keepAspect', `normalization.keepAspect must be true or false, got ${JSON.stringify(keep)}`);
  }
  return {
    imageSize: [H, W, C as 1 | 3],
    averageImage: average.data,
    averageSize: average.size,
    interpolation: parseMethod(WHERE, 'normalization.interpolation', n.interpolation),
    cropSize,
    keepAspect: keep === undefined ? true : Boolean(keep),
  };
}
